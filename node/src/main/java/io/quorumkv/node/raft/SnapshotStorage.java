package io.quorumkv.node.raft;

import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;

/**
 * Ratis' snapshot directory with "no snapshot yet" remembered too.
 *
 * <p>{@link SimpleStateMachineStorage} caches the latest snapshot once there is one, but while
 * there is none every {@link #getLatestSnapshot} lists the directory again (open, read, close).
 * Ratis asks on every turn of each log appender's loop and on every {@code Status} call, so a
 * new cluster, until its first snapshot (10,000 entries by default), spent a sixth of the
 * leader's Raft threads' CPU on directory listings (profile in bench/README.md). Here a listing
 * that found nothing is remembered until this node itself changes the answer: a snapshot it
 * took ({@link #updateLatestSnapshot}) or one installed from the leader, after which
 * {@link KvStateMachine#reinitialize} reloads ({@link #loadLatestSnapshot}). No one else writes
 * snapshots into the directory while the node runs. Loads and updates are serialized, so a
 * listing that raced with a new snapshot cannot hide it.
 */
final class SnapshotStorage extends SimpleStateMachineStorage {
  /** True after a listing found no snapshot, until a snapshot is taken or loaded again. */
  private volatile boolean noneFound;

  @Override
  public SingleFileSnapshotInfo getLatestSnapshot() {
    return noneFound ? null : super.getLatestSnapshot();
  }

  @Override
  public synchronized SingleFileSnapshotInfo loadLatestSnapshot() {
    SingleFileSnapshotInfo latest = super.loadLatestSnapshot();
    noneFound = latest == null;
    return latest;
  }

  @Override
  public synchronized SingleFileSnapshotInfo updateLatestSnapshot(SingleFileSnapshotInfo info) {
    SingleFileSnapshotInfo latest = super.updateLatestSnapshot(info);
    noneFound = latest == null;
    return latest;
  }
}
