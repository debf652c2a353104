package io.quorumkv.chaos.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ContainerNetwork;
import io.quorumkv.chaos.ChaosCluster;
import io.quorumkv.chaos.container.ComposeNodes.NodeContainer;
import io.quorumkv.chaos.nemesis.ClusterControl;
import io.quorumkv.node.testing.TestPorts;
import io.quorumkv.proto.NodeStatusProbe;
import io.quorumkv.proto.PeerAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The {@code deploy/docker-compose.yml} cluster (three node containers and a gateway, built
 * from {@code deploy/Dockerfile}) run by Testcontainers' {@link ComposeContainer}, with the
 * compose file exactly as users run it. Faults go through the Docker API ({@link DockerControl}).
 *
 * <p><b>Reaching the nodes from the test JVM.</b> The compose file publishes only the gateway.
 * The nodes' RPC ports (7101: Status for leader discovery, Digest for convergence) are reached
 * through Testcontainers' ambassador, a socat container on the compose network
 * ({@link ComposeContainer#withExposedService}); so is the gateway (4512, and 4513 for its
 * readiness), which keeps host ports out of the way. Publishing node ports in the compose file
 * would expose the unauthenticated node RPC on every user's host, and {@code docker exec} of a
 * Java probe per poll would cost a JVM start each time. The gateway's published host ports
 * are moved to free ports ({@code QUORUMKV_PORT}, {@code QUORUMKV_METRICS_PORT}) so that a
 * running {@code ./quorumkv up} or a second run does not collide on 4512/4513.
 *
 * <p><b>Local compose.</b> The compose file's build context is the repository root
 * ({@code ..}); Testcontainers' containerised compose copies only the compose file's directory,
 * so this uses the local {@code docker compose} (v2 plugin) with {@code --build}: every run
 * tests the image of the current sources (the layer cache keeps rebuilds short).
 */
public final class ContainerCluster implements ChaosCluster {
  /** Tail of each container's log in {@link #logs()}. */
  private static final int LOG_LINES = 40;

  private final ComposeContainer compose;
  private final String token;
  private final List<PeerAddress> peers;
  private final DockerControl control;
  private final String url;

  private ContainerCluster(ComposeContainer compose, String token, List<PeerAddress> peers, DockerControl control, String url) {
    this.compose = compose;
    this.token = token;
    this.peers = List.copyOf(peers);
    this.control = control;
    this.url = url;
  }

  /**
   * {@code docker compose up -d --build} of the repository's compose file under a fresh project
   * name, then waits (bounded by {@code startup}) until every node's RPC port listens and the
   * gateway's {@code /health/ready} answers 200 (it knows a leader). Needs a Docker engine and
   * the {@code docker compose} plugin ({@link #localComposeMissing()}).
   */
  public static ContainerCluster start(Duration startup) throws IOException {
    Path file = composeFile();
    String token = "chaos-token-" + UUID.randomUUID();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DENO_KV_ACCESS_TOKEN", token);
    env.put("QUORUMKV_PORT", Integer.toString(TestPorts.allocate()));
    env.put("QUORUMKV_METRICS_PORT", Integer.toString(TestPorts.allocate()));
    // The identifier-only constructor is the one that runs the local compose binary in 2.0.x.
    ComposeContainer compose = new ComposeContainer("quorumkv-chaos-", file.toFile())
        .withBuild(true)
        .withEnv(env)
        .withStartupTimeout(startup)
        .withExposedService(ComposeNodes.GATEWAY, ComposeNodes.KV_PORT, Wait.forListeningPort())
        .withExposedService(ComposeNodes.GATEWAY, ComposeNodes.GATEWAY_METRICS_PORT,
            Wait.forHttp("/health/ready").forPort(ComposeNodes.GATEWAY_METRICS_PORT).forStatusCode(200));
    for (String service : ComposeNodes.SERVICES) {
      compose.withExposedService(service, ComposeNodes.RPC_PORT, Wait.forListeningPort());
    }
    try {
      compose.start();
      DockerClient docker = DockerClientFactory.instance().client();
      List<NodeContainer> nodes = new ArrayList<>();
      List<PeerAddress> peers = new ArrayList<>();
      for (String service : ComposeNodes.SERVICES) {
        nodes.add(describe(compose, docker, service));
        peers.add(new PeerAddress(service, compose.getServiceHost(service, ComposeNodes.RPC_PORT), ComposeNodes.RAFT_PORT,
            compose.getServicePort(service, ComposeNodes.RPC_PORT)));
      }
      String url = "http://" + compose.getServiceHost(ComposeNodes.GATEWAY, ComposeNodes.KV_PORT) + ":"
          + compose.getServicePort(ComposeNodes.GATEWAY, ComposeNodes.KV_PORT);
      List<PeerAddress> reachable = List.copyOf(peers);
      DockerControl control = new DockerControl(new DockerJavaOps(docker), nodes,
          i -> NodeStatusProbe.fetch(reachable.get(i), 1000)
              .map(s -> s.getRole().equals("LEADER")).orElse(false));
      return new ContainerCluster(compose, token, peers, control, url);
    } catch (RuntimeException e) {
      stopQuietly(compose);
      throw e;
    }
  }

  private static NodeContainer describe(ComposeContainer compose, DockerClient docker, String service) {
    ContainerState state = compose.getContainerByServiceName(service)
        .orElseThrow(() -> new IllegalStateException("compose started no container for service " + service));
    String id = state.getContainerId();
    Map<String, List<String>> networks = new LinkedHashMap<>();
    for (Map.Entry<String, ContainerNetwork> e : docker.inspectContainerCmd(id).exec().getNetworkSettings().getNetworks().entrySet()) {
      networks.put(e.getKey(), e.getValue().getAliases() == null ? List.of() : e.getValue().getAliases());
    }
    return ComposeNodes.describe(service, id, networks);
  }

  /** {@code deploy/docker-compose.yml} of the repository this test runs in. */
  static Path composeFile() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path f = p.resolve("deploy/docker-compose.yml");
      if (Files.isRegularFile(f) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return f;
      }
    }
    throw new IllegalStateException("deploy/docker-compose.yml not found above " + Path.of("").toAbsolutePath());
  }

  /**
   * Why the local {@code docker compose} cannot run, or null if it can: {@code docker compose
   * version} must exit 0 within 10 s (Debian's {@code docker-compose} v1 is not what
   * Testcontainers' ComposeContainer calls).
   */
  public static String localComposeMissing() {
    try {
      Process p = new ProcessBuilder("docker", "compose", "version").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "'docker compose version' did not answer within 10 s";
      }
      return p.exitValue() == 0 ? null : "the docker compose plugin (Compose v2) is not installed: 'docker compose version' exited "
          + p.exitValue();
    } catch (IOException e) {
      return "the docker CLI is not installed: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  @Override
  public String url() {
    return url;
  }

  @Override
  public String token() {
    return token;
  }

  /** Node RPC addresses through the ambassador (host, mapped port); Raft is 7001 inside the network only. */
  @Override
  public List<PeerAddress> peers() {
    return peers;
  }

  @Override
  public ClusterControl control() {
    return control;
  }

  @Override
  public String logs() {
    StringBuilder b = new StringBuilder();
    List<String> services = new ArrayList<>(ComposeNodes.SERVICES);
    services.add(ComposeNodes.GATEWAY);
    for (String service : services) {
      b.append("--- ").append(service).append('\n');
      try {
        String all = compose.getContainerByServiceName(service).map(ContainerState::getLogs).orElse("(no container)");
        List<String> lines = all.lines().toList();
        b.append(String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size()))).append('\n');
      } catch (RuntimeException e) {
        b.append(e).append('\n');
      }
    }
    return b.toString();
  }

  /** Heals a partition left behind, then {@code docker compose down -v} (containers, network, volumes). */
  @Override
  public void close() {
    try {
      control.heal();
    } catch (Exception e) {
      // down removes the network anyway
    }
    stopQuietly(compose);
  }

  private static void stopQuietly(ComposeContainer compose) {
    try {
      compose.stop();
    } catch (RuntimeException e) {
      System.err.println("docker compose down failed (Testcontainers' reaper removes the project's containers): " + e);
    }
  }
}
