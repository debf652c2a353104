package io.quorumkv.node.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.quorumkv.node.raft.StateMachineStats;
import io.quorumkv.proto.gen.StatusResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The node's Prometheus metrics, in a registry of its own (several nodes share one JVM in
 * tests). Everything is read at scrape time from {@link NodeProbe}, except the three histograms,
 * which {@link StateMachineStats.Observer} feeds from the apply and snapshot threads.
 *
 * <p>Names and meanings are listed in {@code node/DESIGN.md} ("metrics and health").
 */
public final class NodeMetrics {
  /** Raft roles as Ratis names them, plus UNKNOWN while Raft is not running. */
  static final List<String> ROLES = List.of("LEADER", "FOLLOWER", "CANDIDATE", "LISTENER", "UNKNOWN");
  /** Entries per SQLite transaction: powers of two up to the state machine's group limit (512). */
  private static final double[] GROUP_ENTRIES_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final NodeProbe node;

  /**
   * Registers every metric and installs the histogram observer on the node's stats.
   *
   * @param jvm also register the JVM and process collectors ({@code jvm_*}, {@code process_*})
   */
  public NodeMetrics(NodeProbe node, boolean jvm) {
    this.node = node;
    StatusResponse first = node.status();
    Info info = Info.builder().name("quorumkv_node").help("This node: its id and the cluster (Raft group) id.")
        .labelNames("id", "cluster_id").register(registry);
    info.setLabelValues(first.getId(), first.getGroupId());
    registerRaft();
    registerStateMachine();
    registerStorage();
    if (jvm) {
      JvmMetrics.builder().register(registry);
    }
  }

  /** The registry the metrics handler exposes. */
  public PrometheusRegistry registry() {
    return registry;
  }

  private void registerRaft() {
    GaugeWithCallback.builder().name("quorumkv_node_raft_role")
        .help("1 for this node's current Raft role, 0 for the others.")
        .labelNames("role")
        .callback(cb -> {
          String role = ROLES.contains(node.status().getRole()) ? node.status().getRole() : "UNKNOWN";
          for (String r : ROLES) {
            cb.call(r.equals(role) ? 1 : 0, r);
          }
        }).register(registry);
    gauge("quorumkv_node_raft_term", "Current Raft term.", () -> node.status().getTerm());
    gauge("quorumkv_node_raft_leader_known", "1 if this node knows a leader, else 0.",
        () -> node.status().getLeaderId().isEmpty() ? 0 : 1);
    gauge("quorumkv_node_raft_commit_index", "Highest log index this node knows to be committed.",
        () -> node.status().getCommitIndex());
    counter("quorumkv_node_raft_leader_changes_total", "Leader changes this node has seen since it started.",
        () -> node.stats().leaderChanges.get());
    counter("quorumkv_node_raft_votes_refused_total",
        "Vote requests refused because the candidate's log ends before what the peers committed and this node has not applied yet.",
        () -> node.stats().votesRefused.get());
    gauge("quorumkv_node_ready", "1 if /health/ready answers 200 (not stopped, a leader is known), else 0.",
        () -> Health.of(node).ready() ? 1 : 0);
  }

  private void registerStateMachine() {
    gauge("quorumkv_node_applied_index", "Last log index applied to SQLite.", () -> node.status().getAppliedIndex());
    gauge("quorumkv_node_snapshot_index", "Log index of the latest snapshot (0 if none).",
        () -> node.status().getSnapshotIndex());
    counter("quorumkv_node_snapshots_taken_total", "Snapshots this node has written.",
        () -> node.stats().snapshotsTaken.get());
    counter("quorumkv_node_snapshots_installed_total", "Snapshots this node has installed from a leader.",
        () -> node.stats().snapshotsInstalled.get());
    Histogram groupEntries = Histogram.builder().name("quorumkv_node_apply_group_entries")
        .help("Log entries applied per SQLite transaction (group apply); _count is the number of transactions.")
        .classicOnly().classicUpperBounds(GROUP_ENTRIES_BOUNDS).withoutExemplars().register(registry);
    Histogram groupSeconds = Histogram.builder().name("quorumkv_node_apply_group_duration_seconds").unit(Unit.SECONDS)
        .help("Time to apply one group of entries in one SQLite transaction, commit included.")
        .classicOnly().classicExponentialUpperBounds(0.00005, 2, 16).withoutExemplars().register(registry);
    Histogram snapshotSeconds = Histogram.builder().name("quorumkv_node_snapshot_duration_seconds").unit(Unit.SECONDS)
        .help("Time to write one snapshot (VACUUM INTO, fsync, checksum).")
        .classicOnly().classicExponentialUpperBounds(0.01, 2, 14).withoutExemplars().register(registry);
    node.stats().observe(new StateMachineStats.Observer() {
      @Override
      public void applyGroup(int entries, long nanos) {
        groupEntries.observe(entries);
        groupSeconds.observe(Unit.nanosToSeconds(nanos));
      }

      @Override
      public void snapshotTaken(long nanos) {
        snapshotSeconds.observe(Unit.nanosToSeconds(nanos));
      }
    });
  }

  private void registerStorage() {
    GaugeWithCallback.builder().name("quorumkv_node_sqlite_file_size_bytes").unit(Unit.BYTES)
        .help("Size of the SQLite database file and of its write-ahead log.")
        .labelNames("file")
        .callback(cb -> {
          for (String f : List.of("kv.sqlite3", "kv.sqlite3-wal")) {
            cb.call(sizeOrZero(node.dataDir().resolve(f)), f);
          }
        }).register(registry);
    gauge("quorumkv_node_watch_streams", "Open watch streams served by this node.", node::watchStreams);
  }

  private static long sizeOrZero(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return 0; // not created yet, or being replaced by a snapshot install
    }
  }

  private void gauge(String name, String help, java.util.function.LongSupplier value) {
    GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
  }

  private void counter(String name, String help, java.util.function.LongSupplier value) {
    CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
  }
}
