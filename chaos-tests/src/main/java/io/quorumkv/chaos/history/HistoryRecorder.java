package io.quorumkv.chaos.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Records operations and faults from many threads. {@link #invoke} stamps the invocation and
 * returns a {@link Pending} that must be completed exactly once; an operation still pending
 * when {@link #history()} is taken is reported as {@link OpStatus#INFO}.
 *
 * <p>Thread-safe; lock-free on the hot path. The clock is injectable so tests can build
 * histories with exact times.
 */
public final class HistoryRecorder {
  /** Upper bound on recorded operations: a runaway workload fails instead of eating the heap. */
  public static final int MAX_OPS = 5_000_000;

  private final LongSupplier clock;
  private final long originNanos;
  private final AtomicLong nextId = new AtomicLong();
  private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
  /** Invocation time of the latest acknowledged write and start of the latest fault. */
  private final AtomicLong lastOkWriteInvoke = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong lastFaultStart = new AtomicLong(Long.MIN_VALUE);

  public HistoryRecorder() {
    this(System::nanoTime);
  }

  public HistoryRecorder(LongSupplier clockNanos) {
    this.clock = clockNanos;
    this.originNanos = clockNanos.getAsLong();
  }

  /** The clock reading when the recorder was created. */
  public long originNanos() {
    return originNanos;
  }

  /** The recorder's clock now. */
  public long now() {
    return clock.getAsLong();
  }

  /** Stamps the invocation of an operation. See {@link Op} for the meaning of the fields. */
  public Pending invoke(int process, OpType type, String key, Long expected, Long value, Map<String, Long> values) {
    long id = nextId.getAndIncrement();
    if (id >= MAX_OPS) {
      throw new IllegalStateException("more than " + MAX_OPS + " operations recorded");
    }
    Pending p = new Pending(id, process, type, key, expected, value, values, clock.getAsLong());
    pending.add(p);
    return p;
  }

  public Pending invokeRead(int process, String key) {
    return invoke(process, OpType.READ, key, null, null, null);
  }

  public Pending invokeWrite(int process, String key, long value) {
    return invoke(process, OpType.WRITE, key, null, value, null);
  }

  /** {@code expected} null = the register must be absent. */
  public Pending invokeCas(int process, String key, Long expected, long value) {
    return invoke(process, OpType.CAS, key, expected, value, null);
  }

  /** Stamps the start of a fault; call {@link Fault#healed()} when it ends. */
  public Fault faultStarted(String description) {
    Fault f = new Fault(description, clock.getAsLong());
    faults.add(f);
    lastFaultStart.accumulateAndGet(f.startNanos, Math::max);
    return f;
  }

  /**
   * True while the latest fault has not been followed by an acknowledged write invoked after
   * it started, i.e. while {@code RecoveryChecker} could not yet measure its recovery. A run
   * uses this to keep its clients going a little past its nominal end when a fault came late.
   */
  public boolean awaitingRecovery() {
    long fault = lastFaultStart.get();
    return fault != Long.MIN_VALUE && lastOkWriteInvoke.get() < fault;
  }

  /** A consistent copy of everything recorded so far. */
  public History history() {
    List<Op> ops = new ArrayList<>();
    for (Pending p : pending) {
      ops.add(p.toOp());
    }
    List<FaultWindow> windows = new ArrayList<>();
    for (Fault f : faults) {
      windows.add(f.toWindow());
    }
    windows.sort(java.util.Comparator.comparingLong(FaultWindow::startNanos));
    return new History(originNanos, ops, windows);
  }

  /** An invoked operation awaiting its outcome. Complete it exactly once, from any thread. */
  public final class Pending {
    private final long id;
    private final int process;
    private final OpType type;
    private final String key;
    private final Long expected;
    private final Long value;
    private final Map<String, Long> values;
    private final long invokeNanos;
    private volatile Op done;

    private Pending(long id, int process, OpType type, String key, Long expected, Long value,
        Map<String, Long> values, long invokeNanos) {
      this.id = id;
      this.process = process;
      this.type = type;
      this.key = key;
      this.expected = expected;
      this.value = value;
      this.values = values;
      this.invokeNanos = invokeNanos;
    }

    /** Completed OK; for reads use {@link #okRead} / {@link #okValues}. */
    public void ok() {
      complete(OpStatus.OK, value, values, null);
    }

    /** A read returned {@code result} (null = absent). */
    public void okRead(Long result) {
      complete(OpStatus.OK, result, values, null);
    }

    /** A multi-key read returned {@code result}. */
    public void okValues(Map<String, Long> result) {
      complete(OpStatus.OK, value, result, null);
    }

    /** Definitely did not happen. */
    public void fail(String error) {
      complete(OpStatus.FAIL, type == OpType.READ ? null : value, values, error);
    }

    /** May or may not have happened. */
    public void info(String error) {
      complete(OpStatus.INFO, type == OpType.READ ? null : value, values, error);
    }

    private synchronized void complete(OpStatus status, Long v, Map<String, Long> vs, String error) {
      if (done != null) {
        throw new IllegalStateException("operation " + id + " completed twice");
      }
      done = new Op(id, process, type, key, expected, v, vs, invokeNanos, clock.getAsLong(), status, error);
      if (status == OpStatus.OK && type != OpType.READ && type != OpType.READ_ALL) {
        lastOkWriteInvoke.accumulateAndGet(invokeNanos, Math::max);
      }
    }

    private Op toOp() {
      Op d = done;
      if (d != null) {
        return d;
      }
      return new Op(id, process, type, key, expected, type == OpType.READ ? null : value, values,
          invokeNanos, Math.max(invokeNanos, clock.getAsLong()), OpStatus.INFO, "still pending");
    }
  }

  /** A fault in progress. */
  public final class Fault {
    private final String description;
    private final long startNanos;
    private volatile long endNanos = Op.NEVER;

    private Fault(String description, long startNanos) {
      this.description = description;
      this.startNanos = startNanos;
    }

    public String description() {
      return description;
    }

    /** Stamps the end of the fault (idempotent: the first call wins). */
    public synchronized void healed() {
      if (endNanos == Op.NEVER) {
        endNanos = clock.getAsLong();
      }
    }

    private FaultWindow toWindow() {
      return new FaultWindow(description, startNanos, endNanos);
    }
  }
}
