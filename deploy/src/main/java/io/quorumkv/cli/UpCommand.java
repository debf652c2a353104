package io.quorumkv.cli;

import io.quorumkv.proto.PeerAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quorumkv up}: a local 3-node cluster plus a gateway, as separate processes. */
@Command(name = "up", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      // One string per paragraph: picocli wraps it at the terminal width.
      "Starts a local QuorumKV cluster: N node processes and one gateway, all under --dir.",
      "Data is kept across restarts (run 'up' again with the same --dir). Ctrl-C or SIGTERM stops"
          + " every process. Logs: DIR/gateway.log and DIR/nN/node.log."})
final class UpCommand implements Callable<Integer> {
  @Option(names = "--dir", defaultValue = "${env:QUORUMKV_DIR:-quorumkv-data}",
      description = "Directory for every node's data and the logs (default: ${DEFAULT-VALUE}). [QUORUMKV_DIR]")
  Path dir;

  @Option(names = "--port", defaultValue = "${env:QUORUMKV_PORT:-4512}",
      description = "Gateway KV Connect port (default: ${DEFAULT-VALUE}). [QUORUMKV_PORT]")
  int port;

  @Option(names = "--metrics-port", defaultValue = "${env:QUORUMKV_METRICS_PORT:-4513}",
      description = "Gateway /metrics and /health port (default: ${DEFAULT-VALUE}). [QUORUMKV_METRICS_PORT]")
  int metricsPort;

  @Option(names = "--host", defaultValue = "${env:QUORUMKV_HOST:-127.0.0.1}",
      description = "Address every process listens on (default: ${DEFAULT-VALUE}). [QUORUMKV_HOST]")
  String host;

  @Option(names = "--nodes", defaultValue = "${env:QUORUMKV_NODES:-3}",
      description = "Number of nodes for a new cluster (default: ${DEFAULT-VALUE}). [QUORUMKV_NODES]")
  int nodes;

  @Option(names = "--raft-base-port", defaultValue = "${env:QUORUMKV_RAFT_BASE_PORT:-7001}",
      description = "Raft port of n1; nN uses base+N-1 (default: ${DEFAULT-VALUE}). [QUORUMKV_RAFT_BASE_PORT]")
  int raftBase;

  @Option(names = "--rpc-base-port", defaultValue = "${env:QUORUMKV_RPC_BASE_PORT:-7101}",
      description = "Node RPC port of n1 (default: ${DEFAULT-VALUE}). [QUORUMKV_RPC_BASE_PORT]")
  int rpcBase;

  @Option(names = "--ready-timeout", defaultValue = "${env:QUORUMKV_READY_TIMEOUT_S:-90}",
      description = "Seconds to wait for the cluster to become ready (default: ${DEFAULT-VALUE}). [QUORUMKV_READY_TIMEOUT_S]")
  int readyTimeoutS;

  private final List<Process> children = new ArrayList<>();
  private volatile boolean stopping;

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || nodes % 2 == 0) {
      System.err.println("quorumkv up: --nodes must be odd (1, 3, 5, ...), got " + nodes);
      return 2;
    }
    LocalLayout layout;
    try {
      Optional<LocalLayout> existing = LocalLayout.load(dir);
      layout = existing.orElseGet(() -> LocalLayout.create(dir.toAbsolutePath(), nodes, host, port, metricsPort, raftBase, rpcBase));
      if (existing.isPresent()) {
        System.out.println("Reusing the cluster in " + dir.toAbsolutePath() + " (" + layout.peers().size() + " nodes, port " + layout.port() + ")");
      }
      layout.save();
      checkPortsFree(layout);
    } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
      System.err.println("quorumkv up: " + e.getMessage());
      return 2;
    }
    String token = layout.ensureToken(System.getenv("DENO_KV_ACCESS_TOKEN"));
    if (token.length() < 12) {
      System.err.println("quorumkv up: DENO_KV_ACCESS_TOKEN must be at least 12 characters");
      return 2;
    }
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping = true;
      stopAll(layout);
      stop.countDown();
    }, "up-shutdown"));

    for (PeerAddress p : layout.peers()) {
      children.add(Launcher.start(layout.nodeArgs(p), layout.nodeDir(p.id()).resolve("node.log"),
          layout.nodeDir(p.id()).resolve("node.pid")));
    }
    children.add(Launcher.start(List.of("gateway", "--peers", PeerAddress.toSpec(layout.peers()),
        "--host", layout.host(), "--port", Integer.toString(layout.port()),
        "--metrics-port", Integer.toString(layout.metricsPort()),
        "--access-token-file", layout.tokenFile().toString()),
        layout.dir().resolve("gateway.log"), layout.dir().resolve("gateway.pid")));
    if (!awaitReady(layout, token)) {
      return 1;
    }
    System.out.println();
    System.out.println("QuorumKV is ready: " + layout.url());
    System.out.println("  export DENO_KV_ACCESS_TOKEN=$(cat " + layout.tokenFile() + ")");
    System.out.println("  Deno:  const kv = await Deno.openKv(\"" + layout.url() + "\");");
    System.out.println("  Follower reads (Deno): Deno.openKv(\"" + layout.url() + "/replica\")");
    System.out.println("  Status: ./quorumkv status --dir " + dir + "    Stop: Ctrl-C");
    for (Process p : children) {
      p.onExit().thenAccept(x -> {
        if (!stopping) {
          System.out.println("process " + x.pid() + " exited with code " + x.exitValue() + " (see the logs in " + layout.dir() + ")");
        }
      });
    }
    stop.await();
    return 0;
  }

  private boolean awaitReady(LocalLayout layout, String token) throws InterruptedException {
    long deadline = System.currentTimeMillis() + readyTimeoutS * 1000L;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      List<NodeStatus.Seen> seen = NodeStatus.poll(layout.peers(), 1000);
      Optional<String> leader = NodeStatus.leader(seen);
      boolean gateway = leader.isPresent() && gatewayAnswers(http, layout, token);
      StringBuilder line = new StringBuilder("starting:");
      for (NodeStatus.Seen s : seen) {
        line.append(' ').append(s.peer().id()).append('=').append(s.status().isPresent() ? "up" : "down");
      }
      line.append("  leader=").append(leader.orElse("-")).append("  gateway=").append(gateway ? "ready" : "waiting");
      if (!line.toString().equals(last)) {
        System.out.println(line);
        last = line.toString();
      }
      if (gateway) {
        return true;
      }
      for (Process p : children) {
        if (!p.isAlive()) {
          System.err.println("quorumkv up: a process exited during start-up (code " + p.exitValue() + "); last log lines:");
          System.err.println(Launcher.tail(layout.dir().resolve("gateway.log"), 5));
          for (PeerAddress peer : layout.peers()) {
            System.err.println("--- " + peer.id());
            System.err.println(Launcher.tail(layout.nodeDir(peer.id()).resolve("node.log"), 5));
          }
          return false;
        }
      }
      Thread.sleep(300);
    }
    System.err.println("quorumkv up: the cluster was not ready after " + readyTimeoutS + " s; see the logs in " + layout.dir());
    return false;
  }

  private static boolean gatewayAnswers(HttpClient http, LocalLayout layout, String token) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(layout.url() + "/"))
          .timeout(Duration.ofSeconds(2))
          .header("authorization", "Bearer " + token)
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"supportedVersions\":[2,3]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void checkPortsFree(LocalLayout layout) {
    List<Integer> ports = new ArrayList<>(List.of(layout.port(), layout.metricsPort()));
    for (PeerAddress p : layout.peers()) {
      ports.add(p.raftPort());
      ports.add(p.rpcPort());
      ports.add(LocalLayout.nodeMetricsPort(p));
    }
    for (int port : ports) {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(layout.host(), port));
      } catch (IOException e) {
        throw new IllegalStateException("port " + port + " on " + layout.host()
            + " is in use (is another 'quorumkv up' running? 'quorumkv status --dir " + layout.dir() + "')");
      }
    }
  }

  private void stopAll(LocalLayout layout) {
    System.out.println("stopping QuorumKV...");
    // Gateway first so clients get 503s rather than half-served requests, then the nodes.
    Launcher.recorded(layout.dir().resolve("gateway.pid")).ifPresent(h -> Launcher.stop(h, 10_000));
    List<Thread> stops = new ArrayList<>();
    for (PeerAddress p : layout.peers()) {
      Launcher.recorded(layout.nodeDir(p.id()).resolve("node.pid"))
          .ifPresent(h -> stops.add(Thread.ofVirtual().start(() -> Launcher.stop(h, 15_000))));
    }
    for (Process p : children) {
      stops.add(Thread.ofVirtual().start(() -> Launcher.stop(p.toHandle(), 15_000)));
    }
    for (Thread t : stops) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    System.out.println("stopped.");
  }
}
