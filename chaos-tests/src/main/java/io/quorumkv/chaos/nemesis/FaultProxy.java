package io.quorumkv.chaos.nemesis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on one Raft link that can misbehave, for partitions between real
 * processes: each directed link "node A talks to node B" gets its own proxy, and A is told
 * that B lives at the proxy's port. Modes:
 *
 * <ul>
 *   <li>{@link #pass()}: forward both ways.
 *   <li>{@link #delay(Duration)}: forward every chunk after a fixed delay (order kept).
 *   <li>{@link #blackhole()}: a partition that also resets. Open connections are cut (so that
 *       no half-written frame is ever resumed, which would corrupt the gRPC stream); new
 *       connections are accepted but nothing is forwarded and nothing comes back, like packets
 *       lost in a partition after the TCP handshake; on {@link #pass()} those are closed, so
 *       peers reconnect cleanly. The sender learns at once that its connection broke, as if a
 *       firewall answered with RST.
 *   <li>{@link #hold()}: a silent partition, as packets dropped on the wire. Nothing is cut:
 *       open and new connections stay up, but no byte moves in either direction (bytes
 *       already read wait in the proxy, the rest in TCP buffers, so senders eventually block
 *       as with a peer that stopped acknowledging), and new connections are not passed on.
 *       The sender learns of the partition only through its own timeouts or keep-alives, as
 *       in a real partition. On {@link #pass()} everything held is delivered in order, as TCP
 *       retransmission would after a heal, so streams stay intact. Used for isolating nodes.
 * </ul>
 *
 * <p>Bounded: at most {@link #MAX_CONNECTIONS} connections, 64 KiB chunks. One virtual thread
 * per direction per connection. Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {
  /** Connections beyond this are refused (Raft needs a handful per link). */
  public static final int MAX_CONNECTIONS = 64;
  private static final int CHUNK_BYTES = 64 * 1024;

  /** Current behaviour. */
  public enum Mode { PASS, DELAY, BLACKHOLE, HOLD }

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private volatile Mode mode = Mode.PASS;
  private volatile long delayNanos;
  private volatile boolean closed;

  private FaultProxy(ServerSocket server, InetSocketAddress target) {
    this.server = server;
    this.target = target;
  }

  /** Listens on {@code 127.0.0.1:port} (0 = any free port) and forwards to {@code target}. */
  public static FaultProxy start(int port, InetSocketAddress target) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress("127.0.0.1", port));
    FaultProxy p = new FaultProxy(s, target);
    Thread.ofVirtual().name("fault-proxy-accept-" + s.getLocalPort()).start(p::acceptLoop);
    return p;
  }

  public int port() {
    return server.getLocalPort();
  }

  public Mode mode() {
    return mode;
  }

  /** Number of open client connections (for tests and logs). */
  public int connections() {
    return links.size();
  }

  /**
   * Forward normally: connections swallowed during a blackhole are closed so peers reconnect;
   * bytes held by {@link #hold()} are delivered.
   */
  public synchronized void pass() {
    Mode was = mode;
    mode = Mode.PASS;
    if (was == Mode.BLACKHOLE) {
      closeAll();
    }
    notifyAll();
  }

  /** Silent partition: keep every connection, move no byte, until {@link #pass()}. */
  public synchronized void hold() {
    if (mode == Mode.BLACKHOLE) {
      closeAll(); // swallowed connections have lost bytes; start clean
    }
    mode = Mode.HOLD;
  }

  /** Blocks while held; false once the proxy is closed. */
  private synchronized boolean awaitNotHeld() throws InterruptedException {
    while (mode == Mode.HOLD && !closed) {
      wait(1000);
    }
    return !closed;
  }

  /** Forward with {@code delay} added to every chunk. */
  public synchronized void delay(Duration delay) {
    delayNanos = delay.toNanos();
    mode = Mode.DELAY;
    notifyAll();
  }

  /** Partition: cut open connections, then accept and swallow new ones. */
  public synchronized void blackhole() {
    mode = Mode.BLACKHOLE;
    closeAll();
    notifyAll();
  }

  private void closeAll() {
    for (Link l : links) {
      l.close();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (links.size() >= MAX_CONNECTIONS) {
        quietClose(client);
        continue;
      }
      Link link = new Link(client);
      links.add(link);
      Thread.ofVirtual().name("fault-proxy-link-" + port()).start(link::run);
    }
  }

  /** One proxied connection: client side, and an upstream opened unless blackholed. */
  private final class Link {
    private final Socket client;
    private volatile Socket upstream;

    Link(Socket client) {
      this.client = client;
    }

    void run() {
      try {
        if (mode == Mode.BLACKHOLE) {
          swallow(client.getInputStream());
          return;
        }
        if (!awaitNotHeld()) {
          return; // a new connection during a hold is passed on only after the heal
        }
        Socket up = new Socket();
        upstream = up;
        up.connect(target, 2000);
        Thread.ofVirtual().start(() -> pump(up, client));
        pump(client, up);
      } catch (IOException e) {
        // connection ended or upstream refused: close both sides below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        close();
      }
    }

    private void pump(Socket from, Socket to) {
      byte[] buf = new byte[CHUNK_BYTES];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (mode == Mode.HOLD && !awaitNotHeld()) {
            break; // closed while held
          }
          Mode m = mode;
          if (m == Mode.BLACKHOLE) {
            break; // blackhole() closes us too; never forward past it
          }
          if (m == Mode.DELAY) {
            long d = delayNanos;
            Thread.sleep(d / 1_000_000, (int) (d % 1_000_000));
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // peer closed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        close();
      }
    }

    private void swallow(InputStream in) throws IOException {
      byte[] buf = new byte[CHUNK_BYTES];
      while (in.read(buf) >= 0) {
        // dropped on the floor, as in a partition
      }
    }

    void close() {
      links.remove(this);
      quietClose(client);
      Socket up = upstream;
      if (up != null) {
        quietClose(up);
      }
    }
  }

  private static void quietClose(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing is best effort
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    try {
      server.close();
    } catch (IOException ignored) {
      // best effort
    }
    closeAll();
  }
}
