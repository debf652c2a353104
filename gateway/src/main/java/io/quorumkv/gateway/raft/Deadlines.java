package io.quorumkv.gateway.raft;

import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * One timeout for many waiting requests: {@link #watch} registers a request's future, and a
 * single ticker fails every future still open {@code timeoutNanos} after it was registered, with
 * a {@link TimeoutException}. Request threads then wait without a timeout of their own.
 *
 * <p>Why: a handler that waits with {@code future.get(timeout)} makes a timed park, and a timed
 * park of a virtual thread schedules and cancels a timer task on the carrier pool for every
 * request. Measured with the real Deno client against the gateway's HTTP layer and the real
 * {@link Batcher} over an in-memory database: 0.048-0.055 ms of gateway CPU per get with timed
 * waits, 0.035-0.048 ms untimed (bench/README.md, profile findings).
 *
 * <p>Every request has the same timeout, so registration order is deadline order and the ticker
 * only looks at the head of a FIFO queue. Requests that completed are dropped from the head as
 * the ticker passes; if an open one holds the head, the ticker also sweeps completed ones out of
 * the rest once the queue is long (and again each time it has doubled since), so memory stays
 * bounded by twice the requests really open and the sweeps cost O(1) per request. A
 * deadline fires between {@code timeoutNanos} and {@code timeoutNanos + tick} late. Thread-safe.
 */
final class Deadlines implements AutoCloseable {
  /** Queue length past which a tick also removes completed requests behind an open head. */
  static final int SWEEP_LENGTH = 4096;

  private record Waiter(long deadlineNanos, CompletableFuture<?> future) {}

  private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger length = new AtomicInteger();
  private final long timeoutNanos;
  private final LongSupplier nanoTime;
  private final Thread ticker;
  private volatile boolean closed;
  /** Queue length that triggers the next sweep; only the ticking thread touches it. */
  private int sweepAt = SWEEP_LENGTH;

  /**
   * A ticker thread that checks every {@code tickMillis}.
   *
   * @param what names the thread
   */
  static Deadlines start(String what, long timeoutMillis, long tickMillis) {
    return new Deadlines(what, timeoutMillis * 1_000_000, tickMillis, System::nanoTime);
  }

  /** Without a thread when {@code tickMillis <= 0}: the caller (a test) calls {@link #tick}. */
  Deadlines(String what, long timeoutNanos, long tickMillis, LongSupplier nanoTime) {
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("timeout must be positive: " + timeoutNanos + " ns");
    }
    this.timeoutNanos = timeoutNanos;
    this.nanoTime = nanoTime;
    this.ticker = tickMillis <= 0 ? null
        : Thread.ofPlatform().daemon().name(what + "-deadlines").start(() -> run(tickMillis));
  }

  /** Fails {@code f} with a {@link TimeoutException} unless it completes within the timeout. */
  <T> CompletableFuture<T> watch(CompletableFuture<T> f) {
    if (!f.isDone()) {
      queue.add(new Waiter(nanoTime.getAsLong() + timeoutNanos, f));
      length.incrementAndGet();
    }
    return f;
  }

  /** Requests registered and not yet dropped (completed ones may still be counted). */
  int length() {
    return length.get();
  }

  /**
   * Drops completed requests from the head and fails the overdue ones; see the class comment.
   * Called by one thread at a time (the ticker, or a test without one): only it removes.
   */
  void tick() {
    long now = nanoTime.getAsLong();
    for (Waiter head; (head = queue.peek()) != null; ) {
      if (head.future().isDone()) {
        drop();
      } else if (head.deadlineNanos() - now <= 0) {
        drop();
        head.future().completeExceptionally(new TimeoutException("no answer within "
            + timeoutNanos / 1_000_000 + " ms"));
      } else {
        break;
      }
    }
    if (length.get() > sweepAt) {
      for (Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
        if (it.next().future().isDone()) {
          it.remove();
          length.decrementAndGet();
        }
      }
      // Many requests really open (a stall under heavy load): sweep again only once the queue
      // has doubled, so the sweeps cost O(1) per request however long the queue gets.
      sweepAt = Math.max(SWEEP_LENGTH, 2 * length.get());
    }
  }

  /** Removes the head just looked at. */
  private void drop() {
    queue.poll();
    length.decrementAndGet();
  }

  private void run(long tickMillis) {
    while (!closed) {
      try {
        Thread.sleep(tickMillis);
        tick();
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
      } catch (RuntimeException e) { // never let one bad tick stop timeouts for good
        java.util.logging.Logger.getLogger(Deadlines.class.getName())
            .log(java.util.logging.Level.WARNING, "deadline tick failed", e);
      }
    }
  }

  /** Stops the ticker; futures still registered are left as they are. */
  @Override
  public void close() {
    closed = true;
    if (ticker != null) {
      ticker.interrupt();
    }
  }
}
