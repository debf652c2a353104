package io.quorumkv.chaos.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.chaos.container.ComposeNodes.NodeContainer;
import io.quorumkv.chaos.history.HistoryRecorder;
import io.quorumkv.chaos.nemesis.Fault;
import io.quorumkv.chaos.nemesis.FaultType;
import io.quorumkv.chaos.nemesis.Nemesis;
import io.quorumkv.chaos.nemesis.NemesisSchedule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link DockerControl}'s fault → Docker mapping, against a fake engine that keeps each
 * container's state (running, paused, attached) and refuses what the real one would (start a
 * running container, wipe a running one), so that the nemesis' sequences are checked to be
 * executable and to leave every node running and attached.
 */
class DockerControlTest {
  private static final String NET = "quorumkv-chaos-abc_default";

  /** Containers c1..c3 for n1..n3, all running and attached. */
  static final class FakeDocker implements DockerOps {
    final List<String> ops = Collections.synchronizedList(new ArrayList<>());
    final Set<String> running = Collections.synchronizedSet(new HashSet<>(Set.of("c1", "c2", "c3")));
    final Set<String> paused = Collections.synchronizedSet(new HashSet<>());
    final Set<String> detached = Collections.synchronizedSet(new HashSet<>());
    volatile boolean failConnect;

    @Override
    public boolean running(String id) {
      return running.contains(id);
    }

    private void mustRun(String id, String op) {
      if (!running.contains(id)) {
        throw new IllegalStateException(op + " " + id + ": not running");
      }
    }

    @Override
    public void kill(String id) {
      mustRun(id, "kill");
      ops.add("kill " + id);
      running.remove(id);
    }

    @Override
    public void stop(String id, Duration grace) {
      ops.add("stop " + id + " " + grace.toSeconds() + "s");
      running.remove(id);
    }

    @Override
    public void start(String id) {
      if (running.contains(id)) {
        throw new IllegalStateException("start " + id + ": already running");
      }
      ops.add("start " + id);
      running.add(id);
    }

    @Override
    public void pause(String id) {
      mustRun(id, "pause");
      ops.add("pause " + id);
      paused.add(id);
    }

    @Override
    public void unpause(String id) {
      if (!paused.remove(id)) {
        throw new IllegalStateException("unpause " + id + ": not paused");
      }
      ops.add("unpause " + id);
    }

    @Override
    public void disconnect(String id, String network) {
      ops.add("disconnect " + id + " " + network);
      detached.add(id);
    }

    @Override
    public void connect(String id, String network, List<String> aliases) {
      if (failConnect) {
        throw new IllegalStateException("connect " + id + ": engine says no");
      }
      ops.add("connect " + id + " " + network + " " + aliases);
      detached.remove(id);
    }

    @Override
    public void emptyVolume(String id, String path) {
      if (running.contains(id)) {
        throw new IllegalStateException("volume of running " + id);
      }
      ops.add("empty " + id + " " + path);
    }
  }

  private static List<NodeContainer> nodes() {
    List<NodeContainer> out = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String s = ComposeNodes.service(i);
      out.add(ComposeNodes.describe(s, "c" + (i + 1), Map.of(NET, List.of(s, "deadbeef000" + i))));
    }
    return out;
  }

  private static DockerControl control(FakeDocker d, int leader) {
    return new DockerControl(d, nodes(), i -> i == leader);
  }

  @Test
  void eachFaultIsOneDockerCommandOnTheRightContainer() throws Exception {
    FakeDocker d = new FakeDocker();
    DockerControl c = control(d, 1);
    assertEquals(3, c.size());
    assertEquals(OptionalInt.of(1), c.leader());
    assertEquals(EnumSet.allOf(FaultType.class), c.supported());

    c.kill9(0);
    c.wipe(0);
    c.start(0);
    c.stop(2);
    c.start(2);
    c.pause(1);
    c.resume(1);
    c.isolate(2);
    c.heal();
    assertEquals(List.of("kill c1", "empty c1 /data", "start c1", "stop c3 30s", "start c3", "pause c2", "unpause c2",
        "disconnect c3 " + NET, "connect c3 " + NET + " [n3, deadbeef0002]"), d.ops);
  }

  @Test
  void refusesWhatWouldCorruptTheRun() throws Exception {
    FakeDocker d = new FakeDocker();
    DockerControl c = control(d, 0);
    assertThrows(IllegalStateException.class, () -> c.start(0), "start of a running node");
    assertThrows(IllegalStateException.class, () -> c.wipe(1), "wipe of a running node");
    c.kill9(1);
    c.kill9(1); // already down (all-crash after a node died): nothing to do
    assertEquals(List.of("kill c2"), d.ops);
    assertThrows(IllegalArgumentException.class, () -> new DockerControl(d, List.of(nodes().get(1)), i -> false));
  }

  @Test
  void isolationIsRememberedUntilAHealSucceeds() throws Exception {
    FakeDocker d = new FakeDocker();
    DockerControl c = control(d, -1);
    assertEquals(OptionalInt.empty(), c.leader());
    c.isolate(0);
    c.isolate(0);
    c.isolate(1);
    assertEquals(Set.of("c1", "c2"), d.detached);
    d.failConnect = true;
    assertThrows(IllegalStateException.class, c::heal);
    d.failConnect = false;
    c.heal();
    assertEquals(Set.of(), d.detached);
    c.heal(); // nothing isolated: no-op
    assertEquals(2, d.ops.stream().filter(o -> o.startsWith("disconnect")).count());
    assertEquals(2, d.ops.stream().filter(o -> o.startsWith("connect")).count());
  }

  /** Every fault type the schedule can draw, played by the real nemesis, ends with a whole cluster. */
  @Test
  void aNemesisRunOfEveryFaultTypeLeavesEveryNodeRunningAndAttached() throws Exception {
    FakeDocker d = new FakeDocker();
    DockerControl c = control(d, 2);
    List<Fault> faults = new ArrayList<>();
    int at = 0;
    for (FaultType t : FaultType.values()) {
      faults.add(new Fault(t, 1, Duration.ofMillis(at), Duration.ofMillis(20)));
      at += 40;
    }
    HistoryRecorder rec = new HistoryRecorder();
    try (Nemesis n = new Nemesis(c, new NemesisSchedule(7, faults), rec)) {
      n.start();
      assertTrue(n.await(Duration.ofSeconds(10)));
      assertTrue(n.log().stream().noneMatch(l -> l.contains("failed") || l.contains("skipped")), n.log().toString());
    }
    assertEquals(List.of(
        "kill c3", "start c3",                       // kill9-leader (n3)
        "kill c2", "start c2",                       // kill9-follower #1: followers [n1, n2]
        "pause c3", "unpause c3",                    // pause-leader
        "stop c2 30s", "start c2",                   // restart n2
        "kill c1", "kill c2", "kill c3", "start c1", "start c2", "start c3", // all-crash
        "kill c2", "empty c2 /data", "start c2",     // wipe-follower #1
        "disconnect c2 " + NET, "connect c2 " + NET + " [n2, deadbeef0001]"), d.ops); // partition n2
    assertEquals(Set.of("c1", "c2", "c3"), d.running);
    assertEquals(Set.of(), d.paused);
    assertEquals(Set.of(), d.detached);
    assertEquals(FaultType.values().length, rec.history().faults().size());
  }
}
