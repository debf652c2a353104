package io.quorumkv.chaos.report;

import io.quorumkv.chaos.check.CheckResult;
import io.quorumkv.chaos.check.Verdict;
import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.OpStatus;
import io.quorumkv.chaos.nemesis.NemesisSchedule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything a chaos run concluded, printable: the seed (to replay it), the schedule and
 * what the nemesis actually did, operation counts, every checker's verdict with its evidence,
 * recovery times and where the chart is. Immutable.
 */
public record RunReport(String workload, long seed, NemesisSchedule schedule, List<String> nemesisLog,
    Map<OpStatus, Long> counts, List<CheckResult> checks, Duration recoveryMedian, Duration recoveryWorst,
    Path chart, Duration elapsed) {

  public RunReport {
    nemesisLog = List.copyOf(nemesisLog);
    counts = Map.copyOf(counts);
    checks = List.copyOf(checks);
  }

  /** Builds the counts from the history. */
  public static Map<OpStatus, Long> counts(History h) {
    return h.countByStatus();
  }

  /** FAIL if any checker failed, else UNKNOWN if any was undecided, else PASS. */
  public Verdict verdict() {
    Verdict v = Verdict.PASS;
    for (CheckResult c : checks) {
      v = v.and(c.verdict());
    }
    return v;
  }

  /** The report as text, the first line being the verdict and the seed. */
  public String render() {
    StringBuilder b = new StringBuilder();
    long ops = counts.values().stream().mapToLong(Long::longValue).sum();
    b.append(String.format(Locale.ROOT, "chaos run %s: %s (seed %d, replay with -Dchaos.seed=%d) in %.1f s%n",
        workload, verdict(), seed, seed, elapsed.toMillis() / 1e3));
    b.append(String.format(Locale.ROOT, "operations: %d (ok %d, fail %d, indeterminate %d)%n", ops,
        counts.getOrDefault(OpStatus.OK, 0L), counts.getOrDefault(OpStatus.FAIL, 0L), counts.getOrDefault(OpStatus.INFO, 0L)));
    b.append(String.format(Locale.ROOT, "recovery: median %s, worst %s%n", ms(recoveryMedian), ms(recoveryWorst)));
    b.append("schedule: ").append(schedule.describe()).append('\n');
    if (!nemesisLog.isEmpty()) {
      b.append("nemesis:\n");
      nemesisLog.forEach(l -> b.append("  ").append(l).append('\n'));
    }
    b.append("checks:\n");
    for (CheckResult c : checks) {
      b.append(String.format(Locale.ROOT, "  %-16s %-7s %s%n", c.checker(), c.verdict(), c.summary()));
      c.details().forEach(d -> b.append("      ").append(d.replace("\n", "\n      ")).append('\n'));
    }
    if (chart != null) {
      b.append("chart: ").append(chart.toAbsolutePath()).append('\n');
    }
    return b.toString();
  }

  private static String ms(Duration d) {
    return d == null ? "-" : d.toMillis() + " ms";
  }
}
