package io.quorumkv.chaos.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.chaos.check.CheckResult;
import io.quorumkv.chaos.check.Verdict;
import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.HistoryRecorder;
import io.quorumkv.chaos.history.OpStatus;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.chaos.testing.InMemoryKv;
import io.quorumkv.chaos.testing.InMemoryKv.Bug;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Workloads driven against an in-memory KV: a correct one (with timeouts) must pass every
 * check, and each planted bug must be caught by the checker meant for it.
 */
class WorkloadsTest {
  private static final Duration RUN = Duration.ofMillis(600);
  /** Bounds the history (a few hundred ops per client) however fast the fake store is. */
  private static final Duration PAUSE = Duration.ofMillis(1);

  private static List<CheckResult> run(Workload w, InMemoryKv kv) throws InterruptedException {
    HistoryRecorder rec = new HistoryRecorder();
    w.setUp(kv, Duration.ofSeconds(5));
    WorkloadRunner.run(w, kv, rec, new WorkloadRunner.Options(4, RUN, PAUSE, 42));
    w.finish(kv, rec, Duration.ofSeconds(5));
    History h = rec.history();
    assertTrue(h.ops().size() > 100, "ran " + h.ops().size() + " ops");
    return w.check(h);
  }

  private static Verdict verdictOf(List<CheckResult> rs, String checker) {
    return rs.stream().filter(r -> r.checker().equals(checker)).findFirst().orElseThrow().verdict();
  }

  @Test
  void registerWorkloadPassesOnACorrectStoreWithTimeouts() throws Exception {
    List<CheckResult> rs = run(new RegisterWorkload(), new InMemoryKv(1).indeterminateOneIn(20));
    for (CheckResult r : rs) {
      assertEquals(Verdict.PASS, r.verdict(), r.toString());
    }
  }

  @Test
  void registerWorkloadCatchesStaleReads() throws Exception {
    assertEquals(Verdict.FAIL, verdictOf(run(new RegisterWorkload(), new InMemoryKv(2).bug(Bug.STALE_READS)), "linearizability"));
  }

  @Test
  void registerWorkloadCatchesLostWrites() throws Exception {
    List<CheckResult> rs = run(new RegisterWorkload(), new InMemoryKv(3).bug(Bug.LOST_WRITES));
    assertEquals(Verdict.FAIL, verdictOf(rs, "linearizability"));
  }

  @Test
  void registerWorkloadCatchesWritesThatFailedButWereApplied() throws Exception {
    assertEquals(Verdict.FAIL, verdictOf(run(new RegisterWorkload(), new InMemoryKv(4).bug(Bug.FAILED_BUT_APPLIED)), "linearizability"));
  }

  @Test
  void bankWorkloadPassesOnACorrectStoreAndCatchesTornWrites() throws Exception {
    List<CheckResult> ok = run(new BankWorkload(BankWorkload.Options.defaults()), new InMemoryKv(5).indeterminateOneIn(20));
    assertEquals(Verdict.PASS, verdictOf(ok, "bank"), ok.toString());
    List<CheckResult> torn = run(new BankWorkload(BankWorkload.Options.defaults()), new InMemoryKv(6).bug(Bug.TORN_WRITES));
    assertEquals(Verdict.FAIL, verdictOf(torn, "bank"));
  }

  @Test
  void bankTransfersAreRecordedWithTheirDeltas() throws Exception {
    BankWorkload w = new BankWorkload(new BankWorkload.Options(3, 10, 2, 0.5));
    InMemoryKv kv = new InMemoryKv(7);
    HistoryRecorder rec = new HistoryRecorder();
    w.setUp(kv, Duration.ofSeconds(1));
    w.setUp(kv, Duration.ofSeconds(1)); // idempotent: accounts exist
    WorkloadRunner.run(w, kv, rec, new WorkloadRunner.Options(2, Duration.ofMillis(200), PAUSE, 1));
    History h = rec.history();
    assertTrue(h.ops().stream().anyMatch(o -> o.type() == OpType.TRANSFER && o.status() == OpStatus.OK));
    h.ops().stream().filter(o -> o.type() == OpType.TRANSFER).forEach(o ->
        assertEquals(0L, o.values().values().stream().mapToLong(Long::longValue).sum()));
    h.ops().stream().filter(o -> o.type() == OpType.READ_ALL && o.status() == OpStatus.OK).forEach(o ->
        assertEquals(Map.of("acct-0", 0L, "acct-1", 0L, "acct-2", 0L).keySet(), o.values().keySet()));
  }

  @Test
  void processIdsMoveOnAfterAnIndeterminateOperation() throws Exception {
    InMemoryKv kv = new InMemoryKv(8).indeterminateOneIn(3);
    HistoryRecorder rec = new HistoryRecorder();
    WorkloadRunner.run(new RegisterWorkload(), kv, rec, new WorkloadRunner.Options(2, Duration.ofMillis(200), PAUSE, 1));
    History h = rec.history();
    assertTrue(h.ops().stream().anyMatch(o -> o.process() >= 2), "clients 0 and 1 continue as 2, 3, ...");
    // each process has at most one indeterminate op, and it is its last
    h.ops().stream().filter(o -> o.status() == OpStatus.INFO).forEach(info ->
        assertTrue(h.ops().stream().noneMatch(o -> o.process() == info.process() && o.invokeNanos() > info.invokeNanos())));
  }

  @Test
  void clientsWorkOvertimeUntilALateFaultHasRecovered() throws Exception {
    InMemoryKv kv = new InMemoryKv(9);
    HistoryRecorder rec = new HistoryRecorder();
    new RegisterWorkload().setUp(kv, Duration.ofSeconds(1));
    kv.down(true);
    HistoryRecorder.Fault f = rec.faultStarted("late fault");
    Thread healer = Thread.ofVirtual().start(() -> {
      try {
        Thread.sleep(600);
      } catch (InterruptedException e) {
        return;
      }
      f.healed();
      kv.down(false);
    });
    long t0 = System.nanoTime();
    WorkloadRunner.run(new RegisterWorkload(), kv, rec,
        new WorkloadRunner.Options(2, Duration.ofMillis(100), PAUSE, 1, Duration.ofSeconds(10)));
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    healer.join();
    assertTrue(tookMs >= 600, "ran on after the 100 ms duration until the fault healed, took " + tookMs + " ms");
    assertTrue(tookMs < 10_000, "stopped once a write succeeded, not at the end of the overtime: " + tookMs + " ms");
    assertTrue(!rec.awaitingRecovery());
    assertTrue(rec.history().ops().stream().anyMatch(o -> o.status() == OpStatus.OK && o.type() != OpType.READ));
  }

  @Test
  void withoutOvertimeClientsStopAtTheDurationEvenIfAFaultHasNotRecovered() throws Exception {
    InMemoryKv kv = new InMemoryKv(10);
    HistoryRecorder rec = new HistoryRecorder();
    kv.down(true);
    rec.faultStarted("never healed");
    long t0 = System.nanoTime();
    WorkloadRunner.run(new RegisterWorkload(), kv, rec, new WorkloadRunner.Options(2, Duration.ofMillis(100), PAUSE, 1));
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 2_000);
    assertTrue(rec.awaitingRecovery());
  }
}
