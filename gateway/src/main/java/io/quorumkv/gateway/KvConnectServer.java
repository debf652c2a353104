package io.quorumkv.gateway;

import io.helidon.common.mapper.MapperManager;
import io.helidon.webserver.WebServer;
import io.quorumkv.gateway.http.DirectResponses;
import io.quorumkv.gateway.http.KvConnectHandler;
import io.quorumkv.gateway.http.RequestObserver;
import io.quorumkv.proto.Limits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.time.Clock;
import java.util.Objects;

/**
 * The KV Connect listener: one plain-text port that speaks HTTP/1.1 and HTTP/2 with prior
 * knowledge (h2c), because the Deno CLI only speaks the latter and {@code @deno/kv} on Node only
 * the former (KV-CONNECT.md §1.1). Helidon picks the protocol per connection from its first
 * bytes; {@code helidon-webserver-http2} on the class path is all it takes. Every request runs on
 * its own virtual thread and goes to one {@link KvConnectHandler}.
 *
 * <p>The server does not own the database: whoever created the {@link KvDatabase} closes it,
 * after this server.
 *
 * <p>Thread-safety: {@link #start} and {@link #close} may be called from any thread; {@link #port}
 * is safe after {@code start} returned.
 */
public final class KvConnectServer implements AutoCloseable {
  /**
   * Helidon's own cap on request bodies, above ours so that {@code KvConnectHandler} reports an
   * oversized body itself (413, after the header checks, as the reference does). Helidon's cap
   * bounds the bytes it drains from a body nobody read: one sent to an unknown path, or one the
   * handler refused as too large (RequestBodies). A body declared longer than this cap is refused
   * by Helidon before routing, with the same text (DirectResponses), and the connection closes.
   */
  private static final long HELIDON_MAX_PAYLOAD_BYTES = 2L * Limits.MAX_REQUEST_BODY_BYTES;
  /**
   * The listening socket's {@code SO_RCVBUF}, which every accepted connection inherits (Linux
   * doubles it, and caps the request at {@code net.core.rmem_max}). Helidon 4.2 sets 4096 unless
   * told otherwise (WebServerConfigSupport), which gives each connection an 8 KiB receive buffer
   * with the kernel's auto-tuning off: one Deno client multiplexes all its requests over one
   * HTTP/2 connection, and with a window of 2-5 KiB its sends were window-limited for 13-68% of
   * the time, and at times fell into a mode where each round trip waited for a ~200 ms window
   * update (bench/README.md, profile findings). {@code -Dquorumkv.gateway.receive-buffer-bytes}
   * overrides it (experiments; 4096 is Helidon's default).
   */
  static final int RECEIVE_BUFFER_BYTES = SystemProperties.positiveInt("quorumkv.gateway.receive-buffer-bytes", 256 * 1024);
  /** How long {@link #close} lets requests in flight finish before Helidon interrupts them. */
  private static final long DRAIN_TIMEOUT_MS = 2_000;

  static {
    // Helidon 4.2 looks its global MapperManager up in the service registry on every use unless
    // one was set (GlobalManager.mapperManager), and every HTTP/2 request uses it to parse its
    // content-length (Http2ServerStream.headers), as does RequestBodies: a registry lookup with
    // stream pipelines and type-name resolution per request, ~10% of the gateway's CPU samples
    // under load (bench/README.md). Set once, the lookup is a field read. Set before the server
    // first runs, so the registry has not handed out another instance yet.
    MapperManager.global(MapperManager.create());
  }

  private final GatewayConfig config;
  private final KvConnectHandler handler;
  private final WebServer server;

  /**
   * @param db the database to serve
   * @param config where to listen, the access token and the watch keep-alive interval
   * @throws IllegalArgumentException if {@code db.databaseId()} is not a lower-case UUID
   */
  public KvConnectServer(KvDatabase db, GatewayConfig config) {
    this(db, config, RequestObserver.NONE);
  }

  /**
   * As above; {@code observer} is told about every answered request (the gateway's metrics).
   */
  public KvConnectServer(KvDatabase db, GatewayConfig config, RequestObserver observer) {
    this.config = Objects.requireNonNull(config, "config");
    this.handler =
        new KvConnectHandler(
            Objects.requireNonNull(db, "db"),
            config.accessToken(),
            config.watchKeepAliveMs(),
            Clock.systemUTC(),
            Objects.requireNonNull(observer, "observer"));
    this.server =
        WebServer.builder()
            .host(config.host())
            .port(config.port())
            .maxPayloadSize(HELIDON_MAX_PAYLOAD_BYTES)
            .directHandlers(DirectResponses.handlers())
            // Request/response RPCs: Nagle plus the client's delayed ACK held every small
            // response back ~40 ms (measured: a sequential Deno get took 56 ms, 2 ms without HTTP).
            .connectionOptions(o -> o.tcpNoDelay(true))
            .putListenerSocketOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
            // GatewayMain's hook stops this server before it closes the database.
            .shutdownHook(false)
            .routing(routing -> routing.any(handler))
            .build();
  }

  /**
   * Binds the port and starts serving.
   *
   * @return this
   * @throws UncheckedIOException with a one-line message if the address cannot be bound
   * @throws IllegalStateException if the server failed to start for another reason
   */
  public KvConnectServer start() {
    checkBindable();
    server.start();
    if (!server.isRunning()) {
      throw new IllegalStateException(
          "the KV Connect server on " + address() + " failed to start (see the log above)");
    }
    return this;
  }

  /** The bound port (the chosen one if the configuration said 0). */
  public int port() {
    return server.port();
  }

  /** True between a successful {@link #start} and {@link #close}. */
  public boolean isRunning() {
    return server.isRunning();
  }

  /** Watch streams being served now. */
  public int openWatchStreams() {
    return handler.openWatchStreams();
  }

  /**
   * Ends open watch streams, lets requests in flight finish (up to 2 s), then stops the server.
   * Idempotent.
   */
  @Override
  public void close() {
    handler.drain(DRAIN_TIMEOUT_MS);
    if (server.isRunning()) {
      server.stop();
    }
  }

  /**
   * Helidon logs a bind failure with a stack trace and returns normally; binding once ourselves
   * first turns the common case (port in use, unknown host) into one clear message. SO_REUSEADDR
   * does not let this probe succeed while another socket listens on the port.
   */
  private void checkBindable() {
    if (config.port() == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(config.host(), config.port()));
    } catch (IOException | IllegalArgumentException e) {
      IOException cause = e instanceof IOException io ? io : new IOException(e);
      throw new UncheckedIOException(
          "cannot listen on " + address() + ": " + e.getMessage(), cause);
    }
  }

  private String address() {
    return config.host() + ":" + config.port();
  }
}
