package io.quorumkv.node.raft;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.logging.Logger;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * Every Ratis property QuorumKV sets, in one place, each with its reason (STYLE.md practice
 * 11). Values measured on a 2-core machine are in ../shared/STACK.md §2.3 and §5.
 *
 * @param electionTimeoutMinMs lower bound of the randomized election timeout
 * @param electionTimeoutMaxMs upper bound of the randomized election timeout
 * @param snapshotThresholdEntries take a snapshot every this many applied entries
 * @param logSegmentSizeBytes size at which a log segment is closed (only closed segments purge)
 * @param purgeGapEntries purge the log once this many entries lie before the snapshot
 */
public record RaftSettings(
    long electionTimeoutMinMs,
    long electionTimeoutMaxMs,
    long snapshotThresholdEntries,
    long logSegmentSizeBytes,
    int purgeGapEntries) {

  private static final Logger LOG = Logger.getLogger(RaftSettings.class.getName());

  /** Production defaults. */
  public static RaftSettings defaults() {
    return new RaftSettings(150, 300, 10_000, 8L * 1024 * 1024, 1024);
  }

  /** The same with another randomized election timeout range. */
  public RaftSettings withElectionTimeout(long minMs, long maxMs) {
    return new RaftSettings(minMs, maxMs, snapshotThresholdEntries, logSegmentSizeBytes, purgeGapEntries);
  }

  /** Small snapshots and segments so tests can purge the log and force a snapshot install. */
  public RaftSettings withFrequentSnapshots(long threshold) {
    return new RaftSettings(electionTimeoutMinMs, electionTimeoutMaxMs, threshold, 16 * 1024, 16);
  }

  /** Properties for one server, storing its Raft log and snapshots under {@code storageDir}. */
  public RaftProperties serverProperties(Path storageDir, int raftPort) {
    RaftProperties p = new RaftProperties();
    // gRPC transport, as measured in STACK.md; Netty transport is not on the classpath.
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    GrpcConfigKeys.Server.setPort(p, raftPort);
    // The default /tmp/raft-server is shared by every peer on a host (STACK.md §5.11).
    RaftServerConfigKeys.setStorageDir(p, List.of(storageDir.toFile()));
    // Default 150-300 ms: below 100 ms elections flap on 2 cores (STACK.md §2.3).
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(electionTimeoutMinMs));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(electionTimeoutMaxMs));
    // Strong reads never answer from a deposed leader's state (invariant 8), and the leader
    // confirms its leadership itself (KvStateMachine.query, LeaderConfirmation): Ratis' ReadIndex
    // skips its round for an index an earlier round acknowledged, which let a cut-off leader
    // answer stale reads (DeposedLeaderReadTest), and it waits for the followers' commit index,
    // which with writes in flight moves only after their next fsync. DEFAULT makes Ratis call
    // query on a ready leader without a round of its own (and refuse reads on followers, which
    // QuorumKV does not send).
    // -Draft.server.read.option=LINEARIZABLE brings Ratis' round back (the node then skips its own).
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.DEFAULT);
    // No lease: its safety rests on bounded clock drift, which we do not assume yet.
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, false);
    // Snapshots are off by default and the log would grow without bound (STACK.md §5.11).
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshotThresholdEntries);
    // Keep two snapshots: the newest and one in case the newest is being sent to a follower.
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
    // Purge the log up to the snapshot, so disk use is bounded; laggards then install the snapshot.
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(p, purgeGapEntries);
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(logSegmentSizeBytes));
    // No metadata entry after every commit. Ratis' default appends one recording the commit
    // index (so that a restarted server can apply up to it before hearing from a leader): that
    // doubled the log, each write entry followed by one more append, replication and fsync on
    // every node. Raft does not need the commit index persisted; a restarted node learns it from
    // the leader, and our database keeps its own applied index (node/DESIGN.md).
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    // A lagging follower whose entries were purged must receive the snapshot from the leader.
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
    // Durability: the Raft log is fsynced before an entry counts toward the commit quorum.
    // Not async flush: in 3.3.0 its completion marks everything written by then as flushed,
    // including entries appended while the fsync ran (node/DESIGN.md).
    RaftServerConfigKeys.Log.setAsyncFlushEnabled(p, false);
    // The 10 s default keeps a deposed leader from standing again for too long after a pause.
    RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p, TimeDuration.valueOf(2, java.util.concurrent.TimeUnit.SECONDS));
    // Requests that carry up to 256 writes of 800 KiB each must fit.
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf("256MB"));
    applyOverrides(p, System.getProperties());
    return p;
  }

  /**
   * Expert tuning without a rebuild: every system property whose name starts with {@code raft.}
   * (e.g. {@code -Draft.grpc.server.worker-group.size=1} in {@code QUORUMKV_JAVA_OPTS}) is set on
   * the server's Ratis properties, over the values above. Each override is logged at start.
   */
  static void applyOverrides(RaftProperties p, Properties system) {
    for (String name : new TreeSet<>(system.stringPropertyNames())) {
      if (name.startsWith("raft.")) {
        p.set(name, system.getProperty(name));
        LOG.info("Ratis property from the command line: " + name + "=" + system.getProperty(name));
      }
    }
  }

  /** Properties for a Ratis client of this group (gateway, sweeper, tests). */
  public static RaftProperties clientProperties() {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    // A request waits this long for one server before the retry policy moves on.
    org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(p, ms(3000));
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf("256MB"));
    return p;
  }

  static TimeDuration ms(long v) {
    return TimeDuration.valueOf(v, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

}
