package io.quorumkv.gateway;

import com.deno.kv.datapath.WatchOutput;
import io.quorumkv.proto.KvException;
import java.util.Optional;

/**
 * One live watch, as returned by {@link KvDatabase#watch}: a bounded source of
 * {@link WatchOutput} messages that the HTTP handler pulls one at a time, waiting at most a given
 * time so that it can interleave keep-alive frames.
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>The first output has one entry per watched key, in request order, each
 *       {@code changed=true} with {@code entry_if_changed} present if and only if the key exists.
 *   <li>Buffering is bounded and collapsing: at most one output is pending. When a newer state
 *       arrives before the pending one was taken, they merge into one output that reflects the
 *       newest state of every key (a watcher only needs the latest state, KV-CONNECT.md §7 item 5).
 *       {@link CollapsingWatchStream} implements exactly this.
 *   <li>Every output has {@code status=SR_SUCCESS}; an implementation never emits
 *       {@code SR_READ_DISABLED} (fatal to Deno callers), it ends the stream instead.
 * </ul>
 *
 * <p>Thread-safety: {@link #next} is called by one thread at a time (the handler); {@link #close}
 * may be called from any thread, also while another thread is blocked in {@code next}, and is
 * idempotent.
 */
public interface WatchStream extends AutoCloseable {

  /**
   * Takes the next output, waiting at most {@code timeoutMs} milliseconds.
   *
   * @return the next output, or empty if none arrived in time or {@link #close} was called
   * @throws KvException if the watch has ended from the database's side (failure, lost node,
   *     database closed) and will produce nothing more; the handler ends the HTTP body and
   *     clients reconnect. A stream the database ends must throw, never keep returning empty.
   * @throws InterruptedException if the waiting thread was interrupted
   */
  Optional<WatchOutput> next(long timeoutMs) throws InterruptedException;

  /** Stops the watch and releases what it holds. Idempotent, never throws. */
  @Override
  void close();
}
