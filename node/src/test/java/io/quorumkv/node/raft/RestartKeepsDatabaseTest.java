package io.quorumkv.node.raft;

import static io.quorumkv.node.raft.ReplicationTest.cmd;
import static io.quorumkv.node.raft.ReplicationTest.committed;
import static io.quorumkv.node.raft.ReplicationTest.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.node.testing.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.junit.jupiter.api.Test;

/**
 * Ratis takes a snapshot when a node stops, labelled with the last applied entry. After a
 * leader change that entry is a configuration entry, which carries no writes. The database
 * records such entries' indexes too, so at the next start it is not "behind the snapshot" and
 * is kept instead of being replaced by a copy of the snapshot (which every restart did before,
 * copying the whole database file).
 */
class RestartKeepsDatabaseTest {

  @Test
  void aNodeRestartedAfterALeaderChangeKeepsItsDatabaseFile() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      int first = c.awaitLeader();
      RaftClient client = c.client();
      committed(c.submit(client, cmd(set("a", "1"))), 0);

      int next = (first + 1) % 3;
      c.moveLeadershipTo(next);
      // The new leader's configuration entry is the last entry; wait until every node applied it.
      long last = c.node(next).stateMachine().appliedIndex();
      TestCluster.awaitTrue(Duration.ofSeconds(10), "every node applied the configuration entry", () -> {
        for (int i = 0; i < 3; i++) {
          if (c.node(i).stateMachine().appliedIndex() < last) {
            return false;
          }
        }
        return true;
      });

      int restarted = (next + 1) % 3;
      Path db = c.dataDir(restarted).resolve("kv.sqlite3");
      Object inode = Files.getAttribute(db, "unix:ino");
      c.kill(restarted);
      try (Stream<Path> files = Files.walk(c.dataDir(restarted).resolve("raft"))) {
        assertTrue(files.anyMatch(p -> p.getFileName().toString().matches("snapshot\\.\\d+_" + last)),
            "the stop took a snapshot labelled with the configuration entry " + last);
      }
      c.restart(restarted);
      assertEquals(inode, Files.getAttribute(db, "unix:ino"), "the database file was replaced by a snapshot copy at start");
      assertEquals("1", ReplicationTest.localGet(c.node(restarted), "a").orElseThrow().getValue().toStringUtf8());
    }
  }
}
