package io.quorumkv.gateway.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.AtomicWriteOutput;
import com.deno.kv.datapath.AtomicWriteStatus;
import com.deno.kv.datapath.Check;
import com.deno.kv.datapath.KvValue;
import com.deno.kv.datapath.Mutation;
import com.deno.kv.datapath.MutationType;
import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.deno.kv.datapath.ValueEncoding;
import com.deno.kv.datapath.Watch;
import com.deno.kv.datapath.WatchKey;
import com.deno.kv.datapath.WatchOutput;
import com.google.protobuf.ByteString;
import io.quorumkv.node.testing.TestCluster;
import io.quorumkv.proto.KvException;
import io.quorumkv.proto.Versionstamp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway's Ratis route against a real in-process 3-node cluster. */
class RaftKvDatabaseTest {
  static TestCluster cluster;
  static RaftKvDatabase db;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.start(3);
    cluster.awaitLeader();
    db = new RaftKvDatabase(cluster.peers(), RaftKvDatabase.DEFAULT_WAIT_MS);
  }

  @AfterAll
  static void stop() {
    if (db != null) {
      db.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static ByteString key(String s) {
    return ByteString.copyFrom(("\u0002" + s + "\u0000").getBytes(StandardCharsets.UTF_8));
  }

  static AtomicWrite set(String k, String v) {
    return AtomicWrite.newBuilder().addMutations(Mutation.newBuilder().setKey(key(k)).setMutationType(MutationType.M_SET)
        .setValue(KvValue.newBuilder().setEncoding(ValueEncoding.VE_BYTES).setData(ByteString.copyFromUtf8(v)))).build();
  }

  static SnapshotRead get(String k) {
    ByteString start = key(k);
    return SnapshotRead.newBuilder().addRanges(ReadRange.newBuilder().setStart(start)
        .setEnd(start.concat(ByteString.copyFrom(new byte[] {0}))).setLimit(1)).build();
  }

  @Test
  void databaseIdIsTheGroupId() {
    assertEquals(cluster.clusterId().toString(), db.databaseId());
  }

  @Test
  void writeThenStrongReadSeesIt() {
    AtomicWriteOutput out = db.atomicWrite(set("w1", "hello"));
    assertEquals(AtomicWriteStatus.AW_SUCCESS, out.getStatus());
    SnapshotReadOutput r = db.strongRead(get("w1"));
    assertTrue(r.getReadIsStronglyConsistent());
    assertEquals("hello", r.getRanges(0).getValues(0).getValue().toStringUtf8());
    assertEquals(out.getVersionstamp(), r.getRanges(0).getValues(0).getVersionstamp());
  }

  @Test
  void eventualReadIsMarkedNotStronglyConsistentAndCatchesUp() throws Exception {
    db.atomicWrite(set("e1", "v"));
    SnapshotReadOutput r = null;
    for (int i = 0; i < 100; i++) {
      r = db.eventualRead(get("e1"));
      if (r.getRanges(0).getValuesCount() == 1) {
        break;
      }
      Thread.sleep(20);
    }
    assertNotNull(r);
    assertEquals(false, r.getReadIsStronglyConsistent());
    assertEquals(1, r.getRanges(0).getValuesCount());
  }

  @Test
  void checkFailureAndTypeErrorsAreValuesNotExceptions() {
    db.atomicWrite(set("c1", "x"));
    AtomicWrite mustBeAbsent = set("c1", "y").toBuilder().addChecks(Check.newBuilder().setKey(key("c1"))).build();
    assertEquals(AtomicWriteStatus.AW_CHECK_FAILURE, db.atomicWrite(mustBeAbsent).getStatus());
    AtomicWrite sum = AtomicWrite.newBuilder().addMutations(Mutation.newBuilder().setKey(key("c1")).setMutationType(MutationType.M_SUM)
        .setValue(KvValue.newBuilder().setEncoding(ValueEncoding.VE_LE64).setData(ByteString.copyFrom(new byte[8])))).build();
    KvException.InvalidRequest e = assertThrows(KvException.InvalidRequest.class, () -> db.atomicWrite(sum));
    assertEquals("Failed to perform 'sum' mutation on a non-U64 value in the database", e.getMessage());
  }

  @Test
  void concurrentWritesAreBatchedEachWithItsOwnVersionstamp() throws Exception {
    int n = 200;
    long entriesBefore = db.batcherEntries();
    List<CompletableFuture<AtomicWriteOutput>> fs = new ArrayList<>();
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        int k = i;
        fs.add(CompletableFuture.supplyAsync(() -> db.atomicWrite(set("b" + k, "v" + k)), exec));
      }
      Set<Versionstamp> stamps = new HashSet<>();
      for (var f : fs) {
        AtomicWriteOutput o = f.get();
        assertEquals(AtomicWriteStatus.AW_SUCCESS, o.getStatus());
        stamps.add(Versionstamp.fromBytes(o.getVersionstamp().toByteArray()));
      }
      assertEquals(n, stamps.size(), "every write has its own versionstamp");
    }
    long entries = db.batcherEntries() - entriesBefore;
    assertTrue(entries < n, "200 concurrent writes used " + entries + " log entries");
  }

  @Test
  void concurrentReadsAreBatchedEachWithItsOwnAnswer() throws Exception {
    int n = 200;
    for (int i = 0; i < n; i += 50) {
      List<CompletableFuture<AtomicWriteOutput>> ws = new ArrayList<>();
      try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int k = i; k < i + 50; k++) {
          int key = k;
          ws.add(CompletableFuture.supplyAsync(() -> db.atomicWrite(set("r" + key, "v" + key)), exec));
        }
        for (var w : ws) {
          assertEquals(AtomicWriteStatus.AW_SUCCESS, w.get().getStatus());
        }
      }
    }
    long queriesBefore = db.readQueries();
    List<CompletableFuture<SnapshotReadOutput>> fs = new ArrayList<>();
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        int k = i;
        // Every other read is of a key nobody wrote: batches mix hits and misses.
        fs.add(CompletableFuture.supplyAsync(() -> db.strongRead(get(k % 2 == 0 ? "r" + k : "absent" + k)), exec));
      }
      for (int i = 0; i < n; i++) {
        SnapshotReadOutput o = fs.get(i).get();
        assertTrue(o.getReadIsStronglyConsistent());
        assertEquals(1, o.getRangesCount());
        if (i % 2 == 0) {
          assertEquals("v" + i, o.getRanges(0).getValues(0).getValue().toStringUtf8(), "read " + i);
        } else {
          assertEquals(0, o.getRanges(0).getValuesCount(), "read " + i);
        }
      }
    }
    long queries = db.readQueries() - queriesBefore;
    assertTrue(queries < n, "200 concurrent strong reads used " + queries + " queries");

    // Eventual reads: batched into node RPC calls to followers, each answer its own.
    long callsBefore = db.eventualReadCalls();
    long carriedBefore = db.health().batchedEventualReads();
    List<CompletableFuture<SnapshotReadOutput>> es = new ArrayList<>();
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        int k = i;
        es.add(CompletableFuture.supplyAsync(() -> db.eventualRead(get(k % 2 == 0 ? "r" + k : "absent" + k)), exec));
      }
      for (int i = 0; i < n; i++) {
        SnapshotReadOutput o = es.get(i).get();
        assertEquals(false, o.getReadIsStronglyConsistent());
        assertEquals(1, o.getRangesCount());
        if (i % 2 == 1) {
          assertEquals(0, o.getRanges(0).getValuesCount(), "read " + i);
        } else if (o.getRanges(0).getValuesCount() == 1) { // a follower may lag behind the writes
          assertEquals("v" + i, o.getRanges(0).getValues(0).getValue().toStringUtf8(), "read " + i);
        }
      }
    }
    long calls = db.eventualReadCalls() - callsBefore;
    assertTrue(calls < n, "200 concurrent eventual reads used " + calls + " node calls");
    // What /metrics reports for them (quorumkv_gateway_*eventual_read*_total).
    assertEquals(n, db.health().batchedEventualReads() - carriedBefore);
    assertEquals(db.eventualReadCalls(), db.health().eventualReadCalls());
  }

  @Test
  void watchSeesFirstStateThenChanges() throws Exception {
    db.atomicWrite(set("wa", "1"));
    Watch w = Watch.newBuilder().addKeys(WatchKey.newBuilder().setKey(key("wa"))).addKeys(WatchKey.newBuilder().setKey(key("wb"))).build();
    try (RaftWatchStream s = db.watch(w, false)) {
      WatchOutput first = s.next(10_000);
      assertNotNull(first);
      assertEquals(2, first.getKeysCount());
      assertTrue(first.getKeys(0).getChanged() && first.getKeys(1).getChanged());
      db.atomicWrite(set("wb", "2"));
      WatchOutput next = null;
      for (int i = 0; i < 20 && (next == null || next.getKeys(1).getEntryIfChanged().getValue().isEmpty()); i++) {
        next = s.next(1000);
      }
      assertNotNull(next);
      assertEquals("2", next.getKeys(1).getEntryIfChanged().getValue().toStringUtf8());
    }
  }
}
