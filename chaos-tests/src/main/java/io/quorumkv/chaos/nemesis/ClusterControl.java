package io.quorumkv.chaos.nemesis;

import java.util.OptionalInt;
import java.util.Set;

/**
 * What the nemesis needs from a cluster, owned by the nemesis (STYLE.md practice 7):
 * implemented over the multi-process {@code ProcessCluster} in the tests, and by fakes in
 * unit tests. Nodes are numbered 0..size-1. Methods block until the action is done (a killed
 * process has exited, a started one has been spawned) and throw on failure.
 */
public interface ClusterControl {
  int size();

  /** The node that currently reports itself leader, if any answers within about a second. */
  OptionalInt leader();

  /** The fault types this cluster can apply. */
  Set<FaultType> supported();

  /** SIGKILL. */
  void kill9(int node) throws Exception;

  /** Graceful stop (SIGTERM and wait). */
  void stop(int node) throws Exception;

  /** Starts a stopped or killed node from its data directory. */
  void start(int node) throws Exception;

  /** SIGSTOP. */
  void pause(int node) throws Exception;

  /** SIGCONT. */
  void resume(int node) throws Exception;

  /** Deletes the data directory of a node that is not running. */
  void wipe(int node) throws Exception;

  /**
   * True when every node runs and has applied nearly all the leader has committed (within
   * {@link #CAUGHT_UP_SLACK} entries). The nemesis wipes a follower only then: three nodes
   * tolerate one lost disk at a time, and a second one lost before the first replaced node has
   * caught up leaves two empty nodes, a majority that can elect an empty leader (any Raft group
   * of three would lose data there). Clusters that cannot tell answer true.
   */
  default boolean allCaughtUp() {
    return true;
  }

  /** Entries a healthy follower may trail the leader's commit index by under load. */
  long CAUGHT_UP_SLACK = 500;

  /** Cuts every Raft link to and from {@code node}. */
  void isolate(int node) throws Exception;

  /** Restores every Raft link. */
  void heal() throws Exception;
}
