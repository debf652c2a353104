package io.quorumkv.gateway;

import io.quorumkv.proto.PeerAddress;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Everything a gateway process is configured with. Immutable and thread-safe. {@link #toString}
 * never prints the access token.
 *
 * @param host the address the KV Connect port binds to, e.g. {@code 0.0.0.0}
 * @param port the KV Connect port (HTTP/1.1 and h2c on the same socket); 0 picks a free one
 * @param accessToken the bearer token clients must present; at least
 *     {@value #MIN_ACCESS_TOKEN_LENGTH} visible ASCII characters (clients send it in a header)
 * @param peers the Raft group the gateway forwards to (used by the {@link KvDatabaseFactory})
 * @param watchKeepAliveMs the interval between zero-length keep-alive frames on watch streams
 * @param metricsPort the port for {@code /metrics} and {@code /health/*} (same host);
 *     {@value #METRICS_OFF} serves none, 0 picks a free one
 */
public record GatewayConfig(
    String host,
    int port,
    String accessToken,
    List<PeerAddress> peers,
    long watchKeepAliveMs,
    int metricsPort) {

  /** Default KV Connect port, as {@code denokv}. */
  public static final int DEFAULT_PORT = 4512;
  /** Default bind address, as {@code denokv}. */
  public static final String DEFAULT_HOST = "0.0.0.0";
  /** The reference's keep-alive interval on watch streams (KV-CONNECT.md §7 item 6). */
  public static final long DEFAULT_WATCH_KEEP_ALIVE_MS = 5_000;
  /** The reference refuses shorter access tokens (KV-CONNECT.md §1.1). */
  public static final int MIN_ACCESS_TOKEN_LENGTH = 12;
  /** Default metrics and health port (the KV Connect port + 1). */
  public static final int DEFAULT_METRICS_PORT = 4513;
  /** {@code metricsPort} value that serves no metrics and health port. */
  public static final int METRICS_OFF = -1;

  /** A configuration without a metrics port (tests of the KV Connect server alone). */
  public GatewayConfig(
      String host, int port, String accessToken, List<PeerAddress> peers, long watchKeepAliveMs) {
    this(host, port, accessToken, peers, watchKeepAliveMs, METRICS_OFF);
  }

  public GatewayConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(accessToken, "accessToken");
    peers = List.copyOf(peers);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is not in 0..65535");
    }
    checkAccessToken(accessToken);
    if (metricsPort < METRICS_OFF || metricsPort > 65535) {
      throw new IllegalArgumentException(
          "metrics port " + metricsPort + " is not -1 (off), 0 (any) or a port");
    }
    if (watchKeepAliveMs < 1) {
      throw new IllegalArgumentException("watchKeepAliveMs must be positive: " + watchKeepAliveMs);
    }
  }

  /** A configuration with the default port, host and keep-alive interval. */
  public static GatewayConfig of(String accessToken, List<PeerAddress> peers) {
    return new GatewayConfig(
        DEFAULT_HOST, DEFAULT_PORT, accessToken, peers, DEFAULT_WATCH_KEEP_ALIVE_MS);
  }

  /** A copy listening on {@code newHost:newPort}. */
  public GatewayConfig withAddress(String newHost, int newPort) {
    return new GatewayConfig(newHost, newPort, accessToken, peers, watchKeepAliveMs, metricsPort);
  }

  /** A copy with another keep-alive interval (tests use a short one). */
  public GatewayConfig withWatchKeepAliveMs(long newWatchKeepAliveMs) {
    return new GatewayConfig(host, port, accessToken, peers, newWatchKeepAliveMs, metricsPort);
  }

  /** A copy with another metrics port ({@value #METRICS_OFF} = none). */
  public GatewayConfig withMetricsPort(int newMetricsPort) {
    return new GatewayConfig(host, port, accessToken, peers, watchKeepAliveMs, newMetricsPort);
  }

  /**
   * Rejects a token clients could not use or that is too easy to guess.
   *
   * @throws IllegalArgumentException with a one-line reason
   */
  public static void checkAccessToken(String token) {
    // Bytes, as the reference counts them; visible ASCII, because clients send it in a header
    // and a header value with other characters never compares equal (KV-CONNECT.md §1.2).
    if (token.getBytes(StandardCharsets.UTF_8).length < MIN_ACCESS_TOKEN_LENGTH) {
      throw new IllegalArgumentException(
          "the access token must be at least " + MIN_ACCESS_TOKEN_LENGTH + " characters long");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        throw new IllegalArgumentException(
            "the access token may only contain printable ASCII characters");
      }
    }
    // HTTP strips spaces around a header value, so such a token could never be presented.
    if (token.startsWith(" ") || token.endsWith(" ")) {
      throw new IllegalArgumentException("the access token must not begin or end with a space");
    }
  }

  @Override
  public String toString() {
    return "GatewayConfig[host=" + host + ", port=" + port + ", accessToken=<redacted>, peers="
        + peers + ", watchKeepAliveMs=" + watchKeepAliveMs + ", metricsPort=" + metricsPort + "]";
  }
}
