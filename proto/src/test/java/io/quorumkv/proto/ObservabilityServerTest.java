package io.quorumkv.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ObservabilityServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void servesMetricsAndAsksTheReadinessAfreshEachTime() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter.builder().name("test_things_total").help("things").register(registry).inc(3);
    AtomicBoolean ready = new AtomicBoolean(false);
    ObservabilityServer.Readiness readiness = new ObservabilityServer.Readiness() {
      @Override
      public boolean ready() {
        return ready.get();
      }

      @Override
      public String toJson() {
        return "{\"status\":\"" + (ready.get() ? "UP" : "DOWN") + "\"}";
      }
    };
    try (ObservabilityServer s = ObservabilityServer.start("127.0.0.1", 0, "test-metrics", registry, () -> readiness)) {
      HttpResponse<String> m = get(s.port(), "/metrics", "GET");
      assertEquals(200, m.statusCode());
      assertTrue(m.body().contains("test_things_total 3.0"), m.body());
      assertEquals(503, get(s.port(), "/health/ready", "GET").statusCode());
      ready.set(true);
      HttpResponse<String> r = get(s.port(), "/health/ready", "GET");
      assertEquals(200, r.statusCode());
      assertEquals("{\"status\":\"UP\"}\n", r.body());
      assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
      assertEquals(200, get(s.port(), "/health/live", "HEAD").statusCode());
      assertEquals(404, get(s.port(), "/metricsX", "GET").statusCode());
      HttpResponse<String> post = get(s.port(), "/health/live", "POST");
      assertEquals(405, post.statusCode());
      assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
    }
  }

  private HttpResponse<String> get(int port, String path, String method) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build();
    return http.send(req, HttpResponse.BodyHandlers.ofString());
  }
}
