package io.quorumkv.chaos.container;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link ContainerCluster} assumes about {@code deploy/docker-compose.yml}, in one place
 * (and checked against the file by {@code ComposeNodesTest}): node services {@code n1..n3} whose
 * service name is also the node id and the host name in the peer list, every node on the same
 * ports in its own container, data in {@code /data}, and a {@code gateway} service. Pure and
 * stateless.
 */
final class ComposeNodes {
  /** Node services in node order: the nemesis' node {@code i} is {@code SERVICES.get(i)}. */
  static final List<String> SERVICES = List.of("n1", "n2", "n3");
  static final String GATEWAY = "gateway";
  static final int RAFT_PORT = 7001;
  static final int RPC_PORT = 7101;
  static final int KV_PORT = 4512;
  static final int GATEWAY_METRICS_PORT = 4513;
  /** The node's {@code QUORUMKV_DATA_DIR}, the mount point of its named volume. */
  static final String DATA_DIR = "/data";

  private ComposeNodes() {}

  /** The nemesis' number of a node service ({@code n2} is 1), or -1 for anything else. */
  static int index(String service) {
    return SERVICES.indexOf(service);
  }

  /** The service of node {@code i}. */
  static String service(int i) {
    return SERVICES.get(i);
  }

  /** One node's container: where to send Docker commands and how to put it back on its network. */
  record NodeContainer(int index, String service, String containerId, String network, List<String> aliases) {
    NodeContainer {
      aliases = List.copyOf(aliases);
    }
  }

  /**
   * The node's container as found after {@code compose up}: {@code networks} maps each network
   * the container is attached to (from {@code docker inspect}) to its aliases there. A compose
   * node has exactly one (the project's default network); its aliases must keep the service
   * name, which is how peers and the gateway reach it, so it is added if the engine did not
   * list it.
   */
  static NodeContainer describe(String service, String containerId, Map<String, List<String>> networks) {
    int i = index(service);
    if (i < 0) {
      throw new IllegalArgumentException(service + " is not a node service " + SERVICES);
    }
    if (networks.size() != 1) {
      throw new IllegalStateException(service + " must be on exactly one network, is on " + networks.keySet());
    }
    Map.Entry<String, List<String>> e = networks.entrySet().iterator().next();
    List<String> aliases = new ArrayList<>(e.getValue() == null ? List.of() : e.getValue());
    if (!aliases.contains(service)) {
      aliases.add(0, service);
    }
    return new NodeContainer(i, service, containerId, e.getKey(), aliases);
  }
}
