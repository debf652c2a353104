package io.quorumkv.chaos.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.KvValue;
import com.deno.kv.datapath.Mutation;
import com.deno.kv.datapath.MutationType;
import com.deno.kv.datapath.ValueEncoding;
import com.google.protobuf.ByteString;
import io.quorumkv.chaos.check.ConvergenceChecker.NodeDigest;
import io.quorumkv.node.testing.TestCluster;
import io.quorumkv.proto.gen.Command;
import java.time.Duration;
import java.util.List;
import org.apache.ratis.client.RaftClient;
import org.junit.jupiter.api.Test;

/** The digest collector against a real in-process cluster (node RPC over gRPC). */
class DigestCollectorTest {

  @Test
  void replicasOfARealClusterConverge() throws Exception {
    try (TestCluster cluster = TestCluster.start(3)) {
      cluster.awaitLeader();
      RaftClient client = cluster.client();
      for (int i = 0; i < 5; i++) {
        cluster.submit(client, Command.newBuilder().addWrites(AtomicWrite.newBuilder().addMutations(Mutation.newBuilder()
            .setKey(ByteString.copyFromUtf8("k" + i)).setMutationType(MutationType.M_SET)
            .setValue(KvValue.newBuilder().setData(ByteString.copyFromUtf8("v")).setEncoding(ValueEncoding.VE_BYTES)))).build());
      }
      List<NodeDigest> digests = DigestCollector.collect(cluster.peers(), Duration.ofSeconds(20));
      CheckResult r = new ConvergenceChecker().check(digests);
      assertEquals(Verdict.PASS, r.verdict(), r.toString());
      assertEquals(5, digests.get(0).rowCount());
    }
  }
}
