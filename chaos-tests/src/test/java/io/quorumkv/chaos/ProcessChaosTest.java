package io.quorumkv.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quorumkv.chaos.check.ConvergenceChecker;
import io.quorumkv.chaos.check.DigestCollector;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's scenario: three node processes and a gateway process, driven over KV Connect
 * HTTP by {@link KvConnectClient}s, with real signals (SIGKILL, SIGSTOP) from a seeded
 * schedule; then linearizability, durability or the bank invariant, convergence and
 * recovery are checked. Short form by default, {@code -Pchaos} for the long form,
 * {@code -Dchaos.seed=N} to replay. Runs only once the gateway's HTTP server exists.
 */
class ProcessChaosTest {
  private static final String GATEWAY_MAIN = "io.quorumkv.gateway.GatewayMain";

  @BeforeEach
  void gatewayMustExist() {
    boolean present;
    try {
      Class.forName(GATEWAY_MAIN, false, ProcessChaosTest.class.getClassLoader());
      present = true;
    } catch (ClassNotFoundException e) {
      present = false;
    }
    assumeTrue(present, "enable when the gateway lands (" + GATEWAY_MAIN + " is not on the classpath)");
    // Not in the short form yet: over HTTP against processes the run does far fewer operations
    // than in-process and recovery after all-crash took ~15 s (see README, open problems).
    assumeTrue(Boolean.getBoolean("chaos.process"), "multi-process HTTP chaos runs with -Pchaos (or -Dchaos.process=true)");
  }

  private static RunReport run(String name, Workload w) throws Exception {
    ChaosSettings s = ChaosSettings.fromSystemProperties(15);
    NemesisSchedule.Options o = NemesisSchedule.Options.defaults().withTypes(EnumSet.of(
        FaultType.KILL9_LEADER, FaultType.KILL9_FOLLOWER, FaultType.PAUSE_LEADER, FaultType.ALL_CRASH));
    NemesisSchedule schedule = NemesisSchedule.generate(s.seed(), s.duration(), o);
    try (ProcessCluster cluster = ProcessCluster.start(3);
         KvConnectClient client = new KvConnectClient(KvConnectClient.Config.of(cluster.url(), cluster.token()))) {
      ChaosRun.Config c = new ChaosRun.Config("process-" + name, s.seed(), s.clients(), s.duration(), Duration.ofMillis(5),
          Duration.ofSeconds(20), Duration.ofSeconds(60), s.outputDir());
      RunReport r = ChaosRun.run(c, w, client, new ProcessClusterControl(cluster), schedule,
          () -> List.of(new ConvergenceChecker().check(DigestCollector.collect(cluster.peers(), Duration.ofSeconds(30)))));
      System.out.println(r.render());
      if (r.verdict() != Verdict.PASS) {
        System.out.println(cluster.logs());
      }
      return r;
    }
  }

  @Test
  void registersOverHttpUnderProcessFaults() throws Exception {
    RunReport r = run("register", new RegisterWorkload());
    assertEquals(Verdict.PASS, r.verdict(), r.render());
  }

  @Test
  void bankOverHttpUnderProcessFaults() throws Exception {
    RunReport r = run("bank", new BankWorkload(BankWorkload.Options.defaults()));
    assertEquals(Verdict.PASS, r.verdict(), r.render());
  }
}
