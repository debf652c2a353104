package io.quorumkv.chaos.container;

import java.time.Duration;
import java.util.List;

/**
 * The Docker engine operations {@link DockerControl} needs, owned by it (STYLE.md practice 7):
 * implemented over docker-java by {@link DockerJavaOps} and by a recording fake in unit tests.
 * Every method blocks until the engine has done it and throws on failure.
 */
interface DockerOps {
  /** Whether the container's process is running (a paused container counts as running). */
  boolean running(String containerId) throws Exception;

  /** SIGKILL to the container's main process; returns once the container has exited. */
  void kill(String containerId) throws Exception;

  /** SIGTERM, then SIGKILL after {@code grace}; returns once the container has exited. */
  void stop(String containerId, Duration grace) throws Exception;

  /** Starts a stopped container (same file system, same volumes). */
  void start(String containerId) throws Exception;

  /** Freezes every process of the container (the cgroup freezer: SIGSTOP for the whole container). */
  void pause(String containerId) throws Exception;

  void unpause(String containerId) throws Exception;

  /** Detaches the container from {@code network}: no traffic to or from it on that network. */
  void disconnect(String containerId, String network) throws Exception;

  /** Attaches the container to {@code network} again, reachable by {@code aliases}. */
  void connect(String containerId, String network, List<String> aliases) throws Exception;

  /** Deletes everything under {@code path} in the volumes of a stopped container. */
  void emptyVolume(String containerId, String path) throws Exception;
}
