package io.quorumkv.node.raft;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/** Counters the state machine keeps for status and metrics. Thread-safe. */
public final class StateMachineStats {
  /** Groups of entries applied in one SQLite transaction. */
  public final AtomicLong applyGroups = new AtomicLong();
  /** Entries applied (excluding skipped replays). */
  public final AtomicLong appliedEntries = new AtomicLong();
  /** Largest group applied in one transaction. */
  public final AtomicLong maxGroupEntries = new AtomicLong();
  /** Total nanoseconds spent applying groups. */
  public final AtomicLong applyNanos = new AtomicLong();
  /** Snapshots taken and the nanoseconds they took. */
  public final AtomicLong snapshotsTaken = new AtomicLong();
  public final AtomicLong snapshotNanos = new AtomicLong();
  /** Snapshots installed from a leader. */
  public final AtomicLong snapshotsInstalled = new AtomicLong();
  /** Leader changes seen. */
  public final AtomicLong leaderChanges = new AtomicLong();
  /** Vote requests refused because the candidate lacked what the peers committed (VoteGuard). */
  public final AtomicLong votesRefused = new AtomicLong();

  private volatile Observer observer = Observer.NONE;

  /**
   * Told about each applied group and each snapshot, for distributions (histograms) that
   * counters cannot give. Called on the apply thread and on Ratis' snapshot thread, after the
   * counters are updated: implementations must be cheap, non-blocking and must not throw.
   */
  public interface Observer {
    Observer NONE = new Observer() {
      @Override
      public void applyGroup(int entries, long nanos) {}

      @Override
      public void snapshotTaken(long nanos) {}
    };

    /** {@code entries} were applied in one SQLite transaction that took {@code nanos}. */
    void applyGroup(int entries, long nanos);

    /** A snapshot was written in {@code nanos}. */
    void snapshotTaken(long nanos);
  }

  /** Replaces the observer (one at a time; metrics install theirs before the node starts). */
  public void observe(Observer o) {
    observer = Objects.requireNonNull(o);
  }

  void recordGroup(int entries, long nanos) {
    applyGroups.incrementAndGet();
    appliedEntries.addAndGet(entries);
    maxGroupEntries.accumulateAndGet(entries, Math::max);
    applyNanos.addAndGet(nanos);
    observer.applyGroup(entries, nanos);
  }

  void recordSnapshot(long nanos) {
    snapshotsTaken.incrementAndGet();
    snapshotNanos.addAndGet(nanos);
    observer.snapshotTaken(nanos);
  }
}
