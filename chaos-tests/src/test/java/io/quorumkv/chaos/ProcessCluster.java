package io.quorumkv.chaos;

import io.quorumkv.node.testing.TestCluster;
import io.quorumkv.proto.PeerAddress;
import io.quorumkv.proto.gen.StatusResponse;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Three node processes and a gateway process, started as {@code quorumkv up} starts them (the
 * {@code io.quorumkv.cli.QuorumKv} program; flags and class path in {@link ChildJvm}), with real
 * signals for faults: {@link #kill9}, {@link #pause} (SIGSTOP), {@link #resume} (SIGCONT), and,
 * for a cluster from {@link #startPartitionable}, partitions between nodes ({@link #isolate},
 * {@link #heal}) through a {@link PartitionMesh} of proxies.
 */
public final class ProcessCluster implements ChaosCluster {
  /** {@code -Dchaos.logLevel=FINE} for QuorumKV's own debug logs in the children (Ratis stays at WARNING). */
  private static final String LOG_LEVEL = System.getProperty("chaos.logLevel", "INFO");
  /**
   * Election timeout of the node processes ({@code --election-timeout}), {@code -Dchaos.electionTimeout}
   * to change. Longer than the 150-300 ms default: on 2 cores shared by five JVMs (and, here,
   * other engineers' test runs) a follower is often starved for more than 300 ms, and with the
   * default the leader stepped down again and again: one all-crash run committed 6 entries in
   * 60 s (finding F7 in the README).
   */
  public static final String ELECTION_TIMEOUT = System.getProperty("chaos.electionTimeout", "500-1000");

  /** Upper end of {@link #ELECTION_TIMEOUT} in ms (pauses must outlast it to replace a leader). */
  public static long electionTimeoutMaxMs() {
    return Long.parseLong(ELECTION_TIMEOUT.substring(ELECTION_TIMEOUT.indexOf('-') + 1).trim());
  }

  private final Path root;
  private final UUID clusterId = UUID.randomUUID();
  private final List<PeerAddress> peers;
  private final int[] metricsPorts;
  private final int gatewayPort;
  private final String token = "chaos-token-" + UUID.randomUUID();
  private final Process[] nodes;
  private Process gateway;
  /** Null unless started partitionable. */
  private PartitionMesh mesh;

  private ProcessCluster(int size) throws IOException {
    root = Files.createTempDirectory("quorumkv-proc-");
    List<PeerAddress> list = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      list.add(new PeerAddress("n" + i, "127.0.0.1", freePort(), freePort()));
    }
    peers = List.copyOf(list);
    // Explicit, so neither the rpc+100 default nor an inherited QUORUMKV_METRICS_PORT can collide.
    metricsPorts = new int[size];
    for (int i = 0; i < size; i++) {
      metricsPorts[i] = freePort();
    }
    gatewayPort = freePort();
    nodes = new Process[size];
    Files.writeString(root.resolve("access-token"), token, StandardCharsets.UTF_8);
  }

  /** Starts {@code size} nodes and a gateway and waits until the gateway can reach a leader. */
  public static ProcessCluster start(int size) throws IOException {
    return start(size, false);
  }

  /** As {@link #start}, with every node-to-node link through a proxy so {@link #isolate} works. */
  public static ProcessCluster startPartitionable(int size) throws IOException {
    return start(size, true);
  }

  private static ProcessCluster start(int size, boolean partitionable) throws IOException {
    ProcessCluster c = new ProcessCluster(size);
    try {
      if (partitionable) {
        c.mesh = new PartitionMesh(c.peers);
      }
      for (int i = 0; i < size; i++) {
        c.startNode(i);
      }
      c.startGateway();
      c.awaitLeader(Duration.ofSeconds(60));
      c.awaitGateway(Duration.ofSeconds(60));
    } catch (IOException | RuntimeException | Error e) {
      // awaitLeader fails with an AssertionError: without this the processes outlive the test JVM
      c.close();
      throw e;
    }
    return c;
  }

  private static Process spawn(List<String> args, Path log) throws IOException {
    Files.createDirectories(log.getParent());
    return new ProcessBuilder(ChildJvm.command(args)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
  }

  private void startNode(int i) throws IOException {
    PeerAddress p = peers.get(i);
    List<PeerAddress> seen = mesh == null ? peers : mesh.peersSeenBy(i, peers);
    nodes[i] = spawn(List.of("node", "--id", p.id(), "--peers", PeerAddress.toSpec(seen),
        "--data-dir", dataDir(i).toString(), "--cluster-id", clusterId.toString(), "--bind", "127.0.0.1",
        "--metrics-port", Integer.toString(metricsPorts[i]), "--log-level", LOG_LEVEL, "--election-timeout", ELECTION_TIMEOUT),
        dataDir(i).resolve("node.log"));
  }

  private void startGateway() throws IOException {
    gateway = spawn(List.of("gateway", "--peers", PeerAddress.toSpec(peers), "--host", "127.0.0.1",
        "--port", Integer.toString(gatewayPort), "--metrics-port", "0", "--access-token-file", root.resolve("access-token").toString(), "--log-level", LOG_LEVEL),
        root.resolve("gateway.log"));
  }

  public Path dataDir(int i) {
    return root.resolve(peers.get(i).id());
  }

  /** Node {@code i}'s metrics and health base URL ({@code /metrics}, {@code /health/ready}). */
  public String metricsUrl(int i) {
    return "http://127.0.0.1:" + metricsPorts[i];
  }

  /** The KV Connect URL of the gateway. */
  public String url() {
    return "http://127.0.0.1:" + gatewayPort;
  }

  public String token() {
    return token;
  }

  public List<PeerAddress> peers() {
    return peers;
  }

  private ProcessClusterControl control;

  /** The nemesis' view of this cluster ({@link ProcessClusterControl}), created once. */
  @Override
  public synchronized io.quorumkv.chaos.nemesis.ClusterControl control() {
    if (control == null) {
      control = new ProcessClusterControl(this);
    }
    return control;
  }

  /** Node {@code i}'s status, or empty if it does not answer within a second. */
  public Optional<StatusResponse> status(int i) {
    return io.quorumkv.proto.NodeStatusProbe.fetch(peers.get(i), 1000);
  }

  /** Index of the node that reports itself leader, waiting up to {@code timeout}. */
  public int awaitLeader(Duration timeout) {
    int[] found = {-1};
    TestCluster.awaitTrue(timeout, "a leader among the node processes", () -> {
      for (int i = 0; i < nodes.length; i++) {
        if (nodes[i] != null && nodes[i].isAlive() && status(i).map(s -> s.getRole().equals("LEADER")).orElse(false)) {
          found[0] = i;
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

  /** Waits until the gateway answers a metadata exchange with 200 (Deno.openKv fails at once otherwise). */
  public void awaitGateway(Duration timeout) {
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();
    TestCluster.awaitTrue(timeout, "the gateway to answer at " + url(), () -> {
      if (!gateway.isAlive()) {
        throw new IllegalStateException("the gateway exited with " + gateway.exitValue() + ":\n" + logs());
      }
      try {
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url() + "/"))
            .timeout(Duration.ofSeconds(2))
            .header("authorization", "Bearer " + token).header("content-type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"supportedVersions\":[2,3]}")).build(),
            java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    });
  }

  /**
   * Cuts node {@code i} off from the other nodes, both directions, Raft and node RPC (the
   * gateway still reaches it). Only for a cluster from {@link #startPartitionable}.
   */
  public void isolate(int i) {
    requireMesh().isolate(i);
  }

  /** Restores every link between nodes. */
  public void heal() {
    if (mesh != null) {
      mesh.heal();
    }
  }

  /** True if this cluster can {@link #isolate}. */
  public boolean partitionable() {
    return mesh != null;
  }

  private PartitionMesh requireMesh() {
    if (mesh == null) {
      throw new IllegalStateException("not started with startPartitionable: node links are direct");
    }
    return mesh;
  }

  /** SIGKILL of node {@code i}'s process (a crash: no shutdown hook runs). */
  public void kill9(int i) throws InterruptedException {
    Process p = nodes[i];
    nodes[i] = null;
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** SIGSTOP of node {@code i}. */
  public void pause(int i) throws IOException, InterruptedException {
    signal(i, "STOP");
  }

  /** SIGCONT of node {@code i}. */
  public void resume(int i) throws IOException, InterruptedException {
    signal(i, "CONT");
  }

  private void signal(int i, String sig) throws IOException, InterruptedException {
    Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(nodes[i].pid())).inheritIO().start();
    if (k.waitFor() != 0) {
      throw new IOException("kill -" + sig + " failed");
    }
  }

  /** Starts node {@code i} again from its data directory. */
  public void restart(int i) throws IOException {
    if (nodes[i] != null && nodes[i].isAlive()) {
      throw new IllegalStateException("node " + i + " is running");
    }
    startNode(i);
  }

  /**
   * How one {@link #gracefulRestart} went: which node, whether it led when it was stopped, the
   * leader's commit index it had to reach, and the time of each step in milliseconds.
   */
  public record Restart(int node, boolean wasLeader, long targetIndex, long stopMs, long startMs, long catchUpMs) {
    public long totalMs() {
      return stopMs + startMs + catchUpMs;
    }

    @Override
    public String toString() {
      return String.format("n%d%s: stop (SIGTERM until exit) %d ms, start (until status answers) %d ms, "
          + "catch-up (applied >= %d) %d ms, total %d ms", node + 1, wasLeader ? " (leader)" : "",
          stopMs, startMs, targetIndex, catchUpMs, totalMs());
    }
  }

  /**
   * What {@code quorumkv restart-node} does ({@code RestartNodeCommand}): SIGTERM node {@code i}
   * (a leader hands leadership over in its shutdown hook), wait for it to exit, start it again
   * from its data directory, and wait until it has applied the commit index the leader had when
   * the node went down and a leader is known. Each wait is bounded by {@code timeout}.
   */
  public Restart gracefulRestart(int i, Duration timeout) throws IOException, InterruptedException {
    Process p = nodes[i];
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException("node " + i + " is not running");
    }
    boolean wasLeader = status(i).map(s -> s.getRole().equals("LEADER")).orElse(false);
    long t0 = System.nanoTime();
    p.destroy(); // SIGTERM
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("node " + i + " did not exit within " + timeout + " of SIGTERM");
    }
    nodes[i] = null;
    long t1 = System.nanoTime();
    // The target: the commit index of the (possibly new) leader among the others, now. A fixed
    // target, so that catching up ends under a steady write load.
    long[] target = {-1};
    await(timeout, "a leader among the other nodes", () -> {
      for (int j = 0; j < nodes.length; j++) {
        if (j != i && nodes[j] != null) {
          Optional<StatusResponse> s = status(j);
          if (s.isPresent() && s.get().getRole().equals("LEADER")) {
            target[0] = s.get().getCommitIndex();
            return true;
          }
        }
      }
      return false;
    });
    startNode(i);
    Process started = nodes[i];
    await(timeout, "node " + i + " answering status after restart", () -> {
      if (!started.isAlive()) {
        throw new IllegalStateException("node " + i + " exited with " + started.exitValue() + " after restart:\n" + logs());
      }
      return status(i).isPresent();
    });
    long t2 = System.nanoTime();
    await(timeout, "node " + i + " caught up to index " + target[0], () -> status(i)
        .map(s -> s.getAppliedIndex() >= target[0] && !s.getLeaderId().isEmpty()).orElse(false));
    long t3 = System.nanoTime();
    return new Restart(i, wasLeader, target[0], (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
  }

  /** Like {@link TestCluster#awaitTrue} but polls every 100 ms: each status call opens a channel. */
  private static void await(Duration timeout, String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  /** Lines of the gateway's log that are warnings or errors (with the line after each), at most {@code max}. */
  public String gatewayProblems(int max) {
    try {
      List<String> lines = Files.readAllLines(root.resolve("gateway.log"));
      StringBuilder b = new StringBuilder();
      int n = 0;
      for (int k = 0; k < lines.size() && n < max; k++) {
        if (lines.get(k).startsWith("SEVERE") || lines.get(k).startsWith("WARNING")) {
          b.append(lines.get(k - 1 >= 0 ? k - 1 : k)).append('\n').append(lines.get(k)).append('\n');
          n++;
        }
      }
      return b.toString();
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** Every line of every log (relative file name prefixed) that contains {@code text}. */
  public List<String> grepLogs(String text) {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
        for (String line : Files.readAllLines(p)) {
          if (line.contains(text)) {
            out.add(root.relativize(p) + ": " + line);
          }
        }
      }
    } catch (IOException e) {
      out.add(e.toString());
    }
    return out;
  }

  /** The gateway log's lines from the first one containing {@code text}, at most {@code n}. */
  public String gatewayLogAround(String text, int n) {
    try {
      List<String> lines = Files.readAllLines(root.resolve("gateway.log"));
      for (int k = 0; k < lines.size(); k++) {
        if (lines.get(k).contains(text)) {
          return String.join("\n", lines.subList(Math.max(0, k - 1), Math.min(lines.size(), k + n)));
        }
      }
      return "";
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** Copies every process log ({@code gateway.log}, {@code nK/node.log}) under {@code dir}. */
  public void saveLogs(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".log")).toList()) {
        Path to = dir.resolve(root.relativize(p).toString().replace('/', '-'));
        Files.createDirectories(dir);
        Files.copy(p, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** The last lines of every log, for failure messages. */
  public String logs() {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".log")).toList()) {
        List<String> lines = Files.readAllLines(p);
        b.append("--- ").append(root.relativize(p)).append('\n')
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()))).append('\n');
      }
    } catch (IOException e) {
      b.append(e);
    }
    return b.toString();
  }

  @Override
  public void close() {
    if (Boolean.getBoolean("chaos.keepLogs")) {
      Path to = Path.of(System.getProperty("chaos.outputDir", "target/chaos")).resolve("logs").resolve(root.getFileName());
      try {
        saveLogs(to);
        System.out.println("ProcessCluster: logs kept in " + to.toAbsolutePath());
      } catch (IOException e) {
        System.out.println("ProcessCluster: could not keep the logs: " + e);
      }
    }
    List<Process> all = new ArrayList<>();
    if (gateway != null) {
      all.add(gateway);
    }
    for (Process p : nodes) {
      if (p != null) {
        all.add(p);
      }
    }
    for (Process p : all) {
      try {
        new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor();
      } catch (IOException | InterruptedException ignored) {
        // best effort
      }
      p.destroyForcibly();
    }
    for (Process p : all) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (mesh != null) {
      mesh.close();
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // temp dir
    }
  }

  private static int freePort() throws IOException {
    return io.quorumkv.node.testing.TestPorts.allocate();
  }
}
