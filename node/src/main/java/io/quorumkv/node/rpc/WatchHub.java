package io.quorumkv.node.rpc;

import io.quorumkv.node.raft.KvStateMachine;
import io.quorumkv.node.storage.ByteKey;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Fans applied entries out to watch subscriptions. Each subscription is told "something you
 * watch changed" and re-reads the full state of its keys itself, so any number of commits
 * between two reads collapse into one message (as the reference does, KV-CONNECT.md §7).
 *
 * <p>Thread-safety: {@link #onApplied} is called by the apply thread; subscriptions are added
 * and removed from RPC threads.
 */
public final class WatchHub implements KvStateMachine.ApplyListener {
  /** Most concurrent watch subscriptions per node; more are refused as overloaded. */
  public static final int MAX_SUBSCRIPTIONS = 10_000;

  private final Set<Subscription> subscriptions = new CopyOnWriteArraySet<>();

  /** A registered watch: keys and a wake-up flag. */
  public static final class Subscription {
    private final Set<ByteKey> keys;
    private final List<byte[]> keyList;
    private boolean dirty = true;
    private boolean closed;

    Subscription(List<byte[]> keyList) {
      this.keyList = List.copyOf(keyList);
      this.keys = Set.copyOf(keyList.stream().map(ByteKey::new).toList());
    }

    /** The watched keys in request order. */
    public List<byte[]> keys() {
      return keyList;
    }

    synchronized void markDirty() {
      dirty = true;
      notifyAll();
    }

    /** Marks the subscription closed and wakes its sender. */
    public synchronized void close() {
      closed = true;
      notifyAll();
    }

    /**
     * Waits until a watched key changed (or {@code timeoutMs} passed) and clears the flag.
     *
     * @return true if a change is pending, false on timeout or close
     */
    public synchronized boolean awaitChange(long timeoutMs) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (!dirty && !closed) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          return false;
        }
        wait(left);
      }
      if (closed) {
        return false;
      }
      dirty = false;
      return true;
    }

    public synchronized boolean isClosed() {
      return closed;
    }
  }

  /** Registers a watch; the first {@link Subscription#awaitChange} returns at once. */
  public Subscription subscribe(List<byte[]> keys) {
    if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
      throw new IllegalStateException("too many watch streams on this node");
    }
    Subscription s = new Subscription(keys);
    subscriptions.add(s);
    return s;
  }

  /** Removes a watch. */
  public void unsubscribe(Subscription s) {
    s.close();
    subscriptions.remove(s);
  }

  /** Open subscriptions. */
  public int size() {
    return subscriptions.size();
  }

  @Override
  public void onApplied(long appliedIndex, Set<ByteKey> touched, boolean all) {
    if (!all && touched.isEmpty()) {
      return;
    }
    for (Subscription s : subscriptions) {
      if (all || intersects(s.keys, touched)) {
        s.markDirty();
      }
    }
  }

  private static boolean intersects(Set<ByteKey> watched, Set<ByteKey> touched) {
    Set<ByteKey> small = watched.size() <= touched.size() ? watched : touched;
    Set<ByteKey> big = small == watched ? touched : watched;
    for (ByteKey k : small) {
      if (big.contains(k)) {
        return true;
      }
    }
    return false;
  }
}
