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
}
