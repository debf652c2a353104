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
 * <p>Before the fix a write sent once the gateway's status polls already knew the new leader
 * still went to the silent one: it waited for Ratis' per-request timeout (1.5 s) and then for
 * the synchronous close of the gRPC channel to the silent node, which waits 3 s for the
 * unanswered stream, 4.5 s or more in all (measured over processes with SIGSTOP: 4.6 s without
 * a successful write). Now the gateway points the client at the leader its polls found and
 * resets the stale connection, so that write goes straight to the new leader, and the write
 * that was in flight at the stall retries at once when the leader is found. When the gateway
 * learns the new leader only after that write's 1.5 s timeout (F9), the write still takes the
 * 4.5 s path, but it no longer holds back the writes sent after the leader was known.
 */
class StalledLeaderTest {
  /** Well under the 4.5 s a write sent to the silent leader cost (1.5 s timeout + 3 s channel close). */
  private static final long BOUND_MS = 2_500;

  @Test
  void writesResumeSoonAfterTheLeaderStopsAnswering() throws Exception {
    // 500-1000 ms elections: on a loaded machine 150-300 ms let the new leader lose leadership
    // again during the measurement, which then timed Raft, not the gateway.
    try (TestCluster c = TestCluster.start(3, io.quorumkv.node.raft.RaftSettings.defaults().withElectionTimeout(500, 1000))) {
      c.awaitLeader();
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
        int stalled = c.awaitLeader(); // the warm-up writes went to this one
        proxies.get(stalled).hold();
        c.partition(stalled);
        long t0 = System.nanoTime();
        java.util.concurrent.CompletableFuture<Outcome<?>> inFlight = java.util.concurrent.CompletableFuture.supplyAsync(
            () -> kv.set(Keys.of("across"), Value.le64(0)), r -> Thread.ofVirtual().start(r));
        String stalledId = c.peers().get(stalled).id();
        TestCluster.awaitTrue(java.time.Duration.ofSeconds(20), "the gateway to know a new leader",
            () -> db.view().leaderId().filter(l -> !l.equals(stalledId)).isPresent());
        long knownMs = (System.nanoTime() - t0) / 1_000_000;
        long followsBefore = db.leaderFollows();
        long t1 = System.nanoTime();
        Outcome<?> after = kv.set(Keys.of("after"), Value.le64(1));
        long afterMs = (System.nanoTime() - t1) / 1_000_000;
        boolean movedAgain = db.leaderFollows() != followsBefore;
        Outcome<?> across = inFlight.get(30, java.util.concurrent.TimeUnit.SECONDS);
        long acrossMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("stalled leader n%d: new leader known after %d ms; write sent then %d ms (%s); "
            + "write in flight across the stall done after %d ms (%s); leader follows %d%n", stalled + 1, knownMs,
            afterMs, after.describe(), acrossMs, across.describe(), db.leaderFollows());
        assertTrue(after.isOk(), after.describe());
        org.junit.jupiter.api.Assumptions.assumeFalse(movedAgain && afterMs >= BOUND_MS,
            "leadership moved again during the measurement (a loaded machine): inconclusive");
        assertTrue(afterMs < BOUND_MS, "a write sent after the new leader was known took " + afterMs + " ms");
        assertTrue(across.isOk() || across instanceof Outcome.Indeterminate<?>, across.describe());
      } finally {
        c.heal();
        proxies.forEach(FaultProxy::close);
      }
    }
  }
}
