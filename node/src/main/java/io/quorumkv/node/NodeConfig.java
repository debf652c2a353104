package io.quorumkv.node;

import io.quorumkv.node.raft.RaftSettings;
import io.quorumkv.proto.PeerAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * Everything one node needs to start.
 *
 * @param id this node's id; must be one of {@code peers}
 * @param peers every member of the group, this node included
 * @param dataDir holds {@code cluster-id}, {@code raft/} (Ratis log and snapshots) and {@code kv.sqlite3}
 * @param bindHost address the Raft, RPC and metrics ports listen on
 * @param raftPort port for Raft traffic (defaults to this node's entry in {@code peers})
 * @param rpcPort port for the node RPC service
 * @param metricsPort port for {@code /metrics} and {@code /health/*}: 0 picks a free port (tests),
 *     {@link #METRICS_OFF} serves none; the node command defaults it to {@link #defaultMetricsPort}
 * @param clusterId the Raft group id, which is also the database id clients see
 * @param raft Ratis tuning
 */
public record NodeConfig(
    String id,
    List<PeerAddress> peers,
    Path dataDir,
    String bindHost,
    int raftPort,
    int rpcPort,
    int metricsPort,
    UUID clusterId,
    RaftSettings raft) {

  /** {@code metricsPort} value that disables the metrics and health server. */
  public static final int METRICS_OFF = -1;
  /** The metrics port is the RPC port plus this (7101 → 7201 in the default layout). */
  public static final int METRICS_PORT_OFFSET = 100;

  public NodeConfig {
    peers = List.copyOf(peers);
    if (metricsPort < METRICS_OFF || metricsPort > 65535) {
      throw new IllegalArgumentException("metrics port " + metricsPort + " is not -1 (off), 0 (any) or a port");
    }
    if (peers.stream().noneMatch(p -> p.id().equals(id))) {
      throw new IllegalArgumentException("node id '" + id + "' is not in --peers " + PeerAddress.toSpec(peers));
    }
  }

  /** This node's own entry in the peer list. */
  public PeerAddress self() {
    return peers.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow();
  }

  /** The default metrics port for a node whose RPC port is {@code rpcPort}. */
  public static int defaultMetricsPort(int rpcPort) {
    return rpcPort + METRICS_PORT_OFFSET;
  }

  /** The default cluster id for a peer list: the same on every node given the same list. */
  public static UUID defaultClusterId(List<PeerAddress> peers) {
    return UUID.nameUUIDFromBytes(("quorumkv:" + PeerAddress.toSpec(
        peers.stream().sorted(java.util.Comparator.comparing(PeerAddress::id)).toList()))
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
