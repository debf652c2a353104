package io.quorumkv.node.raft;

import static io.quorumkv.node.raft.ReplicationTest.cmd;
import static io.quorumkv.node.raft.ReplicationTest.committed;
import static io.quorumkv.node.raft.ReplicationTest.localGet;
import static io.quorumkv.node.raft.ReplicationTest.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.node.testing.TestCluster;
import io.quorumkv.proto.Versionstamp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.junit.jupiter.api.Test;

/**
 * Two of three nodes come back with logs that end before the committed log (old disks) while
 * the third, the only one with every committed entry, cannot take part in an election: the two
 * must not elect one of themselves (chaos finding F12), and once the third is back it leads and
 * the data is everywhere again.
 */
class VoteGuardTest {

  @Test
  void guardsOnlyWhileThisNodeLacksTheCommittedLog() {
    AtomicLong applied = new AtomicLong();
    VoteGuard g = new VoteGuard(applied::get, new AtomicLong());
    assertTrue(g.mayVoteFor(-1), "nothing learnt: Raft's own rule alone (a new cluster)");
    g.learnCommitted(40);
    g.learnCommitted(25); // lower news does not lower the floor
    assertEquals(40, g.floor());
    assertFalse(g.mayVoteFor(-1), "an empty candidate");
    assertFalse(g.mayVoteFor(39), "a candidate without committed entry 40");
    assertTrue(g.mayVoteFor(40));
    assertTrue(g.mayVoteFor(1_000));
    applied.set(40);
    assertTrue(g.mayVoteFor(-1), "caught up: this node's own log refuses what it must");
  }

  @Test
  void twoNodesBehindTheCommittedLogDoNotElectEachOtherWhileTheOnlyFullCopyIsCutOff() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      c.awaitLeader();
      RaftClient client = c.client();
      for (int i = 0; i < 10; i++) {
        committed(c.submit(client, cmd(set("k" + i, "v" + i))), 0);
      }
      // Nodes 1 and 2 keep a copy of their disks as they are now, one at a time (a majority stays up).
      Path[] old = new Path[3];
      for (int n = 1; n <= 2; n++) {
        TestCluster.awaitTrue(Duration.ofSeconds(20), "node caught up", () -> allApplied(c));
        c.kill(n);
        old[n] = Files.createTempDirectory("quorumkv-old-disk-");
        copy(c.dataDir(n), old[n]);
        c.restart(n);
      }
      long last = writeThenStopAll(c, client, 10, 30);
      // Nodes 1 and 2 come back with the old disks: their logs are not empty (Ratis counts their
      // votes) but end before writes 10-29, which only node 0 still has.
      for (int n = 1; n <= 2; n++) {
        c.wipe(n);
        copy(old[n], c.dataDir(n));
      }
      // Node 0 answers Status (the node RPC port), but no Raft message reaches it or leaves it,
      // so only nodes 1 and 2 can hold an election.
      c.restart(0);
      c.partition(0);
      c.restart(1);
      c.restart(2);
      long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      while (System.nanoTime() < end) {
        for (int i = 1; i <= 2; i++) {
          assertFalse(c.node(i).status().getRole().equals("LEADER"),
              "node " + i + ", without writes 10-29, was elected while the only full copy was cut off");
        }
        Thread.sleep(50);
      }
      assertTrue(c.node(1).voteGuard().refusedVotes() + c.node(2).voteGuard().refusedVotes() > 0,
          "the two asked each other for votes and were refused");

      c.heal();
      assertEquals(0, c.awaitLeader(), "only node 0 has the committed log");
      c.awaitApplied(last);
      for (int n = 0; n < 3; n++) {
        assertEquals("v29", localGet(c.node(n), "k29").orElseThrow(
            () -> new AssertionError("k29 lost")).getValue().toStringUtf8());
      }
      ReplicationTest.assertDigestsEqual(c);
    }
  }

  /**
   * Two of three disks lost at once: Ratis does not count votes from an empty log, so nobody is
   * elected, the full copy included, and nothing is overwritten. The way out (ARCHITECTURE.md)
   * is to copy the full copy's data directory onto one of the empty nodes while both are
   * stopped.
   */
  @Test
  void twoEmptyNodesElectNobodyAndACopyOfTheFullDiskBringsTheClusterBack() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      c.awaitLeader();
      RaftClient client = c.client();
      long last = writeThenStopAll(c, client, 0, 20);
      c.wipe(1);
      c.wipe(2);
      for (int i = 0; i < 3; i++) {
        c.restart(i);
      }
      long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
      while (System.nanoTime() < end) {
        for (int i = 0; i < 3; i++) {
          assertFalse(c.node(i).status().getRole().equals("LEADER"), "node " + i + " was elected");
        }
        Thread.sleep(50);
      }
      assertEquals("v19", localGet(c.node(0), "k19").orElseThrow().getValue().toStringUtf8(),
          "the full copy was not overwritten");

      c.kill(0);
      c.kill(1);
      c.wipe(1);
      copy(c.dataDir(0), c.dataDir(1));
      c.restart(0);
      c.restart(1);
      c.awaitLeader();
      c.awaitApplied(last);
      for (int n = 0; n < 3; n++) {
        assertEquals("v19", localGet(c.node(n), "k19").orElseThrow(
            () -> new AssertionError("k19 lost")).getValue().toStringUtf8());
      }
      ReplicationTest.assertDigestsEqual(c);
      committed(c.submit(client, cmd(set("after", "recovery"))), 0);
    }
  }

  /** Writes k{from}..k{to - 1}, waits until every node applied them, stops every node. */
  private static long writeThenStopAll(TestCluster c, RaftClient client, int from, int to) throws IOException {
    long last = 0;
    for (int i = from; i < to; i++) {
      last = Versionstamp.fromBytes(committed(c.submit(client, cmd(set("k" + i, "v" + i))), 0)).logIndex();
    }
    c.awaitApplied(last);
    for (int i = 0; i < c.size(); i++) {
      c.kill(i);
    }
    return last;
  }

  private static boolean allApplied(TestCluster c) {
    long max = 0;
    long min = Long.MAX_VALUE;
    for (int i = 0; i < c.size(); i++) {
      long a = c.node(i).stateMachine().appliedIndex();
      max = Math.max(max, a);
      min = Math.min(min, a);
    }
    return min == max;
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
