package io.quorumkv.node.rpc;

import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.deno.kv.datapath.WatchKey;
import com.deno.kv.datapath.WatchOutput;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quorumkv.node.raft.KvStateMachine;
import io.quorumkv.node.storage.SqliteStore;
import io.quorumkv.proto.Limits;
import io.quorumkv.proto.gen.DigestRequest;
import io.quorumkv.proto.gen.DigestResponse;
import io.quorumkv.proto.gen.LocalReadRequest;
import io.quorumkv.proto.gen.LocalReadsRequest;
import io.quorumkv.proto.gen.LocalReadsResponse;
import io.quorumkv.proto.gen.NodeGrpc;
import io.quorumkv.proto.gen.StatusRequest;
import io.quorumkv.proto.gen.StatusResponse;
import io.quorumkv.proto.gen.TermRequest;
import io.quorumkv.proto.gen.TermResponse;
import io.quorumkv.proto.gen.WatchRequest;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The node's own gRPC service: status, local (eventual) snapshot reads, watch streams,
 * digests and the term (read confirmation between members). It never writes: writes only go
 * through the Raft log (DESIGN invariant 1).
 */
public final class NodeRpcService extends NodeGrpc.NodeImplBase {
  private static final Logger LOG = Logger.getLogger(NodeRpcService.class.getName());
  /** Longest a local read waits for this node to catch up to a requested index. */
  private static final long MAX_CATCH_UP_WAIT_MS = 5_000;
  /** How often a watch sender wakes up to notice a cancelled stream. */
  private static final long WATCH_POLL_MS = 1_000;

  private final KvStateMachine stateMachine;
  private final WatchHub hub;
  private final Supplier<StatusResponse> status;
  private final String groupId;
  /** This node's current Raft term; throws when Raft is not running. */
  private final LongSupplier currentTerm;
  /** Runs the local reads that have to wait (see {@link #read}). */
  private final Executor waiting = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("local-read-wait").factory());

  /**
   * @param groupId this node's Raft group id; {@link #terms} answers only askers of that group
   * @param currentTerm this node's current Raft term; throws when Raft is not running
   */
  public NodeRpcService(KvStateMachine stateMachine, WatchHub hub, Supplier<StatusResponse> status,
      String groupId, LongSupplier currentTerm) {
    this.stateMachine = stateMachine;
    this.hub = hub;
    this.status = status;
    this.groupId = groupId;
    this.currentTerm = currentTerm;
  }

  /**
   * The current term, once per request, for a leader confirming its leadership before a
   * linearizable read ({@code LeaderConfirmation}). Ratis raises and persists the term before it
   * grants a vote, so an answer is never below a term this node voted in. Runs on the transport
   * thread ({@link #callExecutors}): a field read per request.
   */
  @Override
  public StreamObserver<TermRequest> terms(StreamObserver<TermResponse> out) {
    return new StreamObserver<>() {
      private boolean failed;

      @Override
      public void onNext(TermRequest request) {
        if (failed) {
          return;
        }
        if (!groupId.equalsIgnoreCase(request.getGroupId())) {
          failed = true;
          out.onError(Status.FAILED_PRECONDITION.withDescription("this node belongs to group " + groupId
              + ", not " + request.getGroupId()).asRuntimeException());
          return;
        }
        long term;
        try {
          term = currentTerm.getAsLong();
        } catch (RuntimeException e) {
          failed = true;
          out.onError(Status.UNAVAILABLE.withDescription("Raft is not running: " + e.getMessage()).asRuntimeException());
          return;
        }
        out.onNext(TermResponse.newBuilder().setTerm(term).setSeq(request.getSeq()).build());
      }

      @Override
      public void onError(Throwable t) {
        // The asker went away; nothing to clean up.
      }

      @Override
      public void onCompleted() {
        if (!failed) {
          out.onCompleted();
        }
      }
    };
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
    out.onNext(status.get());
    out.onCompleted();
  }

  @Override
  public void snapshotRead(LocalReadRequest request, StreamObserver<SnapshotReadOutput> out) {
    read(List.of(request.getRead()), request.getMinAppliedIndex(), out, outputs -> eventual(outputs.get(0)));
  }

  @Override
  public void snapshotReads(LocalReadsRequest request, StreamObserver<LocalReadsResponse> out) {
    read(request.getReadsList(), request.getMinAppliedIndex(), out, outputs -> {
      LocalReadsResponse.Builder r = LocalReadsResponse.newBuilder();
      for (SnapshotReadOutput o : outputs) {
        r.addOutputs(eventual(o));
      }
      return r.build();
    });
  }

  /**
   * gRPC's executor per call: the transport's event loop itself for the term (a field read) and
   * the local reads, which answer there only when they need no wait ({@link #read}), and gRPC's
   * default pool for every other method. Saves two thread hand-offs per call (to the pool and
   * back to the event loop to write the reply).
   */
  public static ServerCallExecutorSupplier callExecutors() {
    Set<String> inline = Set.of(NodeGrpc.getSnapshotReadMethod().getFullMethodName(),
        NodeGrpc.getSnapshotReadsMethod().getFullMethodName(), NodeGrpc.getTermsMethod().getFullMethodName());
    return new ServerCallExecutorSupplier() {
      @Override
      public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
        return inline.contains(call.getMethodDescriptor().getFullMethodName()) ? MoreExecutors.directExecutor() : null;
      }
    };
  }

  /**
   * Answers local reads on the calling thread (gRPC's event loop, see {@link #callExecutors})
   * when that needs no wait: this node has applied {@code minAppliedIndex}, no snapshot is being
   * installed and a read connection is free. Otherwise it waits, without a thread, for the apply
   * thread to reach the index (at most {@link #MAX_CATCH_UP_WAIT_MS}; then UNAVAILABLE), and
   * reads on a virtual thread that may wait for the other two.
   */
  private <T> void read(List<SnapshotRead> reads, long minAppliedIndex, StreamObserver<T> out,
      Function<List<SnapshotReadOutput>, T> reply) {
    if (stateMachine.appliedIndex() >= minAppliedIndex) {
      Optional<List<SnapshotReadOutput>> now;
      try {
        now = stateMachine.trySnapshotReads(reads, System.currentTimeMillis());
      } catch (RuntimeException e) {
        fail(out, e);
        return;
      }
      if (now.isPresent()) {
        out.onNext(reply.apply(now.get()));
        out.onCompleted();
        return;
      }
    }
    stateMachine.appliedAtLeast(minAppliedIndex)
        .orTimeout(MAX_CATCH_UP_WAIT_MS, TimeUnit.MILLISECONDS)
        .whenCompleteAsync((caughtUp, e) -> {
          if (e == null) {
            answer(out, () -> reply.apply(stateMachine.snapshotReads(reads, System.currentTimeMillis())));
          } else {
            String why = e instanceof TimeoutException
                ? "node is behind index " + minAppliedIndex : "node is closing";
            out.onError(Status.UNAVAILABLE.withDescription(why).asRuntimeException());
          }
        }, waiting);
  }

  private static SnapshotReadOutput eventual(SnapshotReadOutput o) {
    return o.toBuilder().setReadIsStronglyConsistent(false).build();
  }

  private static <T> void answer(StreamObserver<T> out, java.util.function.Supplier<T> read) {
    T r;
    try {
      r = read.get();
    } catch (RuntimeException e) {
      fail(out, e);
      return;
    }
    out.onNext(r);
    out.onCompleted();
  }

  private static void fail(StreamObserver<?> out, RuntimeException e) {
    LOG.log(Level.WARNING, "local read failed", e);
    out.onError(Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
  }

  @Override
  public void digest(DigestRequest request, StreamObserver<DigestResponse> out) {
    SqliteStore.Digest d = stateMachine.digest();
    out.onNext(DigestResponse.newBuilder()
        .setDigest(com.google.protobuf.ByteString.copyFrom(d.sha256()))
        .setAppliedIndex(d.appliedIndex())
        .setRowCount(d.rowCount())
        .build());
    out.onCompleted();
  }

  /**
   * Streams full WatchOutput messages. gRPC calls this on a transport thread, so the sending
   * loop runs on its own virtual thread and only sends while the stream is ready: a slow
   * receiver makes changes collapse instead of buffering without bound.
   */
  @Override
  public void watch(WatchRequest request, StreamObserver<WatchOutput> plain) {
    ServerCallStreamObserver<WatchOutput> out = (ServerCallStreamObserver<WatchOutput>) plain;
    if (request.getWatch().getKeysCount() > Limits.MAX_WATCHED_KEYS) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("Too many keys watched in a single watch request.").asRuntimeException());
      return;
    }
    List<byte[]> keys = request.getWatch().getKeysList().stream().map(WatchKey::getKey).map(com.google.protobuf.ByteString::toByteArray).toList();
    WatchHub.Subscription sub;
    try {
      sub = hub.subscribe(keys);
    } catch (IllegalStateException e) {
      out.onError(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    Object readyLock = new Object();
    out.setOnReadyHandler(() -> {
      synchronized (readyLock) {
        readyLock.notifyAll();
      }
    });
    out.setOnCancelHandler(() -> {
      hub.unsubscribe(sub);
      synchronized (readyLock) {
        readyLock.notifyAll();
      }
    });
    Thread.ofVirtual().name("watch-sender").start(() -> sendLoop(sub, out, readyLock));
  }

  private void sendLoop(WatchHub.Subscription sub, ServerCallStreamObserver<WatchOutput> out, Object readyLock) {
    try {
      while (!sub.isClosed()) {
        if (!sub.awaitChange(WATCH_POLL_MS)) {
          continue;
        }
        synchronized (readyLock) {
          while (!out.isReady() && !out.isCancelled()) {
            readyLock.wait(WATCH_POLL_MS);
          }
        }
        if (out.isCancelled()) {
          break;
        }
        // Read after the stream became ready: the message holds the newest state.
        out.onNext(stateMachine.watchRead(sub.keys(), System.currentTimeMillis()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      if (!out.isCancelled()) {
        LOG.log(Level.FINE, "watch stream ended", e);
        try {
          out.onError(Status.UNAVAILABLE.withDescription(String.valueOf(e.getMessage())).asRuntimeException());
        } catch (RuntimeException ignored) {
          // already closed
        }
      }
    } finally {
      hub.unsubscribe(sub);
    }
  }
}
