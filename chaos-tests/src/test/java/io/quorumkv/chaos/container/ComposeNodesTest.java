package io.quorumkv.chaos.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.chaos.container.ComposeNodes.NodeContainer;
import io.quorumkv.proto.PeerAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The service ↔ node mapping {@link ContainerCluster} relies on, and that it matches
 * {@code deploy/docker-compose.yml} (read as text: the full resolution is {@code ComposeFileTest}'s
 * job in deploy; here only the facts this module depends on).
 */
class ComposeNodesTest {
  @Test
  void servicesAreNodesInOrder() {
    assertEquals(0, ComposeNodes.index("n1"));
    assertEquals(2, ComposeNodes.index("n3"));
    assertEquals(-1, ComposeNodes.index("gateway"));
    assertEquals(-1, ComposeNodes.index("n4"));
    for (int i = 0; i < ComposeNodes.SERVICES.size(); i++) {
      assertEquals(i, ComposeNodes.index(ComposeNodes.service(i)));
    }
  }

  @Test
  void describeKeepsTheNetworkAndTheServiceAlias() {
    NodeContainer n = ComposeNodes.describe("n2", "abc", Map.of("p_default", List.of("p-n2-1", "abc123")));
    assertEquals(new NodeContainer(1, "n2", "abc", "p_default", List.of("n2", "p-n2-1", "abc123")), n);
    NodeContainer plain = ComposeNodes.describe("n1", "x", Map.of("p_default", List.of("n1")));
    assertEquals(List.of("n1"), plain.aliases());
    assertEquals(List.of("n3"), ComposeNodes.describe("n3", "y", Map.of("p_default", List.of())).aliases());
    assertThrows(IllegalArgumentException.class, () -> ComposeNodes.describe("gateway", "g", Map.of("p_default", List.of())));
    assertThrows(IllegalStateException.class, () -> ComposeNodes.describe("n1", "x", Map.of()));
    assertThrows(IllegalStateException.class, () -> ComposeNodes.describe("n1", "x", Map.of("a", List.of(), "b", List.of())));
  }

  @Test
  void matchesTheComposeFile() throws IOException {
    String yml = Files.readString(ContainerCluster.composeFile());
    Matcher peers = Pattern.compile("(?m)^x-peers: &peers (\\S+)$").matcher(yml);
    assertTrue(peers.find(), "the x-peers anchor");
    List<PeerAddress> list = PeerAddress.parseList(peers.group(1));
    assertEquals(ComposeNodes.SERVICES, list.stream().map(PeerAddress::id).toList());
    for (PeerAddress p : list) {
      assertEquals(p.id(), p.host(), "node id = service name = host name");
      assertEquals(ComposeNodes.RAFT_PORT, p.raftPort());
      assertEquals(ComposeNodes.RPC_PORT, p.rpcPort());
    }
    for (String s : ComposeNodes.SERVICES) {
      assertTrue(Pattern.compile("(?m)^  " + s + ":$").matcher(yml).find(), "service " + s);
      assertTrue(yml.contains("- " + s + "-data:" + ComposeNodes.DATA_DIR), s + " mounts its volume at " + ComposeNodes.DATA_DIR);
    }
    assertTrue(yml.contains("QUORUMKV_DATA_DIR: " + ComposeNodes.DATA_DIR));
    assertTrue(Pattern.compile("(?m)^  " + ComposeNodes.GATEWAY + ":$").matcher(yml).find());
    assertTrue(yml.contains("\"--port\", \"" + ComposeNodes.KV_PORT + "\", \"--metrics-port\", \"" + ComposeNodes.GATEWAY_METRICS_PORT + "\""));
    // the host ports ContainerCluster moves out of the way
    assertTrue(yml.contains("${QUORUMKV_PORT:-4512}:4512") && yml.contains("${QUORUMKV_METRICS_PORT:-4513}:4513"));
    assertTrue(!Pattern.compile("(?m)^\\s+container_name:").matcher(yml).find(), "ComposeContainer refuses container_name");
  }
}
