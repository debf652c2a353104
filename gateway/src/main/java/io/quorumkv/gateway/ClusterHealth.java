package io.quorumkv.gateway;

import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link KvDatabase} knows about the cluster behind it, for {@code /health/ready} and
 * {@code /metrics}. Read at probe and scrape time, so it must be cheap (no network call).
 *
 * @param leader the leader's node id, if one is known
 * @param nodesReachable nodes that answered their last status poll
 * @param nodes nodes configured
 * @param leaderChanges times the known leader changed to a different node since start
 * @param logEntries Raft log entries proposed for atomic writes (each may carry many writes)
 * @param batchedWrites atomic writes carried by those entries
 * @param readQueries linearizable queries made for strong reads (each may carry many reads)
 * @param batchedReads strong reads carried by those queries
 * @param eventualReadCalls node RPC calls made for eventual reads (each may carry many reads)
 * @param batchedEventualReads eventual reads carried by those calls
 */
public record ClusterHealth(
    Optional<String> leader,
    int nodesReachable,
    int nodes,
    long leaderChanges,
    long logEntries,
    long batchedWrites,
    long readQueries,
    long batchedReads,
    long eventualReadCalls,
    long batchedEventualReads) {

  /** A database with no cluster behind it (in-process fakes): always has a "leader". */
  public static final ClusterHealth LOCAL = new ClusterHealth(Optional.of("local"), 1, 1, 0, 0, 0, 0, 0, 0, 0);

  /** Nothing known: no database yet, or it could not say. */
  public static final ClusterHealth UNKNOWN = new ClusterHealth(Optional.empty(), 0, 0, 0, 0, 0, 0, 0, 0, 0);

  public ClusterHealth {
    Objects.requireNonNull(leader, "leader");
  }
}
