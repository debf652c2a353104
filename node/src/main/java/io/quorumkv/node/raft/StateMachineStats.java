package io.quorumkv.node.raft;

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

  void recordGroup(int entries, long nanos) {
    applyGroups.incrementAndGet();
    appliedEntries.addAndGet(entries);
    maxGroupEntries.accumulateAndGet(entries, Math::max);
    applyNanos.addAndGet(nanos);
  }

  void recordSnapshot(long nanos) {
    snapshotsTaken.incrementAndGet();
    snapshotNanos.addAndGet(nanos);
  }
}
