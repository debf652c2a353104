package io.quorumkv.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.chaos.check.CheckResult;
import io.quorumkv.chaos.check.Verdict;
import io.quorumkv.chaos.history.OpStatus;
import io.quorumkv.chaos.nemesis.ClusterControl;
import io.quorumkv.chaos.nemesis.FaultType;
import io.quorumkv.chaos.nemesis.NemesisSchedule;
import io.quorumkv.chaos.report.RunReport;
import io.quorumkv.chaos.testing.InMemoryKv;
import io.quorumkv.chaos.workload.BankWorkload;
import io.quorumkv.chaos.workload.RegisterWorkload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on the in-memory store: "killing the leader" takes the store down
 * (reads fail, writes time out and may or may not apply), so the history has real
 * indeterminate operations and measurable recoveries, and must still check clean.
 */
class ChaosRunTest {

  /** A one-node "cluster" whose only fault is making the fake store unavailable. */
  private record DownWhileKilled(InMemoryKv kv) implements ClusterControl {
    @Override
    public int size() {
      return 3;
    }

    @Override
    public OptionalInt leader() {
      return OptionalInt.of(0);
    }

    @Override
    public Set<FaultType> supported() {
      return EnumSet.of(FaultType.KILL9_LEADER, FaultType.PAUSE_LEADER);
    }

    @Override
    public void kill9(int node) {
      kv.down(true);
    }

    @Override
    public void start(int node) {
      kv.down(false);
    }

    @Override
    public void pause(int node) {
      kv.down(true);
    }

    @Override
    public void resume(int node) {
      kv.down(false);
    }

    @Override
    public void stop(int node) {}

    @Override
    public void wipe(int node) {}

    @Override
    public void isolate(int node) {}

    @Override
    public void heal() {}
  }

  private static NemesisSchedule schedule(long seed) {
    NemesisSchedule.Options o = new NemesisSchedule.Options(EnumSet.of(FaultType.KILL9_LEADER, FaultType.PAUSE_LEADER), 3,
        Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(300), Duration.ofMillis(500),
        Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofMillis(50));
    return NemesisSchedule.generate(seed, Duration.ofSeconds(3), o);
  }

  @Test
  void registerRunUnderFaultsChecksCleanAndWritesItsReport(@TempDir Path dir) throws Exception {
    InMemoryKv kv = new InMemoryKv(5);
    ChaosRun.Config c = new ChaosRun.Config("register", 5, 4, Duration.ofSeconds(3), Duration.ofMillis(1),
        Duration.ofSeconds(2), Duration.ofSeconds(5), dir);
    RunReport r = ChaosRun.run(c, new RegisterWorkload(), kv, new DownWhileKilled(kv), schedule(5),
        () -> List.of(CheckResult.pass("convergence", "fake")));
    String text = r.render();
    assertEquals(Verdict.PASS, r.verdict(), text);
    assertTrue(r.counts().get(OpStatus.INFO) > 0, "faults caused indeterminate writes:\n" + text);
    assertTrue(r.counts().get(OpStatus.FAIL) > 0, "and failed reads");
    assertNotNull(r.recoveryWorst());
    assertEquals(List.of("linearizability", "durability", "convergence", "recovery"),
        r.checks().stream().map(CheckResult::checker).toList());
    assertTrue(Files.size(dir.resolve("register-5.png")) > 10_000);
    assertEquals(text, Files.readString(dir.resolve("register-5.txt")));
  }

  @Test
  void bankRunUnderFaultsKeepsTheTotal(@TempDir Path dir) throws Exception {
    InMemoryKv kv = new InMemoryKv(6);
    ChaosRun.Config c = new ChaosRun.Config("bank", 6, 4, Duration.ofSeconds(3), Duration.ofMillis(1),
        Duration.ofSeconds(2), Duration.ofSeconds(5), dir);
    RunReport r = ChaosRun.run(c, new BankWorkload(BankWorkload.Options.defaults()), kv, new DownWhileKilled(kv), schedule(6), null);
    assertEquals(Verdict.PASS, r.verdict(), r.render());
  }

  @Test
  void sameSeedSameSchedule() {
    assertEquals(schedule(77), schedule(77));
  }
}
