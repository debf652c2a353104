package io.quorumkv.gateway.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The shared request timeout: ticks driven by the test on a clock it moves. */
class DeadlinesTest {
  private final AtomicLong now = new AtomicLong(1_000);
  /** 100 ns timeout, no thread: {@link Deadlines#tick} runs when the test calls it. */
  private final Deadlines deadlines = new Deadlines("test", 100, 0, now::get);

  @Test
  void anOpenRequestFailsWithATimeoutOnceItsDeadlineHasPassedAndNotBefore() {
    CompletableFuture<String> f = deadlines.watch(new CompletableFuture<>());
    now.addAndGet(99);
    deadlines.tick();
    assertFalse(f.isDone(), "failed before its deadline");
    now.addAndGet(1);
    deadlines.tick();
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertInstanceOf(TimeoutException.class, e.getCause());
    assertEquals(0, deadlines.length());
  }

  @Test
  void answeredRequestsAreDroppedAndKeepTheirResult() throws Exception {
    CompletableFuture<String> answered = deadlines.watch(new CompletableFuture<>());
    CompletableFuture<String> open = deadlines.watch(new CompletableFuture<>());
    answered.complete("r");
    now.addAndGet(50);
    deadlines.tick();
    assertEquals(1, deadlines.length(), "the answered head is dropped, the open one stays");
    now.addAndGet(50);
    deadlines.tick();
    assertEquals("r", answered.get());
    assertTrue(open.isCompletedExceptionally());
    // A future that is already done is not even registered.
    deadlines.watch(CompletableFuture.completedFuture("x"));
    assertEquals(0, deadlines.length());
  }

  @Test
  void anOpenHeadDoesNotKeepAnsweredRequestsBehindItOnceTheQueueIsLong() {
    CompletableFuture<String> stuck = deadlines.watch(new CompletableFuture<>());
    List<CompletableFuture<String>> later = new ArrayList<>();
    for (int i = 0; i <= Deadlines.SWEEP_LENGTH; i++) {
      later.add(deadlines.watch(new CompletableFuture<>()));
    }
    CompletableFuture<String> stillOpen = deadlines.watch(new CompletableFuture<>());
    later.forEach(f -> f.complete("r"));
    deadlines.tick();
    assertEquals(2, deadlines.length(), "only the open requests are kept");
    assertFalse(stuck.isDone());
    assertFalse(stillOpen.isDone());
  }

  @Test
  void withManyRequestsReallyOpenTheNextSweepWaitsUntilTheQueueHasDoubled() {
    List<CompletableFuture<String>> open = new ArrayList<>();
    for (int i = 0; i <= Deadlines.SWEEP_LENGTH; i++) {
      open.add(deadlines.watch(new CompletableFuture<>()));
    }
    deadlines.tick(); // sweeps, keeps all: the next sweep waits for twice as many
    int kept = deadlines.length();
    List<CompletableFuture<String>> answered = new ArrayList<>();
    for (int i = 0; i < kept / 2; i++) {
      answered.add(deadlines.watch(new CompletableFuture<>()));
    }
    answered.forEach(f -> f.complete("r"));
    deadlines.tick();
    assertEquals(kept + kept / 2, deadlines.length(), "no sweep before the queue doubled");
    for (int i = 0; i < kept; i++) {
      deadlines.watch(new CompletableFuture<>()).complete("r");
    }
    deadlines.tick();
    assertEquals(kept, deadlines.length(), "swept once it doubled: only the open ones are left");
    assertFalse(open.get(0).isDone());
  }

  @Test
  void theTickerThreadFailsOverdueRequestsOnItsOwn() throws Exception {
    try (Deadlines real = Deadlines.start("test", 50, 5)) {
      CompletableFuture<String> f = real.watch(new CompletableFuture<>());
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
      assertInstanceOf(TimeoutException.class, e.getCause());
    }
  }

  @Test
  void aTimeoutMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new Deadlines("test", 0, 0, now::get));
  }
}
