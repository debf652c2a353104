package io.quorumkv.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.SnapshotRead;
import com.google.protobuf.ByteString;
import io.quorumkv.gateway.metrics.GatewayMetrics;
import io.quorumkv.proto.ObservabilityServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The gateway's metrics port, started through {@link GatewayMain#launch} as the process does:
 * request metrics move with real KV Connect requests, readiness follows the database's leader
 * and the KV Connect server.
 */
class GatewayObservabilityTest {
  private static final String TOKEN = TestGateway.TOKEN;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void requestMetricsMoveWithRealRequests() throws Exception {
    FakeKvDatabase db = new FakeKvDatabase();
    try (GatewayMain.Gateway g = launch(db)) {
      int metricsPort = g.metrics().port();
      String before = get(metricsPort, "/metrics").body();
      assertEquals(0, value(before, "quorumkv_gateway_requests_total", "endpoint=\"metadata\"", "consistency=\"strong\"", "status=\"200\""));

      assertEquals(200, post(g.server().port(), "/", Map.of("authorization", "Bearer " + TOKEN,
          "content-type", "application/json"), "{\"supportedVersions\":[3]}".getBytes(StandardCharsets.UTF_8)));
      assertEquals(401, post(g.server().port(), "/", Map.of("authorization", "Bearer wrong-token-000",
          "content-type", "application/json"), "{\"supportedVersions\":[3]}".getBytes(StandardCharsets.UTF_8)));
      SnapshotRead read = SnapshotRead.newBuilder()
          .addRanges(ReadRange.newBuilder().setStart(ByteString.copyFromUtf8("a"))
              .setEnd(ByteString.copyFromUtf8("b")).setLimit(1))
          .build();
      assertEquals(200, post(g.server().port(), "/eventual/v2/snapshot_read", TestGateway.dataHeaders(), read.toByteArray()));
      assertEquals(404, post(g.server().port(), "/nope", Map.of(), new byte[0]));

      String after = get(metricsPort, "/metrics").body();
      assertEquals(1, value(after, "quorumkv_gateway_requests_total", "endpoint=\"metadata\"", "consistency=\"strong\"", "status=\"200\""), after);
      assertEquals(1, value(after, "quorumkv_gateway_requests_total", "endpoint=\"metadata\"", "consistency=\"strong\"", "status=\"401\""), after);
      assertEquals(1, value(after, "quorumkv_gateway_requests_total", "endpoint=\"snapshot_read\"", "consistency=\"eventual\"", "status=\"200\""), after);
      assertEquals(1, value(after, "quorumkv_gateway_requests_total", "endpoint=\"other\"", "status=\"404\""), after);
      assertEquals(2, value(after, "quorumkv_gateway_request_duration_seconds_count", "endpoint=\"metadata\"", "consistency=\"strong\""), after);
      assertEquals(1, value(after, "quorumkv_gateway_leader_known"), after);
      assertEquals(1, value(after, "quorumkv_gateway_nodes_reachable"), after);
      assertEquals(0, value(after, "quorumkv_gateway_watch_streams"), after);
      assertTrue(after.contains("quorumkv_gateway_batched_writes_total"), after);
      assertTrue(after.contains("quorumkv_gateway_log_entries_total"), after);
      assertTrue(after.contains("quorumkv_gateway_leader_changes_total"), after);
      assertTrue(after.contains("jvm_memory_used_bytes"), "JVM collectors are registered");
    }
  }

  @Test
  void readyFollowsTheLeaderAndLiveDoesNot() throws Exception {
    FakeKvDatabase db = new FakeKvDatabase();
    try (GatewayMain.Gateway g = launch(db)) {
      int port = g.metrics().port();
      HttpResponse<String> ready = get(port, "/health/ready");
      assertEquals(200, ready.statusCode(), ready.body());
      assertTrue(ready.body().startsWith("{\"status\":\"UP\",\"reason\":\"leader local (1 of 1 nodes reachable)\""), ready.body());

      db.setHealth(new ClusterHealth(Optional.empty(), 2, 3, 4, 0, 0, 0, 0, 0, 0));
      ready = get(port, "/health/ready");
      assertEquals(503, ready.statusCode());
      assertTrue(ready.body().contains("\"reason\":\"no leader known (2 of 3 nodes reachable)\""), ready.body());
      assertEquals(1, ready.body().strip().lines().count());
      assertEquals(200, get(port, "/health/live").statusCode());
      String metrics = get(port, "/metrics").body();
      assertEquals(0, value(metrics, "quorumkv_gateway_leader_known"), metrics);
      assertEquals(0, value(metrics, "quorumkv_gateway_ready"), metrics);
      assertEquals(4, value(metrics, "quorumkv_gateway_leader_changes_total"), metrics);

      db.setHealth(new ClusterHealth(Optional.of("n2"), 3, 3, 5, 7, 40, 9, 60, 11, 70));
      assertEquals(200, get(port, "/health/ready").statusCode());
      metrics = get(port, "/metrics").body();
      assertEquals(7, value(metrics, "quorumkv_gateway_log_entries_total"), metrics);
      assertEquals(40, value(metrics, "quorumkv_gateway_batched_writes_total"), metrics);
      assertEquals(9, value(metrics, "quorumkv_gateway_read_queries_total"), metrics);
      assertEquals(60, value(metrics, "quorumkv_gateway_batched_reads_total"), metrics);
      assertEquals(11, value(metrics, "quorumkv_gateway_eventual_read_calls_total"), metrics);
      assertEquals(70, value(metrics, "quorumkv_gateway_batched_eventual_reads_total"), metrics);
      assertEquals(404, get(port, "/health").statusCode());
    }
  }

  @Test
  void notReadyBeforeTheDatabaseAndAfterTheServerStopped() throws Exception {
    GatewayMetrics metrics = new GatewayMetrics(false);
    FakeKvDatabase db = new FakeKvDatabase();
    GatewayConfig config = new GatewayConfig("127.0.0.1", 0, TOKEN, List.of(), 5_000);
    try (ObservabilityServer ms =
        ObservabilityServer.start("127.0.0.1", 0, "test-metrics", metrics.registry(), metrics::health)) {
      HttpResponse<String> r = get(ms.port(), "/health/ready");
      assertEquals(503, r.statusCode());
      assertTrue(r.body().contains("starting: connecting to the Raft group"), r.body());
      assertEquals(200, get(ms.port(), "/health/live").statusCode());

      KvConnectServer server = new KvConnectServer(db, config, metrics).start();
      metrics.serving(db, server);
      assertEquals(200, get(ms.port(), "/health/ready").statusCode());
      server.close();
      r = get(ms.port(), "/health/ready");
      assertEquals(503, r.statusCode());
      assertTrue(r.body().contains("the KV Connect server is not running"), r.body());
    } finally {
      db.close();
    }
  }

  // --- helpers

  private static GatewayMain.Gateway launch(FakeKvDatabase db) {
    return GatewayMain.launch(
            new String[] {"--host", "127.0.0.1", "--port", "0", "--metrics-port", "0", "--peers", "n1=127.0.0.1:1:2"},
            Map.of("DENO_KV_ACCESS_TOKEN", TOKEN),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            config -> db)
        .orElseThrow();
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private int post(int port, String path, Map<String, String> headers, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** The value of the one sample of {@code name} carrying every label given; 0 if none. */
  static double value(String exposition, String name, String... labels) {
    List<String> lines = exposition.lines()
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .filter(l -> List.of(labels).stream().allMatch(l::contains))
        .toList();
    if (lines.isEmpty()) {
      return 0;
    }
    assertEquals(1, lines.size(), "several samples match: " + lines);
    String line = lines.get(0);
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }
}
