package io.quorumkv.chaos.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.chaos.check.ConvergenceChecker.NodeDigest;
import io.quorumkv.chaos.history.FaultWindow;
import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.Op;
import io.quorumkv.chaos.history.OpStatus;
import io.quorumkv.chaos.history.OpType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Durability, bank, recovery and convergence checkers on hand-made inputs. */
class OtherCheckersTest {
  private static final long MS = Hist.MS;

  private static CheckResult durability(Hist h, Long finalValue) {
    return new DurabilityChecker().check(h.history(), Map.of("x", Optional.ofNullable(finalValue)));
  }

  @Test
  void durabilityAcceptsTheLatestAcknowledgedWriteOrAnIndeterminateOne() {
    Hist h = new Hist().write(1, 0, 1).write(2, 2, 3).writeInfo(3, 4, 5);
    assertEquals(Verdict.PASS, durability(h, 2L).verdict());
    assertEquals(Verdict.PASS, durability(h, 3L).verdict());
    // two concurrent last writes: either may win
    Hist c = new Hist().write(1, 0, 5).write(2, 1, 4);
    assertEquals(Verdict.PASS, durability(c, 1L).verdict());
    assertEquals(Verdict.PASS, durability(c, 2L).verdict());
  }

  @Test
  void durabilityCatchesLostAndRolledBackWrites() {
    Hist h = new Hist().write(1, 0, 1).write(2, 2, 3);
    CheckResult superseded = durability(h, 1L);
    assertEquals(Verdict.FAIL, superseded.verdict());
    assertTrue(superseded.details().get(0).contains("superseded value 1"), superseded.details().toString());
    assertEquals(Verdict.FAIL, durability(h, null).verdict(), "acknowledged writes vanished");
    assertEquals(Verdict.FAIL, durability(h, 9L).verdict(), "a value nobody wrote");
    CheckResult failed = durability(new Hist().write(1, 0, 1).writeFail(2, 2, 3), 2L);
    assertEquals(Verdict.FAIL, failed.verdict());
    assertTrue(failed.details().get(0).contains("definitely failed write"), failed.details().toString());
  }

  @Test
  void durabilityCountsCasAsWritesButNotRejectedOnes() {
    Hist h = new Hist().write(1, 0, 1).cas(1L, 2, 2, 3).casRejected(1L, 5, 4, 5);
    assertEquals(Verdict.PASS, durability(h, 2L).verdict());
    assertEquals(Verdict.FAIL, durability(h, 5L).verdict());
  }

  @Test
  void durabilityIsUnknownWithoutAFinalRead() {
    assertEquals(Verdict.UNKNOWN, new DurabilityChecker().check(new Hist().write(1, 0, 1).history(), Map.of()).verdict());
  }

  private static Op readAll(long at, Map<String, Long> balances) {
    return new Op(at, 0, OpType.READ_ALL, null, null, null, balances, at * MS, at * MS + MS, OpStatus.OK, null);
  }

  @Test
  void bankInvariantHoldsOrNames() {
    BankChecker bank = new BankChecker(2, 200);
    Op good = readAll(1, Map.of("a", 150L, "b", 50L));
    assertEquals(Verdict.PASS, bank.check(History.of(List.of(good))).verdict());
    Op torn = readAll(2, Map.of("a", 145L, "b", 50L));
    CheckResult r = bank.check(History.of(List.of(good, torn)));
    assertEquals(Verdict.FAIL, r.verdict());
    assertTrue(r.details().get(0).startsWith("2 accounts, total 195"), r.details().toString());
    assertEquals(Verdict.FAIL, bank.check(History.of(List.of(readAll(3, Map.of("a", 200L))))).verdict(), "missing account");
    assertEquals(Verdict.FAIL, bank.check(History.of(List.of(readAll(3, Map.of("a", 201L, "b", -1L))))).verdict(), "overdraft");
    assertEquals(Verdict.UNKNOWN, bank.check(History.of(List.of())).verdict());
  }

  @Test
  void recoveryIsTimeFromFaultToFirstWriteInvokedAfterIt() {
    List<Op> ops = new Hist()
        .write(1, 0, 1)
        .write(2, 9, 1500)      // invoked before the fault: does not count
        .writeInfo(3, 20, 30)
        .write(4, 100, 700)     // first write invoked after the fault, done at 700 ms
        .write(5, 2000, 2001)   // after the second fault
        .ops();
    List<FaultWindow> faults = List.of(new FaultWindow("kill9-leader n1", 10 * MS, 600 * MS),
        new FaultWindow("pause-leader n2", 1900 * MS, 1950 * MS), new FaultWindow("all-crash", 3000 * MS, 3500 * MS));
    RecoveryChecker.Result r = new RecoveryChecker(Duration.ofSeconds(1)).check(new History(0, ops, faults));
    assertEquals(Duration.ofMillis(690), r.faults().get(0).recovery());
    assertEquals(Duration.ofMillis(101), r.faults().get(1).recovery());
    assertNull(r.faults().get(2).recovery(), "nothing written after the last fault");
    assertEquals(Duration.ofMillis(690), r.worst());
    assertEquals(Verdict.FAIL, r.check().verdict());
    assertTrue(r.check().details().get(0).startsWith("all-crash at +3.000s: no write succeeded"), r.check().details().toString());
    RecoveryChecker.Result tight = new RecoveryChecker(Duration.ofMillis(500)).check(new History(0, ops, faults.subList(0, 2)));
    assertEquals(Verdict.FAIL, tight.check().verdict(), "690 ms is over a 500 ms bound");
    assertEquals(Verdict.PASS, new RecoveryChecker(Duration.ofSeconds(1)).check(new History(0, ops, faults.subList(0, 2))).check().verdict());
  }

  @Test
  void convergenceNeedsIdenticalDigestsAtTheSameIndex() {
    ConvergenceChecker c = new ConvergenceChecker();
    NodeDigest a = new NodeDigest("n1", 10, 3, new byte[] {1, 2}, null);
    NodeDigest b = new NodeDigest("n2", 10, 3, new byte[] {1, 2}, null);
    assertEquals(Verdict.PASS, c.check(List.of(a, b)).verdict());
    CheckResult differ = c.check(List.of(a, new NodeDigest("n3", 10, 3, new byte[] {1, 3}, null)));
    assertEquals(Verdict.FAIL, differ.verdict());
    assertTrue(differ.summary().contains("[n3]"), differ.summary());
    assertEquals(Verdict.FAIL, c.check(List.of(a, new NodeDigest("n2", 9, 3, new byte[] {1, 2}, null))).verdict());
    assertEquals(Verdict.FAIL, c.check(List.of(a, NodeDigest.unreachable("n2", "UNAVAILABLE"))).verdict());
  }

  @Test
  void verdictsCombine() {
    assertEquals(Verdict.FAIL, Verdict.UNKNOWN.and(Verdict.FAIL));
    assertEquals(Verdict.UNKNOWN, Verdict.PASS.and(Verdict.UNKNOWN));
    assertEquals(Verdict.PASS, Verdict.PASS.and(Verdict.PASS));
  }
}
