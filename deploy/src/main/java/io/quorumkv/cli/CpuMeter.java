package io.quorumkv.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time per operation, the benchmark's measure of efficiency: on a machine where every
 * process shares the same cores, ops/s is capped at {@code cores × 1000 / (CPU ms per op)}
 * whatever the design, so this number says how far a workload can go and where its CPU goes.
 *
 * <p>Servers are sampled from the kernel's per-process accounting ({@link ProcessHandle.Info
 * #totalCpuDuration}, user + system time of every thread, 10 ms ticks on Linux) at the start and
 * end of a run's measured window; the Deno client reports its own CPU time over the same window
 * ({@code clientCpuMs} in its JSON line, from {@code process.cpuUsage()}).
 */
final class CpuMeter {
  private CpuMeter() {}

  /** CPU milliseconds used so far by each process that is still there (others are left out). */
  static Map<String, Long> sample(Map<String, ProcessHandle> processes) {
    Map<String, Long> m = new LinkedHashMap<>();
    processes.forEach((name, h) -> h.info().totalCpuDuration()
        .filter(d -> h.isAlive())
        .ifPresent(d -> m.put(name, d.toMillis())));
    return m;
  }

  /**
   * Per-operation CPU of one run, as strings for the result row: {@code cpu.<name>} for every
   * server sampled at both ends, {@code cpu.client}, and {@code cpuMsPerOp}, their sum. Nothing
   * when the run completed no operation or the client did not report its CPU time.
   *
   * @param before samples at the start of the measured window
   * @param after samples at its end
   * @param clientCpuMs the client's CPU milliseconds over the window, or null if unknown
   * @param ops operations completed in the window
   */
  static Map<String, String> perOp(Map<String, Long> before, Map<String, Long> after, Double clientCpuMs, long ops) {
    Map<String, String> m = new LinkedHashMap<>();
    if (ops <= 0 || clientCpuMs == null) {
      return m;
    }
    double total = clientCpuMs / ops;
    for (Map.Entry<String, Long> e : before.entrySet()) {
      Long end = after.get(e.getKey());
      if (end != null) {
        double perOp = (double) Math.max(0, end - e.getValue()) / ops;
        m.put("cpu." + e.getKey(), format(perOp));
        total += perOp;
      }
    }
    m.put("cpu.client", format(clientCpuMs / ops));
    m.put("cpuMsPerOp", format(total));
    return m;
  }

  /** The ops/s a machine with {@code cores} cores could do at {@code cpuMsPerOp}, doing nothing else. */
  static long ceiling(int cores, double cpuMsPerOp) {
    return cpuMsPerOp <= 0 ? 0 : Math.round(cores * 1000 / cpuMsPerOp);
  }

  static String format(double ms) {
    return String.format(Locale.ROOT, "%.3f", ms);
  }
}
