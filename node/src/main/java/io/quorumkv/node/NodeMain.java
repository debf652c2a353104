package io.quorumkv.node;

import io.quorumkv.node.raft.RaftSettings;
import io.quorumkv.proto.Logging;
import io.quorumkv.proto.PeerAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quorumkv node}: runs one replica until SIGTERM/SIGINT. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    // One string per paragraph: picocli wraps each at the terminal width, so line breaks of our
    // own would leave ragged half-lines.
    description = {
      "Runs one QuorumKV replica: a Raft (Apache Ratis) member that applies committed atomic writes"
          + " to its own SQLite database, plus the node RPC service the gateway uses.",
      "A new data directory bootstraps the group; an existing one is recovered (the log replays"
          + " from the last applied index). Every option can also be set with the environment variable"
          + " shown in brackets."
    })
public final class NodeMain implements Callable<Integer> {
  @Option(names = "--id", required = true, defaultValue = "${env:QUORUMKV_ID}",
      description = "This node's id; must appear in --peers. [QUORUMKV_ID]")
  String id;

  @Option(names = "--peers", required = true, defaultValue = "${env:QUORUMKV_PEERS}",
      description = "Every member: id=host:raftPort:rpcPort,... e.g. n1=127.0.0.1:7001:7101,n2=127.0.0.1:7002:7102,n3=127.0.0.1:7003:7103 [QUORUMKV_PEERS]")
  String peers;

  @Option(names = "--data-dir", required = true, defaultValue = "${env:QUORUMKV_DATA_DIR}",
      description = "Directory for the Raft log, snapshots and kv.sqlite3. [QUORUMKV_DATA_DIR]")
  Path dataDir;

  @Option(names = "--bind", defaultValue = "${env:QUORUMKV_BIND:-0.0.0.0}",
      description = "Address to listen on (default: ${DEFAULT-VALUE}). [QUORUMKV_BIND]")
  String bindHost;

  @Option(names = "--raft-port", defaultValue = "${env:QUORUMKV_RAFT_PORT:-0}",
      description = "Raft port; default: this node's port in --peers. [QUORUMKV_RAFT_PORT]")
  int raftPort;

  @Option(names = "--rpc-port", defaultValue = "${env:QUORUMKV_RPC_PORT:-0}",
      description = "Node RPC port; default: this node's rpc port in --peers. [QUORUMKV_RPC_PORT]")
  int rpcPort;

  @Option(names = "--metrics-port", defaultValue = "${env:QUORUMKV_METRICS_PORT}",
      description = "Port for /metrics (Prometheus), /health/live and /health/ready; default: the RPC port + 100 "
          + "(7201 for n1 of the default layout); 0 picks a free one; -1 turns it off. [QUORUMKV_METRICS_PORT]")
  Integer metricsPort;

  @Option(names = "--cluster-id", defaultValue = "${env:QUORUMKV_CLUSTER_ID}",
      description = "UUID of the group (= the database id). Default: the id recorded in --data-dir, "
          + "else one derived from --peers. [QUORUMKV_CLUSTER_ID]")
  String clusterId;

  @Option(names = "--election-timeout", defaultValue = "${env:QUORUMKV_ELECTION_TIMEOUT:-150-300}",
      description = "Randomized Raft election timeout in ms, MIN-MAX (default: ${DEFAULT-VALUE}); every node of a "
          + "group should use the same. Raise it on hosts where a process can be starved of CPU for longer than MAX "
          + "(leaders otherwise step down while followers are slow to answer). [QUORUMKV_ELECTION_TIMEOUT]")
  String electionTimeout;

  @Option(names = "--log-level", defaultValue = "${env:QUORUMKV_LOG_LEVEL:-INFO}",
      description = "QuorumKV log level: SEVERE, WARNING, INFO, FINE (default: ${DEFAULT-VALUE}); Ratis stays at WARNING. [QUORUMKV_LOG_LEVEL]")
  String logLevel;

  /** Entry point for the node process. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command and returns the exit code (used by the combined CLI). */
  public static int run(String[] args) {
    return new CommandLine(new NodeMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
  }

  /** Builds the node configuration from the parsed options; one-line errors on bad input. */
  NodeConfig config() {
    List<PeerAddress> list = PeerAddress.parseList(peers);
    PeerAddress self = list.stream().filter(p -> p.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("--id " + id + " is not one of the ids in --peers"));
    UUID cluster = resolveClusterId(list);
    int rpc = rpcPort > 0 ? rpcPort : self.rpcPort();
    int metrics = metricsPort != null ? metricsPort : NodeConfig.defaultMetricsPort(rpc);
    return new NodeConfig(id, list, dataDir.toAbsolutePath(), bindHost,
        raftPort > 0 ? raftPort : self.raftPort(), rpc, metrics, cluster, raftSettings(electionTimeout));
  }

  /** {@code RaftSettings.defaults()} with the election timeout of {@code --election-timeout MIN-MAX}. */
  static RaftSettings raftSettings(String electionTimeout) {
    String[] parts = electionTimeout == null ? new String[0] : electionTimeout.trim().split("-");
    long min;
    long max;
    try {
      min = parts.length == 2 ? Long.parseLong(parts[0].trim()) : -1;
      max = parts.length == 2 ? Long.parseLong(parts[1].trim()) : -1;
    } catch (NumberFormatException e) {
      min = -1;
      max = -1;
    }
    if (min < 100 || max < min || max > 60_000) {
      throw new IllegalArgumentException("--election-timeout '" + electionTimeout
          + "' is not MIN-MAX milliseconds with 100 <= MIN <= MAX <= 60000 (e.g. 150-300)");
    }
    return RaftSettings.defaults().withElectionTimeout(min, max);
  }

  private UUID resolveClusterId(List<PeerAddress> list) {
    UUID given = null;
    if (clusterId != null && !clusterId.isBlank()) {
      try {
        given = UUID.fromString(clusterId.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--cluster-id '" + clusterId + "' is not a UUID");
      }
    }
    UUID recorded = Files.isDirectory(dataDir) ? NodeServer.recordedClusterId(dataDir).orElse(null) : null;
    if (given != null && recorded != null && !given.equals(recorded)) {
      throw new IllegalArgumentException("data directory " + dataDir + " belongs to cluster " + recorded + ", not " + given);
    }
    return given != null ? given : recorded != null ? recorded : NodeConfig.defaultClusterId(list);
  }

  @Override
  public Integer call() throws Exception {
    NodeConfig cfg;
    try {
      Logging.configure(logLevel);
      cfg = config();
      checkDataDir(cfg.dataDir());
      checkPortFree(cfg.bindHost(), cfg.raftPort(), "--raft-port");
      checkPortFree(cfg.bindHost(), cfg.rpcPort(), "--rpc-port");
      if (cfg.metricsPort() > 0) {
        checkPortFree(cfg.bindHost(), cfg.metricsPort(), "--metrics-port");
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("quorumkv node: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    int[] exit = {0};
    NodeServer server = new NodeServer(cfg, t -> {
      exit[0] = 70;
      stopped.countDown();
    });
    try {
      server.start();
    } catch (Exception e) {
      System.err.println("quorumkv node: cannot start: " + rootMessage(e));
      server.close();
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // Graceful: hand leadership over first so clients see no election timeout. Printed, not
      // logged: JUL's own shutdown hook may already have closed the log handlers.
      long t0 = System.nanoTime();
      boolean wasLeader = server.isLeaderReady();
      boolean transferred = server.transferLeadership(3000);
      long t1 = System.nanoTime();
      server.close();
      System.out.println("quorumkv node " + cfg.id() + " stopped on signal: "
          + (wasLeader ? "leadership transfer " + (transferred ? "done" : "FAILED") + " in " + (t1 - t0) / 1_000_000 + " ms, " : "")
          + "closed in " + (System.nanoTime() - t1) / 1_000_000 + " ms");
      stopped.countDown();
    }, "shutdown"));
    System.out.println("quorumkv node " + cfg.id() + " ready: raft " + cfg.raftPort() + ", rpc " + cfg.rpcPort()
        + ", metrics " + (server.metricsPort() < 0 ? "off" : server.metricsPort()) + ", data " + cfg.dataDir() + ", pid " + ProcessHandle.current().pid());
    stopped.await();
    return exit[0];
  }

  static void checkDataDir(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (Exception e) {
      throw new IllegalArgumentException("cannot create --data-dir " + dir + ": " + rootMessage(e));
    }
    if (!Files.isWritable(dir) || !Files.isReadable(dir)) {
      throw new IllegalArgumentException("--data-dir " + dir + " is not readable and writable");
    }
  }

  /** One clear line instead of Ratis' bind failure (which logs a stack and exits). */
  static void checkPortFree(String host, int port, String flag) {
    try (java.net.ServerSocket s = new java.net.ServerSocket()) {
      s.bind(new java.net.InetSocketAddress(host, port));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(flag + " " + port + " on " + host + " is in use (another node running?)");
    }
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + c.getMessage() + ")";
  }
}
