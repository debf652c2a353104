package io.quorumkv.node;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.quorumkv.node.metrics.Health;
import io.quorumkv.node.metrics.NodeMetrics;
import io.quorumkv.node.metrics.NodeProbe;
import io.quorumkv.node.raft.ExpirySweeper;
import io.quorumkv.node.raft.KvStateMachine;
import io.quorumkv.node.raft.LeaderConfirmation;
import io.quorumkv.node.raft.RaftSettings;
import io.quorumkv.node.raft.StateMachineStats;
import io.quorumkv.node.raft.VoteGuard;
import io.quorumkv.node.rpc.NodeRpcService;
import io.quorumkv.node.rpc.PeerTerms;
import io.quorumkv.node.rpc.WatchHub;
import io.quorumkv.proto.Limits;
import io.quorumkv.proto.NodeStatusProbe;
import io.quorumkv.proto.ObservabilityServer;
import io.quorumkv.proto.PeerAddress;
import io.quorumkv.proto.gen.PeerInfo;
import io.quorumkv.proto.gen.StatusResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.TimeDuration;

/**
 * One QuorumKV node: a Ratis server running {@link KvStateMachine}, the node RPC service, the
 * leader's expiry sweeper and the metrics/health server. Used by the node process and by the
 * in-process test cluster.
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} once. Thread-safe after start.
 */
public final class NodeServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NodeServer.class.getName());
  private static final String CLUSTER_ID_FILE = "cluster-id";

  private final NodeConfig config;
  private final WatchHub hub = new WatchHub();
  private final KvStateMachine stateMachine;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Consumer<Throwable> fatalHandler;
  private volatile Throwable fatal;
  private RaftServer raftServer;
  /** Refuses votes for candidates without the committed log while this node lacks it (F12). */
  private final VoteGuard voteGuard;
  private Server rpcServer;
  private PeerTerms peerTerms;
  private RaftClient sweeperClient;
  private ExpirySweeper sweeper;
  private ObservabilityServer metricsServer;

  /**
   * @param fatalHandler called (once) after the node stopped itself because an entry could not
   *     be decoded or applied; the node process exits, tests record it
   */
  public NodeServer(NodeConfig config, Consumer<Throwable> fatalHandler) {
    this.config = config;
    this.fatalHandler = fatalHandler;
    this.stateMachine = new KvStateMachine(config.dataDir(), hub, this::onFatal);
    this.voteGuard = new VoteGuard(stateMachine::appliedIndex, stateMachine.stats().votesRefused);
  }

  /** The group built from the peer list and cluster id. */
  public static RaftGroup group(UUID clusterId, List<PeerAddress> peers) {
    return RaftGroup.valueOf(RaftGroupId.valueOf(clusterId),
        peers.stream().map(p -> RaftPeer.newBuilder().setId(p.id()).setAddress(p.raftAddress()).build()).toList());
  }

  /**
   * Checks (or records, for a new directory) that {@code dataDir} belongs to {@code clusterId}.
   *
   * @throws IllegalStateException if the directory belongs to another cluster
   */
  public static void claimDataDir(Path dataDir, UUID clusterId) {
    try {
      Files.createDirectories(dataDir);
      Path f = dataDir.resolve(CLUSTER_ID_FILE);
      if (Files.exists(f)) {
        String existing = Files.readString(f, StandardCharsets.UTF_8).trim();
        if (!existing.equalsIgnoreCase(clusterId.toString())) {
          throw new IllegalStateException("data directory " + dataDir + " belongs to cluster " + existing
              + ", not " + clusterId + "; use another --data-dir or the matching --cluster-id");
        }
      } else {
        Files.writeString(f, clusterId + "\n", StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use data directory " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /** The cluster id recorded in a data directory, if any. */
  public static Optional<UUID> recordedClusterId(Path dataDir) {
    Path f = dataDir.resolve(CLUSTER_ID_FILE);
    try {
      return Files.exists(f) ? Optional.of(UUID.fromString(Files.readString(f).trim())) : Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("unreadable " + f + ": " + e.getMessage(), e);
    }
  }

  /**
   * Starts the metrics/health server (first, so that liveness answers during a long log replay),
   * Raft (bootstrapping a new group or recovering an existing one), the RPC service and the
   * sweeper. On failure everything started so far is closed again.
   */
  public NodeServer start() throws IOException {
    try {
      return startAll();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private NodeServer startAll() throws IOException {
    claimDataDir(config.dataDir(), config.clusterId());
    if (config.metricsPort() != NodeConfig.METRICS_OFF) {
      NodeProbe probe = probe();
      metricsServer = ObservabilityServer.start(config.bindHost(), config.metricsPort(), "metrics-http",
          new NodeMetrics(probe, true).registry(), () -> Health.of(probe));
    }
    Path raftDir = config.dataDir().resolve("raft");
    RaftGroup group = group(config.clusterId(), config.peers());
    boolean existing = Files.isDirectory(raftDir.resolve(group.getGroupId().getUuid().toString()));
    // Before Raft can vote: what the others have committed (a no-op when none answers, as on
    // the first start of a new cluster).
    learnCommittedFromPeers();
    Parameters parameters = new Parameters();
    GrpcConfigKeys.Server.setServicesCustomizer(parameters, voteGuard.customizer());
    raftServer = RaftServer.newBuilder()
        .setServerId(RaftPeerId.valueOf(config.id()))
        .setGroup(group)
        .setProperties(config.raft().serverProperties(raftDir, config.raftPort()))
        .setStateMachine(stateMachine)
        .setParameters(parameters)
        .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
        .build();
    raftServer.start();
    if (voteGuard.floor() > stateMachine.appliedIndex()) {
      LOG.info("node " + config.id() + " has applied index " + stateMachine.appliedIndex() + ", its peers have committed "
          + voteGuard.floor() + ": until it has caught up, it votes only for candidates whose log reaches that index");
    }
    rpcServer = NettyServerBuilder.forAddress(new InetSocketAddress(config.bindHost(), config.rpcPort()))
        .addService(new NodeRpcService(stateMachine, hub, this::status, config.clusterId().toString(), this::currentTerm))
        .maxInboundMessageSize(Limits.MAX_RPC_MESSAGE_BYTES)
        .callExecutor(NodeRpcService.callExecutors())
        .build()
        .start();
    peerTerms = new PeerTerms(config.peers().stream().filter(p -> !p.id().equals(config.id())).toList(),
        config.clusterId().toString());
    stateMachine.useLeaderConfirmation(new LeaderConfirmation(peerTerms.peers()));
    sweeperClient = RaftClient.newBuilder()
        .setProperties(RaftSettings.clientProperties())
        .setRaftGroup(group)
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3, TimeDuration.valueOf(50, TimeUnit.MILLISECONDS)))
        .build();
    sweeper = new ExpirySweeper(stateMachine, sweeperClient, this::isLeaderReady);
    sweeper.start();
    // Every start, not only a fresh directory: a wiped node killed again before it caught up
    // restarts with an (empty) existing log and is just as stuck (chaos seed 8615522239020914371).
    Thread.ofVirtual().name("rejoin-check").start(this::askForNewTermIfRejoining);
    LOG.info("node " + config.id() + " started (" + (existing ? "recovered" : "bootstrapped") + ") raft="
        + config.raftPort() + " rpc=" + rpcServer.getPort() + " metrics=" + metricsPort() + " cluster=" + config.clusterId());
    return this;
  }

  /**
   * A node that starts with an empty data directory while the rest of the group already holds
   * data (a replaced disk, a wiped follower) cannot catch up from the current leader: Raft
   * assumes a member never loses its log, so the leader keeps this member's last match index
   * in memory and never sends the entries before it. A new term gives the next leader fresh
   * per-follower state, after which the member receives the whole log (or a snapshot). So a
   * node that, after starting, still has an empty database while the group has committed
   * entries, with no progress for 3 s, asks the leader to step down once. Costs one election (about 0.5 s of write unavailability).
   */
  private void askForNewTermIfRejoining() {
    // Stuck = behind a peer's commit index with no progress for STUCK_SAMPLES seconds. A node of
    // a fresh cluster keeps up (or catches up), so it never asks; checking for being stuck rather
    // than for "peers have data" avoids needless elections when writes start right away.
    final int stuckSamples = 3;
    long deadline = System.currentTimeMillis() + 60_000;
    long lastApplied = -1;
    int stuck = 0;
    while (!closed.get() && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long applied = stateMachine.appliedIndex();
      long peerCommit = -1;
      for (StatusResponse peer : otherStatuses(1000)) {
        voteGuard.learnCommitted(committedIndex(peer));
        if (!peer.getLeaderId().isEmpty() && !peer.getLeaderId().equals(config.id())) {
          peerCommit = Math.max(peerCommit, peer.getCommitIndex());
        }
      }
      if (peerCommit >= 0 && applied >= peerCommit) {
        return; // caught up: nothing to do
      }
      // Only an empty database counts: a node that restarted with its data catches up normally,
      // and asking for an election while it does would only add unavailability.
      stuck = applied <= 0 && peerCommit > 0 && applied == lastApplied ? stuck + 1 : 0;
      lastApplied = applied;
      if (stuck >= stuckSamples) {
        LOG.info("node " + config.id() + " is stuck at index " + applied + " while the group is at "
            + peerCommit + "; asking the leader to step down so the next term resends the log");
        try {
          sweeperClient.admin().transferLeadership(null, 5_000);
        } catch (IOException | RuntimeException e) {
          LOG.log(Level.INFO, "step-down request failed: " + e.getMessage());
        }
        return;
      }
    }
  }

  /** Asks every other node at once (half a second at most) what it has committed. */
  private void learnCommittedFromPeers() {
    otherStatuses(500).forEach(peer -> voteGuard.learnCommitted(committedIndex(peer)));
  }

  /**
   * The status of every other node of this cluster that answered within {@code deadlineMs},
   * all asked at once (a node that does not answer costs the deadline once, not per node).
   */
  private List<StatusResponse> otherStatuses(long deadlineMs) {
    List<PeerAddress> others = config.peers().stream().filter(p -> !p.id().equals(config.id())).toList();
    return NodeStatusProbe.fetchAll(others, deadlineMs).stream()
        .flatMap(Optional::stream)
        .filter(this::inThisCluster)
        .toList();
  }

  private boolean inThisCluster(StatusResponse peer) {
    return peer.getGroupId().equals(config.clusterId().toString());
  }

  /**
   * An index the peer's answer proves committed: its commit index, or what it has applied
   * (recorded in its database, so known right after a restart, before Raft has a commit index).
   */
  private static long committedIndex(StatusResponse peer) {
    return Math.max(peer.getCommitIndex(), peer.getAppliedIndex());
  }

  /** Refuses votes while this node lacks what the group committed (tests and status). */
  public VoteGuard voteGuard() {
    return voteGuard;
  }

  private RaftServer.Division division() throws IOException {
    if (raftServer == null) {
      throw new IOException("Raft is not started");
    }
    return raftServer.getDivision(RaftGroupId.valueOf(config.clusterId()));
  }

  private long currentTerm() {
    try {
      return division().getInfo().getCurrentTerm();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True if this node is the leader and has committed an entry in its term. */
  public boolean isLeaderReady() {
    try {
      return !closed.get() && division().getInfo().isLeaderReady();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** This node's view of itself and the group. */
  public StatusResponse status() {
    StatusResponse.Builder b = StatusResponse.newBuilder()
        .setId(config.id())
        .setPid(ProcessHandle.current().pid())
        .setGroupId(config.clusterId().toString())
        .setAppliedIndex(stateMachine.appliedIndex())
        .setSnapshotIndex(stateMachine.snapshotIndex());
    for (PeerAddress p : config.peers()) {
      b.addPeers(PeerInfo.newBuilder().setId(p.id()).setRaftAddress(p.raftAddress()).setRpcAddress(p.rpcAddress()));
    }
    try {
      RaftServer.Division d = division();
      b.setRole(d.getInfo().getCurrentRole().name())
          .setTerm(d.getInfo().getCurrentTerm())
          .setCommitIndex(d.getRaftLog().getLastCommittedIndex());
      RaftPeerId leader = d.getInfo().getLeaderId();
      if (leader != null) {
        b.setLeaderId(leader.toString());
      }
    } catch (IOException | RuntimeException e) {
      b.setRole("UNKNOWN");
    }
    return b.build();
  }

  /** The node's configuration. */
  public NodeConfig config() {
    return config;
  }

  /** The state machine (for tests and metrics). */
  public KvStateMachine stateMachine() {
    return stateMachine;
  }

  /** The bound RPC port. */
  public int rpcPort() {
    return rpcServer.getPort();
  }

  /** The bound metrics/health port, or {@link NodeConfig#METRICS_OFF} if none is served. */
  public int metricsPort() {
    ObservabilityServer m = metricsServer;
    return m == null ? NodeConfig.METRICS_OFF : m.port();
  }

  /** This node as metrics and health checks see it. */
  private NodeProbe probe() {
    return new NodeProbe() {
      @Override
      public StatusResponse status() {
        return NodeServer.this.status();
      }

      @Override
      public StateMachineStats stats() {
        return stateMachine.stats();
      }

      @Override
      public int watchStreams() {
        return hub.size();
      }

      @Override
      public Path dataDir() {
        return config.dataDir();
      }

      @Override
      public Optional<String> stopped() {
        Throwable t = fatal;
        if (t != null) {
          return Optional.of("fatal error: " + t.getMessage());
        }
        return closed.get() ? Optional.of("closed") : Optional.empty();
      }
    };
  }

  /** Open watch streams. */
  public int watchStreams() {
    return hub.size();
  }

  /** The failure that stopped this node, if any. */
  public Optional<Throwable> fatalError() {
    return Optional.ofNullable(fatal);
  }

  /**
   * Asks Ratis to hand leadership to another peer (graceful shutdown of a leader), retrying
   * until {@code timeoutMs}: an attempt fails at once when no follower is caught up yet (one
   * restarted a moment ago, under write load), and a few hundred milliseconds later one is.
   */
  public boolean transferLeadership(long timeoutMs) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    String last = "no attempt";
    try (RaftClient c = RaftClient.newBuilder().setProperties(RaftSettings.clientProperties())
        .setRaftGroup(group(config.clusterId(), config.peers()))
        .setRetryPolicy(RetryPolicies.noRetry()).build()) {
      while (true) {
        if (!division().getInfo().isLeader()) {
          return true;
        }
        long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (leftMs <= 0) {
          break;
        }
        try {
          RaftClientReply reply = c.admin().transferLeadership(null, Math.min(leftMs, 1000));
          if (reply.isSuccess()) {
            return true;
          }
          last = String.valueOf(reply.getException());
        } catch (IOException e) {
          last = e.toString();
        }
        Thread.sleep(100);
      }
    } catch (IOException | RuntimeException e) {
      last = e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.out.println("quorumkv node " + config.id() + ": leadership transfer failed within " + timeoutMs + " ms: " + last);
    return false;
  }

  private void onFatal(Throwable t) {
    fatal = t;
    LOG.log(Level.SEVERE, "node " + config.id() + " is stopping: " + t.getMessage(), t);
    // Close from another thread: this may be a Ratis or apply thread that close() waits for.
    Thread.ofPlatform().name("fatal-stop").start(() -> {
      close();
      fatalHandler.accept(t);
    });
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // First, so that probes see the node go away rather than a half-closed one.
    closeQuietly(metricsServer);
    if (sweeper != null) {
      sweeper.close();
    }
    closeQuietly(sweeperClient);
    if (rpcServer != null) {
      rpcServer.shutdownNow();
    }
    closeQuietly(raftServer);
    closeQuietly(peerTerms);
    if (rpcServer != null) {
      try {
        rpcServer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.log(Level.FINE, "close failed", e);
    }
  }
}
