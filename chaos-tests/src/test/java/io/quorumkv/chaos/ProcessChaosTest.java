package io.quorumkv.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quorumkv.chaos.check.Verdict;
import io.quorumkv.chaos.nemesis.FaultType;
import io.quorumkv.chaos.nemesis.NemesisSchedule;
import io.quorumkv.chaos.report.RunReport;
import io.quorumkv.chaos.workload.BankWorkload;
import io.quorumkv.chaos.workload.RegisterWorkload;
import io.quorumkv.chaos.workload.Workload;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's scenarios ({@link ChaosScenarios}) on three node processes and a gateway process
 * ({@link ProcessCluster}), driven over KV Connect HTTP, with real signals (SIGKILL, SIGSTOP)
 * from a seeded schedule; then linearizability, durability or the bank invariant,
 * convergence and recovery are checked. Short form by default, {@code -Pchaos} for the long form,
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

  /** How processes are exercised; the run itself is {@link ChaosScenarios}, shared with the container cluster. */
  static final ChaosScenarios.Setup SETUP = new ChaosScenarios.Setup("process",
      NemesisSchedule.Options.defaults().withTypes(EnumSet.of(
          FaultType.KILL9_LEADER, FaultType.KILL9_FOLLOWER, FaultType.PAUSE_LEADER, FaultType.ALL_CRASH)),
      Duration.ofMillis(5), Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ofSeconds(30));

  private static RunReport run(String name, Workload w) throws Exception {
    return ChaosScenarios.run(name, w, () -> ProcessCluster.start(3), SETUP);
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
