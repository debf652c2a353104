package io.quorumkv.chaos.workload;

import io.quorumkv.chaos.check.CheckResult;
import io.quorumkv.chaos.check.DurabilityChecker;
import io.quorumkv.chaos.check.LinearizabilityChecker;
import io.quorumkv.chaos.client.Entry;
import io.quorumkv.chaos.client.Keys;
import io.quorumkv.chaos.client.KvApi;
import io.quorumkv.chaos.client.Outcome;
import io.quorumkv.chaos.client.Value;
import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.HistoryRecorder;
import io.quorumkv.chaos.history.Op;
import io.quorumkv.chaos.history.OpStatus;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.proto.Versionstamp;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-key registers under strong reads, blind writes and compare-and-set, checked for
 * linearizability and durability.
 *
 * <p>Every written value is unique (a shared counter), so a read names the write it saw and a
 * versionstamp check is equivalent to a value check. A CAS is a recorded read (which yields
 * the versionstamp) followed by a recorded {@code checkedSet} expecting that versionstamp.
 * Values are {@code Deno.KvU64} (LE64) under {@code ["chaos", "register", "rN"]}; a stored
 * value that is not LE64 is recorded as {@link #GARBAGE}, which no write writes, so the
 * checker reports it.
 */
public final class RegisterWorkload implements Workload {
  /** Recorded for a value that is not a valid register value. */
  public static final long GARBAGE = -1;

  /** {@code readRatio + writeRatio <= 1}; the rest are CASes. */
  public record Options(int keys, double readRatio, double writeRatio) {
    public Options {
      if (keys < 1 || keys > 1000 || readRatio < 0 || writeRatio < 0 || readRatio + writeRatio > 1) {
        throw new IllegalArgumentException("bad register options " + this);
      }
    }

    /** 5 keys (contention without huge per-key histories), 50% reads, 25% writes, 25% CAS. */
    public static Options defaults() {
      return new Options(5, 0.5, 0.25);
    }
  }

  private final Options options;
  private final String[] names;
  private final byte[][] keys;
  private final AtomicLong nextValue = new AtomicLong(1);
  private final LinearizabilityChecker linearizability;

  public RegisterWorkload(Options options, LinearizabilityChecker linearizability) {
    this.options = options;
    this.linearizability = linearizability;
    this.names = new String[options.keys()];
    this.keys = new byte[options.keys()][];
    for (int i = 0; i < options.keys(); i++) {
      names[i] = "r" + i;
      keys[i] = Keys.of("chaos", "register", names[i]);
    }
  }

  public RegisterWorkload() {
    this(Options.defaults(), new LinearizabilityChecker());
  }

  @Override
  public String name() {
    return "register";
  }

  @Override
  public void setUp(KvApi kv, Duration timeout) {
    // registers start absent: nothing to create
  }

  @Override
  public void step(ClientContext c) {
    int k = c.random().nextInt(names.length);
    double roll = c.random().nextDouble();
    if (roll < options.readRatio()) {
      read(c, k);
    } else if (roll < options.readRatio() + options.writeRatio()) {
      long v = nextValue.getAndIncrement();
      HistoryRecorder.Pending p = c.recorder().invokeWrite(c.process(), names[k], v);
      Outcomes.record(p, c.kv().set(keys[k], Value.le64(v)), c);
    } else {
      Optional<Optional<Entry>> seen = read(c, k);
      if (seen.isEmpty()) {
        return;
      }
      Long expected = seen.get().map(e -> decode(e.value())).orElse(null);
      Versionstamp vs = seen.get().map(Entry::versionstamp).orElse(null);
      long v = nextValue.getAndIncrement();
      HistoryRecorder.Pending p = c.recorder().invokeCas(c.process(), names[k], expected, v);
      Outcomes.record(p, c.kv().checkedSet(keys[k], vs, Value.le64(v)), c);
    }
  }

  /** A recorded strong read; empty if it did not succeed. */
  private Optional<Optional<Entry>> read(ClientContext c, int k) {
    HistoryRecorder.Pending p = c.recorder().invokeRead(c.process(), names[k]);
    Outcome<Optional<Entry>> o = c.kv().get(keys[k]);
    if (o instanceof Outcome.Ok<Optional<Entry>>(Optional<Entry> e)) {
      p.okRead(e.map(x -> decode(x.value())).orElse(null));
      return Optional.of(e);
    }
    Outcomes.record(p, o, c);
    return Optional.empty();
  }

  private static long decode(Value v) {
    try {
      return v.asLong();
    } catch (IllegalStateException e) {
      return GARBAGE;
    }
  }

  @Override
  public void finish(KvApi kv, HistoryRecorder recorder, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int k = 0; k < names.length; k++) {
      while (true) {
        HistoryRecorder.Pending p = recorder.invokeRead(Op.FINAL_PROCESS, names[k]);
        Outcome<Optional<Entry>> o = kv.get(keys[k]);
        if (o instanceof Outcome.Ok<Optional<Entry>>(Optional<Entry> e)) {
          p.okRead(e.map(x -> decode(x.value())).orElse(null));
          break;
        }
        Outcomes.record(p, o, null);
        if (System.nanoTime() - deadline > 0) {
          break;
        }
        Outcomes.pause();
      }
    }
  }

  @Override
  public List<CheckResult> check(History history) {
    Map<String, Optional<Long>> finals = new LinkedHashMap<>();
    for (Op op : history.ops()) {
      if (op.process() == Op.FINAL_PROCESS && op.type() == OpType.READ && op.status() == OpStatus.OK) {
        finals.put(op.key(), Optional.ofNullable(op.value()));
      }
    }
    return List.of(linearizability.check(history).toCheckResult(history.originNanos()),
        new DurabilityChecker().check(history, finals));
  }
}
