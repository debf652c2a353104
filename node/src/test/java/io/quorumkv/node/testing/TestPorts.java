package io.quorumkv.node.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for test servers that must be known before they bind (Raft peers list each other).
 *
 * <p>Asking the OS for an ephemeral port and closing it is racy: the same port can come back
 * for the next request, or be taken by an outgoing connection's local port before the server
 * binds it; Ratis then fails to bind and terminates the JVM. So ports come from below Linux's
 * ephemeral range (32768+), never twice from one JVM, starting at an offset derived from the
 * process id so that concurrent test JVMs rarely overlap, and are checked bindable.
 */
public final class TestPorts {
  private static final int LOW = 20_000;
  private static final int HIGH = 32_000;
  private static final AtomicInteger NEXT =
      new AtomicInteger(LOW + (int) (ProcessHandle.current().pid() * 97 % (HIGH - LOW)));

  private TestPorts() {}

  /** A port no other caller in this JVM got, free on 0.0.0.0 right now. */
  public static int allocate() throws IOException {
    for (int tries = 0; tries < HIGH - LOW; tries++) {
      int port = LOW + Math.floorMod(NEXT.getAndIncrement() - LOW, HIGH - LOW);
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress("0.0.0.0", port));
        return port;
      } catch (IOException busy) {
        // taken; try the next
      }
    }
    throw new IOException("no free port in " + LOW + ".." + HIGH);
  }
}
