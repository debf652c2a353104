package io.quorumkv.node.raft;

import static io.quorumkv.node.raft.ReplicationTest.cmd;
import static io.quorumkv.node.raft.ReplicationTest.committed;
import static io.quorumkv.node.raft.ReplicationTest.key;
import static io.quorumkv.node.raft.ReplicationTest.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.SnapshotRead;
import com.google.protobuf.ByteString;
import io.quorumkv.node.testing.TestCluster;
import io.quorumkv.proto.gen.Query;
import io.quorumkv.proto.gen.QueryResult;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

/**
 * Chaos finding F10 on a real 3-node group: a new leader's first entry is a configuration
 * entry, which Ratis counts as applied the moment it hands it to the state machine, while the
 * apply thread may still be applying committed writes before it. A linearizable read on that
 * leader must still see those writes.
 */
class ReadAfterLeaderChangeTest {

  static Message readOf(String k) {
    byte[] start = key(k);
    byte[] end = Arrays.copyOf(start, start.length + 1);
    Query q = Query.newBuilder().setSnapshotRead(SnapshotRead.newBuilder().addRanges(ReadRange.newBuilder()
        .setStart(ByteString.copyFrom(start)).setEnd(ByteString.copyFrom(end)).setLimit(1))).build();
    return Message.valueOf(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(q.toByteArray()));
  }

  private static String value(RaftClientReply reply) throws Exception {
    assertTrue(reply.isSuccess(), () -> "read failed: " + reply.getException());
    QueryResult r = QueryResult.parseFrom(reply.getMessage().getContent().toByteArray());
    return r.getSnapshotRead().getRanges(0).getValues(0).getValue().toStringUtf8();
  }

  @Test
  void aNewLeaderAnswersLinearizableReadsOnlyAfterApplyingEveryWriteBeforeItsFirstEntry() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      int leader = c.awaitLeader();
      RaftClient client = c.client();
      committed(c.submit(client, cmd(set("a", "1"))), 0);
      int target = (leader + 1) % 3;
      KvStateMachine sm = c.node(target).stateMachine();
      TestCluster.awaitTrue(Duration.ofSeconds(10), "the target applied the first write", () -> ReplicationTest.localGet(c.node(target), "a").isPresent());

      CompletableFuture<RaftClientReply> read;
      try (AutoCloseable held = sm.holdApplyingForTest()) {
        // Committed by the leader and the third node; handed to the target but not applied there.
        committed(c.submit(client, cmd(set("a", "2"))), 0);
        long before = sm.appliedIndex();
        RaftPeerId targetId = RaftPeerId.valueOf(c.peers().get(target).id());
        assertTrue(client.admin().transferLeadership(targetId, 10_000).isSuccess(), "leadership moved to the target");
        TestCluster.awaitTrue(Duration.ofSeconds(10), "the target leads", () -> c.awaitLeader() == target);

        read = client.async().sendReadOnlyUnordered(readOf("a"), targetId);
        Thread.sleep(500);
        if (read.isDone()) {
          // Without the fix the read was answered here, from a database without "a=2".
          assertEquals("2", value(read.get()), "a linearizable read on the new leader missed a committed write");
        }
        assertEquals(before, sm.appliedIndex(), "the apply thread was held throughout");
        assertFalse(read.isDone(), "the read waits for the apply thread");
      }
      assertEquals("2", value(read.get(10, TimeUnit.SECONDS)), "answered once the apply thread went on");
    }
  }
}
