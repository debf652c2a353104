package io.quorumkv.gateway.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.quorumkv.gateway.ClusterHealth;
import io.quorumkv.gateway.KvConnectServer;
import io.quorumkv.gateway.KvDatabase;
import io.quorumkv.gateway.http.RequestObserver;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's Prometheus metrics, in a registry of its own (tests run several gateways in one
 * JVM, {@code quorumkv serve} a node next to the gateway). Requests are counted and timed by
 * {@link #completed}, which {@code KvConnectHandler} calls for every request; everything else
 * is read at scrape time from the database's {@link ClusterHealth} and the server.
 *
 * <p>Names and meanings are listed in {@code gateway/DESIGN.md} ("Observability"). Thread-safe.
 */
public final class GatewayMetrics implements RequestObserver {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Histogram duration;
  private volatile KvDatabase db;
  private volatile KvConnectServer server;

  /** @param jvm also register the JVM and process collectors ({@code jvm_*}, {@code process_*}) */
  public GatewayMetrics(boolean jvm) {
    requests = Counter.builder().name("quorumkv_gateway_requests_total")
        .help("KV Connect requests answered, by endpoint, endpoint family (strong = / and /v2, eventual = /replica and /eventual/v2) and HTTP status.")
        .labelNames("endpoint", "consistency", "status").register(registry);
    duration = Histogram.builder().name("quorumkv_gateway_request_duration_seconds").unit(Unit.SECONDS)
        .help("Time to answer a KV Connect request; for a watch, how long its stream stayed open.")
        .labelNames("endpoint", "consistency")
        .classicOnly().classicExponentialUpperBounds(0.00025, 2, 16).withoutExemplars().register(registry);
    GaugeWithCallback.builder().name("quorumkv_gateway_watch_streams").help("Watch streams open now.")
        .callback(cb -> {
          KvConnectServer s = server;
          cb.call(s == null ? 0 : s.openWatchStreams());
        }).register(registry);
    gauge("quorumkv_gateway_leader_known", "1 if the gateway knows the Raft leader (cluster view), else 0.",
        c -> c.leader().isPresent() ? 1 : 0);
    gauge("quorumkv_gateway_nodes_reachable", "Nodes that answered the gateway's last status poll.",
        ClusterHealth::nodesReachable);
    gauge("quorumkv_gateway_nodes", "Nodes the gateway is configured with.", ClusterHealth::nodes);
    counter("quorumkv_gateway_leader_changes_total", "Times the leader the gateway knows changed to a different node.",
        ClusterHealth::leaderChanges);
    counter("quorumkv_gateway_log_entries_total", "Raft log entries proposed for atomic writes (write batching).",
        ClusterHealth::logEntries);
    counter("quorumkv_gateway_batched_writes_total", "Atomic writes carried by those log entries.",
        ClusterHealth::batchedWrites);
    counter("quorumkv_gateway_read_queries_total", "Linearizable queries made for strong reads (read batching).",
        ClusterHealth::readQueries);
    counter("quorumkv_gateway_batched_reads_total", "Strong reads carried by those queries.",
        ClusterHealth::batchedReads);
    counter("quorumkv_gateway_eventual_read_calls_total",
        "Node RPC calls made for eventual reads (read batching).", ClusterHealth::eventualReadCalls);
    counter("quorumkv_gateway_batched_eventual_reads_total", "Eventual reads carried by those calls.",
        ClusterHealth::batchedEventualReads);
    GaugeWithCallback.builder().name("quorumkv_gateway_ready")
        .help("1 if /health/ready answers 200 (KV Connect server running, leader known), else 0.")
        .callback(cb -> cb.call(health().ready() ? 1 : 0)).register(registry);
    if (jvm) {
      JvmMetrics.builder().register(registry);
    }
  }

  /** From now on, report on this database and server (call once both run). */
  public void serving(KvDatabase database, KvConnectServer kvConnectServer) {
    this.db = database;
    this.server = kvConnectServer;
  }

  /** Readiness as {@code /health/ready} reports it. */
  public GatewayHealth health() {
    return GatewayHealth.of(db, server);
  }

  /** The registry the metrics handler exposes. */
  public PrometheusRegistry registry() {
    return registry;
  }

  @Override
  public void completed(String endpoint, String consistency, int status, long nanos) {
    requests.labelValues(endpoint, consistency, Integer.toString(status)).inc();
    duration.labelValues(endpoint, consistency).observe(Unit.nanosToSeconds(nanos));
  }

  private ClusterHealth cluster() {
    KvDatabase d = db;
    if (d == null) {
      return ClusterHealth.UNKNOWN;
    }
    try {
      return d.health();
    } catch (RuntimeException e) {
      return ClusterHealth.UNKNOWN;
    }
  }

  private void gauge(String name, String help, ToDoubleFunction<ClusterHealth> value) {
    GaugeWithCallback.builder().name(name).help(help)
        .callback(cb -> cb.call(value.applyAsDouble(cluster()))).register(registry);
  }

  private void counter(String name, String help, ToDoubleFunction<ClusterHealth> value) {
    CounterWithCallback.builder().name(name).help(help)
        .callback(cb -> cb.call(value.applyAsDouble(cluster()))).register(registry);
  }
}
