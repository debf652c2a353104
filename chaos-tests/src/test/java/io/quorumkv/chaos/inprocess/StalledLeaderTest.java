package io.quorumkv.chaos.inprocess;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.chaos.client.Keys;
import io.quorumkv.chaos.client.Outcome;
import io.quorumkv.chaos.client.Value;
import io.quorumkv.chaos.nemesis.FaultProxy;
import io.quorumkv.gateway.raft.RaftKvDatabase;
import io.quorumkv.node.testing.TestCluster;
import io.quorumkv.proto.PeerAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Finding F4 at the lowest level that shows it: the gateway's Ratis client and a leader that
 * stops answering without closing its connections (SIGSTOP, a long GC pause, a partition).
 * The gateway reaches each node's Raft port through a {@link FaultProxy}; "stalling" the
 * leader holds its proxy (connections stay up, nothing comes back) and cuts it off from its
 * peers, so the other two elect a new leader.
 *
 * <p>Before the fix the write in flight, and every write after it, waited for Ratis' per-request
 * timeout (1.5 s) and then for the synchronous close of the gRPC channel to the silent node,
 * which waits 3 s for the unanswered stream: at least 4.5 s without a successful write, while
 * the new leader had been known to the gateway's status polls for seconds (measured over
 * processes with SIGSTOP: 4.6 s). Now the gateway points the client at the leader its status
 * polls found and resets the stale connection, so the writes go through within about an
 * election plus one status poll.
 */
class StalledLeaderTest {
  /** Per-request timeout of the gateway's Ratis client plus gRPC's 3 s graceful channel shutdown. */
  private static final long OLD_STALL_MS = 4_500;

  @Test
  void writesResumeSoonAfterTheLeaderStopsAnswering() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      int leader = c.awaitLeader();
      List<FaultProxy> proxies = new ArrayList<>();
      List<PeerAddress> viaProxies = new ArrayList<>();
      for (PeerAddress p : c.peers()) {
        FaultProxy fp = FaultProxy.start(0, new InetSocketAddress(p.host(), p.raftPort()));
        proxies.add(fp);
        viaProxies.add(new PeerAddress(p.id(), p.host(), fp.port(), p.rpcPort()));
      }
      try (RaftKvDatabase db = new RaftKvDatabase(viaProxies, 10_000)) {
        RaftKvApi kv = new RaftKvApi(db);
        for (int i = 0; i < 10; i++) {
          assertTrue(kv.set(Keys.of("warm", i), Value.le64(i)).isOk());
        }
        leader = c.awaitLeader(); // the warm-up writes went to this one
        proxies.get(leader).hold();
        c.partition(leader);
        long t0 = System.nanoTime();
        Outcome<?> first = kv.set(Keys.of("after", 0), Value.le64(0));
        long firstMs = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        Outcome<?> next = kv.set(Keys.of("after", 1), Value.le64(1));
        long nextMs = (System.nanoTime() - t1) / 1_000_000;
        System.out.printf("stalled leader n%d: first write %d ms (%s), next %d ms (%s), leader follows %d%n",
            leader + 1, firstMs, first.describe(), nextMs, next.describe(), db.leaderFollows());
        assertTrue(first.isOk() && next.isOk(), first.describe() + " / " + next.describe());
        assertTrue(firstMs < OLD_STALL_MS, "the write across the stall took " + firstMs + " ms");
        assertTrue(nextMs < 1_000, "a write after the stall took " + nextMs + " ms");
      } finally {
        c.heal();
        proxies.forEach(FaultProxy::close);
      }
    }
  }
}
