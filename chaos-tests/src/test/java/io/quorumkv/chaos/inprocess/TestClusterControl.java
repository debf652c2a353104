package io.quorumkv.chaos.inprocess;

import io.quorumkv.chaos.nemesis.ClusterControl;
import io.quorumkv.chaos.nemesis.FaultType;
import io.quorumkv.node.NodeServer;
import io.quorumkv.node.testing.TestCluster;
import java.util.EnumSet;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The nemesis over the in-process {@link TestCluster}. In one JVM a "kill" is a close of the
 * node's server (no SIGKILL, no SIGSTOP: pauses need real processes), and a partition uses
 * Ratis' code-injection hooks, which are JVM-wide.
 */
final class TestClusterControl implements ClusterControl {
  private final TestCluster cluster;

  TestClusterControl(TestCluster cluster) {
    this.cluster = cluster;
  }

  @Override
  public int size() {
    return cluster.size();
  }

  @Override
  public OptionalInt leader() {
    for (int i = 0; i < cluster.size(); i++) {
      NodeServer n = cluster.node(i);
      if (n != null && n.isLeaderReady()) {
        return OptionalInt.of(i);
      }
    }
    return OptionalInt.empty();
  }

  @Override
  public Set<FaultType> supported() {
    return EnumSet.of(FaultType.KILL9_LEADER, FaultType.KILL9_FOLLOWER, FaultType.RESTART, FaultType.ALL_CRASH,
        FaultType.WIPE_FOLLOWER, FaultType.PARTITION);
  }

  @Override
  public void kill9(int node) {
    cluster.kill(node);
  }

  @Override
  public void stop(int node) {
    cluster.kill(node);
  }

  @Override
  public void start(int node) throws Exception {
    if (cluster.node(node) == null) {
      cluster.restart(node);
    }
  }

  @Override
  public void pause(int node) {
    throw new UnsupportedOperationException("pause needs a separate process");
  }

  @Override
  public void resume(int node) {
    throw new UnsupportedOperationException("pause needs a separate process");
  }

  @Override
  public void wipe(int node) throws Exception {
    cluster.wipe(node);
  }

  @Override
  public boolean allCaughtUp() {
    long committed = -1;
    for (int i = 0; i < cluster.size(); i++) {
      NodeServer n = cluster.node(i);
      if (n == null) {
        return false;
      }
      committed = Math.max(committed, n.status().getCommitIndex());
    }
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.node(i).stateMachine().appliedIndex() < committed - CAUGHT_UP_SLACK) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void isolate(int node) {
    cluster.partition(node);
  }

  @Override
  public void heal() {
    cluster.heal();
  }
}
