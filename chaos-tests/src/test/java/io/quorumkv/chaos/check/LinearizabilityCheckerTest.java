package io.quorumkv.chaos.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.chaos.check.LinearizabilityChecker.KeyVerdict;
import io.quorumkv.chaos.check.LinearizabilityChecker.Linearizable;
import io.quorumkv.chaos.check.LinearizabilityChecker.NotLinearizable;
import io.quorumkv.chaos.check.LinearizabilityChecker.Unknown;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-made register histories, each with the verdict a correct checker must give. */
class LinearizabilityCheckerTest {
  private final LinearizabilityChecker checker = new LinearizabilityChecker();

  private KeyVerdict check(Hist h) {
    return checker.checkKey("x", h.ops());
  }

  private void assertLinearizable(Hist h) {
    assertInstanceOf(Linearizable.class, check(h), () -> "expected linearizable: " + check(h));
  }

  private NotLinearizable assertNotLinearizable(Hist h) {
    return assertInstanceOf(NotLinearizable.class, check(h));
  }

  @Test
  void emptyAndSequentialHistoriesAreLinearizable() {
    assertLinearizable(new Hist());
    assertLinearizable(new Hist().read(null, 0, 1));
    assertLinearizable(new Hist().write(1, 0, 1).read(1L, 2, 3).write(2, 4, 5).read(2L, 6, 7));
  }

  @Test
  void staleReadAfterAcknowledgedWriteIsCaughtWithAMinimalWindow() {
    Hist h = new Hist().write(1, 0, 1).write(2, 2, 3).read(1L, 4, 5);
    NotLinearizable n = assertNotLinearizable(h);
    assertEquals(h.op(2), n.culprit());
    assertFalse(n.fromStart());
    assertEquals(List.of(h.op(1), h.op(2)), n.window(), "write 2 then read 1 is the whole story");
  }

  @Test
  void lostWriteIsCaught() {
    // an acknowledged write, then a read that does not see it
    Hist h = new Hist().write(1, 0, 1).read(null, 2, 3);
    NotLinearizable n = assertNotLinearizable(h);
    assertEquals(h.op(1), n.culprit());
    assertEquals(List.of(h.op(0), h.op(1)), n.window());
  }

  @Test
  void readOfAValueNobodyWroteIsCaught() {
    NotLinearizable n = assertNotLinearizable(new Hist().write(1, 0, 1).read(7L, 2, 3));
    assertEquals(7L, n.culprit().value());
  }

  @Test
  void readOfAValueNobodyWroteFromTheStartNeedsTheInitialState() {
    // from any initial value a lone read of 7 is fine; only "initially absent" rules it out
    NotLinearizable n = assertNotLinearizable(new Hist().read(7L, 0, 1));
    assertTrue(n.fromStart());
  }

  @Test
  void definitelyFailedWriteThatTookEffectIsCaught() {
    assertNotLinearizable(new Hist().write(1, 0, 1).writeFail(2, 2, 3).read(2L, 4, 5));
  }

  @Test
  void casSucceedingTwiceFromTheSameValueIsCaught() {
    assertNotLinearizable(new Hist().write(1, 0, 1).cas(1L, 2, 2, 3).cas(1L, 3, 4, 5));
    // concurrent, too: whichever wins, the other must see 2 or 3, not 1
    assertNotLinearizable(new Hist().write(1, 0, 1).cas(1L, 2, 2, 5).cas(1L, 3, 3, 6));
  }

  @Test
  void concurrentCasesWhereOneWinsAreFine() {
    assertLinearizable(new Hist().write(1, 0, 1).cas(1L, 2, 2, 5).casRejected(1L, 3, 3, 6).read(2L, 7, 8));
  }

  @Test
  void casRejectedByItsCheckIsAnObservation() {
    // the value was certainly 1 while the CAS ran, so rejecting "expected 1" is a bug
    assertNotLinearizable(new Hist().write(1, 0, 1).casRejected(1L, 5, 2, 3));
    // with a concurrent write of 2 the rejection is explained
    assertLinearizable(new Hist().write(1, 0, 1).write(2, 1.5, 4).casRejected(1L, 5, 2, 3));
  }

  @Test
  void casOnAbsentKey() {
    assertLinearizable(new Hist().cas(null, 1, 0, 1).read(1L, 2, 3));
    assertNotLinearizable(new Hist().write(9, 0, 1).cas(null, 1, 2, 3));
  }

  @Test
  void overlappingOperationsMayTakeEffectInEitherOrder() {
    assertLinearizable(new Hist().write(1, 0, 10).read(1L, 2, 3));
    assertLinearizable(new Hist().write(1, 0, 10).read(null, 2, 3).read(1L, 4, 5));
    assertLinearizable(new Hist().write(1, 0, 10).write(2, 1, 9).read(2L, 11, 12));
    assertLinearizable(new Hist().write(1, 0, 10).write(2, 1, 9).read(1L, 11, 12));
    // but once both are done the order is fixed
    assertNotLinearizable(new Hist().write(1, 0, 10).write(2, 1, 9).read(1L, 11, 12).read(2L, 13, 14));
  }

  @Test
  void readsCannotFlipFlopBetweenConcurrentWrites() {
    assertNotLinearizable(new Hist().write(1, 0, 20).write(2, 0, 20).read(1L, 1, 2).read(2L, 3, 4).read(1L, 5, 6));
  }

  @Test
  void equalTimestampsCountAsConcurrent() {
    assertLinearizable(new Hist().write(1, 0, 5).read(null, 5, 6));
    assertNotLinearizable(new Hist().write(1, 0, 5).read(null, 5.001, 6));
  }

  @Test
  void indeterminateWriteMayAppearLater() {
    assertLinearizable(new Hist().write(1, 0, 1).writeInfo(5, 2, 3).read(1L, 4, 5).read(5L, 100, 101));
  }

  @Test
  void indeterminateWriteMayNeverAppear() {
    assertLinearizable(new Hist().write(1, 0, 1).writeInfo(5, 2, 3).read(1L, 10, 11).read(1L, 100, 101));
  }

  @Test
  void indeterminateWriteCannotAppearThenVanish() {
    assertNotLinearizable(new Hist().write(1, 0, 1).writeInfo(5, 2, 3).read(5L, 4, 5).read(1L, 6, 7));
  }

  @Test
  void indeterminateWriteCannotTakeEffectBeforeItsInvocation() {
    assertNotLinearizable(new Hist().read(5L, 0, 1).writeInfo(5, 2, 3));
  }

  @Test
  void indeterminateCasTakesEffectOnlyIfItsCheckHolds() {
    assertLinearizable(new Hist().write(1, 0, 1).casInfo(1L, 2, 2, 3).read(2L, 4, 5));
    assertNotLinearizable(new Hist().write(1, 0, 1).write(3, 1.5, 1.8).casInfo(1L, 2, 2, 3).read(2L, 4, 5));
  }

  @Test
  void failedAndIndeterminateReadsConstrainNothing() {
    assertLinearizable(new Hist().write(1, 0, 1).readInfo(2, 3).read(1L, 4, 5));
  }

  @Test
  void historyChecksEachKeyOnItsOwn() {
    Hist h = new Hist().key("a").write(1, 0, 1).read(1L, 2, 3)
        .key("b").write(1, 0, 1).write(2, 2, 3).read(1L, 4, 5);
    LinearizabilityChecker.Result r = checker.check(h.history());
    assertEquals(Verdict.FAIL, r.verdict());
    assertInstanceOf(Linearizable.class, r.keys().get(0));
    NotLinearizable n = assertInstanceOf(NotLinearizable.class, r.keys().get(1));
    assertEquals("b", n.key());
    CheckResult c = r.toCheckResult(0);
    assertTrue(c.details().get(0).startsWith("key b: not linearizable; culprit: p4 b read 1 ok"), c.details().get(0));
  }

  @Test
  void exhaustedBudgetIsUnknownNotPass() {
    LinearizabilityChecker tiny = new LinearizabilityChecker(new LinearizabilityChecker.Options(1, Duration.ofSeconds(5), 10));
    KeyVerdict v = tiny.checkKey("x", new Hist().write(1, 0, 10).write(2, 0, 10).read(2L, 11, 12).ops());
    assertInstanceOf(Unknown.class, v);
    assertEquals(Verdict.UNKNOWN, new LinearizabilityChecker.Result(List.of(v)).verdict());
  }

  @Test
  void reservedValuesAreRejected() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> check(new Hist().write(Long.MIN_VALUE, 0, 1)));
  }
}
