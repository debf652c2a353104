package io.quorumkv.gateway.raft;

import com.deno.kv.datapath.AtomicWrite;
import io.quorumkv.proto.KvException;
import io.quorumkv.proto.Limits;
import io.quorumkv.proto.gen.Command;
import io.quorumkv.proto.gen.CommandResult;
import io.quorumkv.proto.gen.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Combines concurrent atomic writes into one Raft log entry (DESIGN: write batching). Each
 * write keeps its own checks, result and versionstamp position; the state machine applies them
 * in order, so a write sees the effects of the writes before it and a failing write does not
 * affect the others.
 *
 * <p>No timer: while {@link #MAX_IN_FLIGHT} entries are being replicated, new writes queue up
 * and leave together in the next entry, so batches grow with load and a lone write goes out at
 * once (group commit). Every queue and batch is bounded. Thread-safe.
 */
final class WriteBatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(WriteBatcher.class.getName());
  /**
   * Entries being replicated at once. One: every Raft entry costs the leader and each follower a
   * log append, an fsync, gRPC messages and thread hand-offs whatever it carries, so on a
   * CPU-bound machine fewer, fuller entries win. Measured with 32 Deno clients through three
   * gateways on one cluster (bench/README.md, change log): 1 in flight carried 15 writes per
   * entry and did 785-905 sets/s, 2 in flight 10 and 535-640/s, 8 in flight 5 and 320-395/s.
   */
  static final int MAX_IN_FLIGHT = 1;
  /** Writes waiting for a slot; beyond this, writes are refused as overloaded. */
  static final int MAX_QUEUED_WRITES = 20_000;
  /** Serialized bytes of one entry (a single write may exceed it alone). */
  static final int MAX_ENTRY_BYTES = 4 * 1024 * 1024;

  private record Pending(AtomicWrite write, int sizeBytes, CompletableFuture<WriteResult> result) {}

  private final ArrayBlockingQueue<Pending> queue = new ArrayBlockingQueue<>(MAX_QUEUED_WRITES);
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final Function<Command, CompletableFuture<CommandResult>> propose;
  private final Thread dispatcher;
  private volatile boolean closed;
  /** Entries proposed and writes carried, for metrics. */
  final java.util.concurrent.atomic.AtomicLong entries = new java.util.concurrent.atomic.AtomicLong();
  final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();

  WriteBatcher(Function<Command, CompletableFuture<CommandResult>> propose) {
    this.propose = propose;
    this.dispatcher = Thread.ofPlatform().daemon().name("write-batcher").start(this::run);
  }

  /** Queues a write; the future completes with its own result. */
  CompletableFuture<WriteResult> submit(AtomicWrite write) {
    CompletableFuture<WriteResult> f = new CompletableFuture<>();
    if (closed || !queue.offer(new Pending(write, write.getSerializedSize(), f))) {
      f.completeExceptionally(new KvException.Overloaded("Too many writes are waiting; try again later."));
    }
    return f;
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    while (!closed) {
      try {
        Pending first = queue.take();
        inFlight.acquire();
        batch.add(first);
        int bytes = first.sizeBytes();
        for (Pending next; batch.size() < Limits.MAX_WRITES_PER_ENTRY
            && (next = queue.peek()) != null
            && bytes + next.sizeBytes() <= MAX_ENTRY_BYTES; ) {
          batch.add(queue.poll());
          bytes += next.sizeBytes();
        }
        send(List.copyOf(batch));
      } catch (InterruptedException e) {
        if (closed) {
          break;
        }
      } finally {
        batch.clear();
      }
    }
    for (Pending p; (p = queue.poll()) != null; ) {
      p.result().completeExceptionally(new KvException.LeaderUnavailable("The gateway is shutting down.", null));
    }
  }

  private void send(List<Pending> batch) {
    Command.Builder cmd = Command.newBuilder();
    for (Pending p : batch) {
      cmd.addWrites(p.write());
    }
    entries.incrementAndGet();
    writes.addAndGet(batch.size());
    CompletableFuture<CommandResult> f;
    try {
      f = propose.apply(cmd.build());
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((result, error) -> {
      inFlight.release();
      if (error != null) {
        LOG.log(Level.FINE, "proposal failed", error);
        for (Pending p : batch) {
          p.result().completeExceptionally(error);
        }
        return;
      }
      if (result.getResultsCount() != batch.size()) {
        IllegalStateException bug = new IllegalStateException(
            "state machine returned " + result.getResultsCount() + " results for " + batch.size() + " writes");
        batch.forEach(p -> p.result().completeExceptionally(bug));
        return;
      }
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result().complete(result.getResults(i));
      }
    });
  }

  @Override
  public void close() {
    closed = true;
    dispatcher.interrupt();
  }
}
