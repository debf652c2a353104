package io.quorumkv.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A throw-away etcd cluster on loopback for the benchmark's peer-Raft baseline: {@code members}
 * etcd processes on free ports, each with its own data directory under {@code dir}. Durability
 * is etcd's default: every commit is fsynced to its WAL (no {@code --unsafe-no-fsync}), as
 * QuorumKV fsyncs its Raft log. {@link #close()} stops the members (SIGTERM, then SIGKILL) and
 * deletes {@code dir}; a shutdown hook does the same if the benchmark is interrupted.
 */
final class EtcdCluster implements AutoCloseable {
  private static final String HOST = "127.0.0.1";

  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final List<String> clientUrls = new ArrayList<>();
  private final Thread hook = new Thread(this::stopAndDelete, "etcd-cluster-shutdown");

  private EtcdCluster(Path dir) {
    this.dir = dir;
  }

  /** The {@code etcd} binary on PATH, if there is one. */
  static Optional<Path> findBinary() {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    for (String d : path.split(File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, "etcd"))) {
        return Optional.of(Path.of(d, "etcd"));
      }
    }
    return Optional.empty();
  }

  /** etcd's version line ({@code etcd Version: 3.4.23}), or "etcd" if it cannot be read. */
  static String version(Path etcd) {
    try {
      Process p = new ProcessBuilder(etcd.toString(), "--version").redirectErrorStream(true).start();
      String first = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("");
      p.waitFor();
      return first.isBlank() ? "etcd" : first.trim();
    } catch (IOException e) {
      return "etcd";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "etcd";
    }
  }

  /** Starts the members and returns once every one reports healthy (or throws, having cleaned up). */
  static EtcdCluster start(Path etcd, Path dir, int members, long timeoutMs) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    EtcdCluster c = new EtcdCluster(dir);
    Runtime.getRuntime().addShutdownHook(c.hook);
    try {
      int[] ports = freePorts(2 * members);
      List<String> peerUrls = new ArrayList<>();
      List<String> initial = new ArrayList<>();
      for (int i = 0; i < members; i++) {
        c.clientUrls.add("http://" + HOST + ":" + ports[2 * i]);
        peerUrls.add("http://" + HOST + ":" + ports[2 * i + 1]);
        initial.add(name(i) + "=" + peerUrls.get(i));
      }
      String token = "quorumkv-bench-" + UUID.randomUUID();
      for (int i = 0; i < members; i++) {
        ProcessBuilder pb = new ProcessBuilder(etcd.toString(),
            "--name", name(i),
            "--data-dir", dir.resolve(name(i)).toString(),
            "--listen-client-urls", c.clientUrls.get(i),
            "--advertise-client-urls", c.clientUrls.get(i),
            "--listen-peer-urls", peerUrls.get(i),
            "--initial-advertise-peer-urls", peerUrls.get(i),
            "--initial-cluster", String.join(",", initial),
            "--initial-cluster-token", token,
            "--initial-cluster-state", "new",
            "--logger", "zap", "--log-level", "warn")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name(i) + ".log").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // etcd reads its flags from ETCD_* variables too; only the flags above should count.
        pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_"));
        c.processes.add(pb.start());
      }
      c.awaitHealthy(timeoutMs);
      return c;
    } catch (IOException | InterruptedException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Client URLs of all members, comma-separated, for {@code bench/etcd.ts --target}. */
  String endpoints() {
    return String.join(",", clientUrls);
  }

  private void awaitHealthy(long timeoutMs) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      for (int i = 0; i < processes.size(); i++) {
        if (!processes.get(i).isAlive()) {
          throw new IOException("etcd member " + name(i) + " exited:\n" + Launcher.tail(dir.resolve(name(i) + ".log"), 15));
        }
      }
      int healthy = 0;
      for (String url : clientUrls) {
        try {
          // /health answers true once the member has a leader and a quorum read went through.
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/health"))
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200 && r.body().replace(" ", "").contains("\"health\":\"true\"")) {
            healthy++;
          }
        } catch (IOException e) {
          // not listening yet
        }
      }
      if (healthy == clientUrls.size()) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IOException("etcd cluster not healthy after " + timeoutMs + " ms; " + name(0) + " log:\n"
            + Launcher.tail(dir.resolve(name(0) + ".log"), 15));
      }
      Thread.sleep(200);
    }
  }

  /** The running members by name ({@code etcd1}, ...), for CPU accounting. */
  synchronized Map<String, ProcessHandle> members() {
    Map<String, ProcessHandle> m = new LinkedHashMap<>();
    for (int i = 0; i < processes.size(); i++) {
      m.put(name(i), processes.get(i).toHandle());
    }
    return m;
  }

  @Override
  public void close() {
    stopAndDelete();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook is running this
    }
  }

  private synchronized void stopAndDelete() {
    // SIGTERM to all at once, then SIGKILL whatever is left after 3 s: a stopping leader spends up
    // to 7 s trying to hand leadership to followers that are stopping too, and the data is about to
    // be deleted anyway.
    processes.forEach(Process::destroy);
    for (Process p : processes) {
      Launcher.stop(p.toHandle(), 3_000);
    }
    processes.clear();
    if (Files.exists(dir)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> {
          try {
            Files.deleteIfExists(p);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      } catch (IOException | UncheckedIOException e) {
        System.err.println("quorumkv bench: could not delete " + dir + ": " + e.getMessage());
      }
    }
  }

  private static String name(int i) {
    return "etcd" + (i + 1);
  }

  /** {@code n} distinct free loopback ports, all held open until every one is chosen. */
  private static int[] freePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST));
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }
}
