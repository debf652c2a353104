package io.quorumkv.chaos.nemesis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy in front of a real TCP echo server on loopback. */
class FaultProxyTest {
  private ServerSocket echo;
  private FaultProxy proxy;

  @BeforeEach
  void setUp() throws IOException {
    echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(() -> {
      while (!echo.isClosed()) {
        try {
          Socket s = echo.accept();
          Thread.ofVirtual().start(() -> {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
              in.transferTo(out);
            } catch (IOException ignored) {
              // client went away
            }
          });
        } catch (IOException e) {
          return;
        }
      }
    });
    proxy = FaultProxy.start(0, new InetSocketAddress("127.0.0.1", echo.getLocalPort()));
  }

  @AfterEach
  void tearDown() throws IOException {
    proxy.close();
    echo.close();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", proxy.port());
    s.setSoTimeout(1000);
    return s;
  }

  private static byte[] roundTrip(Socket s, String text) throws IOException {
    byte[] msg = text.getBytes(StandardCharsets.UTF_8);
    s.getOutputStream().write(msg);
    s.getOutputStream().flush();
    return s.getInputStream().readNBytes(msg.length);
  }

  @Test
  void passesBytesBothWays() throws IOException {
    try (Socket s = connect()) {
      assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), roundTrip(s, "hello"));
    }
  }

  @Test
  void delaysEveryChunk() throws IOException {
    proxy.delay(Duration.ofMillis(150));
    try (Socket s = connect()) {
      long t0 = System.nanoTime();
      roundTrip(s, "slow");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= 290, "both directions delayed: " + ms + " ms");
    }
  }

  @Test
  void blackholeCutsOpenConnectionsAndSwallowsNewOnesUntilHealed() throws Exception {
    Socket before = connect();
    roundTrip(before, "x");
    proxy.blackhole();
    assertEquals(FaultProxy.Mode.BLACKHOLE, proxy.mode());
    // the open connection is cut: reading ends (EOF or reset), never a late echo
    assertThrows(IOException.class, () -> {
      before.getOutputStream().write(1);
      if (before.getInputStream().read() < 0) {
        throw new IOException("eof");
      }
    });
    before.close();
    try (Socket during = connect()) {
      during.getOutputStream().write("lost".getBytes(StandardCharsets.UTF_8));
      assertThrows(SocketTimeoutException.class, () -> during.getInputStream().read(), "nothing comes back");
      proxy.pass();
      // held connections are closed on heal, so peers reconnect
      during.setSoTimeout(2000);
      assertTrue(readEnds(during));
    }
    try (Socket after = connect()) {
      assertArrayEquals("back".getBytes(StandardCharsets.UTF_8), roundTrip(after, "back"));
    }
  }

  @Test
  void holdKeepsConnectionsButMovesNothingUntilHealedThenDeliversInOrder() throws Exception {
    Socket before = connect();
    roundTrip(before, "x");
    proxy.hold();
    assertEquals(FaultProxy.Mode.HOLD, proxy.mode());
    before.getOutputStream().write("held".getBytes(StandardCharsets.UTF_8));
    assertThrows(SocketTimeoutException.class, () -> before.getInputStream().read(), "nothing comes back while held");
    Socket during = connect(); // accepted (the handshake is the kernel's) but not passed on
    during.getOutputStream().write("new".getBytes(StandardCharsets.UTF_8));
    assertThrows(SocketTimeoutException.class, () -> during.getInputStream().read());
    assertEquals(2, proxy.connections(), "nothing was cut");
    proxy.pass();
    before.setSoTimeout(2000);
    during.setSoTimeout(2000);
    // TCP after a heal: what was sent during the partition arrives, in order, on the same connections
    assertArrayEquals("held".getBytes(StandardCharsets.UTF_8), before.getInputStream().readNBytes(4));
    assertArrayEquals("new".getBytes(StandardCharsets.UTF_8), during.getInputStream().readNBytes(3));
    assertArrayEquals("on".getBytes(StandardCharsets.UTF_8), roundTrip(before, "on"));
    before.close();
    during.close();
  }

  private static boolean readEnds(Socket s) {
    try {
      return s.getInputStream().read() < 0;
    } catch (IOException e) {
      return true;
    }
  }
}
