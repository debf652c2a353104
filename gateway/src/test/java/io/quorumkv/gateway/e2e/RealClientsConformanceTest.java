package io.quorumkv.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.gateway.GatewayConfig;
import io.quorumkv.gateway.KvConnectServer;
import io.quorumkv.proto.PeerAddress;
import io.quorumkv.gateway.raft.RaftKvDatabase;
import io.quorumkv.node.testing.RealClients;
import io.quorumkv.node.testing.TestCluster;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Unmodified client programs against a real 3-node cluster through the real gateway: the Deno
 * CLI (HTTP/2 prior knowledge) runs e2e/deno/conformance.ts and Node's @deno/kv (HTTP/1.1) runs
 * e2e/node/conformance.mjs. Each program checks itself and exits non-zero on the first
 * wrong answer; see e2e/README.md for what each covers.
 */
class RealClientsConformanceTest {
  static final String TOKEN = "e2e-token-0123456789";
  static TestCluster cluster;
  static RaftKvDatabase db;
  static KvConnectServer server;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.start(3);
    cluster.awaitLeader();
    db = new RaftKvDatabase(cluster.peers(), RaftKvDatabase.DEFAULT_WAIT_MS);
    GatewayConfig cfg = GatewayConfig.of(TOKEN, cluster.peers()).withAddress("127.0.0.1", 0);
    server = new KvConnectServer(db, cfg).start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (db != null) {
      db.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static Map<String, String> env() {
    return Map.of("KV_URL", "http://127.0.0.1:" + server.port(), "DENO_KV_ACCESS_TOKEN", TOKEN);
  }

  @Test
  void denoCliConformance() throws Exception {
    RealClients.assumeInstalled();
    RealClients.Result r = RealClients.startDeno(RealClients.repoRoot().resolve("e2e/deno/conformance.ts"), env()).await(300);
    System.out.println(r.output());
    assertTrue(r.ok() && r.output().contains("0 failed") && r.output().strip().endsWith("OK"),
        () -> "Deno conformance failed:\n" + r.output());
  }

  @Test
  void denoKvOnNodeConformanceWithEventualEndpoint() throws Exception {
    RealClients.assumeInstalled();
    Map<String, String> env = new java.util.HashMap<>(env());
    env.put("EXPECT_EVENTUAL_ENDPOINT", "1");
    RealClients.Result r = RealClients.startNode(RealClients.repoRoot().resolve("e2e/node/conformance.mjs"), env).await(300);
    System.out.println(r.output());
    assertTrue(r.ok() && r.output().strip().endsWith("OK"), () -> "@deno/kv conformance failed:\n" + r.output());
  }
}
