package io.quorumkv.node.kv;

import static io.quorumkv.node.kv.Kv.big;
import static io.quorumkv.node.kv.Kv.bytes;
import static io.quorumkv.node.kv.Kv.check;
import static io.quorumkv.node.kv.Kv.delete;
import static io.quorumkv.node.kv.Kv.hex;
import static io.quorumkv.node.kv.Kv.int32;
import static io.quorumkv.node.kv.Kv.le64;
import static io.quorumkv.node.kv.Kv.set;
import static io.quorumkv.node.kv.Kv.setExpiring;
import static io.quorumkv.node.kv.Kv.setVersionstamped;
import static io.quorumkv.node.kv.Kv.sum;
import static io.quorumkv.node.kv.Kv.write;
import static io.quorumkv.node.kv.StoreHarness.NOW_MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.Enqueue;
import com.deno.kv.datapath.KvEntry;
import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.SnapshotRead;
import io.quorumkv.node.storage.ByteKey;
import io.quorumkv.node.storage.SqliteStore;
import io.quorumkv.proto.V8Numbers;
import io.quorumkv.proto.Versionstamp;
import io.quorumkv.proto.gen.Command;
import io.quorumkv.proto.gen.WriteResult;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenarios of KV-CONNECT.md §2.1, §5.2, §5.7, §6 and §10.1 on a real SQLite file. */
class ApplierScenarioTest {
  private static final byte[] K01 = hex("01");
  private static final byte[] K02 = hex("02");
  private static final byte[] A = hex("02 61 00");
  private static final byte[] B = hex("02 62 00");

  @TempDir Path dir;
  private StoreHarness h;

  @BeforeEach
  void open() {
    h = new StoreHarness(dir.resolve("kv.sqlite3"));
  }

  @AfterEach
  void close() {
    h.close();
  }

  private KvEntry entry(byte[] key) {
    return h.get(key).orElseThrow(() -> new AssertionError("absent: " + hex(key)));
  }

  private V8Numbers.Value v8Value(byte[] key) throws V8Numbers.DecodeException {
    KvEntry e = entry(key);
    assertEquals(1, e.getEncodingValue(), "V8 encoding");
    return V8Numbers.decode(e.getValue().toByteArray());
  }

  private static V8Numbers.Value bigValue(long v) {
    return new V8Numbers.BigIntValue(BigInteger.valueOf(v));
  }

  private static void assertNonZeroVersionstamp(WriteResult r) {
    assertTrue(r.hasCommitted(), "committed: " + r);
    assertEquals(10, r.getCommitted().size());
    assertFalse(java.util.Arrays.equals(new byte[10], r.getCommitted().toByteArray()));
  }

  /** denokv/tests/integration.rs, checklist items 6–18. */
  @Test
  void referenceIntegrationChecklist() throws Exception {
    // 6–8 sum_type_mismatch
    assertNonZeroVersionstamp(h.write(write(set(K01, bytes("01 02 03")))));
    assertTrue(h.write(write(sum(K01, le64(1)))).getRejected()
        .contains("Failed to perform 'sum' mutation on a non-U64 value in the database"));
    assertTrue(h.write(write(sum(K01, big(1)))).getRejected().contains("unsupported value type"));
    // 9–11 sum_values (fresh key 01: delete first)
    h.write(write(delete(K01)));
    assertNonZeroVersionstamp(h.write(write(sum(K01, le64(42)))));
    h.write(write(sum(K01, le64(1))));
    assertEquals(hex(le64(43).getData().toByteArray()), hex(entry(K01).getValue().toByteArray()));
    h.write(write(sum(K01, big(1))));
    assertEquals(2, entry(K01).getEncodingValue());
    assertEquals(hex(le64(44).getData().toByteArray()), hex(entry(K01).getValue().toByteArray()));
    // 12–13
    h.write(write(set(K01, big(42))));
    assertEquals(bigValue(42), v8Value(K01));
    h.write(write(sum(K01, big(1))));
    assertEquals(bigValue(43), v8Value(K01));
    // 14
    assertTrue(h.write(write(sum(K01, int32(1)))).getRejected()
        .contains("Cannot sum BigInt with Number"));
    // 15–17
    assertTrue(h.write(write(sum(K01, big(2), null, big(44), false))).getRejected()
        .contains("The result of a Sum operation would exceed its range limit"));
    h.write(write(sum(K01, big(1), null, big(44), false)));
    assertEquals(bigValue(44), v8Value(K01));
    h.write(write(sum(K01, big(10), null, big(50), true)));
    assertEquals(bigValue(50), v8Value(K01));
    // 18
    assertNonZeroVersionstamp(h.write(write(sum(K02, big(10)))));
    SnapshotRead read =
        SnapshotRead.newBuilder()
            .addRanges(ReadRange.newBuilder().setStart(Kv.bs(K02)).setEnd(Kv.bs(hex("03")))
                .setLimit(1))
            .build();
    List<KvEntry> values = h.store.snapshotRead(read, NOW_MS).getRanges(0).getValuesList();
    assertEquals(1, values.size());
    assertArrayEquals(K02, values.get(0).getKey().toByteArray());
    assertEquals(bigValue(10), V8Numbers.decode(values.get(0).getValue().toByteArray()));
  }

  /** §2.1's example, byte for byte: versionstamp 00..2A 00 00 = entry 42, position 0. */
  @Test
  void versionstampedKeyMatchesTheSpecExample() {
    h.jumpTo(42);
    byte[] prefix = hex("02 6C 6F 67 00");
    SqliteStore.Applied applied =
        h.applyWrites(NOW_MS, write(setVersionstamped(prefix, bytes("aa"))));
    byte[] expectedKey =
        hex("02 6C 6F 67 00 02 30 30 30 30 30 30 30 30 30 30 30 30 30 30 32 61 30 30 30 30 00");
    assertArrayEquals(hex("00 00 00 00 00 00 00 2A 00 00"),
        applied.result().getResults(0).getCommitted().toByteArray());
    KvEntry stored = entry(expectedKey);
    assertEquals("aa", hex(stored.getValue().toByteArray()));
    assertTrue(h.get(prefix).isEmpty(), "the prefix itself is not written");
    assertEquals(Set.of(new ByteKey(prefix), new ByteKey(expectedKey)), applied.touchedKeys());
    assertArrayEquals(expectedKey,
        Applier.versionstampedKey(prefix, Versionstamp.fromHex("000000000000002a0000")));
  }

  @Test
  void twoVersionstampedSetsWithOnePrefixTargetOneKeyLastWins() {
    byte[] prefix = hex("02 6C 6F 67 00");
    h.write(write(setVersionstamped(prefix, bytes("01")), setVersionstamped(prefix, bytes("02"))));
    SnapshotRead all =
        SnapshotRead.newBuilder()
            .addRanges(ReadRange.newBuilder().setEnd(Kv.bs(hex("FF"))).setLimit(100))
            .build();
    List<KvEntry> rows = h.store.snapshotRead(all, NOW_MS).getRanges(0).getValuesList();
    assertEquals(1, rows.size());
    assertEquals("02", hex(rows.get(0).getValue().toByteArray()));
  }

  @Test
  void touchedKeysAreEveryMutationKeyOfCommittedWritesOnly() {
    SqliteStore.Applied applied =
        h.applyWrites(
            NOW_MS,
            write(set(A, bytes("01")), delete(B)), // committed: a, b (delete of absent key too)
            write(set(hex("0c"), bytes("01")), sum(hex("0c"), le64(1))), // rejected
            AtomicWrite.newBuilder().addChecks(check(A, new byte[0])) // check fails: a exists
                .addMutations(set(hex("0d"), bytes("01"))).build());
    assertTrue(applied.result().getResults(0).hasCommitted());
    assertTrue(applied.result().getResults(1).hasRejected());
    assertTrue(applied.result().getResults(2).getCheckFailed());
    assertEquals(Set.of(new ByteKey(A), new ByteKey(B)), applied.touchedKeys());
  }

  @Test
  void checks() {
    WriteResult created = h.write(write(set(A, bytes("01"))));
    byte[] vs = created.getCommitted().toByteArray();
    // "must not exist" on an absent key passes, on a present key fails.
    assertTrue(h.write(withCheck(B, new byte[0])).hasCommitted());
    assertTrue(h.write(withCheck(A, new byte[0])).getCheckFailed());
    // The right versionstamp passes; a wrong one fails and changes nothing.
    assertTrue(h.write(withCheck(A, vs)).hasCommitted());
    WriteResult rewrite =
        h.write(AtomicWrite.newBuilder().addChecks(check(A, vs))
            .addMutations(set(A, bytes("02"))).build());
    assertTrue(rewrite.hasCommitted());
    assertTrue(h.write(withCheck(A, vs)).getCheckFailed(), "A was rewritten: old vs is stale");
    assertTrue(h.write(withCheck(A, rewrite.getCommitted().toByteArray())).hasCommitted());
    byte[] digest = h.store.digest().sha256();
    assertTrue(h.write(withCheck(A, hex("00000000000000000000"))).getCheckFailed());
    assertArrayEquals(digest, h.store.digest().sha256());
    // Bad length: rejected as the reference rejects it.
    assertEquals("Invalid versionstamp.", h.write(withCheck(A, hex("0102"))).getRejected());
  }

  private static AtomicWrite withCheck(byte[] key, byte[] versionstamp) {
    return AtomicWrite.newBuilder()
        .addChecks(check(key, versionstamp))
        .addMutations(set(hex("0e"), bytes("01")))
        .build();
  }

  @Test
  void expiredRowIsAbsentForChecksAndSums() {
    long expireAtMs = NOW_MS + 1000;
    WriteResult w = h.write(write(setExpiring(A, le64(100), expireAtMs)));
    byte[] vs = w.getCommitted().toByteArray();
    // Before expiry: present.
    assertTrue(h.write(expireAtMs - 1, withCheck(A, vs)).hasCommitted());
    // Re-create with expiry, then act exactly at the expiry instant: absent.
    vs = h.write(write(setExpiring(A, le64(100), expireAtMs))).getCommitted().toByteArray();
    assertTrue(h.write(expireAtMs, withCheck(A, vs)).getCheckFailed());
    assertTrue(h.write(expireAtMs, withCheck(A, new byte[0])).hasCommitted());
    // A sum on the expired row starts from nothing, and its result never expires.
    assertTrue(h.write(expireAtMs, write(sum(A, le64(5)))).hasCommitted());
    KvEntry after = h.get(A, Long.MAX_VALUE).orElseThrow();
    assertEquals(hex(le64(5).getData().toByteArray()), hex(after.getValue().toByteArray()));
  }

  @Test
  void expiryIsHiddenFromReadsAndClearedBySetAndSum() {
    long expireAtMs = NOW_MS + 1000;
    h.write(write(setExpiring(A, bytes("01"), expireAtMs), setExpiring(B, le64(1), expireAtMs)));
    assertTrue(h.get(A, expireAtMs - 1).isPresent());
    assertTrue(h.get(A, expireAtMs).isEmpty());
    assertTrue(h.get(A, 0).isPresent(), "nowMs 0 hides nothing");
    assertEquals(expireAtMs, h.store.earliestExpiryMs());
    // SET without expiry (0 and -1 both mean none) clears it; so does a sum.
    h.write(write(set(A, bytes("02")), sum(B, le64(1))));
    assertTrue(h.get(A, Long.MAX_VALUE).isPresent());
    assertTrue(h.get(B, Long.MAX_VALUE).isPresent());
    assertEquals(Long.MAX_VALUE, h.store.earliestExpiryMs());
    h.write(write(Kv.m(A, com.deno.kv.datapath.MutationType.M_SET).setValue(bytes("03"))
        .setExpireAtMs(-1).build()));
    assertTrue(h.get(A, Long.MAX_VALUE).isPresent());
    // An expiry in the past is stored but invisible at once.
    h.write(write(setExpiring(A, bytes("04"), 1)));
    assertTrue(h.get(A).isEmpty());
  }

  @Test
  void writesOfOneEntryGetTheirPositionsAndSeeEachOther() {
    long index = h.nextIndex();
    byte[] vs0 = Versionstamp.of(index, 0).toBytes();
    SqliteStore.Applied applied =
        h.applyWrites(
            NOW_MS,
            write(set(A, bytes("01"))),
            AtomicWrite.newBuilder().addChecks(check(A, vs0)) // sees write 0
                .addMutations(set(B, bytes("02"))).build(),
            write(sum(A, le64(1))), // type error: alone rejected
            write()); // empty write still commits
    List<WriteResult> r = applied.result().getResultsList();
    assertArrayEquals(vs0, r.get(0).getCommitted().toByteArray());
    assertArrayEquals(Versionstamp.of(index, 1).toBytes(), r.get(1).getCommitted().toByteArray());
    assertTrue(r.get(2).hasRejected());
    assertArrayEquals(Versionstamp.of(index, 3).toBytes(), r.get(3).getCommitted().toByteArray());
    assertEquals("01", hex(entry(A).getValue().toByteArray()));
    assertArrayEquals(vs0, entry(A).getVersionstamp().toByteArray());
  }

  @Test
  void tooManyWritesInOneEntryAreRejectedNotFatal() {
    Command.Builder command = Command.newBuilder().setLeaderTimeMs(NOW_MS);
    for (int i = 0; i <= 0x10000; i++) {
      command.addWrites(AtomicWrite.getDefaultInstance());
    }
    SqliteStore.Applied applied = h.apply(command.build());
    assertTrue(applied.result().getResults(0xFFFF).hasCommitted());
    assertEquals("Too many atomic writes in one log entry.",
        applied.result().getResults(0x10000).getRejected());
  }

  @Test
  void enqueuesAreStoredWithDerivedIds() throws Exception {
    Enqueue withDefaults =
        Enqueue.newBuilder().setPayload(Kv.bs(hex("FF0F2201 61"))).setDeadlineMs(5000).build();
    Enqueue explicit =
        Enqueue.newBuilder().setPayload(Kv.bs(hex("01"))).setDeadlineMs(6000)
            .addKeysIfUndelivered(Kv.bs(hex("02 71 33 00")))
            .addKeysIfUndelivered(Kv.bs(hex("FF")))
            .addAllBackoffSchedule(List.of(100, 200, 400, 800)).build();
    long index = h.nextIndex();
    WriteResult r =
        h.write(AtomicWrite.newBuilder().addEnqueues(withDefaults).addEnqueues(explicit).build());
    assertTrue(r.hasCommitted());
    String vsHex = Versionstamp.of(index, 0).toHex();
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + h.store.file());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT ts, id, hex(data), backoff_schedule,"
            + " keys_if_undelivered FROM queue ORDER BY ts")) {
      while (rs.next()) {
        rows.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|"
            + rs.getString(4) + "|" + rs.getString(5));
      }
    }
    assertEquals(List.of(
        "5000|" + vsHex + "-0|FF0F220161|[100,1000,5000,30000,60000]|[]",
        "6000|" + vsHex + "-1|01|[100,200,400,800]|[[2,113,51,0],[255]]"), rows);
    assertEquals("Invalid mutation enqueue deadline.",
        h.write(AtomicWrite.newBuilder().addEnqueues(Enqueue.newBuilder().setDeadlineMs(-1))
            .build()).getRejected());
  }

  /** A stored encoding the applier never writes (cannot arise through the API). */
  @Test
  void unknownStoredEncoding() throws Exception {
    h.write(write(set(A, bytes("01"))));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + h.store.file());
        Statement s = c.createStatement()) {
      s.execute("UPDATE kv SET v_encoding = 7");
    }
    assertEquals("Invalid sum operand", h.write(write(sum(A, big(1)))).getRejected());
    assertEquals("The value encoding 7 is unknown.", h.write(write(sum(A, le64(1)))).getRejected());
  }
}
