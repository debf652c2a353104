package io.quorumkv.chaos;

import io.quorumkv.chaos.check.ConvergenceChecker.NodeDigest;
import io.quorumkv.chaos.check.DigestCollector;
import io.quorumkv.chaos.nemesis.ClusterControl;
import io.quorumkv.chaos.nemesis.FaultType;
import io.quorumkv.proto.NodeStatusProbe;
import io.quorumkv.proto.PeerAddress;
import io.quorumkv.proto.gen.StatusResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A running QuorumKV cluster (nodes and one gateway) that a chaos scenario drives over KV
 * Connect and breaks through {@link #control()}: {@link ProcessCluster} (node and gateway
 * processes on this machine, faults by signals) or {@code container.ContainerCluster} (the
 * {@code deploy/docker-compose.yml} cluster, faults through the Docker API). The scenarios in
 * {@link ChaosScenarios} are written once against this interface.
 *
 * <p>Started by its factory (ready: a leader exists and the gateway answers); {@link #close()}
 * tears everything down and never throws.
 */
public interface ChaosCluster extends AutoCloseable {
  /** The gateway's KV Connect base URL, as {@code Deno.openKv} takes it. */
  String url();

  /** The gateway's access token. */
  String token();

  /**
   * Every node, in node order (index = the nemesis' node number), with the address at which
   * <em>this JVM</em> reaches its node RPC ({@code host}, {@code rpcPort}): Status and Digest
   * go there. The Raft port is informational; it need not be reachable from here.
   */
  List<PeerAddress> peers();

  /** What the nemesis drives; the same object on every call (it may hold fault state). */
  ClusterControl control();

  /** The fault types {@link #control()} can apply. */
  default Set<FaultType> supported() {
    return control().supported();
  }

  /** Node {@code i}'s status, or empty if it does not answer within a second. */
  default Optional<StatusResponse> status(int i) {
    return NodeStatusProbe.fetch(peers().get(i), 1000);
  }

  /**
   * Every node's data digest for the convergence check, polled until all report the same
   * applied index or {@code timeout} passes ({@link DigestCollector}).
   */
  default List<NodeDigest> digests(Duration timeout) throws InterruptedException {
    return DigestCollector.collect(peers(), timeout);
  }

  /** The last lines of every node's and the gateway's log, for a failure report. */
  String logs();

  @Override
  void close();
}
