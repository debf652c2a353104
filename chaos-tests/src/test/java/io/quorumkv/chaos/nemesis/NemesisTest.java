package io.quorumkv.chaos.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.chaos.history.FaultWindow;
import io.quorumkv.chaos.history.HistoryRecorder;
import io.quorumkv.chaos.history.Op;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class NemesisTest {
  private static Fault at(FaultType t, int target, int startMs) {
    return new Fault(t, target, Duration.ofMillis(startMs), Duration.ofMillis(30));
  }

  @Test
  void appliesEveryFaultTypeAndHealsIt() throws Exception {
    FakeCluster c = new FakeCluster();
    c.leader = 1;
    NemesisSchedule s = new NemesisSchedule(1, List.of(
        at(FaultType.KILL9_LEADER, 0, 0), at(FaultType.KILL9_FOLLOWER, 1, 50), at(FaultType.PAUSE_LEADER, 0, 100),
        at(FaultType.RESTART, 2, 150), at(FaultType.ALL_CRASH, 0, 200), at(FaultType.WIPE_FOLLOWER, 0, 250),
        at(FaultType.PARTITION, 0, 300)));
    HistoryRecorder rec = new HistoryRecorder();
    try (Nemesis n = new Nemesis(c, s, rec)) {
      n.start();
      assertTrue(n.await(Duration.ofSeconds(10)));
    }
    assertEquals(List.of(
        "kill9 1", "start 1",
        "kill9 2", "start 2",               // followers of leader 1 are [0, 2]; ordinal 1 -> 2
        "pause 1", "resume 1",
        "stop 2", "start 2",
        "kill9 0", "kill9 1", "kill9 2", "start 0", "start 1", "start 2",
        "kill9 0", "wipe 0", "start 0",
        "isolate 0", "heal"), c.actions);
    List<FaultWindow> windows = rec.history().faults();
    assertEquals(7, windows.size());
    assertEquals("kill9-leader n2", windows.get(0).description());
    for (FaultWindow w : windows) {
      assertTrue(w.endNanos() != Op.NEVER && w.endNanos() > w.startNanos(), w.toString());
    }
  }

  @Test
  void wipesAFollowerOnlyWhenEveryNodeHasCaughtUp() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean caughtUp = new java.util.concurrent.atomic.AtomicBoolean(false);
    FakeCluster c = new FakeCluster() {
      @Override
      public boolean allCaughtUp() {
        return caughtUp.get();
      }
    };
    c.leader = 0;
    NemesisSchedule s = new NemesisSchedule(1, List.of(at(FaultType.WIPE_FOLLOWER, 0, 0), at(FaultType.KILL9_LEADER, 0, 60)));
    HistoryRecorder rec = new HistoryRecorder();
    try (Nemesis n = new Nemesis(c, s, rec)) {
      n.start();
      assertTrue(n.await(Duration.ofSeconds(10)));
      assertTrue(n.log().get(0).contains("skipped (a node has not caught up yet"), n.log().toString());
    }
    assertEquals(List.of("kill9 0", "start 0"), c.actions, "the wipe was skipped, the kill was not");

    caughtUp.set(true);
    c.actions.clear();
    try (Nemesis n = new Nemesis(c, new NemesisSchedule(1, List.of(at(FaultType.WIPE_FOLLOWER, 0, 0))), new HistoryRecorder())) {
      n.start();
      assertTrue(n.await(Duration.ofSeconds(10)));
    }
    assertEquals(List.of("kill9 1", "wipe 1", "start 1"), c.actions);
  }

  @Test
  void skipsUnsupportedFaultsAndSurvivesFailingActions() throws Exception {
    FakeCluster c = new FakeCluster() {
      @Override
      public void pause(int node) {
        throw new IllegalStateException("no such process");
      }
    };
    c.supported = EnumSet.of(FaultType.KILL9_LEADER, FaultType.PAUSE_LEADER);
    NemesisSchedule s = new NemesisSchedule(1, List.of(at(FaultType.PARTITION, 0, 0), at(FaultType.PAUSE_LEADER, 0, 40),
        at(FaultType.KILL9_LEADER, 0, 80)));
    HistoryRecorder rec = new HistoryRecorder();
    try (Nemesis n = new Nemesis(c, s, rec)) {
      n.start();
      assertTrue(n.await(Duration.ofSeconds(10)));
      assertTrue(n.log().get(0).endsWith("skipped (not supported by this cluster)"), n.log().toString());
      assertTrue(n.log().stream().anyMatch(l -> l.contains("no such process")), n.log().toString());
    }
    assertEquals(List.of("kill9 0", "start 0"), c.actions);
  }

  @Test
  void closeHealsTheFaultInForce() throws Exception {
    FakeCluster c = new FakeCluster();
    c.leader = -1; // no leader known: falls back to the target
    NemesisSchedule s = new NemesisSchedule(1, List.of(new Fault(FaultType.KILL9_LEADER, 2, Duration.ZERO, Duration.ofHours(1))));
    HistoryRecorder rec = new HistoryRecorder();
    Nemesis n = new Nemesis(c, s, rec);
    n.start();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (c.actions.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    n.close();
    assertEquals(List.of("kill9 2", "start 2"), c.actions);
    assertTrue(rec.history().faults().get(0).endNanos() != Op.NEVER);
  }

  @Test
  void closeLetsAHealInProgressFinish() throws Exception {
    FakeCluster c = new FakeCluster() {
      @Override
      public void start(int node) {
        try {
          Thread.sleep(500); // a slow restart
          actions.add("start " + node);
        } catch (InterruptedException e) {
          actions.add("interrupted");
        }
      }
    };
    NemesisSchedule s = new NemesisSchedule(1, List.of(new Fault(FaultType.KILL9_LEADER, 0, Duration.ZERO, Duration.ofMillis(50)),
        new Fault(FaultType.KILL9_LEADER, 0, Duration.ofSeconds(30), Duration.ofMillis(50))));
    HistoryRecorder rec = new HistoryRecorder();
    Nemesis n = new Nemesis(c, s, rec);
    n.start();
    Thread.sleep(200); // the heal (start) is in progress
    long t0 = System.nanoTime();
    n.close();
    assertEquals(List.of("kill9 0", "start 0"), c.actions, "healed, not interrupted, and the second fault skipped");
    assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
  }
}
