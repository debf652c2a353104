package io.quorumkv.chaos;

import io.quorumkv.chaos.check.ConvergenceChecker;
import io.quorumkv.chaos.check.Verdict;
import io.quorumkv.chaos.client.KvConnectClient;
import io.quorumkv.chaos.nemesis.FaultType;
import io.quorumkv.chaos.nemesis.NemesisSchedule;
import io.quorumkv.chaos.report.RunReport;
import io.quorumkv.chaos.testing.ChaosSettings;
import io.quorumkv.chaos.workload.BankWorkload;
import io.quorumkv.chaos.workload.RegisterWorkload;
import io.quorumkv.chaos.workload.Workload;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Issue 5's scenarios, written once against {@link ChaosCluster}: a cluster from the factory,
 * driven over KV Connect HTTP by {@link KvConnectClient}s running a workload (per-key
 * registers, or the bank) while the nemesis plays a seeded schedule through the cluster's
 * {@link ChaosCluster#control()}; then linearizability and durability (registers) or the bank
 * invariant, convergence of every node's digest, and recovery are checked. Settings come from
 * {@link ChaosSettings} ({@code chaos.seed} replays a run). {@code ProcessChaosTest} runs them
 * on processes, {@code container.ContainerChaosTest} on the compose cluster.
 */
public final class ChaosScenarios {
  private ChaosScenarios() {}

  /** Starts a cluster that is ready for clients. */
  @FunctionalInterface
  public interface ClusterFactory {
    ChaosCluster start() throws Exception;
  }

  /**
   * How a kind of cluster is exercised.
   *
   * @param prefix of the report files ({@code process}, {@code container}): {@code <prefix>-<workload>-<seed>.txt}
   * @param schedule fault types and timing of the nemesis (sized for how long this kind takes
   *     to kill and restart a node); every type must be supported by the cluster
   * @param pauseBetweenOps per-client pause between operations
   * @param recoveryBound slowest acceptable recovery per fault
   * @param settle how long set-up and the final reads may retry while the cluster recovers
   * @param convergence how long the digest collection waits for the nodes to reach the same index
   * @param duration how long clients run; null = {@code chaos.durationSeconds} ({@link ChaosSettings})
   */
  public record Setup(String prefix, NemesisSchedule.Options schedule, Duration pauseBetweenOps, Duration recoveryBound,
      Duration settle, Duration convergence, Duration duration) {
    /** Clients run for {@code chaos.durationSeconds}. */
    public Setup(String prefix, NemesisSchedule.Options schedule, Duration pauseBetweenOps, Duration recoveryBound,
        Duration settle, Duration convergence) {
      this(prefix, schedule, pauseBetweenOps, recoveryBound, settle, convergence, null);
    }
  }

  /** Registers: linearizable, durable, converged, recovered. */
  public static RunReport registers(ClusterFactory factory, Setup setup) throws Exception {
    return run("register", new RegisterWorkload(), factory, setup);
  }

  /** The bank: every snapshot sums to the initial total; converged, recovered. */
  public static RunReport bank(ClusterFactory factory, Setup setup) throws Exception {
    return run("bank", new BankWorkload(BankWorkload.Options.defaults()), factory, setup);
  }

  /**
   * One run of {@code workload}: prints the report (and the cluster's logs unless it passed)
   * and returns it; the caller asserts on its verdict.
   */
  public static RunReport run(String name, Workload workload, ClusterFactory factory, Setup setup) throws Exception {
    ChaosSettings s = ChaosSettings.fromSystemProperties(15);
    if (setup.duration() != null) {
      s = new ChaosSettings(s.seed(), setup.duration(), s.clients(), s.outputDir());
    }
    NemesisSchedule schedule = NemesisSchedule.generate(s.seed(), s.duration(), setup.schedule());
    try (ChaosCluster cluster = factory.start();
         KvConnectClient client = new KvConnectClient(KvConnectClient.Config.of(cluster.url(), cluster.token()))) {
      requireSupported(setup.schedule().types(), cluster.supported());
      ChaosRun.Config c = new ChaosRun.Config(setup.prefix() + "-" + name, s.seed(), s.clients(), s.duration(),
          setup.pauseBetweenOps(), setup.recoveryBound(), setup.settle(), s.outputDir());
      RunReport r = ChaosRun.run(c, workload, client, cluster.control(), schedule,
          () -> List.of(new ConvergenceChecker().check(cluster.digests(setup.convergence()))));
      System.out.println(r.render());
      if (r.verdict() != Verdict.PASS) {
        System.out.println(cluster.logs());
        if (cluster instanceof ProcessCluster pc) {
          pc.saveLogs(s.outputDir().resolve("logs").resolve(setup.prefix() + "-" + name + "-" + s.seed()));
        }
      }
      return r;
    }
  }

  /**
   * A schedule type the cluster cannot apply would be skipped by the nemesis and the run
   * would silently test less than it says: refuse it up front.
   */
  static void requireSupported(Set<FaultType> requested, Set<FaultType> supported) {
    Set<FaultType> missing = EnumSet.noneOf(FaultType.class);
    missing.addAll(requested);
    missing.removeAll(supported);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("the schedule asks for " + missing + ", which this cluster cannot apply (it supports "
          + supported + ")");
    }
  }
}
