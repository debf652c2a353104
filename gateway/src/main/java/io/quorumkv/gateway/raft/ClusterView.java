package io.quorumkv.gateway.raft;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quorumkv.proto.Limits;
import io.quorumkv.proto.PeerAddress;
import io.quorumkv.proto.gen.NodeGrpc;
import io.quorumkv.proto.gen.StatusRequest;
import io.quorumkv.proto.gen.StatusResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's picture of the group, refreshed by polling every node's Status RPC: which
 * nodes answer, which one leads, and the group id (= database id). Used to route eventual
 * reads and watches to followers, and to point the Ratis client at a new leader (see
 * {@link #onLeaderChange}). Every node is polled on its own schedule, so a node that does
 * not answer (paused, partitioned) delays only its own entry, never the news from the others.
 * Thread-safe.
 */
public final class ClusterView implements AutoCloseable {
  /** How often every node is asked for its status. */
  static final long POLL_INTERVAL_MS = 500;
  /** Deadline of one status call. */
  static final long STATUS_DEADLINE_MS = 1000;

  /** One node as last seen. */
  public record NodeState(PeerAddress peer, boolean reachable, StatusResponse status) {}

  private final List<PeerAddress> peers;
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private final Map<String, NodeState> states = new java.util.concurrent.ConcurrentHashMap<>();
  private final ScheduledExecutorService poller;
  private final AtomicInteger roundRobin = new AtomicInteger();
  private volatile String groupId;
  /** The last leader seen, for {@link #leaderChanges}; guarded by {@code this}. */
  private String lastLeader;
  private final java.util.concurrent.atomic.AtomicLong leaderChanges = new java.util.concurrent.atomic.AtomicLong();
  private volatile java.util.function.Consumer<String> leaderListener = id -> { };

  public ClusterView(List<PeerAddress> peers) {
    this.peers = List.copyOf(peers);
    for (PeerAddress p : peers) {
      channels.put(p.id(), NettyChannelBuilder.forAddress(p.host(), p.rpcPort())
          .usePlaintext()
          .maxInboundMessageSize(Limits.MAX_RPC_MESSAGE_BYTES)
          .build());
      states.put(p.id(), new NodeState(p, false, StatusResponse.getDefaultInstance()));
    }
    // One thread per node: a status call blocks up to its deadline.
    poller = Executors.newScheduledThreadPool(peers.size(), r -> {
      Thread t = new Thread(r, "cluster-view");
      t.setDaemon(true);
      return t;
    });
  }

  /** Polls once synchronously, then keeps polling in the background. */
  public ClusterView start() {
    pollAll();
    for (PeerAddress p : peers) {
      poller.scheduleWithFixedDelay(() -> {
        poll(p);
        noteLeader();
      }, POLL_INTERVAL_MS, POLL_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /**
   * Calls {@code listener} with the new leader's id whenever the known leader changes to a
   * different node (on a polling thread: it must not block). One listener; a later call replaces it.
   */
  public void onLeaderChange(java.util.function.Consumer<String> listener) {
    leaderListener = listener;
  }

  /** Polls every node now (virtual threads, in parallel, bounded by the status deadline). */
  public void pollAll() {
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      for (PeerAddress p : peers) {
        exec.submit(() -> poll(p));
      }
    }
    noteLeader();
  }

  /** Counts a change of the known leader to a different node (not a leader lost and found again). */
  private void noteLeader() {
    String changedTo = null;
    synchronized (this) {
      String l = leaderId().orElse(null);
      if (l != null && !l.equals(lastLeader)) {
        if (lastLeader != null) {
          leaderChanges.incrementAndGet();
        }
        lastLeader = l;
        changedTo = l;
      }
    }
    if (changedTo != null) {
      leaderListener.accept(changedTo);
    }
  }

  /** How often the known leader changed to a different node since this view started. */
  public long leaderChanges() {
    return leaderChanges.get();
  }

  private void poll(PeerAddress p) {
    try {
      StatusResponse s = NodeGrpc.newBlockingStub(channels.get(p.id()))
          .withDeadlineAfter(STATUS_DEADLINE_MS, TimeUnit.MILLISECONDS)
          .status(StatusRequest.getDefaultInstance());
      states.put(p.id(), new NodeState(p, true, s));
      if (!s.getGroupId().isEmpty()) {
        groupId = s.getGroupId();
      }
    } catch (RuntimeException e) {
      states.put(p.id(), new NodeState(p, false, StatusResponse.getDefaultInstance()));
    }
  }

  /** The group id once any node answered. */
  public Optional<String> groupId() {
    return Optional.ofNullable(groupId);
  }

  /** The leader as reported by the reachable node with the highest term. */
  public Optional<String> leaderId() {
    return states.values().stream()
        .filter(NodeState::reachable)
        .filter(s -> !s.status().getLeaderId().isEmpty())
        .max(java.util.Comparator.comparingLong(s -> s.status().getTerm()))
        .map(s -> s.status().getLeaderId());
  }

  /** Every node's last known state, in peer order. */
  public List<NodeState> nodes() {
    return peers.stream().map(p -> states.get(p.id())).toList();
  }

  /** A channel to node {@code id}'s RPC service. */
  public ManagedChannel channel(String id) {
    return channels.get(id);
  }

  /**
   * Nodes to try for an eventual read or a watch, best first: reachable followers (rotating,
   * to spread load), then the leader, then the rest.
   */
  public List<String> eventualCandidates() {
    List<NodeState> all = nodes();
    String leader = leaderId().orElse(null);
    List<String> followers = all.stream().filter(NodeState::reachable)
        .map(s -> s.peer().id()).filter(id -> !id.equals(leader)).toList();
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    if (!followers.isEmpty()) {
      int start = Math.floorMod(roundRobin.getAndIncrement(), followers.size());
      for (int i = 0; i < followers.size(); i++) {
        out.add(followers.get((start + i) % followers.size()));
      }
    }
    if (leader != null && channels.containsKey(leader)) {
      out.add(leader);
    }
    for (PeerAddress p : peers) {
      if (!out.contains(p.id())) {
        out.add(p.id());
      }
    }
    return out;
  }

  /** Nodes to try for a watch on the strong endpoint: the leader first. */
  public List<String> leaderFirstCandidates() {
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    leaderId().filter(channels::containsKey).ifPresent(out::add);
    for (PeerAddress p : peers) {
      if (!out.contains(p.id())) {
        out.add(p.id());
      }
    }
    return out;
  }

  @Override
  public void close() {
    poller.shutdownNow();
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
  }
}
