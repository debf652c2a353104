package io.quorumkv.gateway.raft;

import io.quorumkv.proto.KvException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Combines concurrent requests into one call to the Raft group: atomic writes into one log entry
 * (DESIGN: write batching), strong reads into one linearizable query (one ReadIndex round for
 * all of them). Each request gets its own result back by position.
 *
 * <p>While {@code maxInFlight} calls are outstanding, new requests queue up and leave together in
 * the next call, so batches grow with load and a lone request goes out at once (group commit).
 * Under load (the previous call carried more than one request) the next call also lingers for
 * {@code lingerNanos} once a slot is free, so the requests whose answers just went out can come
 * back and ride along: every call has a fixed cost (a log entry on every node, a ReadIndex round)
 * that fuller calls share. Every queue and batch is bounded: at most {@code maxItems} requests and
 * {@code maxCost} cost units per call (a single request may exceed the cost alone and then goes
 * by itself), at most {@link #MAX_QUEUED} waiting. Thread-safe.
 *
 * @param <I> one request
 * @param <O> its result
 */
final class Batcher<I, O> implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Batcher.class.getName());
  /** Requests waiting for a slot; beyond this, requests are refused as overloaded. */
  static final int MAX_QUEUED = 20_000;

  private record Pending<I, O>(I item, long cost, CompletableFuture<O> result) {}

  private final ArrayBlockingQueue<Pending<I, O>> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
  private final Semaphore inFlight;
  /** One flag per outstanding call: true while the call still holds its in-flight slot. */
  private final Set<AtomicBoolean> slots = ConcurrentHashMap.newKeySet();
  private final int maxItems;
  private final long lingerNanos;
  /** Requests the previous call carried; only the dispatcher thread touches it. */
  private int previousBatchSize;
  private final long maxCost;
  private final ToLongFunction<I> cost;
  private final Function<List<I>, CompletableFuture<List<O>>> call;
  private final String what;
  private final Thread dispatcher;
  private volatile boolean closed;
  /** Calls made and requests they carried, for metrics. */
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong items = new AtomicLong();

  /**
   * @param what names the requests in errors and the dispatcher thread ("write", "read")
   * @param maxInFlight calls outstanding at once
   * @param maxItems requests per call
   * @param maxCost cost units per call
   * @param lingerNanos how long a call waits for more requests when the previous call carried
   *     more than one (0: never)
   * @param cost the cost of one request (bytes, entries it may return)
   * @param call sends one batch; its future completes with one result per request, same order
   */
  Batcher(String what, int maxInFlight, int maxItems, long maxCost, long lingerNanos, ToLongFunction<I> cost,
      Function<List<I>, CompletableFuture<List<O>>> call) {
    this.what = what;
    this.inFlight = new Semaphore(maxInFlight);
    this.maxItems = maxItems;
    this.lingerNanos = lingerNanos;
    this.maxCost = maxCost;
    this.cost = cost;
    this.call = call;
    this.dispatcher = Thread.ofPlatform().daemon().name(what + "-batcher").start(this::run);
  }

  /** Queues a request; the future completes with its own result. */
  CompletableFuture<O> submit(I item) {
    CompletableFuture<O> f = new CompletableFuture<>();
    if (closed || !queue.offer(new Pending<>(item, cost.applyAsLong(item), f))) {
      f.completeExceptionally(new KvException.Overloaded("Too many " + what + "s are waiting; try again later."));
    }
    return f;
  }

  /** Calls made so far (each may carry many requests). */
  long calls() {
    return calls.get();
  }

  /** Requests carried so far. */
  long items() {
    return items.get();
  }

  private void run() {
    List<Pending<I, O>> batch = new ArrayList<>();
    while (!closed) {
      try {
        Pending<I, O> first = queue.take();
        inFlight.acquire();
        if (lingerNanos > 0 && previousBatchSize > 1 && queue.size() + 1 < maxItems) {
          LockSupport.parkNanos(lingerNanos);
        }
        batch.add(first);
        long total = first.cost();
        for (Pending<I, O> next; batch.size() < maxItems
            && (next = queue.peek()) != null
            && total + next.cost() <= maxCost; ) {
          batch.add(queue.poll());
          total += next.cost();
        }
        previousBatchSize = batch.size();
        send(List.copyOf(batch));
      } catch (InterruptedException e) {
        if (closed) {
          break;
        }
      } finally {
        batch.clear();
      }
    }
    for (Pending<I, O> p; (p = queue.poll()) != null; ) {
      p.result().completeExceptionally(new KvException.LeaderUnavailable("The gateway is shutting down.", null));
    }
  }

  private void send(List<Pending<I, O>> batch) {
    List<I> requests = new ArrayList<>(batch.size());
    for (Pending<I, O> p : batch) {
      requests.add(p.item());
    }
    calls.incrementAndGet();
    items.addAndGet(batch.size());
    AtomicBoolean slot = new AtomicBoolean(true);
    slots.add(slot);
    CompletableFuture<List<O>> f;
    try {
      f = call.apply(requests);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((results, error) -> {
      slots.remove(slot);
      if (slot.compareAndSet(true, false)) {
        inFlight.release();
      }
      if (error != null) {
        LOG.log(Level.FINE, what + " batch failed", error);
        for (Pending<I, O> p : batch) {
          p.result().completeExceptionally(error);
        }
        return;
      }
      if (results.size() != batch.size()) {
        IllegalStateException bug = new IllegalStateException(
            "the group returned " + results.size() + " results for " + batch.size() + " " + what + "s");
        batch.forEach(p -> p.result().completeExceptionally(bug));
        return;
      }
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result().complete(results.get(i));
      }
    });
  }

  /** Whether any call is still outstanding. */
  boolean busy() {
    return !slots.isEmpty();
  }

  /**
   * Frees the slots of every outstanding call, so the next batch leaves now instead of waiting
   * for them (they still complete their own requests when they end). For a leader change: a
   * call to a leader that stopped answering may take seconds to fail, and requests that arrive
   * after the new leader is known must not queue behind it.
   */
  void releaseSlots() {
    for (AtomicBoolean slot : slots) {
      if (slot.compareAndSet(true, false)) {
        inFlight.release();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    dispatcher.interrupt();
  }
}
