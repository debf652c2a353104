package io.quorumkv.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.chaos.check.CheckResult;
import io.quorumkv.chaos.check.ConvergenceChecker;
import io.quorumkv.chaos.check.DigestCollector;
import io.quorumkv.chaos.check.Verdict;
import io.quorumkv.chaos.client.Keys;
import io.quorumkv.chaos.client.KvConnectClient;
import io.quorumkv.chaos.client.Outcome;
import io.quorumkv.chaos.client.Value;
import io.quorumkv.node.testing.TestCluster;
import io.quorumkv.proto.gen.StatusResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Partitions between real node processes ({@link PartitionMesh}): an isolated leader loses
 * leadership, the majority elects a new one and keeps taking writes through the gateway, the
 * isolated node sees none of them, and after the heal it catches up and every replica is
 * identical.
 */
class ProcessPartitionTest {

  @Test
  void isolatedLeaderStepsDownMajorityGoesOnAndTheNodeCatchesUpAfterHeal() throws Exception {
    try (ProcessCluster cluster = ProcessCluster.startPartitionable(3);
         KvConnectClient kv = new KvConnectClient(KvConnectClient.Config.of(cluster.url(), cluster.token()))) {
      awaitOk(kv, Keys.of("before"), 1);
      int old = cluster.awaitLeader(Duration.ofSeconds(30));
      cluster.isolate(old);
      long t0 = System.nanoTime();
      // the isolated leader hears from no majority and steps down; the other two elect a leader
      TestCluster.awaitTrue(Duration.ofSeconds(20), "n" + (old + 1) + " to lose leadership and another to lead",
          () -> !role(cluster, old).equals("LEADER") && otherLeader(cluster, old) >= 0);
      System.out.printf("partition: n%d isolated; stepped down and n%d elected after %d ms%n",
          old + 1, otherLeader(cluster, old) + 1, (System.nanoTime() - t0) / 1_000_000);
      for (int i = 0; i < 20; i++) {
        awaitOk(kv, Keys.of("during", i), i);
      }
      long majorityCommit = cluster.status(otherLeader(cluster, old)).orElseThrow().getCommitIndex();
      long isolatedApplied = cluster.status(old).orElseThrow().getAppliedIndex();
      assertTrue(isolatedApplied < majorityCommit,
          "the isolated node applied " + isolatedApplied + " of " + majorityCommit + ": it was not cut off");

      cluster.heal();
      TestCluster.awaitTrue(Duration.ofSeconds(30), "n" + (old + 1) + " to catch up to " + majorityCommit,
          () -> cluster.status(old).map(s -> s.getAppliedIndex() >= majorityCommit).orElse(false));
      awaitOk(kv, Keys.of("after"), 1);
      CheckResult same = new ConvergenceChecker().check(DigestCollector.collect(cluster.peers(), Duration.ofSeconds(30)));
      assertEquals(Verdict.PASS, same.verdict(), same.toString());
    }
  }

  private static String role(ProcessCluster c, int i) {
    return c.status(i).map(StatusResponse::getRole).orElse("?");
  }

  private static int otherLeader(ProcessCluster c, int except) {
    for (int i = 0; i < c.peers().size(); i++) {
      if (i != except && role(c, i).equals("LEADER")) {
        return i;
      }
    }
    return -1;
  }

  /** Writes until one is acknowledged (writes may be indeterminate while leadership moves). */
  private static void awaitOk(KvConnectClient kv, byte[] key, long v) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Outcome<?> o;
    while (!(o = kv.set(key, Value.le64(v))).isOk()) {
      assertTrue(System.nanoTime() < deadline, "no acknowledged write within 30 s: " + o.describe());
      Thread.sleep(50);
    }
  }
}
