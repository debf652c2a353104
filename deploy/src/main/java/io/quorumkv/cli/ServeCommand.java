package io.quorumkv.cli;

import io.quorumkv.gateway.GatewayConfig;
import io.quorumkv.gateway.GatewayMain;
import io.quorumkv.gateway.raft.RaftKvDatabase;
import io.quorumkv.node.NodeConfig;
import io.quorumkv.node.NodeServer;
import io.quorumkv.node.raft.RaftSettings;
import io.quorumkv.proto.Logging;
import io.quorumkv.proto.PeerAddress;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quorumkv serve}: one node and the gateway in one process, a drop-in for
 * {@code denokv serve} on one machine. A single-member Raft group on loopback, the Raft-backed
 * database client and the KV Connect server, all in this JVM.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "One node and the gateway in one process: a drop-in for 'denokv serve'",
      "on one machine (a single-node Raft group over SQLite, plus KV Connect).",
      "Data lives in --data-dir and survives restarts with the same --data-dir.",
      "Token: DENO_KV_ACCESS_TOKEN or --access-token-file (>= 12 characters).",
      "Raft and node RPC listen on 127.0.0.1 only.",
      "Growing a serve instance into a multi-node cluster is not supported yet;",
      "start with 'quorumkv up' or separate node and gateway processes instead.",
      "Every option can also be set with the variable shown in brackets."})
final class ServeCommand implements Callable<Integer> {
  /** The single member's id. */
  static final String NODE_ID = "n1";

  @Option(names = "--data-dir", required = true, defaultValue = "${env:QUORUMKV_DATA_DIR}",
      description = "Directory for the Raft log, snapshots and kv.sqlite3. [QUORUMKV_DATA_DIR]")
  Path dataDir;

  @Option(names = "--port", defaultValue = "${env:QUORUMKV_PORT:-4512}",
      description = "KV Connect port, HTTP/1.1 and h2c (default: ${DEFAULT-VALUE}). [QUORUMKV_PORT]")
  int port;

  @Option(names = "--host", defaultValue = "${env:QUORUMKV_HOST:-0.0.0.0}",
      description = "Address the KV Connect and metrics ports bind (default: ${DEFAULT-VALUE}). [QUORUMKV_HOST]")
  String host;

  @Option(names = "--metrics-port", defaultValue = "${env:QUORUMKV_METRICS_PORT:-4513}",
      description = "Gateway /metrics, /health/live, /health/ready (default: ${DEFAULT-VALUE}; -1 = off). [QUORUMKV_METRICS_PORT]")
  int metricsPort;

  @Option(names = "--raft-port", defaultValue = "${env:QUORUMKV_RAFT_PORT:-7001}",
      description = "Raft port on 127.0.0.1 (default: ${DEFAULT-VALUE}). [QUORUMKV_RAFT_PORT]")
  int raftPort;

  @Option(names = "--rpc-port", defaultValue = "${env:QUORUMKV_RPC_PORT:-7101}",
      description = "Node RPC port on 127.0.0.1 (default: ${DEFAULT-VALUE}). [QUORUMKV_RPC_PORT]")
  int rpcPort;

  @Option(names = "--access-token-file", defaultValue = "${env:QUORUMKV_ACCESS_TOKEN_FILE}",
      description = "File holding the access token; wins over DENO_KV_ACCESS_TOKEN. [QUORUMKV_ACCESS_TOKEN_FILE]")
  String accessTokenFile;

  @Option(names = "--log-level", defaultValue = "${env:QUORUMKV_LOG_LEVEL:-INFO}",
      description = "QuorumKV log level: SEVERE, WARNING, INFO, FINE (default: ${DEFAULT-VALUE}); Ratis and Helidon stay at WARNING. [QUORUMKV_LOG_LEVEL]")
  String logLevel;

  /** A running serve instance; {@link #close} stops HTTP, then the database client, then the node. */
  record Serving(NodeServer node, GatewayMain.Gateway gateway) implements AutoCloseable {
    int port() {
      return gateway.server().port();
    }

    @Override
    public void close() {
      try {
        gateway.close(); // metrics port, KV Connect server, then the database client
      } finally {
        node.close();
      }
    }
  }

  /** What {@link #start} needs; every port may be 0 (any free one) in tests, except Raft/RPC. */
  record Settings(Path dataDir, String host, int port, int metricsPort, int raftPort, int rpcPort, String accessToken) {}

  @Override
  public Integer call() throws Exception {
    Settings settings;
    try {
      Logging.configure(logLevel);
      String token = GatewayMain.readAccessToken(Optional.ofNullable(accessTokenFile).filter(f -> !f.isBlank()), System.getenv());
      settings = new Settings(dataDir, host, port, metricsPort, raftPort, rpcPort, token);
    } catch (IllegalArgumentException e) {
      System.err.println("quorumkv serve: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    int[] exit = {0};
    Serving serving;
    try {
      serving = start(settings, System.out, t -> {
        System.err.println("quorumkv serve: the node stopped after a fatal error: " + t);
        exit[0] = 70; // as the node process: the data directory must be looked at
        stopped.countDown();
      });
    } catch (IllegalArgumentException e) {
      System.err.println("quorumkv serve: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      System.err.println("quorumkv serve: cannot start: " + oneLine(e));
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      serving.close();
      stopped.countDown();
    }, "quorumkv-serve-stop"));
    System.out.println("quorumkv serve: ready on http://" + host + ":" + serving.port()
        + " (data " + dataDir.toAbsolutePath() + "); Ctrl-C stops");
    stopped.await();
    return exit[0];
  }

  /**
   * Starts the node (a single-member group on 127.0.0.1), then the gateway against it. The
   * caller owns the result. On failure whatever was started is closed again.
   *
   * @throws IllegalArgumentException for a bad setting (one line)
   */
  static Serving start(Settings s, PrintStream out, Consumer<Throwable> onFatal) throws Exception {
    if (s.metricsPort() < GatewayConfig.METRICS_OFF || s.metricsPort() > 65535) {
      throw new IllegalArgumentException("--metrics-port must be -1 (off), 0 or a port, got " + s.metricsPort());
    }
    Path dir = s.dataDir().toAbsolutePath();
    try {
      Files.createDirectories(dir);
    } catch (Exception e) {
      throw new IllegalArgumentException("cannot create --data-dir " + dir + ": " + e.getMessage());
    }
    List<PeerAddress> peers = List.of(new PeerAddress(NODE_ID, "127.0.0.1", s.raftPort(), s.rpcPort()));
    UUID cluster = NodeServer.recordedClusterId(dir).orElseGet(() -> NodeConfig.defaultClusterId(peers));
    NodeConfig nodeConfig = new NodeConfig(NODE_ID, peers, dir, "127.0.0.1", s.raftPort(), s.rpcPort(),
        NodeConfig.METRICS_OFF, cluster, RaftSettings.defaults());
    NodeServer node = new NodeServer(nodeConfig, onFatal);
    node.start(); // closes whatever it started if it fails
    try {
      GatewayConfig gatewayConfig = new GatewayConfig(s.host(), s.port(), s.accessToken(), peers,
          GatewayConfig.DEFAULT_WATCH_KEEP_ALIVE_MS, s.metricsPort());
      GatewayMain.Gateway gateway = GatewayMain.start(gatewayConfig,
          c -> new RaftKvDatabase(c.peers(), RaftKvDatabase.DEFAULT_WAIT_MS), out);
      return new Serving(node, gateway);
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  private static String oneLine(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null && c.getCause() != c && c.getMessage() == null) {
      c = c.getCause();
    }
    String m = c.getMessage() == null ? c.toString() : c.getMessage();
    return m.lines().findFirst().orElse(m);
  }
}
