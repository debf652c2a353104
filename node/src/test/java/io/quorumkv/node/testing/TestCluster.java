package io.quorumkv.node.testing;

import io.quorumkv.node.NodeConfig;
import io.quorumkv.node.NodeServer;
import io.quorumkv.node.raft.RaftSettings;
import io.quorumkv.proto.PeerAddress;
import io.quorumkv.proto.gen.Command;
import io.quorumkv.proto.gen.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.CodeInjectionForTesting;
import org.apache.ratis.util.TimeDuration;

/**
 * An in-process QuorumKV cluster for tests: real Ratis servers on loopback, real SQLite files
 * in a temporary directory, shared by the node, gateway and chaos-tests modules.
 *
 * <p>{@link #kill} closes a node's server (in one JVM this is a graceful stop, not a crash;
 * crash tests use separate processes). {@link #partition} cuts a node off from its peers by
 * failing every Raft request between it and the others, through Ratis' code-injection hooks
 * (this is JVM-wide: run one partitioned cluster per JVM at a time).
 */
public final class TestCluster implements AutoCloseable {
  private static final String APPEND_ENTRIES = "RaftServerImpl.appendEntries";
  private static final String REQUEST_VOTE = "RaftServerImpl.requestVote";
  private static final String INSTALL_SNAPSHOT = "RaftServerImpl.installSnapshot";

  private final Path root;
  private final UUID clusterId = UUID.randomUUID();
  private final List<PeerAddress> peers;
  private final RaftSettings settings;
  private final NodeServer[] nodes;
  private final Set<String> isolated = ConcurrentHashMap.newKeySet();
  private final List<RaftClient> clients = new ArrayList<>();
  private final List<Throwable> fatalErrors = new ArrayList<>();

  static {
    // A Ratis failure (e.g. a port it cannot bind) must fail the test, not System.exit the JVM.
    org.apache.ratis.util.ExitUtils.disableSystemExit();
  }

  private TestCluster(int size, RaftSettings settings) throws IOException {
    this.root = Files.createTempDirectory("quorumkv-cluster-");
    this.settings = settings;
    List<PeerAddress> list = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      list.add(new PeerAddress("n" + (i + 1), "127.0.0.1", freePort(), freePort()));
    }
    this.peers = List.copyOf(list);
    this.nodes = new NodeServer[size];
  }

  /** Starts {@code size} nodes with production settings. */
  public static TestCluster start(int size) throws IOException {
    return start(size, RaftSettings.defaults());
  }

  /** Starts {@code size} nodes with the given Raft settings. */
  public static TestCluster start(int size, RaftSettings settings) throws IOException {
    TestCluster c = new TestCluster(size, settings);
    try {
      for (int i = 0; i < size; i++) {
        c.startNode(i);
      }
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private void startNode(int i) throws IOException {
    PeerAddress p = peers.get(i);
    // Metrics on a free port: NodeServer.metricsPort() tells which.
    NodeConfig cfg = new NodeConfig(p.id(), peers, dataDir(i), "127.0.0.1", p.raftPort(), p.rpcPort(), 0, clusterId, settings);
    nodes[i] = new NodeServer(cfg, t -> {
      synchronized (fatalErrors) {
        fatalErrors.add(t);
      }
    }).start();
  }

  /** The data directory of node {@code i} (0-based). */
  public Path dataDir(int i) {
    return root.resolve(peers.get(i).id());
  }

  /** Every peer's address. */
  public List<PeerAddress> peers() {
    return peers;
  }

  /** The group id (database id). */
  public UUID clusterId() {
    return clusterId;
  }

  /** Node {@code i} (0-based), or null while it is killed. */
  public NodeServer node(int i) {
    return nodes[i];
  }

  /** Number of nodes. */
  public int size() {
    return nodes.length;
  }

  /** Waits (up to 30 s) until a running node is the ready leader; returns its index. */
  public int awaitLeader() {
    int[] found = {-1};
    awaitTrue(Duration.ofSeconds(30), "a leader", () -> {
      for (int i = 0; i < nodes.length; i++) {
        if (nodes[i] != null && !isolated.contains(peers.get(i).id()) && nodes[i].isLeaderReady()) {
          found[0] = i;
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

  /** Stops node {@code i}, keeping its data directory. */
  public void kill(int i) {
    NodeServer n = nodes[i];
    nodes[i] = null;
    if (n != null) {
      n.close();
    }
  }

  /** Starts node {@code i} again from its data directory. */
  public void restart(int i) throws IOException {
    if (nodes[i] != null) {
      throw new IllegalStateException("node " + i + " is running");
    }
    startNode(i);
  }

  /** Deletes node {@code i}'s data directory (it must be killed). */
  public void wipe(int i) throws IOException {
    if (nodes[i] != null) {
      throw new IllegalStateException("kill node " + i + " before wiping it");
    }
    try (Stream<Path> s = Files.walk(dataDir(i))) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Cuts node {@code i} off from its peers (both directions). */
  public void partition(int i) {
    isolated.add(peers.get(i).id());
    CodeInjectionForTesting.Code drop = (local, remote, args) -> {
      if (isolated.contains(String.valueOf(local)) || isolated.contains(String.valueOf(remote))) {
        throw new IllegalStateException("partitioned by TestCluster: " + local + " <-> " + remote);
      }
      return false;
    };
    CodeInjectionForTesting.put(APPEND_ENTRIES, drop);
    CodeInjectionForTesting.put(REQUEST_VOTE, drop);
    CodeInjectionForTesting.put(INSTALL_SNAPSHOT, drop);
  }

  /** Heals every partition. */
  public void heal() {
    isolated.clear();
    CodeInjectionForTesting.remove(APPEND_ENTRIES);
    CodeInjectionForTesting.remove(REQUEST_VOTE);
    CodeInjectionForTesting.remove(INSTALL_SNAPSHOT);
  }

  /**
   * Moves leadership to node {@code i} and waits (up to 40 s) until it is the ready leader. A
   * transfer fails while the target is not caught up (one restarted a moment ago): retried.
   */
  public void moveLeadershipTo(int i) {
    RaftClient c = client();
    RaftPeerId target = RaftPeerId.valueOf(peers.get(i).id());
    awaitTrue(Duration.ofSeconds(40), "leadership moved to " + target, () -> {
      try {
        c.admin().transferLeadership(target, 5_000);
      } catch (IOException e) {
        // not caught up yet: retried
      }
      return nodes[i] != null && nodes[i].isLeaderReady();
    });
  }

  /** A Ratis client for the whole group with a sleeping retry policy (closed with the cluster). */
  public synchronized RaftClient client() {
    RaftClient c = RaftClient.newBuilder()
        .setProperties(RaftSettings.clientProperties())
        .setRaftGroup(NodeServer.group(clusterId, peers))
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(300, TimeDuration.valueOf(50, TimeUnit.MILLISECONDS)))
        .build();
    clients.add(c);
    return c;
  }

  /** Proposes a command through the leader and decodes the state machine's reply. */
  public CommandResult submit(RaftClient client, Command command) throws IOException {
    RaftClientReply reply = client.io().send(Message.valueOf(ByteString.copyFrom(command.toByteArray())));
    if (!reply.isSuccess()) {
      throw new IOException("write failed: " + reply.getException());
    }
    return CommandResult.parseFrom(reply.getMessage().getContent().toByteArray());
  }

  /** Failures that stopped a node (undecodable entries and the like). */
  public List<Throwable> fatalErrors() {
    synchronized (fatalErrors) {
      return List.copyOf(fatalErrors);
    }
  }

  /** Waits until every running node has applied at least {@code index}. */
  public void awaitApplied(long index) {
    awaitTrue(Duration.ofSeconds(30), "every node applied " + index, () -> {
      for (NodeServer n : nodes) {
        if (n != null && n.stateMachine().appliedIndex() < index) {
          return false;
        }
      }
      return true;
    });
  }

  /** Polls {@code condition} every 20 ms until true or the timeout, then fails. */
  public static void awaitTrue(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  @Override
  public void close() {
    heal();
    for (RaftClient c : clients) {
      try {
        c.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    for (int i = 0; i < nodes.length; i++) {
      kill(i);
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    return io.quorumkv.node.testing.TestPorts.allocate();
  }

  /** Ids of every running, non-isolated node. */
  public Set<String> liveIds() {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] != null && !isolated.contains(peers.get(i).id())) {
        out.add(peers.get(i).id());
      }
    }
    return out;
  }
}
