package io.quorumkv.chaos.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quorumkv.chaos.ChaosScenarios;
import io.quorumkv.chaos.check.Verdict;
import io.quorumkv.chaos.nemesis.FaultType;
import io.quorumkv.chaos.nemesis.NemesisSchedule;
import io.quorumkv.chaos.report.RunReport;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Issue 5's scenarios ({@link ChaosScenarios}, the same as {@code ProcessChaosTest}) on the
 * {@code deploy/docker-compose.yml} cluster ({@link ContainerCluster}), with every fault type:
 * SIGKILL, freeze, graceful stop, all-crash, wiping a node's volume and taking a node off the
 * network, all through the Docker API. Needs a Docker engine (skipped by
 * {@code disabledWithoutDocker} otherwise) and the {@code docker compose} plugin (skipped with
 * the reason otherwise). Length, clients and seed: the {@code chaos.*} properties, as for
 * every chaos test.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerChaosTest {
  /** First run builds the image (Maven inside Docker downloads every dependency): minutes. */
  private static final Duration STARTUP = Duration.ofMinutes(15);

  /**
   * Every fault type, with the default timing. Recovery may take longer than with processes:
   * {@code docker start} of a killed node (a JVM in a container) and reconnecting a network take
   * seconds on top of the election.
   */
  static final ChaosScenarios.Setup SETUP = new ChaosScenarios.Setup("container",
      NemesisSchedule.Options.defaults().withTypes(EnumSet.allOf(FaultType.class)),
      Duration.ofMillis(5), Duration.ofSeconds(30), Duration.ofSeconds(90), Duration.ofSeconds(60));

  @BeforeAll
  static void needsTheComposePlugin() {
    String missing = ContainerCluster.localComposeMissing();
    assumeTrue(missing == null, () -> missing + "; the container chaos run needs Docker with Compose v2 (see chaos-tests/README.md)");
  }

  @Test
  void registersOverHttpUnderContainerFaults() throws Exception {
    RunReport r = ChaosScenarios.registers(() -> ContainerCluster.start(STARTUP), SETUP);
    assertEquals(Verdict.PASS, r.verdict(), r.render());
  }

  @Test
  void bankOverHttpUnderContainerFaults() throws Exception {
    RunReport r = ChaosScenarios.bank(() -> ContainerCluster.start(STARTUP), SETUP);
    assertEquals(Verdict.PASS, r.verdict(), r.render());
  }
}
