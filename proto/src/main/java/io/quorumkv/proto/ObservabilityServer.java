package io.quorumkv.proto;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The observability port of a node or a gateway: {@code GET /metrics} (Prometheus text,
 * OpenMetrics or protobuf, negotiated by the Prometheus {@link MetricsHandler}),
 * {@code GET /health/live} (always 200: a process that answers HTTP is live) and
 * {@code GET /health/ready} (200 or 503, one JSON object from the process's {@link Readiness}).
 *
 * <p>The JDK {@code HttpServer}, not a second Helidon socket: it starts before the process is
 * connected to anything (liveness answers while a node replays its log or a gateway waits for
 * the group), it outlives the data port's stop, and the Prometheus handler is written for it.
 * Two threads and a bounded queue: scrapes and probes are a few requests a second, and nothing
 * here may compete with Raft or KV Connect for the machine's cores. Thread-safe; {@link #close}
 * once.
 */
public final class ObservabilityServer implements AutoCloseable {
  private static final int THREADS = 2;
  private static final int QUEUED_REQUESTS = 64;
  private static final String NOT_FOUND = "{\"error\":\"not found; try /metrics, /health/live or /health/ready\"}";

  /** What {@code /health/ready} reports: decided afresh for every request. */
  public interface Readiness {
    /** True if the process can serve (200), false for 503. */
    boolean ready();

    /** One JSON object on one line, for humans and probes. */
    String toJson();
  }

  private final HttpServer server;
  private final ThreadPoolExecutor executor;

  private ObservabilityServer(HttpServer server, ThreadPoolExecutor executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code host:port} (0 = any free port) and starts serving.
   *
   * @param threadName the name of the two serving threads (thread dumps and CPU profiles)
   * @throws UncheckedIOException with a one-line message if the address cannot be bound
   */
  public static ObservabilityServer start(String host, int port, String threadName, PrometheusRegistry registry,
      Supplier<? extends Readiness> readiness) {
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
          Thread t = new Thread(r, threadName);
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
    server.setExecutor(executor);
    MetricsHandler prometheus = new MetricsHandler(PrometheusProperties.get(), registry);
    route(server, "/metrics", prometheus);
    route(server, "/health/live", ex -> reply(ex, 200, "{\"status\":\"UP\"}"));
    route(server, "/health/ready", ex -> {
      Readiness r = readiness.get();
      reply(ex, r.ready() ? 200 : 503, r.toJson());
    });
    server.createContext("/", ex -> reply(ex, 404, NOT_FOUND));
    server.start();
    return new ObservabilityServer(server, executor);
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
