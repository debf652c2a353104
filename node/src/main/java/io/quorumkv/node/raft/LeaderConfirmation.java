package io.quorumkv.node.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.protocol.exceptions.ReadIndexException;

/**
 * The leadership check of a linearizable read, done by QuorumKV instead of Ratis' ReadIndex
 * (node/DESIGN.md, "Linearizable reads confirm leadership"). The leader, in term {@code T}, asks
 * other members for their current Raft term; once a majority (the leader included) answered
 * with a term of at most {@code T}, no leader of a later term had been elected before the read
 * arrived: such a leader had votes from a majority, which overlaps the one that answered, and a
 * member raises (and persists) its term before it grants a vote, so it could not answer
 * {@code <= T} afterwards. The read then answers from the leader's database as it is after the
 * round, which holds every write completed before the read arrived.
 *
 * <p>Unlike Ratis' ReadIndex, the round does not wait for the followers' commit index to reach
 * the read index (which with writes in flight moves only with the next append's reply, after a
 * follower fsync), and it runs for every read: Ratis skips the round for a read index that an
 * earlier round acknowledged, which let a leader cut off from the majority answer stale reads
 * ({@code DeposedLeaderReadTest}).
 *
 * <p>The group is static (QuorumKV does not change membership), so the majority is counted over
 * the configured peers. Thread-safe.
 */
public final class LeaderConfirmation {
  /**
   * How long the first members asked (just enough for a majority) may take before the others
   * are asked too. Answers come within a millisecond or two; a paused or cut-off member must
   * not hold reads up for long.
   */
  static final long FIRST_ASK_TIMEOUT_MS = 100;
  /** How long the members asked after a refusal or a timeout may take. */
  static final long FALLBACK_ASK_TIMEOUT_MS = 1_000;

  /** Asks one other member for its current Raft term; fails if it cannot tell in time. */
  @FunctionalInterface
  public interface Peer {
    CompletableFuture<Long> currentTerm(long timeoutMs);
  }

  private final List<Peer> others;
  /** Answers needed from {@link #others}: the leader itself is the rest of the majority. */
  private final int needed;
  /** Where the next round starts asking: the member that confirmed last. */
  private volatile int preferred;

  /** @param others every member of the group except this node */
  public LeaderConfirmation(List<Peer> others) {
    this.others = List.copyOf(others);
    this.needed = (this.others.size() + 1) / 2;
  }

  /**
   * Completes once a majority confirmed that no term after {@code term} had started when they
   * were asked (they are asked now); fails with a {@link ReadIndexException}, which clients treat
   * as "retry, maybe elsewhere", as soon as that majority can no longer be reached.
   *
   * <p>Only as many members as a majority needs are asked at first (one of two in a group of
   * three), starting with the one that confirmed last; the others are asked when one of those
   * refuses, fails or does not answer within {@link #FIRST_ASK_TIMEOUT_MS}. Each question is a
   * gRPC call on both sides, and asking everyone every time cost measurably more CPU per read.
   */
  public CompletableFuture<Void> confirm(long term) {
    if (needed == 0) {
      return CompletableFuture.completedFuture(null);
    }
    Round r = new Round(term);
    int first = preferred;
    for (int i = 0; i < needed; i++) {
      r.ask((first + i) % others.size(), FIRST_ASK_TIMEOUT_MS);
    }
    return r.done;
  }

  /** Members that must answer besides this node (0 for a group of one). */
  public int needed() {
    return needed;
  }

  /** One confirmation: who was asked, who said yes or no. */
  private final class Round {
    final long term;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Guarded by {@code this}. */
    final boolean[] asked = new boolean[others.size()];
    int yes;
    int no;
    boolean restAsked;

    Round(long term) {
      this.term = term;
    }

    void ask(int i, long timeoutMs) {
      synchronized (this) {
        asked[i] = true;
      }
      CompletableFuture<Long> answer;
      try {
        answer = others.get(i).currentTerm(timeoutMs);
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      answer.whenComplete((peerTerm, error) -> answered(i, peerTerm, error));
    }

    private void answered(int i, Long peerTerm, Throwable error) {
      boolean confirmed = false;
      String refused = null;
      List<Integer> askNow = List.of();
      synchronized (this) {
        if (error == null && peerTerm <= term) {
          confirmed = ++yes == needed;
        } else if (++no > others.size() - needed) {
          refused = error != null ? "a peer did not answer: " + error.getMessage()
              : "a peer is in term " + peerTerm + ", after this leader's term " + term;
        } else if (!restAsked) {
          restAsked = true;
          askNow = new ArrayList<>();
          for (int j = 0; j < asked.length; j++) {
            if (!asked[j]) {
              askNow.add(j);
            }
          }
        }
      }
      if (confirmed) {
        preferred = i;
        done.complete(null);
      } else if (refused != null) {
        done.completeExceptionally(new ReadIndexException("leadership in term " + term + " not confirmed (" + refused + ")"));
      }
      for (int j : askNow) {
        ask(j, FALLBACK_ASK_TIMEOUT_MS);
      }
    }
  }
}
