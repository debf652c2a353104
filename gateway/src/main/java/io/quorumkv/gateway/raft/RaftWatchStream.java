package io.quorumkv.gateway.raft;

import com.deno.kv.datapath.Watch;
import com.deno.kv.datapath.WatchOutput;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.quorumkv.proto.gen.NodeGrpc;
import io.quorumkv.proto.gen.WatchRequest;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One watch, fed by a node's Watch RPC stream. Only the newest message is kept (every message
 * is the full state of the watched keys), so a slow HTTP client makes messages collapse instead
 * of buffering. If the node's stream breaks, the watch reconnects to the next candidate node
 * (a bounded number of times); the first message of the new stream repeats the full state.
 * Thread-safe.
 */
public final class RaftWatchStream implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RaftWatchStream.class.getName());
  /** Reconnects in a row without a message before the watch gives up (the client reconnects). */
  static final int MAX_RECONNECTS = 10;
  static final long RECONNECT_DELAY_MS = 200;

  private final ClusterView view;
  private final Watch watch;
  private final Supplier<List<String>> candidates;
  private WatchOutput latest;
  private boolean ended;
  private boolean closed;
  private int failures;
  private ClientCallStreamObserver<WatchRequest> call;

  RaftWatchStream(ClusterView view, Watch watch, Supplier<List<String>> candidates) {
    this.view = view;
    this.watch = watch;
    this.candidates = candidates;
  }

  RaftWatchStream open() {
    connect();
    return this;
  }

  private void connect() {
    List<String> nodes = candidates.get();
    String target;
    synchronized (this) {
      if (closed) {
        return;
      }
      target = nodes.get(failures % nodes.size());
    }
    NodeGrpc.newStub(view.channel(target)).watch(WatchRequest.newBuilder().setWatch(watch).build(),
        new ClientResponseObserver<WatchRequest, WatchOutput>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
            synchronized (RaftWatchStream.this) {
              call = requestStream;
            }
          }

          @Override
          public void onNext(WatchOutput value) {
            synchronized (RaftWatchStream.this) {
              latest = value;
              failures = 0;
              RaftWatchStream.this.notifyAll();
            }
          }

          @Override
          public void onError(Throwable t) {
            streamEnded(t);
          }

          @Override
          public void onCompleted() {
            streamEnded(null);
          }
        });
  }

  private void streamEnded(Throwable t) {
    boolean retry;
    synchronized (this) {
      if (closed) {
        return;
      }
      failures++;
      retry = failures <= MAX_RECONNECTS;
      if (!retry) {
        ended = true;
        notifyAll();
      }
    }
    if (retry) {
      LOG.fine("watch stream ended (" + t + "); reconnecting");
      Thread.ofVirtual().start(() -> {
        try {
          Thread.sleep(RECONNECT_DELAY_MS);
          view.pollAll();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        connect();
      });
    }
  }

  /**
   * Waits up to {@code timeoutMs} for a message newer than the last one taken.
   *
   * @return the message, or null on timeout
   * @throws java.util.NoSuchElementException once the stream has ended for good
   */
  public synchronized WatchOutput next(long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (latest == null && !ended && !closed) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return null;
      }
      wait(left);
    }
    if (latest == null) {
      throw new java.util.NoSuchElementException("watch ended");
    }
    WatchOutput out = latest;
    latest = null;
    return out;
  }

  @Override
  public void close() {
    ClientCallStreamObserver<WatchRequest> c;
    synchronized (this) {
      closed = true;
      c = call;
      notifyAll();
    }
    if (c != null) {
      c.cancel("watch closed by the gateway", null);
    }
  }
}
