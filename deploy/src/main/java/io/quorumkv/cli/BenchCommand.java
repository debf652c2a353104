package io.quorumkv.cli;

import io.quorumkv.proto.PeerAddress;
import io.quorumkv.proto.gen.StatusResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quorumkv bench}: the benchmark anyone can rerun. Starts a fresh local cluster (unless
 * --url is given), drives every workload through the real Deno client ({@code bench/bench.ts}),
 * runs the same workloads against Deno's own in-process SQLite KV and, where etcd is installed,
 * against a fresh 3-member etcd cluster ({@code bench/etcd.ts}, {@link EtcdCluster}), and
 * measures leader-kill recovery, resident memory and cluster start time. Each system is measured
 * alone: QuorumKV is stopped before etcd starts. Prints a table and writes
 * {@code bench/results/latest.md}, {@code latest.json} and {@code latest.png}. See bench/README.md.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Benchmarks QuorumKV against Deno's in-process SQLite KV and a 3-member etcd cluster with the real Deno client.",
        "Needs the Deno CLI from npm (cd e2e && npm install); the etcd baseline needs etcd on PATH (apt-get install etcd-server)."})
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--url", description = "Benchmark this KV Connect URL instead of starting a local cluster (token from DENO_KV_ACCESS_TOKEN).")
  String url;

  @Option(names = "--workloads", split = ",", defaultValue = "set,get,get-eventual,transfer,mixed",
      description = "Workloads (default: ${DEFAULT-VALUE}).")
  List<String> workloads;

  @Option(names = "--concurrency", defaultValue = "32", description = "Requests in flight (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per workload (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--warmup", defaultValue = "180",
      description = "Seconds of unmeasured QuorumKV load before the measured runs, spread over the workloads"
          + " (default: ${DEFAULT-VALUE}; 0 = none). Four JVMs on two cores need minutes of load before the JIT"
          + " has compiled the hot paths; Deno SQLite and etcd are compiled ahead of time.")
  int warmup;

  @Option(names = "--kills", defaultValue = "5", description = "Leader kills for the recovery measurement (default: ${DEFAULT-VALUE}; 0 = skip).")
  int kills;

  @Option(names = "--no-baseline", description = "Skip Deno's in-process SQLite baseline.")
  boolean noBaseline;

  @Option(names = "--etcd", negatable = true,
      description = "Run the 3-member etcd baseline (default: on when an etcd binary is on PATH; --no-etcd skips it).")
  Boolean etcd;

  @Option(names = "--only-baselines", description = "Do not start or measure QuorumKV; run only the Deno SQLite and etcd baselines.")
  boolean onlyBaselines;

  @Option(names = "--out", defaultValue = "bench/results", description = "Where latest.md and latest.json go (default: ${DEFAULT-VALUE}).")
  Path out;

  /** Quiet time after a restarted node caught up, before the next leader kill. */
  private static final long SETTLE_MS = 2_000;
  private static final Pattern NUM = Pattern.compile("\"(opsPerSec|p50ms|p99ms|p999ms|errors|conflicts|ops|clientCpuMs)\":(-?[0-9.]+)");

  @Override
  public Integer call() throws Exception {
    Path home = Path.of(Optional.ofNullable(System.getenv("QUORUMKV_HOME")).orElse(".")).toAbsolutePath();
    Path deno = home.resolve("e2e/node_modules/@deno/linux-x64-glibc/deno");
    if (!Files.isExecutable(deno)) {
      System.err.println("quorumkv bench: the Deno CLI is missing; run 'cd e2e && npm install' first");
      return 2;
    }
    if (onlyBaselines && url != null) {
      System.err.println("quorumkv bench: --only-baselines measures no QuorumKV, so --url makes no sense with it");
      return 2;
    }
    Optional<Path> etcdBinary = EtcdCluster.findBinary();
    if (Boolean.TRUE.equals(etcd) && etcdBinary.isEmpty()) {
      System.err.println("quorumkv bench: --etcd needs an etcd binary on PATH (apt-get install etcd-server)");
      return 2;
    }
    boolean runEtcd = etcd != null ? etcd : etcdBinary.isPresent();
    Path dir = Files.createTempDirectory("quorumkv-bench-");
    Process up = null;
    String token = System.getenv("DENO_KV_ACCESS_TOKEN");
    Map<String, Object> results = new LinkedHashMap<>();
    // workload -> target ("quorumkv", "baseline" = Deno SQLite, "etcd") -> numbers of one run
    Map<String, Map<String, Map<String, String>>> byWorkload = new LinkedHashMap<>();
    workloads.forEach(w -> byWorkload.put(w, new LinkedHashMap<>()));
    try {
      if (!onlyBaselines) {
        LocalLayout layout = null;
        if (url == null) {
          int base = freeBase();
          List<String> args = List.of("up", "--dir", dir.toString(), "--port", Integer.toString(base),
              "--metrics-port", Integer.toString(base + 1), "--raft-base-port", Integer.toString(base + 10),
              "--rpc-base-port", Integer.toString(base + 20));
          long t0 = System.nanoTime();
          up = new ProcessBuilder(Launcher.javaCommand(args)).redirectErrorStream(true)
              .redirectOutput(dir.resolve("up.log").toFile()).start();
          if (!waitFor(dir.resolve("up.log"), "QuorumKV is ready", 120_000)) {
            System.err.println("quorumkv bench: the cluster did not start:\n" + Launcher.tail(dir.resolve("up.log"), 20));
            return 1;
          }
          long startMs = (System.nanoTime() - t0) / 1_000_000;
          layout = LocalLayout.load(dir).orElseThrow();
          url = layout.url();
          token = Files.readString(layout.tokenFile()).trim();
          results.put("clusterStartMs", startMs);
          System.out.printf("cluster ready in %d ms at %s%n", startMs, url);
          results.put("idleRssMb", rss(layout));
        }
        if (warmup > 0) {
          // Measured cold, the first workload after start saw the JIT compiling in four JVMs and
          // leader elections from the start-up CPU storm (bench/README.md, profile findings).
          int each = Math.max(1, warmup / workloads.size());
          Map<String, String> cold = new LinkedHashMap<>();
          for (String w : workloads) {
            Map<String, String> m = runWorkload(deno, home.resolve("bench/bench.ts"), url, token, w, "warm-up", each,
                dir.resolve("warmup-" + w + ".log"), null);
            cold.put(w, m.getOrDefault("opsPerSec", "error"));
          }
          results.put("warmupOpsPerSec", cold);
        }
        for (String w : workloads) {
          long changesBefore = layout == null ? 0 : leaderChanges(layout);
          Map<String, String> m = runWorkload(deno, home.resolve("bench/bench.ts"), url, token, w, "QuorumKV", seconds,
              dir.resolve("quorumkv-" + w + ".log"), layout == null ? null : servers(layout));
          if (layout != null) {
            m.put("leaderChanges", Long.toString(leaderChanges(layout) - changesBefore));
            leader(layout).ifPresent(id -> m.put("leader", id));
          }
          byWorkload.get(w).put("quorumkv", m);
          if (layout != null) {
            results.put("loadRssMb." + w, rss(layout));
          }
        }
        if (layout != null && kills > 0) {
          results.put("failoverMs", failover(deno, home, layout, token));
        }
        if (up != null) {
          Launcher.stop(up.toHandle(), 30_000); // measure every baseline on a quiet machine
        }
      }
      if (!noBaseline) {
        for (String w : workloads) {
          byWorkload.get(w).put("baseline", runWorkload(deno, home.resolve("bench/bench.ts"),
              dir.resolve("baseline-" + w + ".sqlite").toString(), token, w, "Deno SQLite", seconds,
              dir.resolve("baseline-" + w + ".log"), Map.of()));
        }
      }
      if (runEtcd) {
        results.put("etcdVersion", EtcdCluster.version(etcdBinary.orElseThrow()));
        try (EtcdCluster cluster = EtcdCluster.start(etcdBinary.orElseThrow(), dir.resolve("etcd"), 3, 60_000)) {
          System.out.println("etcd cluster ready at " + cluster.endpoints());
          for (String w : workloads) {
            byWorkload.get(w).put("etcd", runWorkload(deno, home.resolve("bench/etcd.ts"), cluster.endpoints(), null, w, "etcd",
                seconds, dir.resolve("etcd-" + w + ".log"), cluster.members()));
          }
        } catch (IOException e) { // the other results are still worth writing
          System.err.println("quorumkv bench: etcd baseline skipped: " + e.getMessage());
          results.put("etcdError", e.getMessage());
        }
      }
      List<Map<String, String>> rows = new ArrayList<>();
      byWorkload.forEach((w, byTarget) -> rows.add(row(w, byTarget)));
      results.put("workloads", rows);
      String md = render(results);
      Files.createDirectories(out);
      Files.writeString(out.resolve("latest.md"), md);
      Files.writeString(out.resolve("latest.json"), Json.write(results));
      BenchChart.write(rows, out.resolve("latest.png"), "concurrency " + concurrency + ", " + seconds + " s per workload, "
          + Runtime.getRuntime().availableProcessors() + " cores, real Deno client");
      System.out.println();
      System.out.println(md);
      System.out.println("results in " + out.toAbsolutePath() + "; per-run logs in " + dir);
      return 0;
    } finally {
      if (up != null) {
        Launcher.stop(up.toHandle(), 30_000);
      }
    }
  }

  /**
   * Runs one workload script to completion (killed if it outlives the measured seconds by two
   * minutes; its output stays in {@code log}) and returns the numbers of its JSON result line.
   * With {@code servers} (empty for an in-process target, null when unknown) it also measures the
   * CPU time per operation of the client and every server over the measured window
   * ({@link CpuMeter}).
   */
  private Map<String, String> runWorkload(Path deno, Path script, String target, String token, String workload, String label,
      int seconds, Path log, Map<String, ProcessHandle> servers) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(deno.toString(), "run", "-A", "--unstable-kv", script.toString(),
        "--target", target, "--workload", workload, "--concurrency", Integer.toString(concurrency),
        "--seconds", Integer.toString(seconds)).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("NO_COLOR", "1");
    if (token != null) {
      pb.environment().put("DENO_KV_ACCESS_TOKEN", token);
    }
    Process p = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 120L);
    Map<String, Long> cpuBefore = Map.of();
    if (servers != null) {
      // The script prints "measuring" as its measured window starts (bench/lib.ts).
      while (p.isAlive() && System.nanoTime() < deadline
          && !(Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains("measuring"))) {
        Thread.sleep(20);
      }
      cpuBefore = CpuMeter.sample(servers);
    }
    if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      Files.writeString(log, "\n(killed: still running " + (seconds + 120) + " s after it started)\n", StandardOpenOption.APPEND);
    }
    String text = Files.readString(log, StandardCharsets.UTF_8);
    String last = text.strip().lines().reduce((a, b) -> b).orElse("");
    Map<String, String> m = new LinkedHashMap<>();
    Matcher mm = NUM.matcher(last);
    while (mm.find()) {
      m.put(mm.group(1), mm.group(2));
    }
    if (servers != null && m.containsKey("ops")) {
      Map<String, Long> cpuAfter = CpuMeter.sample(servers);
      m.putAll(CpuMeter.perOp(cpuBefore, cpuAfter,
          m.containsKey("clientCpuMs") ? Double.valueOf(m.get("clientCpuMs")) : null, Long.parseLong(m.get("ops"))));
    }
    if (m.isEmpty()) {
      m.put("error", text.length() > 300 ? text.substring(text.length() - 300) : text);
      System.out.printf("%-12s %-13s failed: %s%n", label, workload, m.get("error").strip());
    } else {
      System.out.printf("%-12s %-13s %9s ops/s  p50 %s ms  p99 %s ms  errors %s  conflicts %s%s%n", label, workload,
          m.get("opsPerSec"), m.get("p50ms"), m.get("p99ms"), m.get("errors"), m.get("conflicts"),
          m.containsKey("cpuMsPerOp") ? "  CPU " + m.get("cpuMsPerOp") + " ms/op" : "");
    }
    return m;
  }

  /**
   * One table row: every target's numbers under its prefix ({@code quorumkv.}, {@code baseline.}
   * for Deno SQLite, {@code etcd.}), plus {@code ratio} (QuorumKV / Deno SQLite ops/s) and
   * {@code etcdRatio} (QuorumKV / etcd ops/s) where both sides have a number.
   */
  private static Map<String, String> row(String w, Map<String, Map<String, String>> byTarget) {
    Map<String, String> r = new LinkedHashMap<>();
    r.put("workload", w);
    byTarget.forEach((target, m) -> m.forEach((k, v) -> r.put(target + "." + k, v)));
    ratio(r, "ratio", "baseline");
    ratio(r, "etcdRatio", "etcd");
    return r;
  }

  private static void ratio(Map<String, String> r, String key, String baseline) {
    String q = r.get("quorumkv.opsPerSec");
    String b = r.get(baseline + ".opsPerSec");
    if (q != null && b != null && Double.parseDouble(b) > 0) {
      r.put(key, String.format("%.2f", Double.parseDouble(q) / Double.parseDouble(b)));
    }
  }

  private Map<String, Object> failover(Path deno, Path home, LocalLayout layout, String token) throws Exception {
    List<Double> times = new ArrayList<>();
    ProcessBuilder pb = new ProcessBuilder(deno.toString(), "run", "-A", "--unstable-kv", home.resolve("bench/probe.ts").toString(), layout.url())
        .redirectErrorStream(true);
    pb.environment().put("NO_COLOR", "1");
    pb.environment().put("DENO_KV_ACCESS_TOKEN", token);
    Process probe = pb.start();
    BufferedReader in = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8));
    Writer w = new OutputStreamWriter(probe.getOutputStream(), StandardCharsets.UTF_8);
    try {
      if (!readUntil(in, "ready")) {
        return Map.of("error", "probe did not start");
      }
      for (int k = 0; k < kills; k++) {
        List<NodeStatus.Seen> seen = NodeStatus.poll(layout.peers(), 1000);
        Optional<NodeStatus.Seen> leader = seen.stream().filter(s -> s.role().equals("LEADER")).findFirst();
        if (leader.isEmpty()) {
          Thread.sleep(500);
          continue;
        }
        String id = leader.get().peer().id();
        ProcessHandle.of(leader.get().status().get().getPid()).ifPresent(ProcessHandle::destroyForcibly);
        w.write("go\n");
        w.flush();
        String line = readLine(in, "written ");
        times.add(Double.parseDouble(line.substring("written ".length())));
        System.out.printf("leader %s killed: first write acknowledged after %s ms%n", id, line.substring(8));
        Thread.sleep(300);
        restartNode(layout, id);
      }
      w.write("quit\n");
      w.flush();
    } finally {
      probe.destroyForcibly();
    }
    List<Double> sorted = times.stream().sorted().toList();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kills", sorted.size());
    m.put("medianMs", sorted.isEmpty() ? null : sorted.get(sorted.size() / 2));
    m.put("worstMs", sorted.isEmpty() ? null : sorted.get(sorted.size() - 1));
    m.put("allMs", sorted);
    return m;
  }

  /**
   * Restarts a killed node and waits until it is a follower that has applied everything the
   * others committed, then {@link #SETTLE_MS} more: each kill should start from three healthy
   * nodes, as a failure in production usually does, not from a JVM that started a second ago
   * (killing the next leader then measured a double fault: up to 2 s, bench/README.md).
   */
  private static void restartNode(LocalLayout layout, String id) throws Exception {
    PeerAddress p = layout.peers().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
    Launcher.start(layout.nodeArgs(p), layout.nodeDir(id).resolve("node.log"), layout.nodeDir(id).resolve("node.pid"));
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      List<NodeStatus.Seen> seen = NodeStatus.poll(layout.peers(), 1000);
      Optional<StatusResponse> self = seen.stream().filter(s -> s.peer().id().equals(p.id()) && s.role().equals("FOLLOWER"))
          .findFirst().flatMap(NodeStatus.Seen::status);
      long committed = seen.stream().filter(s -> !s.peer().id().equals(p.id())).flatMap(s -> s.status().stream())
          .mapToLong(StatusResponse::getCommitIndex).max().orElse(Long.MAX_VALUE);
      if (self.isPresent() && self.get().getAppliedIndex() >= committed) {
        Thread.sleep(SETTLE_MS);
        return;
      }
      Thread.sleep(200);
    }
  }

  /** The cluster's processes by name (node ids and {@code gateway}), for CPU accounting. */
  private static Map<String, ProcessHandle> servers(LocalLayout layout) {
    Map<String, ProcessHandle> m = new LinkedHashMap<>();
    for (PeerAddress p : layout.peers()) {
      Launcher.recorded(layout.nodeDir(p.id()).resolve("node.pid")).ifPresent(h -> m.put(p.id(), h));
    }
    Launcher.recorded(layout.dir().resolve("gateway.pid")).ifPresent(h -> m.put("gateway", h));
    return m;
  }

  /** The node that leads now, if one answers as leader. */
  private static Optional<String> leader(LocalLayout layout) {
    return NodeStatus.poll(layout.peers(), 1000).stream()
        .filter(s -> s.role().equals("LEADER")).map(s -> s.peer().id()).findFirst();
  }

  /** Times the gateway saw the leader change (its metric), or 0 if it does not answer. */
  private static long leaderChanges(LocalLayout layout) {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://" + layout.host() + ":" + layout.metricsPort() + "/metrics"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      for (String line : r.body().split("\n")) {
        if (line.startsWith("quorumkv_gateway_leader_changes_total ")) {
          return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // no number: count nothing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static Map<String, String> rss(LocalLayout layout) {
    Map<String, String> m = new LinkedHashMap<>();
    servers(layout).forEach((name, h) -> m.put(name, rssMb(h.pid())));
    return m;
  }

  private static String rssMb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return Long.toString(kb / 1024);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // process gone
    }
    return "?";
  }

  @SuppressWarnings("unchecked")
  private String render(Map<String, Object> r) {
    StringBuilder b = new StringBuilder();
    b.append("QuorumKV benchmark, ").append(LocalDateTime.now().withNano(0)).append(", ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores, concurrency ").append(concurrency)
        .append(", ").append(seconds).append(" s per workload, real Deno client\n\n");
    b.append("| workload | QuorumKV ops/s | p50 ms | p99 ms | p999 ms | errors | conflicts | leader changes | Deno SQLite ops/s"
        + " | Deno SQLite p99 ms | QuorumKV / Deno SQLite | etcd ops/s | etcd p99 ms | QuorumKV / etcd |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Map<String, String> row : (List<Map<String, String>>) r.get("workloads")) {
      b.append("| ").append(row.get("workload"))
          .append(" | ").append(row.getOrDefault("quorumkv.opsPerSec", row.containsKey("quorumkv.error") ? "error" : "-"))
          .append(" | ").append(row.getOrDefault("quorumkv.p50ms", "-"))
          .append(" | ").append(row.getOrDefault("quorumkv.p99ms", "-"))
          .append(" | ").append(row.getOrDefault("quorumkv.p999ms", "-"))
          .append(" | ").append(row.getOrDefault("quorumkv.errors", "-"))
          .append(" | ").append(row.getOrDefault("quorumkv.conflicts", "-"))
          .append(" | ").append(row.getOrDefault("quorumkv.leaderChanges", "-"))
          .append(" | ").append(row.getOrDefault("baseline.opsPerSec", row.containsKey("baseline.error") ? "error" : "-"))
          .append(" | ").append(row.getOrDefault("baseline.p99ms", "-"))
          .append(" | ").append(row.getOrDefault("ratio", "-"))
          .append(" | ").append(row.getOrDefault("etcd.opsPerSec", row.containsKey("etcd.error") ? "error" : "-"))
          .append(" | ").append(row.getOrDefault("etcd.p99ms", "-"))
          .append(" | ").append(row.getOrDefault("etcdRatio", "-")).append(" |\n");
    }
    cpuTable(b, (List<Map<String, String>>) r.get("workloads"));
    if (r.containsKey("etcdVersion")) {
      b.append("\netcd: ").append(r.get("etcdVersion")).append(", 3 members on loopback, fsync on (defaults), HTTP JSON API;"
          + " writes and linearizable reads to the leader, serializable reads round-robin (bench/etcd.ts)\n");
    }
    if (r.containsKey("warmupOpsPerSec")) {
      b.append("\nQuorumKV warm-up (unmeasured, ").append(warmup).append(" s over the workloads, right after start), ops/s: ")
          .append(r.get("warmupOpsPerSec")).append('\n');
    }
    if (r.containsKey("failoverMs")) {
      b.append("\nLeader kill -9 to first acknowledged write: ").append(r.get("failoverMs")).append('\n');
    }
    if (r.containsKey("clusterStartMs")) {
      b.append("Cluster start (spawn to gateway ready): ").append(r.get("clusterStartMs")).append(" ms\n");
    }
    r.forEach((k, v) -> {
      if (k.contains("RssMb")) {
        b.append("Resident memory MB ").append(k).append(": ").append(v).append('\n');
      }
    });
    return b.toString();
  }

  /**
   * CPU per operation of every target, QuorumKV's split by process, and the ops/s that cost
   * allows on this machine's cores ({@link CpuMeter#ceiling}).
   */
  private static void cpuTable(StringBuilder b, List<Map<String, String>> rows) {
    if (rows.stream().noneMatch(row -> row.keySet().stream().anyMatch(k -> k.endsWith(".cpuMsPerOp")))) {
      return;
    }
    int cores = Runtime.getRuntime().availableProcessors();
    b.append("\nCPU time per operation, ms (user + system time of every process over the measured window, the Deno"
        + " client included), and the ops/s that cost allows on ").append(cores).append(" cores doing nothing else\n\n");
    b.append("| workload | QuorumKV | Deno client | gateway | leader | followers | QuorumKV ceiling ops/s"
        + " | Deno SQLite | Deno SQLite ceiling | etcd (3 members + client) | etcd ceiling |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Map<String, String> row : rows) {
      String leader = row.get("quorumkv.leader");
      List<String> followers = new ArrayList<>();
      row.forEach((k, v) -> {
        if (k.startsWith("quorumkv.cpu.n") && !k.equals("quorumkv.cpu." + leader)) {
          followers.add(v);
        }
      });
      b.append("| ").append(row.get("workload"))
          .append(" | ").append(row.getOrDefault("quorumkv.cpuMsPerOp", "-"))
          .append(" | ").append(row.getOrDefault("quorumkv.cpu.client", "-"))
          .append(" | ").append(row.getOrDefault("quorumkv.cpu.gateway", "-"))
          .append(" | ").append(leader == null ? "-" : row.getOrDefault("quorumkv.cpu." + leader, "-") + " (" + leader + ")")
          .append(" | ").append(followers.isEmpty() ? "-" : String.join(" / ", followers))
          .append(" | ").append(ceiling(cores, row.get("quorumkv.cpuMsPerOp")))
          .append(" | ").append(row.getOrDefault("baseline.cpuMsPerOp", "-"))
          .append(" | ").append(ceiling(cores, row.get("baseline.cpuMsPerOp")))
          .append(" | ").append(row.getOrDefault("etcd.cpuMsPerOp", "-"))
          .append(" | ").append(ceiling(cores, row.get("etcd.cpuMsPerOp"))).append(" |\n");
    }
  }

  private static String ceiling(int cores, String cpuMsPerOp) {
    return cpuMsPerOp == null ? "-" : Long.toString(CpuMeter.ceiling(cores, Double.parseDouble(cpuMsPerOp)));
  }

  private static boolean waitFor(Path log, String text, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  private static boolean readUntil(BufferedReader in, String line) throws IOException {
    for (String l; (l = in.readLine()) != null; ) {
      if (l.trim().equals(line)) {
        return true;
      }
    }
    return false;
  }

  private static String readLine(BufferedReader in, String prefix) throws IOException {
    for (String l; (l = in.readLine()) != null; ) {
      if (l.startsWith(prefix)) {
        return l.trim();
      }
    }
    throw new IOException("probe ended");
  }

  private static int freeBase() throws IOException {
    for (int base = 24000; base < 60000; base += 100) {
      boolean free = true;
      for (int off : new int[] {0, 1, 10, 11, 12, 20, 21, 22}) {
        try (ServerSocket s = new ServerSocket(base + off)) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          free = false;
          break;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no free port range");
  }
}
