package io.quorumkv.chaos.nemesis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/** A cluster that only records the actions applied to it; the leader is whatever the test says. */
class FakeCluster implements ClusterControl {
  final List<String> actions = Collections.synchronizedList(new ArrayList<>());
  volatile int leader = 0;
  Set<FaultType> supported = EnumSet.allOf(FaultType.class);

  @Override
  public int size() {
    return 3;
  }

  @Override
  public OptionalInt leader() {
    return leader < 0 ? OptionalInt.empty() : OptionalInt.of(leader);
  }

  @Override
  public Set<FaultType> supported() {
    return supported;
  }

  @Override
  public void kill9(int node) {
    actions.add("kill9 " + node);
  }

  @Override
  public void stop(int node) {
    actions.add("stop " + node);
  }

  @Override
  public void start(int node) {
    actions.add("start " + node);
  }

  @Override
  public void pause(int node) {
    actions.add("pause " + node);
  }

  @Override
  public void resume(int node) {
    actions.add("resume " + node);
  }

  @Override
  public void wipe(int node) {
    actions.add("wipe " + node);
  }

  @Override
  public void isolate(int node) {
    actions.add("isolate " + node);
  }

  @Override
  public void heal() {
    actions.add("heal");
  }
}
