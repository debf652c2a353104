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

  /** Cuts every Raft link to and from {@code node}. */
  void isolate(int node) throws Exception;

  /** Restores every Raft link. */
  void heal() throws Exception;
}
