package io.quorumkv.node.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The node's observability port: {@code GET /metrics} (Prometheus text, OpenMetrics or
 * protobuf, negotiated by the Prometheus {@link MetricsHandler}), {@code GET /health/live} and
 * {@code GET /health/ready} (JSON, 200 or 503; see {@link Health}).
 *
 * <p>A JDK {@code HttpServer} with two threads and a bounded queue: scrapes and probes are a
 * few requests a second, and nothing here may compete with Raft for the node's cores.
 * Thread-safe; {@link #close} once.
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

  /** Binds {@code bindHost:port} (0 = any free port) and starts serving. */
  public static MetricsServer start(String bindHost, int port, NodeMetrics metrics, NodeProbe node) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(bindHost, port), 16);
    // Queue full: the accepting thread runs the request itself and so stops accepting more;
    // rejecting instead would leave the JDK server holding a connection nobody closes.
    ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(QUEUED_REQUESTS), r -> {
          Thread t = new Thread(r, "metrics-http");
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
    server.setExecutor(executor);
    MetricsHandler prometheus = new MetricsHandler(PrometheusProperties.get(), metrics.registry());
    route(server, "/metrics", prometheus);
    route(server, "/health/live", ex -> reply(ex, 200, "{\"status\":\"UP\"}"));
    route(server, "/health/ready", ex -> {
      Health h = Health.of(node);
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
