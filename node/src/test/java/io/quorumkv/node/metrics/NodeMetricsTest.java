package io.quorumkv.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.KvValue;
import com.deno.kv.datapath.Mutation;
import com.deno.kv.datapath.MutationType;
import com.deno.kv.datapath.ValueEncoding;
import com.google.protobuf.ByteString;
import io.quorumkv.node.NodeConfig;
import io.quorumkv.node.NodeServer;
import io.quorumkv.node.raft.RaftSettings;
import io.quorumkv.node.testing.TestCluster;
import io.quorumkv.proto.PeerAddress;
import io.quorumkv.proto.Versionstamp;
import io.quorumkv.proto.gen.Command;
import io.quorumkv.proto.gen.CommandResult;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.ratis.client.RaftClient;
import org.junit.jupiter.api.Test;

/** /metrics and /health/* of real nodes: an in-process 3-node cluster, and a node with no quorum. */
class NodeMetricsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Samples of a Prometheus text scrape: {@code name{labels}} → value. */
  static Map<String, Double> scrape(NodeServer n) throws IOException, InterruptedException {
    HttpResponse<String> r = get(n.metricsPort(), "/metrics");
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"), r.headers().toString());
    Map<String, Double> out = new HashMap<>();
    for (String line : r.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int sp = line.lastIndexOf(' ');
      out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
    }
    return out;
  }

  static double sample(Map<String, Double> m, String key) {
    Double v = m.get(key);
    if (v == null) {
      throw new AssertionError("no sample " + key + " in " + new java.util.TreeMap<>(m).keySet());
    }
    return v;
  }

  static Command write(String key, String value) {
    return Command.newBuilder().addWrites(AtomicWrite.newBuilder().addMutations(Mutation.newBuilder()
        .setKey(ByteString.copyFromUtf8("\u0002" + key + "\u0000"))
        .setMutationType(MutationType.M_SET)
        .setValue(KvValue.newBuilder().setEncoding(ValueEncoding.VE_BYTES).setData(ByteString.copyFromUtf8(value)))))
        .build();
  }

  @Test
  void metricsShowRealRaftAndApplyStateAndReadinessFollowsTheLeader() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      int leader = c.awaitLeader();
      RaftClient client = c.client();
      long last = 0;
      for (int i = 0; i < 5; i++) {
        CommandResult r = c.submit(client, write("k" + i, "v" + i));
        last = Versionstamp.fromBytes(r.getResults(0).getCommitted().toByteArray()).logIndex();
      }
      c.awaitApplied(last);
      for (int i = 0; i < 3; i++) {
        NodeServer n = c.node(i);
        String id = c.peers().get(i).id();
        Map<String, Double> m = scrape(n);
        String role = i == leader ? "LEADER" : "FOLLOWER";
        assertEquals(1.0, sample(m, "quorumkv_node_raft_role{role=\"" + role + "\"}"), id);
        assertEquals(0.0, sample(m, "quorumkv_node_raft_role{role=\"CANDIDATE\"}"), id);
        assertEquals(n.status().getTerm(), sample(m, "quorumkv_node_raft_term"), id);
        assertTrue(sample(m, "quorumkv_node_applied_index") >= last, id + " applied index");
        assertTrue(sample(m, "quorumkv_node_raft_commit_index") >= last, id + " commit index");
        assertEquals(1.0, sample(m, "quorumkv_node_raft_leader_known"), id);
        assertEquals(1.0, sample(m, "quorumkv_node_ready"), id);
        assertTrue(sample(m, "quorumkv_node_raft_leader_changes_total") >= 1, id);
        assertEquals(0.0, sample(m, "quorumkv_node_raft_votes_refused_total"), id);
        assertEquals(0.0, sample(m, "quorumkv_node_snapshot_index"), id);
        // Five writes, one per entry, applied in at least one and at most five transactions.
        double groups = sample(m, "quorumkv_node_apply_group_entries_count");
        assertTrue(groups >= 1 && groups <= 5, id + " groups " + groups);
        assertEquals(5.0, sample(m, "quorumkv_node_apply_group_entries_sum"), id);
        assertEquals(5.0, sample(m, "quorumkv_node_apply_group_entries_bucket{le=\"+Inf\"}") , id);
        assertEquals(groups, sample(m, "quorumkv_node_apply_group_duration_seconds_count"), id);
        assertTrue(sample(m, "quorumkv_node_apply_group_duration_seconds_sum") > 0, id);
        assertTrue(sample(m, "quorumkv_node_sqlite_file_size_bytes{file=\"kv.sqlite3\"}") > 0, id);
        assertTrue(m.containsKey("quorumkv_node_sqlite_file_size_bytes{file=\"kv.sqlite3-wal\"}"), id);
        assertEquals(0.0, sample(m, "quorumkv_node_watch_streams"), id);
        assertEquals(0.0, sample(m, "quorumkv_node_snapshots_taken_total"), id);
        assertEquals(0.0, sample(m, "quorumkv_node_snapshots_installed_total"), id);
        assertEquals(1.0, sample(m, "quorumkv_node_info{cluster_id=\"" + c.clusterId() + "\",id=\"" + id + "\"}"), id);
        assertTrue(m.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")), "JVM metrics");

        assertEquals(200, get(n.metricsPort(), "/health/live").statusCode());
        HttpResponse<String> ready = get(n.metricsPort(), "/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"status\":\"UP\"") && ready.body().contains("\"leader\":\"" + c.peers().get(leader).id() + "\""), ready.body());
      }

      // A follower cut off from the others loses its leader: not ready, though still live.
      int follower = (leader + 1) % 3;
      NodeServer f = c.node(follower);
      c.partition(follower);
      TestCluster.awaitTrue(Duration.ofSeconds(20), "the partitioned follower to become unready", () -> {
        try {
          return get(f.metricsPort(), "/health/ready").statusCode() == 503;
        } catch (IOException | InterruptedException e) {
          throw new AssertionError(e);
        }
      });
      HttpResponse<String> down = get(f.metricsPort(), "/health/ready");
      assertTrue(down.body().contains("\"status\":\"DOWN\"") && down.body().contains("no leader known"), down.body());
      assertEquals(200, get(f.metricsPort(), "/health/live").statusCode());
      Map<String, Double> fm = scrape(f);
      assertEquals(0.0, sample(fm, "quorumkv_node_ready"));
      assertEquals(0.0, sample(fm, "quorumkv_node_raft_leader_known"));
      int majority = c.awaitLeader();
      assertEquals(200, get(c.node(majority).metricsPort(), "/health/ready").statusCode());

      c.heal();
      TestCluster.awaitTrue(Duration.ofSeconds(20), "the healed follower to be ready again", () -> {
        try {
          return get(f.metricsPort(), "/health/ready").statusCode() == 200;
        } catch (IOException | InterruptedException e) {
          throw new AssertionError(e);
        }
      });
    }
  }

  @Test
  void aNodeWithoutQuorumIsLiveButNotReadyAndClosingFreesThePort() throws Exception {
    List<PeerAddress> peers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      peers.add(new PeerAddress("n" + i, "127.0.0.1", freePort(), freePort()));
    }
    Path dir = Files.createTempDirectory("quorumkv-lonely-");
    PeerAddress self = peers.get(0);
    NodeConfig cfg = new NodeConfig("n1", peers, dir, "127.0.0.1", self.raftPort(), self.rpcPort(), 0,
        UUID.randomUUID(), RaftSettings.defaults());
    int port;
    try (NodeServer n = new NodeServer(cfg, t -> {}).start()) {
      port = n.metricsPort();
      assertTrue(port > 0);
      assertEquals(200, get(port, "/health/live").statusCode());
      // The two other members never start: no election can be won, so no leader is ever known.
      Thread.sleep(1000);
      HttpResponse<String> ready = get(port, "/health/ready");
      assertEquals(503, ready.statusCode(), ready.body());
      assertTrue(ready.body().contains("no leader known"), ready.body());
      Map<String, Double> m = scrape(n);
      assertEquals(0.0, sample(m, "quorumkv_node_raft_role{role=\"LEADER\"}"));
      assertEquals(0.0, sample(m, "quorumkv_node_ready"));
      assertEquals(0.0, sample(m, "quorumkv_node_applied_index"));
      assertEquals(404, get(port, "/nope").statusCode());
      assertEquals(404, get(port, "/metricsx").statusCode());
      HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());
    }
    try (ServerSocket s = new ServerSocket(port)) {
      assertEquals(port, s.getLocalPort(), "close() released the metrics port");
    }
  }

  @Test
  void metricsCanBeTurnedOff() throws Exception {
    List<PeerAddress> peers = List.of(new PeerAddress("n1", "127.0.0.1", freePort(), freePort()));
    Path dir = Files.createTempDirectory("quorumkv-nometrics-");
    NodeConfig cfg = new NodeConfig("n1", peers, dir, "127.0.0.1", peers.get(0).raftPort(), peers.get(0).rpcPort(),
        NodeConfig.METRICS_OFF, UUID.randomUUID(), RaftSettings.defaults());
    try (NodeServer n = new NodeServer(cfg, t -> {}).start()) {
      assertEquals(NodeConfig.METRICS_OFF, n.metricsPort());
    }
  }

  private static int freePort() throws IOException {
    return io.quorumkv.node.testing.TestPorts.allocate();
  }
}
