package io.quorumkv.chaos.container;

import io.quorumkv.chaos.container.ComposeNodes.NodeContainer;
import io.quorumkv.chaos.nemesis.ClusterControl;
import io.quorumkv.chaos.nemesis.FaultType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * The nemesis over node containers, one Docker operation per fault:
 *
 * <table>
 *   <caption>fault → Docker</caption>
 *   <tr><td>kill9</td><td>{@code docker kill --signal KILL} (the restart policy stays off until the next start)</td></tr>
 *   <tr><td>stop</td><td>{@code docker stop -t 30} (compose's {@code stop_grace_period}: a leader hands over first)</td></tr>
 *   <tr><td>start</td><td>{@code docker start}: same container, same volume</td></tr>
 *   <tr><td>pause / resume</td><td>{@code docker pause} / {@code unpause} (the freezer: every process of the node stops)</td></tr>
 *   <tr><td>wipe</td><td>a throw-away container with the stopped node's volumes empties {@code /data}</td></tr>
 *   <tr><td>isolate / heal</td><td>{@code docker network disconnect} / {@code connect} with the node's aliases</td></tr>
 * </table>
 *
 * <p>Isolation takes the node off the compose network, so it cuts the gateway's links to it
 * as well as the Raft links (and this JVM's Status probes through the ambassador): wider than
 * a Raft-only partition, which containers cannot do without iptables (NET_ADMIN) in the image.
 * Thread-safe (the nemesis calls it from its thread; {@link #leader()} from anywhere).
 */
final class DockerControl implements ClusterControl {
  /** compose's {@code stop_grace_period} for nodes. */
  static final Duration STOP_GRACE = Duration.ofSeconds(30);

  private final DockerOps docker;
  private final List<NodeContainer> nodes;
  private final IntPredicate reportsLeader;
  private final Set<Integer> isolated = new TreeSet<>();

  /**
   * @param nodes in node order ({@code nodes.get(i).index() == i})
   * @param reportsLeader whether node {@code i} answers its Status as leader (within about a second)
   */
  DockerControl(DockerOps docker, List<NodeContainer> nodes, IntPredicate reportsLeader) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).index() != i) {
        throw new IllegalArgumentException("nodes out of order: " + nodes);
      }
    }
    this.docker = docker;
    this.nodes = List.copyOf(nodes);
    this.reportsLeader = reportsLeader;
  }

  @Override
  public int size() {
    return nodes.size();
  }

  @Override
  public OptionalInt leader() {
    for (int i = 0; i < size(); i++) {
      if (reportsLeader.test(i)) {
        return OptionalInt.of(i);
      }
    }
    return OptionalInt.empty();
  }

  @Override
  public Set<FaultType> supported() {
    return EnumSet.allOf(FaultType.class);
  }

  private String id(int node) {
    return nodes.get(node).containerId();
  }

  /** SIGKILL; a node that is not running is left as it is (all-crash after a node died by itself). */
  @Override
  public synchronized void kill9(int node) throws Exception {
    if (docker.running(id(node))) {
      docker.kill(id(node));
    }
  }

  @Override
  public synchronized void stop(int node) throws Exception {
    docker.stop(id(node), STOP_GRACE);
  }

  @Override
  public synchronized void start(int node) throws Exception {
    if (docker.running(id(node))) {
      throw new IllegalStateException(nodes.get(node).service() + " is running");
    }
    docker.start(id(node));
  }

  @Override
  public synchronized void pause(int node) throws Exception {
    docker.pause(id(node));
  }

  @Override
  public synchronized void resume(int node) throws Exception {
    docker.unpause(id(node));
  }

  @Override
  public synchronized void wipe(int node) throws Exception {
    if (docker.running(id(node))) {
      throw new IllegalStateException("wipe needs a stopped node; " + nodes.get(node).service() + " is running");
    }
    docker.emptyVolume(id(node), ComposeNodes.DATA_DIR);
  }

  @Override
  public synchronized void isolate(int node) throws Exception {
    if (isolated.add(node)) {
      NodeContainer n = nodes.get(node);
      docker.disconnect(n.containerId(), n.network());
    }
  }

  /** Reconnects every isolated node; one that fails stays listed and the first failure is thrown. */
  @Override
  public synchronized void heal() throws Exception {
    Exception first = null;
    for (Integer node : List.copyOf(isolated)) {
      NodeContainer n = nodes.get(node);
      try {
        docker.connect(n.containerId(), n.network(), n.aliases());
        isolated.remove(node);
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
