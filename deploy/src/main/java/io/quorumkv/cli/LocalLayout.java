package io.quorumkv.cli;

import io.quorumkv.node.NodeConfig;
import io.quorumkv.proto.PeerAddress;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * The on-disk layout of a local cluster started by {@code quorumkv up}:
 *
 * <pre>
 * DIR/cluster.properties   cluster id, peers, gateway port (written once, reused on restart)
 * DIR/access-token         the token clients use (mode 600)
 * DIR/gateway.log, gateway.pid
 * DIR/nN/                  node nN's data directory (kv.sqlite3, raft/, node.log, node.pid);
 *                          its /metrics and /health port is its RPC port + 100
 * </pre>
 */
public record LocalLayout(Path dir, UUID clusterId, List<PeerAddress> peers, String host, int port, int metricsPort) {
  static final String FILE = "cluster.properties";

  /** Loads the layout recorded in {@code dir}, if any. */
  public static Optional<LocalLayout> load(Path dir) {
    Path f = dir.resolve(FILE);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      p.load(r);
      return Optional.of(new LocalLayout(dir, UUID.fromString(p.getProperty("clusterId")),
          PeerAddress.parseList(p.getProperty("peers")), p.getProperty("host", "127.0.0.1"),
          Integer.parseInt(p.getProperty("port")), Integer.parseInt(p.getProperty("metricsPort", "4513"))));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("unreadable " + f + ": " + e.getMessage(), e);
    }
  }

  /** A new layout with consecutive ports. */
  public static LocalLayout create(Path dir, int nodes, String host, int port, int metricsPort, int raftBase, int rpcBase) {
    List<PeerAddress> peers = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      peers.add(new PeerAddress("n" + i, host, raftBase + i - 1, rpcBase + i - 1));
    }
    return new LocalLayout(dir, UUID.randomUUID(), peers, host, port, metricsPort);
  }

  /** Writes cluster.properties. */
  public void save() {
    Properties p = new Properties();
    p.setProperty("clusterId", clusterId.toString());
    p.setProperty("peers", PeerAddress.toSpec(peers));
    p.setProperty("host", host);
    p.setProperty("port", Integer.toString(port));
    p.setProperty("metricsPort", Integer.toString(metricsPort));
    try {
      Files.createDirectories(dir);
      try (Writer w = Files.newBufferedWriter(dir.resolve(FILE), StandardCharsets.UTF_8)) {
        p.store(w, "QuorumKV local cluster (quorumkv up); delete the directory to start from scratch");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(FILE) + ": " + e.getMessage(), e);
    }
  }

  /**
   * The {@code quorumkv node} arguments for node {@code p}. The metrics port is explicit (the RPC
   * port + 100) so that a QUORUMKV_METRICS_PORT meant for the gateway, inherited by the child,
   * cannot move it.
   */
  public List<String> nodeArgs(PeerAddress p) {
    return List.of("node", "--id", p.id(), "--peers", PeerAddress.toSpec(peers),
        "--data-dir", nodeDir(p.id()).toString(), "--cluster-id", clusterId.toString(),
        "--bind", host, "--metrics-port", Integer.toString(nodeMetricsPort(p)));
  }

  /** Node {@code p}'s /metrics and /health port. */
  public static int nodeMetricsPort(PeerAddress p) {
    return NodeConfig.defaultMetricsPort(p.rpcPort());
  }

  public Path nodeDir(String id) {
    return dir.resolve(id);
  }

  public Path tokenFile() {
    return dir.resolve("access-token");
  }

  public String url() {
    return "http://" + host + ":" + port;
  }

  /**
   * The access token: DENO_KV_ACCESS_TOKEN if set (recorded in the token file), else the
   * recorded one, else a new random one.
   */
  public String ensureToken(String fromEnv) {
    try {
      Path f = tokenFile();
      String token;
      if (fromEnv != null && !fromEnv.isEmpty()) {
        token = fromEnv;
      } else if (Files.exists(f)) {
        return Files.readString(f, StandardCharsets.UTF_8).trim();
      } else {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
      }
      Files.writeString(f, token, StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + tokenFile() + ": " + e.getMessage(), e);
    }
  }
}
