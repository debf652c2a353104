package io.quorumkv.gateway.raft;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.proto.PeerAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnreachableClusterTest {
  @Test
  void startingWithNoReachableNodeFailsWithOneClearLine() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<PeerAddress> peers = List.of(new PeerAddress("n1", "127.0.0.1", port, port));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new RaftKvDatabase(peers, 1000, 1500));
    assertTrue(e.getMessage().startsWith("no QuorumKV node answered at n1=127.0.0.1:"), e.getMessage());
    assertTrue(e.getMessage().endsWith("is the cluster running?"), e.getMessage());
  }
}
