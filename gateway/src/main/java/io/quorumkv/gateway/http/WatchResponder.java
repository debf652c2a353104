package io.quorumkv.gateway.http;

import com.deno.kv.datapath.SnapshotReadStatus;
import com.deno.kv.datapath.Watch;
import com.deno.kv.datapath.WatchKeyOutput;
import com.deno.kv.datapath.WatchOutput;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import io.quorumkv.gateway.Consistency;
import io.quorumkv.gateway.KvDatabase;
import io.quorumkv.gateway.WatchStream;
import io.quorumkv.proto.KvException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Streams a watch as the reference does (KV-CONNECT.md §7): status 200,
 * {@code application/octet-stream}, frames of a 4-byte little-endian length followed by a
 * {@code WatchOutput}, and a zero-length keep-alive frame whenever nothing was sent for the
 * keep-alive interval. Every frame is flushed at once (a streamed Helidon response only reaches
 * the client on flush).
 *
 * <p>The response is committed with the first frame, not before: if the watch fails before
 * anything was sent, the client still gets a proper status (503 for an unavailable cluster).
 * A vanished client is only noticed at the next write (STACK.md §5.14), which then throws a
 * {@code RuntimeException}; that ends the stream quietly, since it is the normal way for a watch
 * to end.
 *
 * <p>Thread-safe: {@link #stream} runs on each request's own thread; {@link #closeAll} may run
 * concurrently from any thread.
 */
final class WatchResponder {
  private static final Logger LOG = System.getLogger(WatchResponder.class.getName());
  static final String OCTET_STREAM = "application/octet-stream";
  private static final int FRAME_HEADER_BYTES = 4;
  private static final byte[] KEEP_ALIVE = new byte[FRAME_HEADER_BYTES];

  private final KvDatabase db;
  private final long keepAliveNs;
  /** Streams whose handler is still running. */
  private final Set<WatchStream> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;

  WatchResponder(KvDatabase db, long keepAliveMs) {
    this.db = db;
    this.keepAliveNs = TimeUnit.MILLISECONDS.toNanos(keepAliveMs);
  }

  /** Watches whose handler is still running. */
  int openStreams() {
    return open.size();
  }

  /**
   * Closes every open watch, and every one opened from now on: their handlers end their
   * responses normally and return.
   */
  void closeAll() {
    closing = true;
    open.forEach(WatchStream::close);
  }

  /**
   * Serves one watch until the client goes away, the stream fails or is closed.
   *
   * @throws KvException if the watch fails before the response was committed
   */
  void stream(Watch watch, Consistency consistency, ServerResponse res) {
    WatchStream stream = db.watch(watch, consistency);
    open.add(stream);
    try {
      pump(stream, watch.getKeysCount(), res);
    } finally {
      open.remove(stream);
      stream.close();
    }
  }

  private void pump(WatchStream stream, int keyCount, ServerResponse res) {
    OutputStream body = null; // null until the first frame commits the response
    boolean first = true;
    long lastFrameNs = System.nanoTime();
    while (!closing) {
      long waitNs = keepAliveNs - (System.nanoTime() - lastFrameNs);
      Optional<WatchOutput> output;
      try {
        // Rounded up, so that an empty answer means the keep-alive is due (or the stream closed).
        output = stream.next(Math.max(1, (waitNs + 999_999) / 1_000_000));
      } catch (InterruptedException e) {
        // Only Helidon interrupts a request thread, to stop the server: end the response. The
        // flag is not restored because Helidon, seeing it after we return, logs a spurious error.
        break;
      } catch (KvException e) {
        if (body == null) {
          throw e; // nothing sent yet: the client gets the status
        }
        LOG.log(Level.INFO, () -> "watch stream ended: " + e);
        break;
      }
      if (output.isPresent() && !isValid(output.get(), keyCount, first)) {
        IllegalStateException broken =
            new IllegalStateException("KvDatabase broke the watch contract: " + output.get());
        if (body == null) {
          throw broken; // answered 500
        }
        LOG.log(Level.ERROR, "ending watch stream", broken);
        break;
      }
      if (output.isEmpty() && System.nanoTime() - lastFrameNs < keepAliveNs) {
        break; // nothing, early: the stream was closed (by closeAll, or by its database)
      }
      if (body == null) {
        res.header(HeaderNames.CONTENT_TYPE, OCTET_STREAM);
        body = res.outputStream();
      }
      if (!write(body, output.map(WatchOutput::toByteArray).orElse(null))) {
        return; // the client is gone and the connection with it: nothing left to finish
      }
      if (output.isPresent()) {
        first = false;
      }
      lastFrameNs = System.nanoTime();
    }
    finish(body, res);
  }

  /** Writes and flushes one frame ({@code null} = keep-alive); false if the client is gone. */
  private static boolean write(OutputStream body, byte[] payload) {
    byte[] frame = KEEP_ALIVE;
    if (payload != null) {
      frame =
          ByteBuffer.allocate(FRAME_HEADER_BYTES + payload.length)
              .order(ByteOrder.LITTLE_ENDIAN)
              .putInt(payload.length)
              .put(payload)
              .array();
    }
    try {
      body.write(frame);
      body.flush();
      return true;
    } catch (IOException | RuntimeException e) {
      // UncheckedIOException (HTTP/1.1) or ServerConnectionException (HTTP/2): the client left.
      LOG.log(Level.DEBUG, () -> "watch client went away: " + e);
      return false;
    }
  }

  /** Ends the body normally; clients reconnect on end of stream. */
  private static void finish(OutputStream body, ServerResponse res) {
    try {
      if (body == null) {
        res.header(HeaderNames.CONTENT_TYPE, OCTET_STREAM);
        res.send();
      } else {
        body.close();
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, () -> "watch response could not be finished: " + e);
    }
  }

  /**
   * Whether an output keeps the promises clients depend on: one entry per key, status SR_SUCCESS
   * (anything else is fatal to Deno) and, in the first message, every key changed (npm throws
   * otherwise).
   */
  private static boolean isValid(WatchOutput out, int keyCount, boolean first) {
    return out.getStatus() == SnapshotReadStatus.SR_SUCCESS
        && out.getKeysCount() == keyCount
        && (!first || out.getKeysList().stream().allMatch(WatchKeyOutput::getChanged));
  }
}
