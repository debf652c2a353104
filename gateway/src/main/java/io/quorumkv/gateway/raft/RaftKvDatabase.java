package io.quorumkv.gateway.raft;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.AtomicWriteOutput;
import com.deno.kv.datapath.AtomicWriteStatus;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.deno.kv.datapath.SnapshotReadStatus;
import com.deno.kv.datapath.Watch;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.stub.StreamObserver;
import io.quorumkv.gateway.Consistency;
import io.quorumkv.gateway.KvDatabase;
import io.quorumkv.gateway.SystemProperties;
import io.quorumkv.gateway.WatchStream;
import io.quorumkv.proto.KvException;
import io.quorumkv.proto.PeerAddress;
import io.quorumkv.proto.gen.Command;
import io.quorumkv.proto.gen.CommandResult;
import io.quorumkv.proto.gen.LocalReadRequest;
import io.quorumkv.proto.gen.LocalReadsRequest;
import io.quorumkv.proto.gen.LocalReadsResponse;
import io.quorumkv.proto.gen.NodeGrpc;
import io.quorumkv.proto.gen.Query;
import io.quorumkv.proto.gen.QueryResult;
import io.quorumkv.proto.gen.SnapshotReads;
import io.quorumkv.proto.Limits;
import io.quorumkv.proto.gen.WriteResult;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * The gateway's route into the Raft group (the only class that knows Ratis). Writes are
 * batched ({@link Batcher}) and proposed to the leader; strong reads are batched too and sent as
 * Ratis linearizable read-only queries (ReadIndex on the leader); eventual reads and watches go
 * to a follower's node RPC service. Thread-safe.
 */
public final class RaftKvDatabase implements KvDatabase {
  private static final Logger LOG = Logger.getLogger(RaftKvDatabase.class.getName());
  /** Longest a request waits for a leader / commit before answering 503. */
  public static final long DEFAULT_WAIT_MS = 10_000;
  /** Ratis retries: fixed sleep, bounded count (the default policy spins, STACK.md §5.4). */
  static final long RETRY_SLEEP_MS = 50;
  static final int MAX_RETRIES = 400;
  /** Per-attempt timeout of a Ratis client request (a paused leader costs this per try). */
  static final long CLIENT_REQUEST_TIMEOUT_MS = 1500;
  /**
   * Log entries being replicated at once for atomic writes
   * ({@code -Dquorumkv.gateway.writes-in-flight} overrides it, for experiments).
   */
  static final int WRITES_IN_FLIGHT = SystemProperties.positiveInt("quorumkv.gateway.writes-in-flight", 1);
  /**
   * How long the write batcher waits for more writes before proposing an entry, when the entry
   * before it carried more than one write (a lone writer never waits). 32 Deno clients, gateways
   * side by side on one warm cluster, 10 s runs: 0 µs 14.8 writes per entry and 2.2-3.1k
   * sets/s, 500 µs 16.5 and 2.5-3.1k, 1,500 µs 24.5 and 2.6-3.7k, 3,000 µs 29.5 and 2.6-3.0k.
   * {@code -Dquorumkv.gateway.write-linger-us} overrides it (experiments).
   */
  static final long WRITE_LINGER_NANOS = Long.getLong("quorumkv.gateway.write-linger-us", 1500) * 1000;
  /** The same for strong-read queries ({@code -Dquorumkv.gateway.read-linger-us}). */
  static final long READ_LINGER_NANOS = Long.getLong("quorumkv.gateway.read-linger-us", 0) * 1000;
  /** The same for eventual-read calls ({@code -Dquorumkv.gateway.eventual-read-linger-us}). */
  static final long EVENTUAL_READ_LINGER_NANOS = Long.getLong("quorumkv.gateway.eventual-read-linger-us", 0) * 1000;
  /** Serialized bytes of one entry's writes (a single write may exceed it alone). */
  static final int MAX_ENTRY_BYTES = 4 * 1024 * 1024;
  /**
   * Batched strong-read queries outstanding at once. Two, unlike writes: a query costs far less
   * than a log entry, and with one in flight the leader idles while a query's ReadIndex
   * heartbeat round is out. 32 Deno clients, paired runs on one cluster: 1 in flight 1.8-2.3k
   * gets/s, 2 in flight 3.2-5.0k, 4 about the same as 2, 8 fewer (2.3-3.0k).
   */
  static final int READS_IN_FLIGHT = SystemProperties.positiveInt("quorumkv.gateway.reads-in-flight", 2);
  /**
   * Batched eventual-read calls outstanding at once (spread over the followers). 1, 2 and 4 did
   * the same within noise (3.8-5.0k gets/s with 32 clients, unbatched 2.8-3.2k); 2 as for strong
   * reads.
   */
  static final int EVENTUAL_READS_IN_FLIGHT = 2;
  /** Strong reads in one query. */
  static final int MAX_READS_PER_QUERY = 256;

  private final ClusterView view;
  private final List<PeerAddress> peers;
  private final long waitMs;
  /** Fails requests still open after {@link #waitMs}; see {@link #await}. */
  private final Deadlines deadlines;
  /** How often {@link #deadlines} looks: a request waits at most this much past its wait. */
  static final long DEADLINE_TICK_MS = 25;
  private volatile RaftClient client;
  /**
   * Atomic writes: combined into one log entry, one entry in flight (group commit). Every entry
   * costs the leader and each follower a log append, an fsync, gRPC messages and thread
   * hand-offs whatever it carries, so on a CPU-bound machine fewer, fuller entries win: with 32
   * Deno clients 1 in flight did 2-2.5x the sets/s of 8 (bench/README.md, change log).
   */
  private final Batcher<AtomicWrite, WriteResult> batcher = new Batcher<>("write", WRITES_IN_FLIGHT,
      Limits.MAX_WRITES_PER_ENTRY, MAX_ENTRY_BYTES, WRITE_LINGER_NANOS, AtomicWrite::getSerializedSize, this::propose);
  /**
   * Strong reads: combined into one linearizable query, so one ReadIndex round, one gRPC round
   * trip and one SQLite read transaction serve them all. Bounded by the entries the reads may
   * return (the sum of their range limits), so a batch can answer no more than one maximal read.
   */
  private final Batcher<SnapshotRead, SnapshotReadOutput> reads = new Batcher<>("read", READS_IN_FLIGHT,
      MAX_READS_PER_QUERY, Limits.MAX_READ_ENTRIES, READ_LINGER_NANOS, RaftKvDatabase::readCost, this::strongReads);
  /** Eventual reads: batched the same way into one node RPC call to a follower. */
  private final Batcher<SnapshotRead, SnapshotReadOutput> eventualReads = new Batcher<>("eventual read",
      EVENTUAL_READS_IN_FLIGHT, MAX_READS_PER_QUERY, Limits.MAX_READ_ENTRIES, EVENTUAL_READ_LINGER_NANOS,
      RaftKvDatabase::readCost,
      this::localReads);
  private final java.util.concurrent.atomic.AtomicLong clientResets = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong leaderFollows = new java.util.concurrent.atomic.AtomicLong();
  /** Clients replaced but still finishing their requests, oldest first; guarded by {@code this}. */
  private final java.util.ArrayDeque<RaftClient> retired = new java.util.ArrayDeque<>();
  /** Replaced clients kept open at once; beyond this the oldest is closed at once. */
  static final int MAX_RETIRED_CLIENTS = 8;

  /** Longest the gateway waits at start for any node to tell it the database id. */
  public static final long STARTUP_WAIT_MS = 60_000;

  /**
   * Connects to the group; blocks until a node has told the database id (the HTTP layer needs
   * it before serving), at most {@link #STARTUP_WAIT_MS}.
   *
   * @throws IllegalStateException if no node answered in time
   */
  public RaftKvDatabase(List<PeerAddress> peers, long waitMs) {
    this(peers, waitMs, STARTUP_WAIT_MS);
  }

  /** As above, waiting at most {@code startupWaitMs} for the database id. */
  public RaftKvDatabase(List<PeerAddress> peers, long waitMs, long startupWaitMs) {
    this.peers = List.copyOf(peers);
    this.waitMs = waitMs;
    this.view = new ClusterView(peers).start();
    long deadline = System.currentTimeMillis() + startupWaitMs;
    while (view.groupId().isEmpty()) {
      if (System.currentTimeMillis() > deadline) {
        view.close();
        batcher.close();
        reads.close();
        eventualReads.close();
        throw new IllegalStateException("no QuorumKV node answered at " + PeerAddress.toSpec(peers)
            + " within " + startupWaitMs / 1000 + " s; is the cluster running?");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        view.close();
        batcher.close();
        reads.close();
        eventualReads.close();
        throw new IllegalStateException("interrupted while waiting for the cluster", e);
      }
      view.pollAll();
    }
    this.deadlines = Deadlines.start("request", waitMs, DEADLINE_TICK_MS);
    view.onLeaderChange(this::followLeader);
  }

  /** The cluster view (status polling), shared with health and metrics. */
  public ClusterView view() {
    return view;
  }

  /** The database id: the Raft group id, learned from any node. */
  @Override
  public String databaseId() {
    return view.groupId().orElseThrow(() -> new KvException.LeaderUnavailable(
        "No QuorumKV node is reachable yet; cannot learn the database id.", null));
  }

  private RaftClient client() {
    RaftClient c = client;
    if (c != null) {
      return c;
    }
    synchronized (this) {
      if (client == null) {
        client = newClient(view.leaderId().orElse(null));
      }
      return client;
    }
  }

  /** A Ratis client that sends its first request to {@code leader} (null: Ratis picks). */
  private RaftClient newClient(String leader) {
    UUID gid = UUID.fromString(databaseId());
    RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(gid), peers.stream()
        .map(p -> RaftPeer.newBuilder().setId(p.id()).setAddress(p.raftAddress()).build()).toList());
    RaftClient.Builder b = RaftClient.newBuilder()
        .setProperties(clientProperties())
        .setRaftGroup(group)
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            MAX_RETRIES, TimeDuration.valueOf(RETRY_SLEEP_MS, TimeUnit.MILLISECONDS)));
    if (leader != null && peers.stream().anyMatch(p -> p.id().equals(leader))) {
      b.setLeaderId(RaftPeerId.valueOf(leader));
    }
    return b.build();
  }

  /**
   * Points requests at the leader the status polls found, when the Ratis client is still
   * aiming at another node. Ratis finds a new leader by itself only after a request to the old
   * one fails: for a node that is gone that is quick (connection refused), but for one that
   * stopped answering (SIGSTOP, GC, partition) it is a per-request timeout followed by a
   * synchronous close of the gRPC channel that waits 3 s for the unanswered stream (Ratis
   * {@code GrpcUtil.shutdownManagedChannel}); every write meanwhile stalls, and the ordered
   * client keeps sending new ones to the dead leader. Measured over processes: 4.6 s without a
   * successful write after SIGSTOP of the leader. So: new requests get a new client that starts
   * at the known leader, and the old client's connection to its stale target is reset on a
   * virtual thread, which fails its in-flight requests over to their retries at once (same
   * call ids, so the leader's retry cache keeps them exactly-once). The old client is closed
   * once its requests can no longer be waited for.
   */
  private void followLeader(String leader) {
    RaftClient old;
    synchronized (this) {
      old = client;
      // A client already at the new leader is kept, unless calls are still out: Ratis may have
      // moved it there after a request timed out, and that request then waits for the old
      // channel's close (3 s) while the ordered client holds every later reply behind it.
      if (old == null || leader.equals(String.valueOf(old.getLeaderId())) && !batcher.busy() && !reads.busy()) {
        return;
      }
      client = newClient(leader);
      retire(old);
    }
    leaderFollows.incrementAndGet();
    // Calls still out to the old leader keep their requests but no longer hold back new ones.
    batcher.releaseSlots();
    reads.releaseSlots();
    RaftPeerId stale = old.getLeaderId();
    if (leader.equals(String.valueOf(stale))) {
      LOG.info("leader is now " + leader + "; new Raft requests go there on a new Ratis client (the old one"
          + " still waits for calls to the previous leader)");
      return;
    }
    LOG.info("leader is now " + leader + "; new Raft requests go there (the Ratis client was still at " + stale + ")");
    Thread.ofVirtual().name("raft-client-reset").start(() ->
        old.getClientRpc().handleException(stale, new IOException("the leader moved to " + leader), true));
  }

  /** Keeps {@code c} open for its in-flight requests, closing it after the longest wait; caller holds {@code this}. */
  private void retire(RaftClient c) {
    retired.addLast(c);
    if (retired.size() > MAX_RETIRED_CLIENTS) {
      closeQuietly(retired.removeFirst());
    }
    Thread.ofVirtual().start(() -> {
      try {
        Thread.sleep(waitMs + 5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      boolean mine;
      synchronized (this) {
        mine = retired.remove(c);
      }
      if (mine) {
        closeQuietly(c);
      }
    });
  }

  private static void closeQuietly(RaftClient c) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "closing a replaced Ratis client", e);
    }
  }

  /** How often requests were pointed at a new leader found by the status polls. */
  public long leaderFollows() {
    return leaderFollows.get();
  }

  /**
   * Replaces a Ratis client that has closed itself. Ratis' ordered async client closes its
   * sliding window after some failures (seen after a leader kill: one IllegalStateException,
   * then AlreadyClosedException for every later request; the rolling-restart test saw the same
   * after a retry failure), so a client that answers AlreadyClosedException or
   * RaftRetryFailureException is never reused. Other failures (timeouts, NotLeader) leave the
   * client alone: replacing it would cancel every other request in flight on it.
   */
  private <T> CompletableFuture<T> guarded(RaftClient c, CompletableFuture<T> f) {
    return f.whenComplete((r, e) -> {
      for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
        if (t instanceof org.apache.ratis.protocol.exceptions.AlreadyClosedException
            || t instanceof org.apache.ratis.protocol.exceptions.RaftRetryFailureException) {
          discard(c, t);
          return;
        }
      }
    });
  }

  private void discard(RaftClient broken, Throwable why) {
    synchronized (this) {
      if (client != broken) {
        return;
      }
      client = null;
      // Close later: requests still in flight on it may yet complete.
      retire(broken);
    }
    clientResets.incrementAndGet();
    LOG.warning("Ratis client failed (" + why + "); the next request uses a new one");
  }

  /** How often a failed Ratis client was replaced. */
  public long clientResets() {
    return clientResets.get();
  }

  private static RaftProperties clientProperties() {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(CLIENT_REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS));
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf("256MB"));
    return p;
  }

  /**
   * Proposes one log entry carrying {@code writes} (one result per write, same order) under a
   * fresh request id and, while its fate is unknown (the Ratis client failed or gave up, the
   * leader changed), proposes the same command again for up to the request wait: the state
   * machine applies a request id once and answers repeats with the first result. A command the
   * state machine refused before the log is not repeated.
   */
  private CompletableFuture<List<WriteResult>> propose(List<AtomicWrite> writes) {
    byte[] id = new byte[16];
    REQUEST_IDS.nextBytes(id);
    Command cmd = Command.newBuilder().addAllWrites(writes).setRequestId(com.google.protobuf.ByteString.copyFrom(id)).build();
    return Reproposal.until(() -> proposeOnce(cmd), RaftKvDatabase::worthReproposing,
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs), RETRY_SLEEP_MS, System::nanoTime);
  }

  private static final java.security.SecureRandom REQUEST_IDS = new java.security.SecureRandom();

  /** Everything but a deterministic refusal by the state machine (a malformed command). */
  static boolean worthReproposing(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof org.apache.ratis.protocol.exceptions.StateMachineException || c instanceof KvException) {
        return false;
      }
    }
    return true;
  }

  private CompletableFuture<List<WriteResult>> proposeOnce(Command cmd) {
    RaftClient c = client();
    return guarded(c, c.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(cmd.toByteArray()))))
        .thenApply(reply -> {
          if (!reply.isSuccess()) {
            throw new CompletionException(reply.getException());
          }
          try {
            return CommandResult.parseFrom(reply.getMessage().getContent().newInput()).getResultsList();
          } catch (IOException e) {
            throw new CompletionException(e);
          }
        });
  }

  /** The entries a read may return: what bounds a read batch. */
  private static long readCost(SnapshotRead read) {
    long entries = 0;
    for (var range : read.getRangesList()) {
      entries += Math.max(1, range.getLimit());
    }
    return Math.max(1, entries);
  }

  /**
   * One linearizable query for several strong reads: the leader confirms its leadership once
   * (ReadIndex), waits until it has applied that index, and reads them all from one snapshot.
   * Linearizable because the batch leaves only after each of its reads was submitted, so the
   * read index is at least the commit index at each read's invocation.
   */
  private CompletableFuture<List<SnapshotReadOutput>> strongReads(List<SnapshotRead> batch) {
    // A leader that cannot confirm its leadership yet (just elected, or losing it) fails the
    // ReadIndex at once and Ratis does not retry that; reads are idempotent, so repeat them
    // within the request wait (seen as bursts of 503s right after an all-crash).
    return Reproposal.until(() -> strongReadsOnce(batch), RaftKvDatabase::isTransientLeadership,
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs), RETRY_SLEEP_MS, System::nanoTime);
  }

  private CompletableFuture<List<SnapshotReadOutput>> strongReadsOnce(List<SnapshotRead> batch) {
    Query q = batch.size() == 1
        ? Query.newBuilder().setSnapshotRead(batch.get(0)).build()
        : Query.newBuilder().setSnapshotReads(SnapshotReads.newBuilder().addAllReads(batch)).build();
    RaftClient c = client();
    // Unordered: reads need no sliding window; ReadIndex on the leader makes them linearizable.
    return guarded(c, c.async().sendReadOnlyUnordered(Message.valueOf(UnsafeByteOperations.unsafeWrap(q.toByteArray()))))
        .thenApply(reply -> {
          if (!reply.isSuccess()) {
            throw new CompletionException(new KvException.LeaderUnavailable(
                "Strong read failed: " + reply.getException(), reply.getException()));
          }
          QueryResult result;
          try {
            result = QueryResult.parseFrom(reply.getMessage().getContent().newInput());
          } catch (IOException e) {
            throw new CompletionException(new IllegalStateException("undecodable query result", e));
          }
          return batch.size() == 1 ? List.of(result.getSnapshotRead()) : result.getSnapshotReadsList();
        });
  }

  /** Log entries proposed so far by the write batcher (each may carry many writes). */
  public long batcherEntries() {
    return batcher.calls();
  }

  /** Atomic writes proposed so far. */
  public long batcherWrites() {
    return batcher.items();
  }

  /** Linearizable queries made for strong reads (each may carry many reads). */
  public long readQueries() {
    return reads.calls();
  }

  /** Node RPC calls made for eventual reads (each may carry many reads). */
  public long eventualReadCalls() {
    return eventualReads.calls();
  }

  @Override
  public io.quorumkv.gateway.ClusterHealth health() {
    List<ClusterView.NodeState> nodes = view.nodes();
    int reachable = (int) nodes.stream().filter(ClusterView.NodeState::reachable).count();
    return new io.quorumkv.gateway.ClusterHealth(view.leaderId(), reachable, nodes.size(),
        view.leaderChanges(), batcherEntries(), batcherWrites(), reads.calls(), reads.items(),
        eventualReads.calls(), eventualReads.items());
  }

  @Override
  public SnapshotReadOutput snapshotRead(SnapshotRead read, Consistency consistency) {
    return consistency == Consistency.STRONG ? strongRead(read) : eventualRead(read);
  }

  @Override
  public WatchStream watch(Watch watch, Consistency consistency) {
    RaftWatchStream s = watch(watch, consistency == Consistency.STRONG);
    return new WatchStream() {
      @Override
      public java.util.Optional<com.deno.kv.datapath.WatchOutput> next(long timeoutMs) throws InterruptedException {
        try {
          return java.util.Optional.ofNullable(s.next(timeoutMs));
        } catch (java.util.NoSuchElementException e) {
          throw new KvException.LeaderUnavailable("The watch lost every node; reconnect.", e);
        }
      }

      @Override
      public void close() {
        s.close();
      }
    };
  }

  /** Commits one atomic write through the leader (batched with concurrent writes). */
  @Override
  public AtomicWriteOutput atomicWrite(AtomicWrite write) {
    WriteResult r = await(batcher.submit(write), true);
    return switch (r.getOutcomeCase()) {
      case COMMITTED -> AtomicWriteOutput.newBuilder()
          .setStatus(AtomicWriteStatus.AW_SUCCESS).setVersionstamp(r.getCommitted()).build();
      case CHECK_FAILED -> AtomicWriteOutput.newBuilder().setStatus(AtomicWriteStatus.AW_CHECK_FAILURE).build();
      case REJECTED -> throw new KvException.InvalidRequest(r.getRejected());
      case OUTCOME_NOT_SET -> throw new IllegalStateException("empty write result");
    };
  }

  /** Linearizable read through the leader (Ratis ReadIndex), batched with concurrent reads. */
  public SnapshotReadOutput strongRead(SnapshotRead read) {
    return await(reads.submit(read), false).toBuilder()
        .setReadIsStronglyConsistent(true).setReadDisabled(false).setStatus(SnapshotReadStatus.SR_SUCCESS).build();
  }

  /**
   * A read of a follower's local state (no coordination), falling back to other nodes; batched
   * with concurrent eventual reads into one node RPC call.
   */
  public SnapshotReadOutput eventualRead(SnapshotRead read) {
    return await(eventualReads.submit(read), false).toBuilder().setReadIsStronglyConsistent(false)
        .setReadDisabled(false).setStatus(SnapshotReadStatus.SR_SUCCESS).build();
  }

  /**
   * One node RPC call for a batch of eventual reads, asynchronously: a follower first, then the
   * others. The reply is handled on the gRPC event loop that received it (a direct executor):
   * completing the batch only hands results to the waiting request threads, so no thread of
   * its own is needed per call.
   */
  private CompletableFuture<List<SnapshotReadOutput>> localReads(List<SnapshotRead> batch) {
    CompletableFuture<List<SnapshotReadOutput>> result = new CompletableFuture<>();
    localReadsFrom(view.eventualCandidates().iterator(), batch, result, null);
    return result;
  }

  private void localReadsFrom(Iterator<String> candidates, List<SnapshotRead> batch,
      CompletableFuture<List<SnapshotReadOutput>> result, Throwable last) {
    if (!candidates.hasNext()) {
      result.completeExceptionally(new KvException.LeaderUnavailable("No QuorumKV node could serve the read: " + last, last));
      return;
    }
    NodeGrpc.NodeStub stub = NodeGrpc.newStub(view.channel(candidates.next()))
        .withExecutor(MoreExecutors.directExecutor())
        .withDeadlineAfter(waitMs, TimeUnit.MILLISECONDS);
    if (batch.size() == 1) {
      stub.snapshotRead(LocalReadRequest.newBuilder().setRead(batch.get(0)).build(),
          new Unary<>(candidates, batch, result, List::of));
    } else {
      stub.snapshotReads(LocalReadsRequest.newBuilder().addAllReads(batch).build(),
          new Unary<>(candidates, batch, result, LocalReadsResponse::getOutputsList));
    }
  }

  /** The answer of one unary node call: completes the batch, or tries the next node on a gRPC error. */
  private final class Unary<R> implements StreamObserver<R> {
    private final Iterator<String> candidates;
    private final List<SnapshotRead> batch;
    private final CompletableFuture<List<SnapshotReadOutput>> result;
    private final Function<R, List<SnapshotReadOutput>> outputs;

    Unary(Iterator<String> candidates, List<SnapshotRead> batch,
        CompletableFuture<List<SnapshotReadOutput>> result, Function<R, List<SnapshotReadOutput>> outputs) {
      this.candidates = candidates;
      this.batch = batch;
      this.result = result;
      this.outputs = outputs;
    }

    @Override
    public void onNext(R reply) {
      result.complete(outputs.apply(reply));
    }

    @Override
    public void onError(Throwable t) {
      localReadsFrom(candidates, batch, result, t);
    }

    @Override
    public void onCompleted() {
      // onNext completed the batch
    }
  }

  /** Opens a watch; {@code strong} prefers the leader, otherwise a follower. */
  public RaftWatchStream watch(Watch watch, boolean strong) {
    return new RaftWatchStream(view, watch, strong ? view::leaderFirstCandidates : view::eventualCandidates).open();
  }

  private static boolean isTransientLeadership(Throwable t) {
    for (; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.apache.ratis.protocol.exceptions.ReadIndexException
          || t instanceof org.apache.ratis.protocol.exceptions.ReadException
          || t instanceof org.apache.ratis.protocol.exceptions.LeaderNotReadyException) {
        return true;
      }
    }
    return false;
  }


  /**
   * Waits for a request's result, at most the request wait ({@link #deadlines} fails it then):
   * an untimed wait, so the handler's virtual thread parks without a timer of its own.
   */
  private <T> T await(CompletableFuture<T> f, boolean write) {
    try {
      return deadlines.watch(f).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvException.LeaderUnavailable("Interrupted.", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : e.getCause();
      if (c instanceof TimeoutException) {
        throw write
            ? new KvException.Indeterminate("The write was not confirmed in time (no leader); it may or may not have been committed.", c)
            : new KvException.LeaderUnavailable("No leader answered the read in time; try again.", c);
      }
      if (c instanceof KvException k) {
        throw k;
      }
      LOG.log(Level.FINE, "request failed", c);
      throw write
          ? new KvException.Indeterminate("The write could not be confirmed (" + c.getClass().getSimpleName()
              + "); it may or may not have been committed.", c)
          : new KvException.LeaderUnavailable("The read could not be served (" + c.getClass().getSimpleName() + ").", c);
    }
  }

  @Override
  public void close() {
    deadlines.close();
    batcher.close();
    reads.close();
    eventualReads.close();
    view.close();
    List<RaftClient> all = new java.util.ArrayList<>();
    synchronized (this) {
      if (client != null) {
        all.add(client);
      }
      all.addAll(retired);
      retired.clear();
    }
    all.forEach(RaftKvDatabase::closeQuietly);
  }
}
