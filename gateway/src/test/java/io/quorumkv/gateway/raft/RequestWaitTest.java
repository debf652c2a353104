package io.quorumkv.gateway.raft;

import static io.quorumkv.gateway.raft.RaftKvDatabaseTest.get;
import static io.quorumkv.gateway.raft.RaftKvDatabaseTest.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deno.kv.datapath.AtomicWriteStatus;
import io.quorumkv.node.testing.TestCluster;
import io.quorumkv.proto.KvException;
import org.junit.jupiter.api.Test;

/**
 * The request wait on a real cluster that lost its majority: a write is answered as
 * indeterminate and a strong read as unavailable once the wait is over (not sooner, not much
 * later), and the gateway serves again when the majority is back.
 */
class RequestWaitTest {
  private static final long WAIT_MS = 1_500;

  @Test
  void withoutAMajorityRequestsEndAfterTheWaitAndServeAgainOnceItIsBack() throws Exception {
    try (TestCluster cluster = TestCluster.start(3)) {
      int leader = cluster.awaitLeader();
      try (RaftKvDatabase db = new RaftKvDatabase(cluster.peers(), WAIT_MS)) {
        assertEquals(AtomicWriteStatus.AW_SUCCESS, db.atomicWrite(set("before", "1")).getStatus());
        int a = (leader + 1) % 3;
        int b = (leader + 2) % 3;
        cluster.kill(a);
        cluster.kill(b);

        long t0 = System.nanoTime();
        assertThrows(KvException.Indeterminate.class, () -> db.atomicWrite(set("during", "1")));
        assertWaited(t0, "write");
        t0 = System.nanoTime();
        assertThrows(KvException.LeaderUnavailable.class, () -> db.strongRead(get("before")));
        assertWaited(t0, "strong read");

        cluster.restart(a);
        cluster.restart(b);
        cluster.awaitLeader();
        TestCluster.awaitTrue(java.time.Duration.ofSeconds(30), "a write succeeds again", () -> {
          try {
            return db.atomicWrite(set("after", "1")).getStatus() == AtomicWriteStatus.AW_SUCCESS;
          } catch (KvException e) {
            return false;
          }
        });
        assertEquals(1, db.strongRead(get("before")).getRanges(0).getValuesCount());
      }
    }
  }

  /** Not before the wait is over; well before a second wait would be (the tick is 25 ms). */
  private static void assertWaited(long t0, String what) {
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= WAIT_MS - 50, what + " ended after " + ms + " ms, before the " + WAIT_MS + " ms wait");
    assertTrue(ms < 2 * WAIT_MS, what + " ended after " + ms + " ms, long past the " + WAIT_MS + " ms wait");
  }
}
