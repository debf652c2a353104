package io.quorumkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Flag handling of {@code quorumkv node} that needs no running node. */
class NodeMainTest {
  private static final String PEERS = "n1=127.0.0.1:7001:7101,n2=127.0.0.1:7002:7102,n3=127.0.0.1:7003:7103";

  static NodeConfig parse(String... args) {
    NodeMain m = new NodeMain();
    new CommandLine(m).parseArgs(args);
    return m.config();
  }

  @Test
  void metricsPortDefaultsToRpcPortPlus100AndCanBeSetOrTurnedOff() throws Exception {
    assumeTrue(System.getenv("QUORUMKV_METRICS_PORT") == null, "QUORUMKV_METRICS_PORT is set in this environment");
    Path dir = Files.createTempDirectory("quorumkv-main-");
    assertEquals(7202, parse("--id", "n2", "--peers", PEERS, "--data-dir", dir.toString()).metricsPort());
    assertEquals(7301, parse("--id", "n2", "--peers", PEERS, "--data-dir", dir.toString(), "--rpc-port", "7201").metricsPort());
    assertEquals(9100, parse("--id", "n2", "--peers", PEERS, "--data-dir", dir.toString(), "--metrics-port", "9100").metricsPort());
    assertEquals(NodeConfig.METRICS_OFF,
        parse("--id", "n2", "--peers", PEERS, "--data-dir", dir.toString(), "--metrics-port", "-1").metricsPort());
  }

  @Test
  void electionTimeoutDefaultsToRatisRangeAndCanBeRaised() throws Exception {
    assumeTrue(System.getenv("QUORUMKV_ELECTION_TIMEOUT") == null, "QUORUMKV_ELECTION_TIMEOUT is set in this environment");
    Path dir = Files.createTempDirectory("quorumkv-main-");
    NodeConfig d = parse("--id", "n1", "--peers", PEERS, "--data-dir", dir.toString());
    assertEquals(150, d.raft().electionTimeoutMinMs());
    assertEquals(300, d.raft().electionTimeoutMaxMs());
    NodeConfig slow = parse("--id", "n1", "--peers", PEERS, "--data-dir", dir.toString(), "--election-timeout", "500-1000");
    assertEquals(500, slow.raft().electionTimeoutMinMs());
    assertEquals(1000, slow.raft().electionTimeoutMaxMs());
    for (String bad : new String[] {"300", "300-150", "50-100", "a-b"}) {
      org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> parse("--id", "n1", "--peers", PEERS, "--data-dir", dir.toString(), "--election-timeout", bad), bad);
    }
  }

  @Test
  void badInputIsOneLineAndExitCode2() throws Exception {
    Path dir = Files.createTempDirectory("quorumkv-main-");
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(buf, true));
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      int port = taken.getLocalPort();
      assertEquals(2, NodeMain.run(new String[] {"--id", "n9", "--peers", PEERS, "--data-dir", dir.toString()}));
      assertEquals(2, NodeMain.run(new String[] {"--id", "n1", "--peers", "n1=bad", "--data-dir", dir.toString()}));
      assertEquals(2, NodeMain.run(new String[] {"--id", "n1", "--peers", "n1=127.0.0.1:" + port + ":7101",
          "--data-dir", dir.toString(), "--bind", "0.0.0.0"}));
      assertEquals(2, NodeMain.run(new String[] {"--id", "n1", "--peers", PEERS, "--data-dir", dir.toString(),
          "--cluster-id", "not-a-uuid"}));
    } finally {
      System.setErr(err);
    }
    String[] lines = buf.toString().strip().split("\n");
    assertEquals(4, lines.length, buf.toString());
    assertEquals("quorumkv node: --id n9 is not one of the ids in --peers", lines[0]);
    org.junit.jupiter.api.Assertions.assertTrue(lines[1].startsWith("quorumkv node: malformed peer 'n1=bad'"), lines[1]);
    org.junit.jupiter.api.Assertions.assertTrue(lines[2].matches("quorumkv node: --raft-port \\d+ on 0.0.0.0 is in use.*"), lines[2]);
    assertEquals("quorumkv node: --cluster-id 'not-a-uuid' is not a UUID", lines[3]);
  }
}
