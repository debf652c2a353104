package io.quorumkv.chaos.inprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.chaos.ChaosRun;
import io.quorumkv.chaos.check.CheckResult;
import io.quorumkv.chaos.check.ConvergenceChecker;
import io.quorumkv.chaos.check.DigestCollector;
import io.quorumkv.chaos.check.Verdict;
import io.quorumkv.chaos.client.Keys;
import io.quorumkv.chaos.client.Value;
import io.quorumkv.chaos.nemesis.FaultType;
import io.quorumkv.chaos.nemesis.NemesisSchedule;
import io.quorumkv.chaos.report.RunReport;
import io.quorumkv.chaos.testing.ChaosSettings;
import io.quorumkv.chaos.workload.BankWorkload;
import io.quorumkv.chaos.workload.RegisterWorkload;
import io.quorumkv.chaos.workload.Workload;
import io.quorumkv.gateway.raft.RaftKvDatabase;
import io.quorumkv.node.testing.TestCluster;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chaos pipeline against a real Raft cluster today: three in-process nodes (real Ratis on
 * loopback, real SQLite files) reached through the gateway's {@link RaftKvDatabase}, with
 * node stops, restarts, wipes and partitions. Until the gateway's HTTP layer lands this is
 * what checks QuorumKV's histories; {@code ProcessChaosTest} is the same run over HTTP
 * against real processes with real signals.
 */
class InProcessRaftChaosTest {
  /** Shorter than the gateway default so that a lost leader shows as indeterminate writes quickly. */
  private static final long WAIT_MS = 3000;

  private static NemesisSchedule schedule(long seed, Duration run) {
    NemesisSchedule.Options o = new NemesisSchedule.Options(
        EnumSet.of(FaultType.KILL9_LEADER, FaultType.KILL9_FOLLOWER, FaultType.RESTART, FaultType.ALL_CRASH,
            FaultType.PARTITION, FaultType.WIPE_FOLLOWER),
        3, Duration.ofMillis(800), Duration.ofMillis(2500), Duration.ofMillis(2500), Duration.ofMillis(4000),
        // Cool-down 4 s: seed 1720360670814235422 killed the second follower 3.7 s before the end
        // while the first was still catching up from index 175; no quorum until it had, so no
        // write succeeded in the run's last seconds and the recovery check failed on a loaded machine.
        Duration.ofMillis(1500), Duration.ofMillis(4000), Duration.ofMillis(300));
    return NemesisSchedule.generate(seed, run, o);
  }

  private static RunReport run(String name, Workload w) throws Exception {
    ChaosSettings s = ChaosSettings.fromSystemProperties(15);
    Duration duration = s.duration();
    NemesisSchedule schedule = schedule(s.seed(), duration);
    try (TestCluster cluster = TestCluster.start(3);
         RaftKvDatabase db = new RaftKvDatabase(cluster.peers(), WAIT_MS)) {
      cluster.awaitLeader();
      ChaosRun.Config c = new ChaosRun.Config("inprocess-" + name, s.seed(), s.clients(), duration, Duration.ofMillis(5),
          Duration.ofSeconds(15), Duration.ofSeconds(30), s.outputDir());
      RunReport r = ChaosRun.run(c, w, new RaftKvApi(db), new TestClusterControl(cluster), schedule,
          () -> List.of(new ConvergenceChecker().check(DigestCollector.collect(cluster.peers(), Duration.ofSeconds(30)))));
      System.out.println(r.render());
      return r;
    }
  }

  @Test
  void registersStayLinearizableAndDurableUnderFaults() throws Exception {
    RunReport r = run("register", new RegisterWorkload());
    assertEquals(Verdict.PASS, r.verdict(), r.render());
  }

  @Test
  void bankTotalHoldsUnderFaults() throws Exception {
    RunReport r = run("bank", new BankWorkload(BankWorkload.Options.defaults()));
    assertEquals(Verdict.PASS, r.verdict(), r.render());
  }

  /**
   * Finding F1 (found by the first run of this suite, seed 1): a follower whose data
   * directory is wiped and that restarts empty never catches up while the leader has not
   * taken a snapshot yet. The leader's appender gets "INCONSISTENCY reply with nextIndex 0"
   * forever and sends only heartbeats; the node stays at applied index 0. Fixed: an empty node
   * joining a group that has data asks the leader to step down (NodeServer), and the next
   * term's leader resends the log.
   */
  @Test
  void wipedFollowerCatchesUpWithoutASnapshot() throws Exception {
    try (TestCluster c = TestCluster.start(3);
         RaftKvDatabase db = new RaftKvDatabase(c.peers(), WAIT_MS)) {
      int leader = c.awaitLeader();
      RaftKvApi kv = new RaftKvApi(db);
      for (int i = 0; i < 20; i++) {
        assertTrue(kv.set(Keys.of("a", i), Value.le64(i)).isOk());
      }
      int f = (leader + 1) % 3;
      c.kill(f);
      c.wipe(f);
      c.restart(f);
      for (int i = 0; i < 5; i++) {
        assertTrue(kv.set(Keys.of("b", i), Value.le64(i)).isOk());
      }
      CheckResult r = new ConvergenceChecker().check(DigestCollector.collect(c.peers(), Duration.ofSeconds(20)));
      assertEquals(Verdict.PASS, r.verdict(), r.toString());
    }
  }
}
