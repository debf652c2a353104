package io.quorumkv.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.junit.jupiter.api.Test;

/** The majority counting of the leader's read confirmation, with peers answering by hand. */
class LeaderConfirmationTest {

  /** A peer whose answer the test gives; records each question's timeout. */
  private static final class Manual implements LeaderConfirmation.Peer {
    final List<CompletableFuture<Long>> asked = new ArrayList<>();
    final List<Long> timeouts = new ArrayList<>();

    @Override
    public synchronized CompletableFuture<Long> currentTerm(long timeoutMs) {
      CompletableFuture<Long> f = new CompletableFuture<>();
      asked.add(f);
      timeouts.add(timeoutMs);
      return f;
    }

    CompletableFuture<Long> last() {
      return asked.get(asked.size() - 1);
    }
  }

  private static boolean succeeded(CompletableFuture<Void> f) {
    return f.isDone() && !f.isCompletedExceptionally();
  }

  @Test
  void aSingleNodeGroupNeedsNoAnswer() {
    LeaderConfirmation c = new LeaderConfirmation(List.of());
    assertEquals(0, c.needed());
    assertTrue(succeeded(c.confirm(3)));
  }

  @Test
  void threeNodesAskOneFollowerAndConfirmWhenItIsAtTheSameOrAnEarlierTerm() {
    Manual a = new Manual();
    Manual b = new Manual();
    LeaderConfirmation c = new LeaderConfirmation(List.of(a, b));
    assertEquals(1, c.needed());

    CompletableFuture<Void> same = c.confirm(5);
    assertEquals(1, a.asked.size() + b.asked.size(), "a majority of three needs one follower: ask one");
    assertEquals(List.of(LeaderConfirmation.FIRST_ASK_TIMEOUT_MS), a.timeouts);
    assertFalse(same.isDone(), "nobody answered yet");
    a.last().complete(5L);
    assertTrue(succeeded(same), "leader + one follower in term 5 = majority");

    CompletableFuture<Void> earlier = c.confirm(5);
    assertEquals(2, a.asked.size(), "the follower that confirmed last is asked first again");
    a.last().complete(4L); // a follower that has not heard of term 5 yet has not voted after it either
    assertTrue(succeeded(earlier));
    assertEquals(0, b.asked.size());
  }

  @Test
  void aFollowerInALaterTermMakesTheLeaderAskTheOtherAndTwoOfThemRefuse() {
    Manual a = new Manual();
    Manual b = new Manual();
    LeaderConfirmation c = new LeaderConfirmation(List.of(a, b));

    CompletableFuture<Void> f = c.confirm(5);
    a.last().complete(6L);
    assertFalse(f.isDone(), "the other follower may still confirm");
    assertEquals(List.of(LeaderConfirmation.FALLBACK_ASK_TIMEOUT_MS), b.timeouts, "asked after the refusal");
    b.last().complete(5L);
    assertTrue(succeeded(f));

    CompletableFuture<Void> g = c.confirm(5);
    assertEquals(2, b.asked.size(), "the one that confirmed is now asked first");
    assertEquals(1, a.asked.size());
    b.last().complete(7L);
    a.last().complete(6L);
    ExecutionException e = assertThrows(ExecutionException.class, g::get);
    assertInstanceOf(ReadIndexException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("term 6"), e.getCause().getMessage());
  }

  @Test
  void aSilentFollowerMakesTheLeaderAskTheOthersAndAMajorityOfFailuresRefuses() {
    Manual a = new Manual();
    Manual b = new Manual();
    Manual d = new Manual();
    Manual e = new Manual();
    LeaderConfirmation c = new LeaderConfirmation(List.of(a, b, d, e));
    assertEquals(2, c.needed(), "five nodes: the leader and two more");

    CompletableFuture<Void> f = c.confirm(2);
    assertEquals(1, a.asked.size());
    assertEquals(1, b.asked.size());
    assertEquals(0, d.asked.size() + e.asked.size(), "two asked first");
    a.last().completeExceptionally(new RuntimeException("DEADLINE_EXCEEDED"));
    assertEquals(1, d.asked.size());
    assertEquals(1, e.asked.size(), "the rest asked once the first failed");
    b.last().complete(2L);
    d.last().completeExceptionally(new RuntimeException("connection refused"));
    assertFalse(f.isDone(), "two may fail; the last one decides");
    e.last().complete(2L);
    assertTrue(succeeded(f));

    CompletableFuture<Void> g = c.confirm(2);
    // The round starts at the member that confirmed last (e) and the one after it (a).
    assertEquals(2, e.asked.size());
    assertEquals(2, a.asked.size());
    e.last().complete(3L);
    a.last().completeExceptionally(new RuntimeException("DEADLINE_EXCEEDED"));
    assertEquals(2, b.asked.size());
    assertEquals(2, d.asked.size());
    b.last().complete(2L);
    d.last().completeExceptionally(new RuntimeException("connection refused"));
    ExecutionException x = assertThrows(ExecutionException.class, g::get);
    assertInstanceOf(ReadIndexException.class, x.getCause());
  }

  @Test
  void aPeerThatThrowsInsteadOfAnsweringCountsAsNo() {
    AtomicInteger calls = new AtomicInteger();
    LeaderConfirmation.Peer throwing = timeoutMs -> {
      calls.incrementAndGet();
      throw new IllegalStateException("channel shut down");
    };
    LeaderConfirmation c = new LeaderConfirmation(List.of(throwing, throwing));
    ExecutionException x = assertThrows(ExecutionException.class, () -> c.confirm(1).get());
    assertInstanceOf(ReadIndexException.class, x.getCause());
    assertEquals(2, calls.get(), "the first failure made the leader ask the other");
  }
}
