package io.quorumkv.chaos.check;

import io.quorumkv.chaos.history.FaultWindow;
import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.Op;
import io.quorumkv.chaos.history.OpStatus;
import io.quorumkv.chaos.history.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Recovery time per fault: from the moment the fault was injected to the completion of the
 * first acknowledged write (WRITE, OK CAS or TRANSFER) invoked after it, i.e. how long clients
 * could not write. A fault after which no write ever succeeds has no recovery (FAIL), as has
 * one slower than the bound. Stateless and thread-safe.
 */
public final class RecoveryChecker {
  /** Name used in reports. */
  public static final String NAME = "recovery";

  /** Recovery of one fault; {@code recovery} is null if no write succeeded after it. */
  public record FaultRecovery(FaultWindow fault, Duration recovery) {}

  /** All recoveries plus the verdict. */
  public record Result(List<FaultRecovery> faults, CheckResult check) {
    /** Median recovery of the faults that recovered, or null if none. */
    public Duration median() {
      List<Duration> d = recovered();
      return d.isEmpty() ? null : d.get(d.size() / 2);
    }

    /** Slowest recovery of the faults that recovered, or null if none. */
    public Duration worst() {
      List<Duration> d = recovered();
      return d.isEmpty() ? null : d.get(d.size() - 1);
    }

    private List<Duration> recovered() {
      return faults.stream().map(FaultRecovery::recovery).filter(java.util.Objects::nonNull).sorted().toList();
    }
  }

  private final Duration bound;

  /** {@code bound}: the slowest acceptable recovery. */
  public RecoveryChecker(Duration bound) {
    this.bound = bound;
  }

  public Result check(History history) {
    List<Op> writes = history.ops().stream()
        .filter(o -> o.status() == OpStatus.OK && (o.type() == OpType.WRITE || o.type() == OpType.CAS || o.type() == OpType.TRANSFER))
        .toList();
    List<FaultRecovery> out = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    for (FaultWindow f : history.faults()) {
      long first = Long.MAX_VALUE;
      for (Op w : writes) {
        if (w.invokeNanos() >= f.startNanos()) {
          first = Math.min(first, w.completeNanos());
        }
      }
      Duration d = first == Long.MAX_VALUE ? null : Duration.ofNanos(first - f.startNanos());
      out.add(new FaultRecovery(f, d));
      if (d == null || d.compareTo(bound) > 0) {
        bad.add(String.format(Locale.ROOT, "%s at +%.3fs: %s", f.description(), (f.startNanos() - history.originNanos()) / 1e9,
            d == null ? "no write succeeded afterwards" : "writes resumed after " + d.toMillis() + " ms"));
      }
    }
    Result partial = new Result(List.copyOf(out), null);
    String stats = out.isEmpty() ? "no faults"
        : String.format(Locale.ROOT, "%d faults, median %s, worst %s (bound %d ms)", out.size(), ms(partial.median()), ms(partial.worst()), bound.toMillis());
    CheckResult c = bad.isEmpty() ? CheckResult.pass(NAME, stats) : new CheckResult(NAME, Verdict.FAIL, stats, bad);
    return new Result(partial.faults(), c);
  }

  private static String ms(Duration d) {
    return d == null ? "-" : d.toMillis() + " ms";
  }
}
