package io.quorumkv.gateway.observe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.helidon.webserver.http.Filter;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;

/**
 * The gateway's admin port (default 4513): Prometheus {@code /metrics}, {@code /health/live}
 * and {@code /health/ready}. Requests are counted in one place, a Helidon routing filter on the
 * KV Connect port ({@link #filter()}). Thread-safe.
 */
public final class GatewayObservability implements AutoCloseable {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests = Counter.builder()
      .name("quorumkv_gateway_requests_total")
      .help("KV Connect requests by endpoint, consistency and HTTP status")
      .labelNames("endpoint", "consistency", "status")
      .register(registry);
  private final Histogram latency = Histogram.builder()
      .name("quorumkv_gateway_request_duration_seconds")
      .help("KV Connect request latency (watch: the stream's lifetime)")
      .labelNames("endpoint", "consistency")
      .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
      .register(registry);
  private final GaugeWithCallbackHolder gauges = new GaugeWithCallbackHolder();
  private HttpServer server;
  private ThreadPoolExecutor executor;

  /** Callback-driven values the gateway's Raft route knows. */
  private final class GaugeWithCallbackHolder {
    void gauge(String name, String help, DoubleSupplier value) {
      GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    void counter(String name, String help, DoubleSupplier value) {
      CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }
  }

  /** Registers a gauge read on every scrape. */
  public GatewayObservability gauge(String name, String help, DoubleSupplier value) {
    gauges.gauge(name, help, value);
    return this;
  }

  /** Registers a counter read on every scrape. */
  public GatewayObservability counter(String name, String help, DoubleSupplier value) {
    gauges.counter(name, help, value);
    return this;
  }

  /** The routing filter that counts and times every KV Connect request. */
  public Filter filter() {
    return (chain, req, res) -> {
      long t0 = System.nanoTime();
      try {
        chain.proceed();
      } finally {
        String path = req.path().path();
        String consistency = path.startsWith("/eventual/") || path.equals("/replica") ? "eventual" : "strong";
        String endpoint = endpoint(path);
        requests.labelValues(endpoint, consistency, Integer.toString(res.status().code())).inc();
        latency.labelValues(endpoint, consistency).observe((System.nanoTime() - t0) / 1e9);
      }
    };
  }

  static String endpoint(String path) {
    if (path.equals("/") || path.equals("/replica")) {
      return "metadata";
    }
    for (String e : new String[] {"snapshot_read", "atomic_write", "watch"}) {
      if (path.endsWith("/" + e)) {
        return e;
      }
    }
    return "other";
  }

  /**
   * Starts the admin HTTP server.
   *
   * @param ready true when a leader is known and the KV Connect server runs
   */
  public GatewayObservability start(String host, int port, BooleanSupplier ready) throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 16);
    executor = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(64), r -> {
      Thread t = new Thread(r, "gateway-admin-http");
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.CallerRunsPolicy());
    server.setExecutor(executor);
    MetricsHandler metrics = new MetricsHandler(PrometheusProperties.get(), registry);
    server.createContext("/metrics", metrics);
    server.createContext("/health/live", ex -> reply(ex, 200, "{\"status\":\"UP\"}"));
    server.createContext("/health/ready", ex -> {
      boolean ok = ready.getAsBoolean();
      reply(ex, ok ? 200 : 503, ok ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\",\"reason\":\"no leader known\"}");
    });
    server.start();
    return this;
  }

  /** The bound admin port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("content-type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
