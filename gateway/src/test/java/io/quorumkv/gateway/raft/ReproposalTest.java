package io.quorumkv.gateway.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.proto.KvException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.junit.jupiter.api.Test;

class ReproposalTest {

  @Test
  void repeatsAnAttemptWhoseFateIsUnknownUntilOneSucceeds() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<String> f = Reproposal.until(() -> attempts.incrementAndGet() < 3
            ? CompletableFuture.failedFuture(new AlreadyClosedException("client closed"))
            : CompletableFuture.completedFuture("committed"),
        RaftKvDatabase::worthReproposing, System.nanoTime() + TimeUnit.SECONDS.toNanos(10), 1, System::nanoTime);
    assertEquals("committed", f.get(5, TimeUnit.SECONDS));
    assertEquals(3, attempts.get());
  }

  @Test
  void aRefusalByTheStateMachineIsNotRepeated() {
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<String> f = Reproposal.until(() -> {
      attempts.incrementAndGet();
      return CompletableFuture.failedFuture(new StateMachineException("malformed command"));
    }, RaftKvDatabase::worthReproposing, System.nanoTime() + TimeUnit.SECONDS.toNanos(10), 1, System::nanoTime);
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
    assertInstanceOf(StateMachineException.class, e.getCause());
    assertEquals(1, attempts.get());
  }

  @Test
  void givesUpAtTheDeadlineWithTheLastFailure() {
    AtomicLong clock = new AtomicLong();
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<String> f = Reproposal.until(() -> {
      clock.addAndGet(400); // each attempt takes 400 "ns" of a 1000 ns budget
      return CompletableFuture.failedFuture(new java.util.concurrent.TimeoutException("attempt " + attempts.incrementAndGet()));
    }, RaftKvDatabase::worthReproposing, 1000, 1, clock::get);
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
    assertEquals("attempt 3", e.getCause().getMessage());
  }

  @Test
  void anAttemptThatThrowsIsTreatedAsAFailedAttempt() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<String> f = Reproposal.until(() -> {
      if (attempts.incrementAndGet() == 1) {
        throw new IllegalStateException("no client yet");
      }
      return CompletableFuture.completedFuture("ok");
    }, RaftKvDatabase::worthReproposing, System.nanoTime() + TimeUnit.SECONDS.toNanos(10), 1, System::nanoTime);
    assertEquals("ok", f.get(5, TimeUnit.SECONDS));
  }

  @Test
  void whatIsWorthReproposing() {
    assertTrue(RaftKvDatabase.worthReproposing(new IOException("UNAVAILABLE")));
    assertTrue(RaftKvDatabase.worthReproposing(new AlreadyClosedException("client closed")));
    assertFalse(RaftKvDatabase.worthReproposing(new IOException(new StateMachineException("malformed"))));
    assertFalse(RaftKvDatabase.worthReproposing(new KvException.Overloaded("busy")));
  }
}
