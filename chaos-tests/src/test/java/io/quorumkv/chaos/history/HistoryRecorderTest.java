package io.quorumkv.chaos.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HistoryRecorderTest {

  @Test
  void recordsInvocationAndCompletionTimesAndOutcomes() {
    AtomicLong clock = new AtomicLong(1000);
    HistoryRecorder rec = new HistoryRecorder(clock::get);
    HistoryRecorder.Pending w = rec.invokeWrite(0, "x", 5);
    clock.set(1010);
    HistoryRecorder.Pending r = rec.invokeRead(1, "x");
    clock.set(1020);
    w.ok();
    clock.set(1030);
    r.okRead(5L);
    HistoryRecorder.Pending c = rec.invokeCas(2, "x", 5L, 6);
    clock.set(1040);
    c.fail(Op.CHECK_FAILED);
    HistoryRecorder.Pending lost = rec.invokeWrite(3, "x", 7);
    clock.set(1050);
    lost.info("timeout");
    HistoryRecorder.Pending hanging = rec.invokeRead(4, "x");
    HistoryRecorder.Fault f = rec.faultStarted("kill9-leader n1");
    clock.set(1100);
    f.healed();
    f.healed();

    History h = rec.history();
    assertEquals(1000, h.originNanos());
    List<Op> ops = h.ops();
    assertEquals(5, ops.size());
    assertEquals(new Op(0, 0, OpType.WRITE, "x", null, 5L, null, 1000, 1020, OpStatus.OK, null), ops.get(0));
    assertEquals(new Op(1, 1, OpType.READ, "x", null, 5L, null, 1010, 1030, OpStatus.OK, null), ops.get(1));
    assertTrue(ops.get(2).casRejected());
    assertEquals(Op.NEVER, ops.get(3).effectiveCompleteNanos(), "indeterminate: pending forever for checkers");
    assertEquals(1050, ops.get(3).completeNanos(), "but the chart knows when the client gave up");
    assertEquals(OpStatus.INFO, ops.get(4).status(), "never completed");
    assertEquals(List.of(new FaultWindow("kill9-leader n1", 1050, 1100)), h.faults());
    assertEquals(1100, h.endNanos());
    assertEquals(3L, h.countByStatus().get(OpStatus.OK) + h.countByStatus().get(OpStatus.FAIL));
    assertThrows(IllegalStateException.class, w::ok, "completed twice");
    assertTrue(hanging != null);
  }

  @Test
  void isThreadSafe() throws Exception {
    HistoryRecorder rec = new HistoryRecorder();
    Thread[] ts = new Thread[8];
    for (int i = 0; i < ts.length; i++) {
      int p = i;
      ts[i] = new Thread(() -> {
        for (int j = 0; j < 10_000; j++) {
          rec.invokeWrite(p, "k" + (j % 3), j).ok();
        }
      });
      ts[i].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    History h = rec.history();
    assertEquals(80_000, h.ops().size());
    assertEquals(80_000, h.ops().stream().mapToLong(Op::id).distinct().count());
    assertEquals(3, h.byKey(OpType.WRITE).size());
  }

  @Test
  void awaitsRecoveryUntilAWriteInvokedAfterTheLatestFaultIsAcknowledged() {
    AtomicLong clock = new AtomicLong(0);
    HistoryRecorder rec = new HistoryRecorder(clock::get);
    assertTrue(!rec.awaitingRecovery(), "no fault yet");
    HistoryRecorder.Pending before = rec.invokeWrite(0, "x", 1);
    clock.set(10);
    rec.faultStarted("kill9-leader n1");
    assertTrue(rec.awaitingRecovery());
    clock.set(20);
    before.ok(); // invoked before the fault: does not count
    assertTrue(rec.awaitingRecovery());
    HistoryRecorder.Pending read = rec.invokeRead(1, "x");
    read.okRead(1L); // reads do not count
    HistoryRecorder.Pending failed = rec.invokeWrite(2, "x", 2);
    failed.info("timeout"); // nor do indeterminate writes
    assertTrue(rec.awaitingRecovery());
    HistoryRecorder.Pending cas = rec.invokeCas(3, "x", 1L, 3);
    clock.set(30);
    cas.ok();
    assertTrue(!rec.awaitingRecovery());
    rec.faultStarted("pause-leader n2");
    assertTrue(rec.awaitingRecovery(), "a later fault needs its own write");
  }
}
