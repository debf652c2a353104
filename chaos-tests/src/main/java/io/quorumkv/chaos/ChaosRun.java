package io.quorumkv.chaos;

import io.quorumkv.chaos.check.CheckResult;
import io.quorumkv.chaos.check.RecoveryChecker;
import io.quorumkv.chaos.client.KvApi;
import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.HistoryRecorder;
import io.quorumkv.chaos.nemesis.ClusterControl;
import io.quorumkv.chaos.nemesis.Nemesis;
import io.quorumkv.chaos.nemesis.NemesisSchedule;
import io.quorumkv.chaos.report.ChartRenderer;
import io.quorumkv.chaos.report.RunReport;
import io.quorumkv.chaos.workload.Workload;
import io.quorumkv.chaos.workload.WorkloadRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * One chaos run, in etcd-robustness order: set up the workload, start recording, play the
 * nemesis schedule while the clients run, heal everything, read the final state, collect
 * cluster-level evidence (convergence), then check the history and write the report and
 * chart to {@link Config#outputDir()}. Everything random derives from {@link Config#seed()}.
 */
public final class ChaosRun {

  /**
   * @param name prefix of the output files
   * @param seed drives the schedule and every client's choices
   * @param clients concurrent client threads
   * @param duration how long clients run (the schedule should fit inside it); they go on for
   *     up to {@code recoveryBound} more while the last fault awaits its first acknowledged write
   * @param pauseBetweenOps per-client pause between operations (bounds the load)
   * @param recoveryBound slowest acceptable recovery per fault
   * @param settle how long set-up and the final reads may retry while the cluster recovers
   * @param outputDir where the report and chart go
   */
  public record Config(String name, long seed, int clients, Duration duration, Duration pauseBetweenOps,
      Duration recoveryBound, Duration settle, Path outputDir) {}

  private ChaosRun() {}

  /**
   * Runs and reports. {@code cluster} may be null for a run without faults; {@code
   * afterHeal} supplies extra checks once the final reads are done (may be null).
   */
  public static RunReport run(Config c, Workload workload, KvApi kv, ClusterControl cluster,
      NemesisSchedule schedule, Callable<List<CheckResult>> afterHeal) throws Exception {
    long t0 = System.nanoTime();
    workload.setUp(kv, c.settle());
    HistoryRecorder recorder = new HistoryRecorder();
    List<String> nemesisLog = List.of();
    Nemesis nemesis = cluster == null ? null : new Nemesis(cluster, schedule, recorder);
    try {
      if (nemesis != null) {
        nemesis.start();
      }
      WorkloadRunner.run(workload, kv, recorder,
          new WorkloadRunner.Options(c.clients(), c.duration(), c.pauseBetweenOps(), c.seed(), c.recoveryBound()));
    } finally {
      if (nemesis != null) {
        nemesis.close();
        nemesisLog = nemesis.log();
      }
    }
    workload.finish(kv, recorder, c.settle());
    List<CheckResult> checks = new ArrayList<>();
    if (afterHeal != null) {
      checks.addAll(afterHeal.call());
    }
    History history = recorder.history();
    checks.addAll(0, workload.check(history));
    RecoveryChecker.Result recovery = new RecoveryChecker(c.recoveryBound()).check(history);
    checks.add(recovery.check());
    String base = c.name() + "-" + c.seed();
    Path chart = c.outputDir().resolve(base + ".png");
    ChartRenderer.writePng(history, chart, 1400, 800);
    RunReport report = new RunReport(workload.name(), c.seed(), schedule, nemesisLog, RunReport.counts(history),
        checks, recovery.median(), recovery.worst(), chart, Duration.ofNanos(System.nanoTime() - t0));
    Files.writeString(c.outputDir().resolve(base + ".txt"), report.render(), StandardCharsets.UTF_8);
    return report;
  }
}
