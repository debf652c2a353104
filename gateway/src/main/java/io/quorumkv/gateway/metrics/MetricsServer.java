package io.quorumkv.gateway.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's observability port: {@code GET /metrics} (Prometheus text, OpenMetrics or
 * protobuf, negotiated by the Prometheus {@link MetricsHandler}), {@code GET /health/live}
 * (always 200) and {@code GET /health/ready} (200 or 503, JSON; see {@link GatewayHealth}).
 *
 * <p>The JDK {@code HttpServer}, as on the node (node/DESIGN.md, "metrics and health"), not a
 * second Helidon socket: it starts before the database is connected (liveness answers while the
 * gateway waits for the group), it outlives the KV Connect server's stop, and the Prometheus
 * handler is written for it. Two threads and a bounded queue. Thread-safe; {@link #close} once.
 */
public final class MetricsServer implements AutoCloseable {
  private static final int THREADS = 2;
  private static final int QUEUED_REQUESTS = 64;
  private static final String NOT_FOUND = "{\"error\":\"not found; try /metrics, /health/live or /health/ready\"}";

  private final HttpServer server;
  private final ThreadPoolExecutor executor;

  private MetricsServer(HttpServer server, ThreadPoolExecutor executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code host:port} (0 = any free port) and starts serving.
   *
   * @throws UncheckedIOException with a one-line message if the address cannot be bound
   */
  public static MetricsServer start(String host, int port, GatewayMetrics metrics) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port + " (metrics port): " + e.getMessage(), e);
    }
    // Queue full: the accepting thread runs the request itself and so stops accepting more;
    // rejecting instead would leave the JDK server holding a connection nobody closes.
    ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(QUEUED_REQUESTS), r -> {
          Thread t = new Thread(r, "gateway-metrics-http");
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
    server.setExecutor(executor);
    MetricsHandler prometheus = new MetricsHandler(PrometheusProperties.get(), metrics.registry());
    route(server, "/metrics", prometheus);
    route(server, "/health/live", ex -> reply(ex, 200, "{\"status\":\"UP\"}"));
    route(server, "/health/ready", ex -> {
      GatewayHealth h = metrics.health();
      reply(ex, h.ready() ? 200 : 503, h.toJson());
    });
    server.createContext("/", ex -> reply(ex, 404, NOT_FOUND));
    server.start();
    return new MetricsServer(server, executor);
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** GET or HEAD of exactly {@code path} goes to {@code handler}; 404/405 otherwise. */
  private static void route(HttpServer server, String path, HttpHandler handler) {
    server.createContext(path, ex -> {
      String m = ex.getRequestMethod();
      if (!ex.getRequestURI().getPath().equals(path)) {
        reply(ex, 404, NOT_FOUND); // contexts match by prefix: /metricsX lands here
      } else if (!m.equals("GET") && !m.equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        reply(ex, 405, "{\"error\":\"method not allowed\"}");
      } else {
        handler.handle(ex);
      }
    });
  }

  private static void reply(HttpExchange ex, int status, String json) throws IOException {
    try (ex) {
      byte[] body = (json + "\n").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      if (ex.getRequestMethod().equals("HEAD")) {
        ex.sendResponseHeaders(status, -1);
      } else {
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
