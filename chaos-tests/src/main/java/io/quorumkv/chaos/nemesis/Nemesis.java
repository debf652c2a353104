package io.quorumkv.chaos.nemesis;

import io.quorumkv.chaos.history.HistoryRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;

/**
 * Plays a {@link NemesisSchedule} against a {@link ClusterControl} on its own thread, with
 * times relative to {@link #start()}, and records each fault's window in the history.
 *
 * <p>Leader and follower targets are resolved when the fault starts. A fault type the cluster
 * does not support, or an action that throws, is logged and skipped (the run goes on: a
 * broken nemesis must not hide the history). {@link #close()} heals a fault still in force, so
 * a run always ends with every node running and every link up.
 */
public final class Nemesis implements AutoCloseable {
  private final ClusterControl cluster;
  private final NemesisSchedule schedule;
  private final HistoryRecorder recorder;
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private final Object healLock = new Object();
  private final Object sleepLock = new Object();
  private volatile boolean stopping;
  private Thread thread;
  private Active active;

  private record Active(HistoryRecorder.Fault window, Healer heal) {}

  @FunctionalInterface
  private interface Healer {
    void run() throws Exception;
  }

  public Nemesis(ClusterControl cluster, NemesisSchedule schedule, HistoryRecorder recorder) {
    this.cluster = cluster;
    this.schedule = schedule;
    this.recorder = recorder;
  }

  /** Starts playing the schedule now. */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("already started");
    }
    long t0 = System.nanoTime();
    thread = new Thread(() -> play(t0), "chaos-nemesis");
    thread.setDaemon(true);
    thread.start();
  }

  /** Waits until every fault has been injected and healed, up to {@code timeout}. */
  public boolean await(Duration timeout) throws InterruptedException {
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t == null) {
      return true;
    }
    t.join(Math.max(1, timeout.toMillis()));
    return !t.isAlive();
  }

  /** What was done, one line per action, in order (thread-safe copy). */
  public List<String> log() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  private void play(long t0) {
    try {
      for (Fault f : schedule.faults()) {
        if (!sleepUntil(t0, f.start())) {
          return;
        }
        inject(f);
        sleepUntil(t0, f.end());
        healActive();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits for the time, or until {@link #close()}; false if closing. Cluster actions are never
   * interrupted: a restart cut short leaves a node down and the run's final checks wrong.
   */
  private boolean sleepUntil(long t0, Duration at) throws InterruptedException {
    synchronized (sleepLock) {
      while (!stopping) {
        long waitNanos = t0 + at.toNanos() - System.nanoTime();
        if (waitNanos <= 0) {
          return true;
        }
        sleepLock.wait(Math.max(1, waitNanos / 1_000_000));
      }
      return false;
    }
  }

  private void inject(Fault f) {
    if (!cluster.supported().contains(f.type())) {
      log.add(f.describe() + ": skipped (not supported by this cluster)");
      return;
    }
    if (f.type() == FaultType.WIPE_FOLLOWER && !cluster.allCaughtUp()) {
      log.add(f.describe() + ": skipped (a node has not caught up yet: one lost disk at a time)");
      return;
    }
    try {
      synchronized (healLock) {
        active = apply(f);
      }
    } catch (Exception e) {
      log.add(f.describe() + ": failed: " + e);
    }
  }

  private Active apply(Fault f) throws Exception {
    int size = cluster.size();
    return switch (f.type()) {
      case KILL9_LEADER -> {
        int n = leaderOr(f.target() % size);
        HistoryRecorder.Fault w = begin(f, n);
        cluster.kill9(n);
        yield new Active(w, () -> cluster.start(n));
      }
      case KILL9_FOLLOWER -> {
        int n = follower(f.target());
        HistoryRecorder.Fault w = begin(f, n);
        cluster.kill9(n);
        yield new Active(w, () -> cluster.start(n));
      }
      case PAUSE_LEADER -> {
        int n = leaderOr(f.target() % size);
        HistoryRecorder.Fault w = begin(f, n);
        cluster.pause(n);
        yield new Active(w, () -> cluster.resume(n));
      }
      case RESTART -> {
        int n = f.target() % size;
        HistoryRecorder.Fault w = begin(f, n);
        cluster.stop(n);
        yield new Active(w, () -> cluster.start(n));
      }
      case ALL_CRASH -> {
        HistoryRecorder.Fault w = begin(f, -1);
        for (int i = 0; i < size; i++) {
          cluster.kill9(i);
        }
        yield new Active(w, () -> {
          for (int i = 0; i < size; i++) {
            cluster.start(i);
          }
        });
      }
      case WIPE_FOLLOWER -> {
        int n = follower(f.target());
        HistoryRecorder.Fault w = begin(f, n);
        cluster.kill9(n);
        cluster.wipe(n);
        yield new Active(w, () -> cluster.start(n));
      }
      case PARTITION -> {
        int n = f.target() % size;
        HistoryRecorder.Fault w = begin(f, n);
        cluster.isolate(n);
        yield new Active(w, cluster::heal);
      }
    };
  }

  private HistoryRecorder.Fault begin(Fault f, int node) {
    String what = f.type().label() + (node >= 0 ? " n" + (node + 1) : "");
    log.add(f.describe() + ": " + what);
    return recorder.faultStarted(what);
  }

  private int leaderOr(int fallback) {
    OptionalInt l = cluster.leader();
    if (l.isEmpty()) {
      log.add("no leader known; using n" + (fallback + 1));
    }
    return l.orElse(fallback);
  }

  /** The {@code ordinal}-th node that is not the leader (modulo their number). */
  private int follower(int ordinal) {
    OptionalInt l = cluster.leader();
    List<Integer> followers = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      if (l.isEmpty() || l.getAsInt() != i) {
        followers.add(i);
      }
    }
    return followers.get(ordinal % followers.size());
  }

  private void healActive() {
    synchronized (healLock) {
      if (active == null) {
        return;
      }
      try {
        active.heal().run();
        log.add("healed " + active.window().description());
      } catch (Exception e) {
        log.add("heal failed: " + e);
      } finally {
        active.window().healed();
        active = null;
      }
    }
  }

  /**
   * Skips the faults not yet started, lets an action in progress finish (up to a minute),
   * and heals the fault in force, if any.
   */
  @Override
  public void close() {
    stopping = true;
    synchronized (sleepLock) {
      sleepLock.notifyAll();
    }
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      try {
        t.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    healActive();
  }
}
