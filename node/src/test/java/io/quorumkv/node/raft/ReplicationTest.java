package io.quorumkv.node.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.Check;
import com.deno.kv.datapath.KvEntry;
import com.deno.kv.datapath.KvValue;
import com.deno.kv.datapath.Mutation;
import com.deno.kv.datapath.MutationType;
import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.ValueEncoding;
import com.google.protobuf.ByteString;
import io.quorumkv.node.NodeServer;
import io.quorumkv.node.storage.SqliteStore;
import io.quorumkv.node.testing.TestCluster;
import io.quorumkv.proto.Versionstamp;
import io.quorumkv.proto.gen.Command;
import io.quorumkv.proto.gen.CommandResult;
import io.quorumkv.proto.gen.WriteResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.junit.jupiter.api.Test;

/** A real 3-node Ratis group on loopback with real SQLite files (issue 2's cluster tests). */
class ReplicationTest {

  static byte[] key(String s) {
    return ("\u0002" + s + "\u0000").getBytes(StandardCharsets.UTF_8);
  }

  static AtomicWrite set(String k, String v) {
    return AtomicWrite.newBuilder().addMutations(Mutation.newBuilder()
        .setKey(ByteString.copyFrom(key(k)))
        .setMutationType(MutationType.M_SET)
        .setValue(KvValue.newBuilder().setEncoding(ValueEncoding.VE_BYTES).setData(ByteString.copyFromUtf8(v))))
        .build();
  }

  static Command cmd(AtomicWrite... writes) {
    return Command.newBuilder().addAllWrites(List.of(writes)).build();
  }

  static Optional<KvEntry> localGet(NodeServer n, String k) {
    byte[] start = key(k);
    byte[] end = java.util.Arrays.copyOf(start, start.length + 1);
    var out = n.stateMachine().snapshotRead(SnapshotRead.newBuilder().addRanges(ReadRange.newBuilder()
        .setStart(ByteString.copyFrom(start)).setEnd(ByteString.copyFrom(end)).setLimit(1)).build(), System.currentTimeMillis());
    return out.getRanges(0).getValuesList().stream().findFirst();
  }

  static byte[] committed(CommandResult r, int i) {
    WriteResult w = r.getResults(i);
    assertEquals(WriteResult.OutcomeCase.COMMITTED, w.getOutcomeCase(), () -> "write " + i + ": " + w);
    return w.getCommitted().toByteArray();
  }

  @Test
  void writesReplicateWithIdenticalVersionstampsAndFollowerStampsCheckOnLeader() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      int leader = c.awaitLeader();
      RaftClient client = c.client();
      CommandResult r = c.submit(client, cmd(set("a", "1"), set("b", "2")));
      byte[] vsA = committed(r, 0);
      byte[] vsB = committed(r, 1);
      Versionstamp a = Versionstamp.fromBytes(vsA);
      Versionstamp b = Versionstamp.fromBytes(vsB);
      assertEquals(a.logIndex(), b.logIndex(), "both writes of one entry share the log index");
      assertEquals(0, a.position());
      assertEquals(1, b.position());
      c.awaitApplied(a.logIndex());
      for (int i = 0; i < 3; i++) {
        KvEntry e = localGet(c.node(i), "a").orElseThrow();
        assertArrayEquals(vsA, e.getVersionstamp().toByteArray(), "node " + i);
        assertEquals("1", e.getValue().toStringUtf8());
      }
      // A versionstamp read on a follower is accepted by a check on the leader.
      int follower = (leader + 1) % 3;
      byte[] seen = localGet(c.node(follower), "b").orElseThrow().getVersionstamp().toByteArray();
      AtomicWrite checked = set("b", "3").toBuilder()
          .addChecks(Check.newBuilder().setKey(ByteString.copyFrom(key("b"))).setVersionstamp(ByteString.copyFrom(seen)))
          .build();
      CommandResult ok = c.submit(client, cmd(checked));
      assertTrue(Versionstamp.fromBytes(committed(ok, 0)).compareTo(b) > 0, "versionstamps grow");
      // The same check again fails: b now has a newer versionstamp.
      CommandResult stale = c.submit(client, cmd(checked));
      assertTrue(stale.getResults(0).getCheckFailed());
    }
  }

  @Test
  void sequentialCommandsTakeOneLogIndexEachWithNoMetadataEntriesBetween() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      c.awaitLeader();
      RaftClient client = c.client();
      long first = Versionstamp.fromBytes(committed(c.submit(client, cmd(set("m", "0"))), 0)).logIndex();
      long last = first;
      for (int i = 1; i <= 5; i++) {
        last = Versionstamp.fromBytes(committed(c.submit(client, cmd(set("m", String.valueOf(i)))), 0)).logIndex();
      }
      // Ratis' default follows every commit with a metadata entry (10 indexes for 5 commands).
      assertEquals(first + 5, last, "each command took one log index");
    }
  }

  @Test
  void leaderKillLosesNoAcknowledgedWriteAndRestartedNodeCatchesUp() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      int leader = c.awaitLeader();
      RaftClient client = c.client();
      Map<String, byte[]> acked = new HashMap<>();
      for (int i = 0; i < 30; i++) {
        acked.put("k" + i, committed(c.submit(client, cmd(set("k" + i, "v" + i))), 0));
      }
      c.kill(leader);
      int newLeader = c.awaitLeader();
      assertTrue(newLeader != leader);
      for (int i = 30; i < 60; i++) {
        acked.put("k" + i, committed(c.submit(client, cmd(set("k" + i, "v" + i))), 0));
      }
      c.restart(leader);
      long last = acked.values().stream().mapToLong(v -> Versionstamp.fromBytes(v).logIndex()).max().orElseThrow();
      c.awaitApplied(last);
      for (int n = 0; n < 3; n++) {
        for (var e : acked.entrySet()) {
          KvEntry got = localGet(c.node(n), e.getKey()).orElseThrow(() -> new AssertionError("lost " + e.getKey()));
          assertArrayEquals(e.getValue(), got.getVersionstamp().toByteArray());
        }
      }
      assertDigestsEqual(c);
    }
  }

  @Test
  void laggingNodeCatchesUpBySnapshotInstallAfterLogPurge() throws Exception {
    try (TestCluster c = TestCluster.start(3, RaftSettings.defaults().withFrequentSnapshots(50))) {
      int leader = c.awaitLeader();
      int lagger = (leader + 2) % 3;
      c.kill(lagger);
      c.wipe(lagger);
      RaftClient client = c.client();
      String big = "x".repeat(2000);
      long last = 0;
      for (int i = 0; i < 300; i++) {
        last = Versionstamp.fromBytes(committed(c.submit(client, cmd(set("s" + i, big + i))), 0)).logIndex();
      }
      NodeServer l = c.node(leader);
      TestCluster.awaitTrue(Duration.ofSeconds(20), "a snapshot on the leader", () -> l.stateMachine().snapshotIndex() > 100);
      c.restart(lagger);
      c.awaitApplied(last);
      assertTrue(c.node(lagger).stateMachine().stats().snapshotsInstalled.get() > 0, "the wiped node installed a snapshot");
      assertEquals(big + 299, localGet(c.node(lagger), "s299").orElseThrow().getValue().toStringUtf8());
      assertDigestsEqual(c);
    }
  }

  @Test
  void partitionedFollowerCatchesUpAfterHeal() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      int leader = c.awaitLeader();
      int cut = (leader + 1) % 3;
      c.partition(cut);
      RaftClient client = c.client();
      long last = 0;
      for (int i = 0; i < 20; i++) {
        last = Versionstamp.fromBytes(committed(c.submit(client, cmd(set("p" + i, "v"))), 0)).logIndex();
      }
      Thread.sleep(300);
      assertTrue(c.node(cut).stateMachine().appliedIndex() < last, "a cut-off node does not see new writes");
      c.heal();
      c.awaitApplied(last);
      assertDigestsEqual(c);
    }
  }

  @Test
  void malformedCommandsAreRejectedBeforeTheLog() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      int leader = c.awaitLeader();
      RaftClient client = c.client();
      long before = c.node(leader).status().getCommitIndex();
      assertThrows(StateMachineException.class, () -> client.io().send(Message.valueOf("\u00ff\u00ff\u00ff not a command")));
      // A command with neither writes nor a sweep is rejected too.
      assertThrows(StateMachineException.class,
          () -> client.io().send(Message.valueOf(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.EMPTY)));
      assertEquals(before, c.node(leader).status().getCommitIndex(), "nothing reached the log");
      assertTrue(c.fatalErrors().isEmpty());
    }
  }

  @Test
  void undecodableEntryStopsTheNodeInsteadOfBeingSkipped() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      c.awaitLeader();
      NodeServer victim = c.node(0);
      var entry = org.apache.ratis.proto.RaftProtos.LogEntryProto.newBuilder()
          .setIndex(1_000_000).setTerm(1)
          .setStateMachineLogEntry(org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto.newBuilder()
              .setLogData(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFromUtf8("\u00ff\u00fe broken")))
          .build();
      var trx = org.apache.ratis.statemachine.TransactionContext.newBuilder()
          .setStateMachine(victim.stateMachine()).setLogEntry(entry).build();
      var f = victim.stateMachine().applyTransaction(trx);
      assertThrows(Exception.class, f::join);
      TestCluster.awaitTrue(Duration.ofSeconds(10), "the node to stop", () -> !c.fatalErrors().isEmpty());
      assertTrue(victim.fatalError().isPresent());
      assertFalse(victim.isLeaderReady());
    }
  }

  static void assertDigestsEqual(TestCluster c) {
    List<String> digests = new ArrayList<>();
    TestCluster.awaitTrue(Duration.ofSeconds(20), "equal digests", () -> {
      digests.clear();
      for (int i = 0; i < c.size(); i++) {
        SqliteStore.Digest d = c.node(i).stateMachine().digest();
        digests.add(java.util.HexFormat.of().formatHex(d.sha256()));
      }
      return digests.stream().distinct().count() == 1;
    });
    assertEquals(1, digests.stream().distinct().count(), digests::toString);
  }

  @Test
  void expiredKeysAreSweptOnEveryReplica() throws Exception {
    try (TestCluster c = TestCluster.start(3)) {
      c.awaitLeader();
      RaftClient client = c.client();
      AtomicWrite w = AtomicWrite.newBuilder().addMutations(Mutation.newBuilder()
          .setKey(ByteString.copyFrom(key("ttl")))
          .setMutationType(MutationType.M_SET)
          .setExpireAtMs(System.currentTimeMillis() + 1000)
          .setValue(KvValue.newBuilder().setEncoding(ValueEncoding.VE_BYTES).setData(ByteString.copyFromUtf8("soon"))))
          .build();
      long idx = Versionstamp.fromBytes(committed(c.submit(client, cmd(w)), 0)).logIndex();
      c.awaitApplied(idx);
      assertTrue(localGet(c.node(0), "ttl").isPresent());
      long started = System.currentTimeMillis();
      // Gone from the database itself (not only hidden): the digest drops the row everywhere.
      TestCluster.awaitTrue(Duration.ofSeconds(5), "the sweep", () -> {
        for (int i = 0; i < 3; i++) {
          if (c.node(i).stateMachine().digest().rowCount() != 0) {
            return false;
          }
        }
        return true;
      });
      assertTrue(System.currentTimeMillis() - started < 2500, "swept within about 2 s of expiring");
      assertDigestsEqual(c);
    }
  }

}
