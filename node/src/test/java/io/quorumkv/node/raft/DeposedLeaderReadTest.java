package io.quorumkv.node.raft;

import static io.quorumkv.node.raft.ReplicationTest.cmd;
import static io.quorumkv.node.raft.ReplicationTest.committed;
import static io.quorumkv.node.raft.ReplicationTest.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.node.NodeServer;
import io.quorumkv.node.testing.TestCluster;
import io.quorumkv.proto.gen.QueryResult;
import io.quorumkv.proto.gen.StatusResponse;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;

/**
 * A leader cut off from the others keeps believing it leads until its step-down check fires,
 * while the others elect a new leader and commit writes. A linearizable read sent to the old
 * leader in that window must not answer from its stale database: its leadership round
 * ({@link LeaderConfirmation}) asks the others for their term and finds a later one.
 *
 * <p>To make the window wide and the test deterministic, the old leader runs with a 5 s
 * maximum election timeout, which is also how long it waits for heartbeat replies before it
 * steps down; the others keep 150-300 ms.
 */
class DeposedLeaderReadTest {

  @Test
  void aLeaderCutOffFromTheMajorityRefusesReadsOnceAnotherLeaderCommitted() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      int first = c.awaitLeader();
      RaftClient client = c.client();
      committed(c.submit(client, cmd(set("a", "1"))), 0);

      int old = (first + 1) % 3;
      c.kill(old);
      System.setProperty("raft.server.rpc.timeout.max", "5000ms");
      try {
        c.restart(old);
      } finally {
        System.clearProperty("raft.server.rpc.timeout.max");
      }
      RaftPeerId oldId = RaftPeerId.valueOf(c.peers().get(old).id());
      TestCluster.awaitTrue(Duration.ofSeconds(20), "the restarted node has a=1",
          () -> ReplicationTest.localGet(c.node(old), "a").isPresent());
      c.moveLeadershipTo(old);
      long oldTerm = c.node(old).status().getTerm();
      // A read while it does lead. (With Ratis' ReadIndex this also records the commit index as
      // acknowledged, and a later read at or below it skips the round: node/DESIGN.md.)
      assertEquals("1", value(client.async().sendReadOnlyUnordered(ReadAfterLeaderChangeTest.readOf("a"), oldId).get(10, TimeUnit.SECONDS)));

      c.partition(old);
      int[] next = {-1};
      TestCluster.awaitTrue(Duration.ofSeconds(10), "the other two elected a leader", () -> {
        for (int i = 0; i < 3; i++) {
          if (i != old && c.node(i).isLeaderReady()) {
            next[0] = i;
            return true;
          }
        }
        return false;
      });
      try (RaftClient toNew = RaftClient.newBuilder().setProperties(RaftSettings.clientProperties())
          .setRaftGroup(NodeServer.group(c.clusterId(), c.peers()))
          .setLeaderId(RaftPeerId.valueOf(c.peers().get(next[0]).id()))
          .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(20, TimeDuration.valueOf(50, TimeUnit.MILLISECONDS)))
          .build()) {
        committed(c.submit(toNew, cmd(set("a", "2"))), 0);
      }

      StatusResponse oldView = c.node(old).status();
      assertEquals("LEADER", oldView.getRole(), "the cut-off node still believes it leads (else the test proves nothing)");
      assertEquals(oldTerm, oldView.getTerm());
      assertTrue(c.node(next[0]).status().getTerm() > oldTerm);

      // Ratis' async client fails the future with the state machine's exception (a
      // StateMachineException whose cause is the ReadIndexException) instead of returning it.
      Throwable refusal;
      try {
        RaftClientReply reply = client.async().sendReadOnlyUnordered(ReadAfterLeaderChangeTest.readOf("a"), oldId).get(10, TimeUnit.SECONDS);
        if (reply.isSuccess()) {
          assertEquals("2", value(reply), "a deposed leader answered a linearizable read from its stale database");
        }
        refusal = reply.getException();
      } catch (ExecutionException e) {
        refusal = e.getCause();
      }
      Throwable why = refusal;
      assertTrue(hasCause(why, ReadIndexException.class),
          () -> "refused as a leadership failure, which the gateway retries elsewhere: " + why);
      c.heal();
    }
  }

  private static String value(RaftClientReply reply) throws Exception {
    assertTrue(reply.isSuccess(), () -> "read failed: " + reply.getException());
    return QueryResult.parseFrom(reply.getMessage().getContent().toByteArray())
        .getSnapshotRead().getRanges(0).getValues(0).getValue().toStringUtf8();
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
