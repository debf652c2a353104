package io.quorumkv.gateway.http;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quorumkv.gateway.TestGateway;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The kernel's receive buffer of a connection the gateway accepted. Helidon 4.2 sets
 * {@code SO_RCVBUF=4096} on its listening socket by default, so every connection got an 8 KiB
 * buffer with auto-tuning off, and a Deno client, which sends all its requests over one HTTP/2
 * connection, spent up to two thirds of a run window-limited, at times waiting ~200 ms per round
 * trip (bench/README.md). Asks the kernel itself, through {@code ss} (iproute2); skipped where
 * {@code ss} is missing.
 */
class ReceiveBufferTest {
  private static final Pattern RB = Pattern.compile("skmem:\\(r\\d+,rb(\\d+),");

  @Test
  void acceptedConnectionsGetALargeReceiveBuffer() throws Exception {
    try (TestGateway gateway = new TestGateway();
        Socket client = new Socket("127.0.0.1", gateway.port())) {
      // A request on the connection, so the server has certainly accepted it.
      client.getOutputStream().write(("GET /unknown HTTP/1.1\r\nhost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      client.getOutputStream().flush();
      client.setSoTimeout(10_000);
      assertTrue(client.getInputStream().read() >= 0, "no answer from the gateway");
      String ss = serverSideSocket(gateway.port(), client.getLocalPort());
      assumeTrue(ss != null, "ss (iproute2) is not installed");
      Matcher m = RB.matcher(ss);
      assertTrue(m.find(), "no skmem in: " + ss);
      long rb = Long.parseLong(m.group(1));
      // Linux doubles the value set and caps it at net.core.rmem_max; 8192 is Helidon's default.
      assertTrue(rb >= 128 * 1024, "receive buffer of the accepted connection is " + rb + " bytes: " + ss);
    }
  }

  /** {@code ss -tmH} for the server side of the connection, or null if ss cannot be run. */
  private static String serverSideSocket(int serverPort, int clientPort) throws InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("ss", "-tmnH", "state", "established",
          "( sport = :" + serverPort + " and dport = :" + clientPort + " )")
          .redirectErrorStream(true).start();
    } catch (IOException e) {
      return null;
    }
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return null;
      }
      return out.isBlank() ? "(no such socket in ss's output)" : out;
    } catch (IOException e) {
      return null;
    }
  }
}
