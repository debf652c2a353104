package io.quorumkv.gateway;

import com.deno.kv.datapath.WatchKeyOutput;
import com.deno.kv.datapath.WatchOutput;
import io.quorumkv.proto.KvException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link WatchStream} whose buffer holds at most one output: a producer (a node RPC stream, a
 * test fake) {@link #offer}s outputs as commits happen, the HTTP handler takes them with
 * {@link #next}. An offer that arrives while an earlier output is still pending is merged into
 * it key by key (a key the newer output reports {@code changed=true} takes the newer entry; an
 * unchanged one keeps the pending entry), so memory stays bounded however slow the consumer is
 * and nothing the consumer has not seen is lost.
 *
 * <p>Thread-safety: all methods may be called from any thread. A lock rather than
 * {@code synchronized} keeps virtual threads unpinned while they wait.
 */
public final class CollapsingWatchStream implements WatchStream {
  private final int keyCount;
  private final Runnable onClose;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private WatchOutput pending;
  private KvException failure;
  private boolean closed;

  /**
   * @param keyCount the number of watched keys; every offered output must have exactly this many
   * @param onClose run once by the first {@link #close} (e.g. cancel the upstream subscription)
   */
  public CollapsingWatchStream(int keyCount, Runnable onClose) {
    if (keyCount < 0) {
      throw new IllegalArgumentException("negative key count " + keyCount);
    }
    this.keyCount = keyCount;
    this.onClose = Objects.requireNonNull(onClose, "onClose");
  }

  /**
   * Makes {@code output} available to the consumer, merging it into a pending one.
   *
   * @return false if the stream is closed or failed (the producer should stop)
   * @throws IllegalArgumentException if the output does not have one entry per watched key
   */
  public boolean offer(WatchOutput output) {
    if (output.getKeysCount() != keyCount) {
      throw new IllegalArgumentException(
          "watch output has " + output.getKeysCount() + " keys, expected " + keyCount);
    }
    lock.lock();
    try {
      if (closed || failure != null) {
        return false;
      }
      pending = pending == null ? output : merge(pending, output);
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Ends the stream with {@code error}: the consumer receives it from {@link #next} once any
   * pending output has been taken. Later calls are ignored.
   */
  public void fail(KvException error) {
    Objects.requireNonNull(error, "error");
    lock.lock();
    try {
      if (failure == null && !closed) {
        failure = error;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<WatchOutput> next(long timeoutMs) throws InterruptedException {
    long remainingNs = TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMs));
    lock.lock();
    try {
      while (pending == null && failure == null && !closed && remainingNs > 0) {
        remainingNs = changed.awaitNanos(remainingNs);
      }
      if (closed) {
        return Optional.empty();
      }
      if (pending != null) {
        WatchOutput out = pending;
        pending = null;
        return Optional.of(out);
      }
      if (failure != null) {
        throw failure;
      }
      return Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      pending = null;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    onClose.run();
  }

  private static WatchOutput merge(WatchOutput older, WatchOutput newer) {
    WatchOutput.Builder merged = newer.toBuilder().clearKeys();
    for (int i = 0; i < newer.getKeysCount(); i++) {
      WatchKeyOutput n = newer.getKeys(i);
      merged.addKeys(n.getChanged() ? n : older.getKeys(i));
    }
    return merged.build();
  }
}
