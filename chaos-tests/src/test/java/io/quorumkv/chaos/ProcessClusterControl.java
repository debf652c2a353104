package io.quorumkv.chaos;

import io.quorumkv.chaos.nemesis.ClusterControl;
import io.quorumkv.chaos.nemesis.FaultType;
import io.quorumkv.proto.gen.StatusResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.EnumSet;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The nemesis over {@link ProcessCluster}: real SIGKILL, SIGSTOP and SIGCONT of node
 * processes, and partitions through the cluster's proxies when it was started
 * {@link ProcessCluster#startPartitionable partitionable}. Graceful stop is not wired, so
 * that fault type is reported as unsupported and skipped.
 */
final class ProcessClusterControl implements ClusterControl {
  private final ProcessCluster cluster;

  ProcessClusterControl(ProcessCluster cluster) {
    this.cluster = cluster;
  }

  @Override
  public int size() {
    return cluster.peers().size();
  }

  @Override
  public OptionalInt leader() {
    for (int i = 0; i < size(); i++) {
      if (cluster.status(i).map(s -> s.getRole().equals("LEADER")).orElse(false)) {
        return OptionalInt.of(i);
      }
    }
    return OptionalInt.empty();
  }

  @Override
  public boolean allCaughtUp() {
    List<StatusResponse> all = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      Optional<StatusResponse> s = cluster.status(i);
      if (s.isEmpty()) {
        return false;
      }
      all.add(s.get());
    }
    long committed = all.stream().mapToLong(StatusResponse::getCommitIndex).max().orElse(0);
    return all.stream().allMatch(s -> s.getAppliedIndex() >= committed - CAUGHT_UP_SLACK);
  }

  @Override
  public Set<FaultType> supported() {
    Set<FaultType> s = EnumSet.of(FaultType.KILL9_LEADER, FaultType.KILL9_FOLLOWER, FaultType.PAUSE_LEADER,
        FaultType.ALL_CRASH, FaultType.WIPE_FOLLOWER);
    if (cluster.partitionable()) {
      s.add(FaultType.PARTITION);
    }
    return s;
  }

  @Override
  public void kill9(int node) throws Exception {
    cluster.kill9(node);
  }

  @Override
  public void stop(int node) {
    throw new UnsupportedOperationException("graceful stop is not wired into ProcessCluster yet");
  }

  @Override
  public void start(int node) throws Exception {
    cluster.restart(node);
  }

  @Override
  public void pause(int node) throws Exception {
    cluster.pause(node);
  }

  @Override
  public void resume(int node) throws Exception {
    cluster.resume(node);
  }

  @Override
  public void wipe(int node) throws Exception {
    Path dir = cluster.dataDir(node);
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(dir) && !p.getFileName().toString().equals("node.log")) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Override
  public void isolate(int node) {
    cluster.isolate(node);
  }

  @Override
  public void heal() {
    cluster.heal();
  }
}
