package io.quorumkv.cli;

import static io.quorumkv.cli.Yamls.DEPLOY;
import static io.quorumkv.cli.Yamls.ROOT;
import static io.quorumkv.cli.Yamls.at;
import static io.quorumkv.cli.Yamls.listAt;
import static io.quorumkv.cli.Yamls.map;
import static io.quorumkv.cli.Yamls.mapAt;
import static io.quorumkv.cli.Yamls.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.proto.PeerAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * deploy/docker-compose.yml as Compose itself resolves it ({@code docker-compose config}, which
 * needs no Docker engine), then checked for the cross-references a typo would break: peers name
 * the node services, the gateway waits for healthy nodes, health checks probe the metrics ports,
 * the build context is the repository root. Skipped when no Compose binary is installed.
 */
class ComposeFileTest {
  private static final String TOKEN = "compose-test-token-0123456789";
  private static List<String> compose;

  /** {@code docker-compose} (Debian's package) or the {@code docker compose} plugin, if either works. */
  static Optional<List<String>> findCompose() {
    for (List<String> cmd : List.of(List.of("docker-compose"), List.of("docker", "compose"))) {
      List<String> version = new ArrayList<>(cmd);
      version.add("version");
      try {
        if (run(version, Map.of()).exit() == 0) {
          return Optional.of(cmd);
        }
      } catch (IOException e) {
        // not installed
      }
    }
    return Optional.empty();
  }

  record Result(int exit, String out, String err) {}

  static Result run(List<String> cmd, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
    // Only what we set: a developer's QUORUMKV_PORT or token must not change the result.
    pb.environment().keySet().removeIf(k -> k.startsWith("QUORUMKV_") || k.equals("DENO_KV_ACCESS_TOKEN")
        || k.startsWith("COMPOSE_"));
    pb.environment().putAll(env);
    Path out = Files.createTempFile("compose-out", ".txt");
    Path err = Files.createTempFile("compose-err", ".txt");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + cmd);
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** {@code config} with an empty env file, so that a developer's deploy/.env is not read. */
  static Result config(Map<String, String> env) throws IOException {
    Path empty = Files.createTempFile("empty", ".env");
    try {
      List<String> cmd = new ArrayList<>(compose);
      cmd.addAll(List.of("--env-file", empty.toString(), "-f", DEPLOY.resolve("docker-compose.yml").toString(), "config"));
      return run(cmd, env);
    } finally {
      Files.deleteIfExists(empty);
    }
  }

  /** Per test, so that Surefire reports each test as skipped, with the reason. */
  @BeforeEach
  void needsCompose() {
    if (compose == null) {
      compose = findCompose().orElse(List.of());
    }
    Assumptions.assumeFalse(compose.isEmpty(),
        "docker-compose is not installed (apt-get install docker-compose; .ci/run does): deploy/docker-compose.yml not validated");
  }

  @Test
  void resolvesToThreeNodesAndAGatewayThatAgreeOnPeersPortsAndHealth() throws IOException {
    Result r = config(Map.of("DENO_KV_ACCESS_TOKEN", TOKEN));
    assertEquals(0, r.exit(), "compose config failed:\n" + r.err());
    Map<String, Object> services = mapAt(Yamls.yaml().load(r.out()), "services");
    assertEquals(Set.of("n1", "n2", "n3", "gateway"), services.keySet());
    assertFalse(r.out().contains("container_name"), "Testcontainers' ComposeContainer refuses container_name");

    String peers = null;
    Set<String> volumes = new HashSet<>();
    Set<String> clusterIds = new HashSet<>();
    for (String n : List.of("n1", "n2", "n3")) {
      Object svc = services.get(n);
      assertEquals(List.of("node", "--id", n), listAt(svc, "command"));
      Map<String, Object> env = mapAt(svc, "environment");
      String p = str(env.get("QUORUMKV_PEERS"));
      if (peers != null) {
        assertEquals(peers, p, n + " has the same peers as n1");
      }
      peers = p;
      clusterIds.add(UUID.fromString(str(env.get("QUORUMKV_CLUSTER_ID"))).toString());
      String metricsPort = str(env.get("QUORUMKV_METRICS_PORT"));
      assertEquals(List.of("CMD", "/opt/quorumkv/bin/healthcheck", metricsPort, "/health/ready"), listAt(svc, "healthcheck", "test"),
          n + " is healthy when its own /health/ready (metrics port) says so");
      String dataDir = str(env.get("QUORUMKV_DATA_DIR"));
      List<Object> mounts = listAt(svc, "volumes");
      assertEquals(1, mounts.size());
      String[] mount = volumeSpec(mounts.getFirst());
      assertEquals(dataDir, mount[1], n + " mounts its volume at --data-dir");
      assertTrue(volumes.add(mount[0]), n + " has a volume of its own");
      checkBuild(svc, n);
    }
    assertEquals(1, clusterIds.size(), "one fixed cluster id");
    assertEquals(volumes, mapAt(Yamls.yaml().load(r.out()), "volumes").keySet());

    List<PeerAddress> list = PeerAddress.parseList(peers);
    assertEquals(List.of("n1", "n2", "n3"), list.stream().map(PeerAddress::id).toList());
    for (PeerAddress p : list) {
      assertEquals(p.id(), p.host(), "peers are reached by their service name");
      assertEquals(7001, p.raftPort());
      assertEquals(7101, p.rpcPort());
    }

    Object gw = services.get("gateway");
    List<String> cmd = listAt(gw, "command").stream().map(Yamls::str).toList();
    assertEquals("gateway", cmd.getFirst());
    assertEquals(peers, flag(cmd, "--peers"), "the gateway's peers are the nodes' peers");
    assertEquals("0.0.0.0", flag(cmd, "--host"));
    assertEquals(TOKEN, str(at(gw, "environment", "DENO_KV_ACCESS_TOKEN")), "the token comes from the environment");
    assertFalse(cmd.contains(TOKEN), "never on the command line");
    assertEquals(List.of("CMD", "/opt/quorumkv/bin/healthcheck", flag(cmd, "--metrics-port"), "/health/ready"),
        listAt(gw, "healthcheck", "test"));
    Map<String, Object> deps = mapAt(gw, "depends_on");
    assertEquals(Set.of("n1", "n2", "n3"), deps.keySet());
    for (Object d : deps.values()) {
      assertEquals("service_healthy", str(at(d, "condition")), "the gateway starts once the nodes are healthy");
    }
    Set<String> published = new HashSet<>();
    for (Object port : listAt(gw, "ports")) {
      Map<String, Object> pm = map(port, "port");
      assertEquals(str(pm.get("published")), str(pm.get("target")), "default host ports equal the container ports");
      published.add(str(pm.get("target")));
    }
    assertEquals(Set.of(flag(cmd, "--port"), flag(cmd, "--metrics-port")), published);
    checkBuild(gw, "gateway");
  }

  private static void checkBuild(Object svc, String name) {
    Path context = Path.of(str(at(svc, "build", "context")));
    assertEquals(ROOT.toAbsolutePath().normalize(), context.toAbsolutePath().normalize(), name + ": the build context is the repository root");
    assertTrue(Files.isRegularFile(context.resolve(str(at(svc, "build", "dockerfile")))), name + ": the dockerfile exists in the context");
  }

  /** [source, target] of a volume in short ("v:/data:rw") or long ({source, target}) form. */
  private static String[] volumeSpec(Object v) {
    if (v instanceof String s) {
      String[] parts = s.split(":");
      return new String[] {parts[0], parts[1]};
    }
    Map<String, Object> m = map(v, "volume");
    return new String[] {str(m.get("source")), str(m.get("target"))};
  }

  private static String flag(List<String> cmd, String name) {
    int i = cmd.indexOf(name);
    assertNotEquals(-1, i, "command has " + name + ": " + cmd);
    return cmd.get(i + 1);
  }

  @Test
  void refusesToResolveWithoutAToken() throws IOException {
    Result r = config(Map.of());
    assertNotEquals(0, r.exit(), "a missing DENO_KV_ACCESS_TOKEN must stop 'up', not start an open gateway");
    assertTrue(r.err().contains("DENO_KV_ACCESS_TOKEN"), r.err());
  }
}
