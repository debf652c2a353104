package io.quorumkv.node.storage;

import static io.quorumkv.node.kv.Kv.bytes;
import static io.quorumkv.node.kv.Kv.hex;
import static io.quorumkv.node.kv.Kv.le64;
import static io.quorumkv.node.kv.Kv.set;
import static io.quorumkv.node.kv.Kv.setExpiring;
import static io.quorumkv.node.kv.Kv.write;
import static io.quorumkv.node.kv.StoreHarness.NOW_MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deno.kv.datapath.KvEntry;
import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.deno.kv.datapath.SnapshotReadStatus;
import com.deno.kv.datapath.WatchOutput;
import io.quorumkv.node.kv.Kv;
import io.quorumkv.node.kv.StoreHarness;
import io.quorumkv.proto.gen.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SqliteStore on real files: reads (KV-CONNECT.md §4, §7), sweep, persistence, copies. */
class SqliteStoreTest {
  @TempDir Path dir;

  private static ReadRange range(String startHex, String endHex, int limit, boolean reverse) {
    return ReadRange.newBuilder()
        .setStart(Kv.bs(hex(startHex)))
        .setEnd(Kv.bs(hex(endHex)))
        .setLimit(limit)
        .setReverse(reverse)
        .build();
  }

  private static List<String> keys(SnapshotReadOutput out, int range) {
    return out.getRanges(range).getValuesList().stream()
        .map(e -> hex(e.getKey().toByteArray()))
        .toList();
  }

  /** Keys 01..05 plus the empty key and a longer key 0301. */
  private static void fill(StoreHarness h) {
    h.write(write(set(hex(""), bytes("00")), set(hex("01"), bytes("01")),
        set(hex("02"), bytes("02")), set(hex("03"), bytes("03")), set(hex("0301"), bytes("31")),
        set(hex("04"), bytes("04")), set(hex("05"), bytes("05"))));
  }

  @Test
  void trySnapshotReadsAnswersAsSnapshotReadsAndNothingOnceClosed() {
    Path file = dir.resolve("kv.sqlite3");
    StoreHarness h = new StoreHarness(file);
    fill(h);
    List<SnapshotRead> reads = List.of(
        SnapshotRead.newBuilder().addRanges(range("01", "03", 10, false)).build(),
        SnapshotRead.newBuilder().addRanges(range("", "FF", 2, true)).build());
    List<SnapshotReadOutput> waited = h.store.snapshotReads(reads, NOW_MS);
    assertEquals(List.of("01", "02"), keys(waited.get(0), 0));
    assertEquals(waited, h.store.trySnapshotReads(reads, NOW_MS).orElseThrow());
    h.close();
    assertTrue(h.store.trySnapshotReads(reads, NOW_MS).isEmpty(), "a closed store answers nothing, without throwing");
    assertThrows(IllegalStateException.class, () -> h.store.snapshotReads(reads, NOW_MS));
  }

  @Test
  void rangesLimitsReverseAndFlags() {
    try (StoreHarness h = new StoreHarness(dir.resolve("kv.sqlite3"))) {
      fill(h);
      SnapshotRead read =
          SnapshotRead.newBuilder()
              .addRanges(range("", "FF", 100, false)) // everything, empty key first
              .addRanges(range("02", "04", 100, false)) // end exclusive, prefix sorts first
              .addRanges(range("01", "FF", 2, false)) // first 2
              .addRanges(range("01", "FF", 2, true)) // LAST 2, descending
              .addRanges(range("02", "04", 10, true))
              .addRanges(range("04", "02", 10, false)) // inverted: nothing
              .addRanges(range("03", "03", 10, false)) // empty: nothing
              .addRanges(range("01", "", 10, false)) // empty end: nothing
              .addRanges(range("01", "FF", 0, false)) // limit 0 would be "no limit" in SQL
              .build();
      SnapshotReadOutput out = h.store.snapshotRead(read, NOW_MS);
      assertEquals(SnapshotReadStatus.SR_SUCCESS, out.getStatus());
      assertTrue(out.getReadIsStronglyConsistent());
      assertFalse(out.getReadDisabled());
      assertEquals(9, out.getRangesCount());
      assertEquals(List.of("", "01", "02", "03", "0301", "04", "05"), keys(out, 0));
      assertEquals(List.of("02", "03", "0301"), keys(out, 1));
      assertEquals(List.of("01", "02"), keys(out, 2));
      assertEquals(List.of("05", "04"), keys(out, 3));
      assertEquals(List.of("0301", "03", "02"), keys(out, 4));
      for (int i = 5; i < 9; i++) {
        assertEquals(List.of(), keys(out, i), "range " + i);
      }
      KvEntry e = out.getRanges(2).getValues(0);
      assertEquals("01", hex(e.getValue().toByteArray()));
      assertEquals(3, e.getEncodingValue());
      assertEquals(10, e.getVersionstamp().size());
      assertEquals(0, h.store.snapshotRead(SnapshotRead.getDefaultInstance(), NOW_MS)
          .getRangesCount());
    }
  }

  @Test
  void snapshotReadsAnswerEachReadInOrderAsSingleReadsWould() {
    try (StoreHarness h = new StoreHarness(dir.resolve("kv.sqlite3"))) {
      fill(h);
      List<SnapshotRead> reads = List.of(
          SnapshotRead.newBuilder().addRanges(range("02", "04", 100, false)).build(),
          SnapshotRead.getDefaultInstance(),
          SnapshotRead.newBuilder().addRanges(range("01", "FF", 2, true))
              .addRanges(range("05", "06", 1, false)).build());
      List<SnapshotReadOutput> out = h.store.snapshotReads(reads, NOW_MS);
      assertEquals(3, out.size());
      for (int i = 0; i < reads.size(); i++) {
        assertEquals(h.store.snapshotRead(reads.get(i), NOW_MS), out.get(i), "read " + i);
      }
      assertEquals(List.of("02", "03", "0301"), keys(out.get(0), 0));
      assertEquals(List.of("05", "04"), keys(out.get(2), 0));
      assertEquals(List.of(), h.store.snapshotReads(List.of(), NOW_MS));
    }
  }

  @Test
  void limitCountsOnlyVisibleRows() {
    try (StoreHarness h = new StoreHarness(dir.resolve("kv.sqlite3"))) {
      h.write(write(set(hex("01"), bytes("01")), setExpiring(hex("02"), bytes("02"), NOW_MS),
          set(hex("03"), bytes("03"))));
      SnapshotReadOutput out = h.store.snapshotRead(
          SnapshotRead.newBuilder().addRanges(range("", "FF", 2, false))
              .addRanges(range("", "FF", 2, true)).build(), NOW_MS);
      assertEquals(List.of("01", "03"), keys(out, 0)); // never a short page because of expiry
      assertEquals(List.of("03", "01"), keys(out, 1));
    }
  }

  @Test
  void watchReadAnswersEveryKeyInRequestOrder() {
    try (StoreHarness h = new StoreHarness(dir.resolve("kv.sqlite3"))) {
      h.write(write(set(hex("01"), bytes("aa")), setExpiring(hex("02"), bytes("bb"), NOW_MS)));
      WatchOutput out =
          h.store.watchRead(List.of(hex("03"), hex("01"), hex("02"), hex("0100")), NOW_MS);
      assertEquals(SnapshotReadStatus.SR_SUCCESS, out.getStatus());
      assertEquals(4, out.getKeysCount());
      out.getKeysList().forEach(k -> assertTrue(k.getChanged()));
      assertFalse(out.getKeys(0).hasEntryIfChanged());
      assertEquals("aa", hex(out.getKeys(1).getEntryIfChanged().getValue().toByteArray()));
      assertFalse(out.getKeys(2).hasEntryIfChanged(), "expired");
      assertFalse(out.getKeys(3).hasEntryIfChanged(), "exact key only");
      assertTrue(h.store.watchRead(List.of(hex("02")), NOW_MS - 1).getKeys(0)
          .hasEntryIfChanged());
    }
  }

  @Test
  void sweepDeletesExpiredRowsAndReportsThem() {
    try (StoreHarness h = new StoreHarness(dir.resolve("kv.sqlite3"))) {
      h.write(write(setExpiring(hex("01"), bytes("01"), 1000), setExpiring(hex("02"), le64(2), 2000),
          setExpiring(hex("03"), bytes("03"), 3000), set(hex("04"), bytes("04"))));
      assertEquals(1000, h.store.earliestExpiryMs());
      SqliteStore.Applied applied = h.sweep(NOW_MS, 2000);
      assertEquals(2, applied.result().getSwept());
      assertEquals(0, applied.result().getResultsCount());
      assertEquals(Set.of(new ByteKey(hex("01")), new ByteKey(hex("02"))), applied.touchedKeys());
      assertTrue(h.get(hex("01"), 0).isEmpty());
      assertTrue(h.get(hex("02"), 0).isEmpty());
      assertTrue(h.get(hex("03"), 0).isPresent());
      assertTrue(h.get(hex("04"), 0).isPresent());
      assertEquals(3000, h.store.earliestExpiryMs());
      assertEquals(0, h.sweep(NOW_MS, 2000).result().getSwept());
    }
  }

  @Test
  void appliedIndexAndTermSurviveReopenAndOldEntriesAreRefused() {
    Path file = dir.resolve("kv.sqlite3");
    try (StoreHarness h = new StoreHarness(file, 3)) {
      assertEquals(0, h.store.appliedIndex());
      h.write(write(set(hex("01"), bytes("01"))));
      h.jumpTo(17);
      h.write(write(set(hex("02"), bytes("02"))));
      assertEquals(17, h.store.appliedIndex());
      assertEquals(3, h.store.appliedTerm());
    }
    try (SqliteStore reopened = SqliteStore.open(file)) {
      assertEquals(17, reopened.appliedIndex());
      assertEquals(3, reopened.appliedTerm());
      assertEquals(17, reopened.digest().appliedIndex());
      assertEquals(2, reopened.digest().rowCount());
      SqliteStore.Entry stale = new SqliteStore.Entry(17, 3, Command.getDefaultInstance());
      assertThrows(IllegalArgumentException.class, () -> reopened.applyBatch(List.of(stale)));
      SqliteStore.Entry e20 = new SqliteStore.Entry(20, 4, Command.getDefaultInstance());
      SqliteStore.Entry e19 = new SqliteStore.Entry(19, 4, Command.getDefaultInstance());
      assertThrows(IllegalArgumentException.class, () -> reopened.applyBatch(List.of(e20, e19)));
      assertEquals(17, reopened.appliedIndex());
      // A batch: one transaction, meta = the last entry.
      reopened.applyBatch(List.of(e19, e20));
      assertEquals(20, reopened.appliedIndex());
      assertEquals(4, reopened.appliedTerm());
    }
    try (SqliteStore again = SqliteStore.open(file)) {
      assertEquals(20, again.appliedIndex());
    }
  }

  @Test
  void anEntryWithoutWritesOnlyMovesTheAppliedIndexAndKeepsTheOthersResultsInPlace() {
    Path file = dir.resolve("kv.sqlite3");
    try (StoreHarness h = new StoreHarness(file)) {
      h.write(write(set(hex("01"), bytes("01"))));
      long i = h.store.appliedIndex();
      List<SqliteStore.Applied> applied = h.store.applyBatch(List.of(
          new SqliteStore.Entry(i + 1, 2, null),
          new SqliteStore.Entry(i + 2, 2, Command.newBuilder().setLeaderTimeMs(NOW_MS)
              .addWrites(write(set(hex("02"), bytes("02")))).build()),
          new SqliteStore.Entry(i + 3, 2, null)));
      assertEquals(List.of(i + 1, i + 2, i + 3), applied.stream().map(SqliteStore.Applied::index).toList());
      assertEquals(0, applied.get(0).result().getResultsCount());
      assertTrue(applied.get(1).result().getResults(0).hasCommitted(), "the write between the two got its own result");
      assertEquals(0, applied.get(2).result().getResultsCount());
      assertEquals(i + 3, h.store.appliedIndex());
      assertEquals(2, h.store.digest().rowCount());

      byte[] rows = h.store.digest().sha256();
      h.store.applyBatch(List.of(new SqliteStore.Entry(i + 4, 3, null)));
      assertEquals(i + 4, h.store.appliedIndex());
      assertEquals(3, h.store.appliedTerm());
      assertArrayEquals(rows, h.store.digest().sha256(), "no row changed");
    }
    try (SqliteStore again = SqliteStore.open(file)) {
      assertEquals(5, again.appliedIndex(), "recorded in the database, not only in memory");
    }
  }

  private static void applySame(StoreHarness h) {
    h.write(write(set(hex("01"), bytes("01")), setExpiring(hex("02"), le64(2), NOW_MS + 5)));
    h.write(write(Kv.sum(hex("02"), le64(3)), Kv.setVersionstamped(hex("03"), bytes("33"))));
  }

  @Test
  void digestEqualForSameEntriesAndDifferentOtherwise() {
    try (StoreHarness a = new StoreHarness(dir.resolve("a.sqlite3"));
        StoreHarness b = new StoreHarness(dir.resolve("b.sqlite3"));
        StoreHarness c = new StoreHarness(dir.resolve("c.sqlite3"));
        StoreHarness d = new StoreHarness(dir.resolve("d.sqlite3"))) {
      assertArrayEquals(a.store.digest().sha256(), b.store.digest().sha256());
      applySame(a);
      applySame(b);
      applySame(c);
      applySame(d);
      SqliteStore.Digest da = a.store.digest();
      assertArrayEquals(da.sha256(), b.store.digest().sha256());
      assertEquals(3, da.rowCount());
      // Same keys and values, different expiry only.
      c.write(write(setExpiring(hex("01"), bytes("01"), NOW_MS + 99)));
      a.write(write(set(hex("01"), bytes("01"))));
      b.write(write(set(hex("01"), bytes("01"))));
      assertArrayEquals(a.store.digest().sha256(), b.store.digest().sha256());
      assertFalse(Arrays.equals(a.store.digest().sha256(), c.store.digest().sha256()));
      // A queue row alone changes the digest.
      d.write(write(set(hex("01"), bytes("01"))));
      d.write(com.deno.kv.datapath.AtomicWrite.newBuilder().addEnqueues(
          com.deno.kv.datapath.Enqueue.newBuilder().setDeadlineMs(1)).build());
      b.write(write()); // an empty write commits but changes no row
      assertArrayEquals(a.store.digest().sha256(), b.store.digest().sha256());
      assertFalse(Arrays.equals(b.store.digest().sha256(), d.store.digest().sha256()));
    }
  }

  @Test
  void backupIsAConsistentCopyWithMetaAndCanBeInstalled() {
    Path backup = dir.resolve("snap.sqlite3");
    try (StoreHarness h = new StoreHarness(dir.resolve("kv.sqlite3"), 2)) {
      applySame(h);
      SqliteStore.Digest before = h.store.digest();
      h.store.backupTo(backup);
      assertThrows(IllegalArgumentException.class, () -> h.store.backupTo(backup));
      try (SqliteStore copy = SqliteStore.open(backup)) {
        assertArrayEquals(before.sha256(), copy.digest().sha256());
        assertEquals(before.appliedIndex(), copy.appliedIndex());
        assertEquals(2, copy.appliedTerm());
      }
      // The store moves on; installing the snapshot in place takes it back to the copy.
      h.write(write(set(hex("09"), bytes("09"))));
      assertFalse(Arrays.equals(before.sha256(), h.store.digest().sha256()));
      h.store.replaceWith(backup);
      assertArrayEquals(before.sha256(), h.store.digest().sha256());
      assertEquals(before.appliedIndex(), h.store.appliedIndex());
      assertTrue(h.get(hex("09")).isEmpty());
      assertTrue(Files.exists(backup), "the snapshot file is copied, not consumed");
      // Applying continues from the snapshot's index.
      h.jumpTo(before.appliedIndex() + 1);
      assertTrue(h.write(write(set(hex("0a"), bytes("0a")))).hasCommitted());
    }
  }

  @Test
  void installSnapshotOnAClosedStoreDiscardsTheOldWal() throws Exception {
    Path file = dir.resolve("kv.sqlite3");
    Path snapshot = dir.resolve("snap.sqlite3");
    SqliteStore.Digest expected;
    try (StoreHarness other = new StoreHarness(dir.resolve("other.sqlite3"))) {
      applySame(other);
      other.store.backupTo(snapshot);
      expected = other.store.digest();
    }
    try (StoreHarness h = new StoreHarness(file)) {
      for (int i = 0; i < 5; i++) {
        h.write(write(set(hex("7" + i), bytes("01"))));
      }
    }
    // A stale WAL left beside the target (e.g. after a crash) must not be replayed onto it.
    Files.write(file.resolveSibling("kv.sqlite3-wal"), new byte[4096]);
    SqliteStore.installSnapshot(snapshot, file);
    assertFalse(Files.exists(file.resolveSibling("kv.sqlite3-wal")));
    try (SqliteStore installed = SqliteStore.open(file)) {
      assertArrayEquals(expected.sha256(), installed.digest().sha256());
      assertEquals(expected.appliedIndex(), installed.appliedIndex());
    }
  }

  @Test
  void checkpointFoldsTheWalIntoTheFile() throws Exception {
    try (StoreHarness h = new StoreHarness(dir.resolve("kv.sqlite3"))) {
      applySame(h);
      assertTrue(h.store.checkpoint());
      assertEquals(0, Files.size(dir.resolve("kv.sqlite3-wal")));
    }
  }

  @Test
  void closedStoreRefusesCallsAndCloseIsIdempotent() {
    StoreHarness h = new StoreHarness(dir.resolve("kv.sqlite3"));
    h.close();
    h.close();
    assertThrows(IllegalStateException.class, () -> h.store.digest());
    assertThrows(IllegalStateException.class, () -> h.write(write()));
  }

  /** Readers on other threads always see whole entries (one snapshot per read). */
  @Test
  void concurrentReadsSeeConsistentSnapshotsWhileApplying() throws Exception {
    try (StoreHarness h = new StoreHarness(dir.resolve("kv.sqlite3"))) {
      h.write(write(set(hex("01"), le64(0)), set(hex("02"), le64(0))));
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<Integer>> readers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
          readers.add(pool.submit(() -> {
            int reads = 0;
            SnapshotRead read = SnapshotRead.newBuilder().addRanges(range("01", "02", 1, false))
                .addRanges(range("02", "03", 1, false)).build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < deadline) {
              SnapshotReadOutput out = h.store.snapshotRead(read, NOW_MS);
              // Every write bumps both keys together: a torn read would show them unequal.
              assertEquals(out.getRanges(0).getValues(0).getValue(),
                  out.getRanges(1).getValues(0).getValue());
              reads++;
            }
            return reads;
          }));
        }
        for (int i = 0; i < 300; i++) {
          h.write(write(Kv.sum(hex("01"), le64(1)), Kv.sum(hex("02"), le64(1))));
        }
        for (Future<Integer> f : readers) {
          assertTrue(f.get(30, TimeUnit.SECONDS) > 0);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(hex(le64(300).getData().toByteArray()),
          hex(h.get(hex("01")).orElseThrow().getValue().toByteArray()));
    }
  }

  private static long counter(StoreHarness h) {
    byte[] v = h.get(hex("01")).orElseThrow().getValue().toByteArray();
    return java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
  }

  private static Command increment(long nowMs, int id) {
    byte[] rid = new byte[16];
    Arrays.fill(rid, (byte) id);
    return Command.newBuilder().setLeaderTimeMs(nowMs).setRequestId(Kv.bs(rid))
        .addWrites(write(Kv.sum(hex("01"), le64(5)))).build();
  }

  @Test
  void aReproposedCommandIsAnsweredWithItsFirstResultAndAppliedOnce() {
    try (StoreHarness h = new StoreHarness(dir.resolve("req.sqlite3"))) {
      SqliteStore.Applied first = h.apply(increment(NOW_MS, 1));
      assertTrue(first.result().getResults(0).hasCommitted());
      assertEquals(5, counter(h));
      // The same command again (the gateway re-proposed it after losing its reply), stamped later.
      SqliteStore.Applied again = h.apply(increment(NOW_MS + 1_000, 1));
      assertEquals(first.result(), again.result(), "the first versionstamp, not a new one");
      assertTrue(again.touchedKeys().isEmpty(), "nothing changed, so no watcher is woken");
      assertEquals(5, counter(h));
      // Another request id is another command.
      h.apply(increment(NOW_MS + 2_000, 2));
      assertEquals(10, counter(h));
      // The ids are forgotten REQUEST_MEMORY_MS (leader time) later: then it applies again.
      h.applyWrites(NOW_MS + SqliteStore.REQUEST_MEMORY_MS + 1_500);
      h.apply(increment(NOW_MS + SqliteStore.REQUEST_MEMORY_MS + 1_600, 1));
      assertEquals(15, counter(h));
    }
  }

  @Test
  void aVersionOneFileGainsTheRequestsTableWhenOpened() throws Exception {
    Path file = dir.resolve("v1.sqlite3");
    try (StoreHarness h = new StoreHarness(file)) {
      h.write(write(set(hex("01"), le64(1))));
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
        java.sql.Statement s = c.createStatement()) {
      s.execute("DROP TABLE requests");
      s.execute("PRAGMA user_version = 1");
    }
    try (StoreHarness h = new StoreHarness(file)) {
      assertEquals(1, counter(h), "data kept");
      h.apply(increment(NOW_MS, 3));
      h.apply(increment(NOW_MS, 3));
      assertEquals(6, counter(h));
    }
  }
  @Test
  void aFileWithTheFullExpiryIndexGetsThePartialOneAndSweepsTheSameRows() throws Exception {
    Path file = dir.resolve("full-index.sqlite3");
    try (StoreHarness h = new StoreHarness(file)) {
      h.write(write(setExpiring(hex("01"), bytes("01"), 1000), setExpiring(hex("02"), bytes("02"), 5000),
          set(hex("03"), bytes("03"))));
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
        java.sql.Statement s = c.createStatement()) {
      s.execute("DROP INDEX kv_expiration_ms_idx");
      s.execute("CREATE INDEX kv_expiration_ms_idx ON kv (expiration_ms)"); // as files had it
    }
    try (StoreHarness h = new StoreHarness(file)) {
      // Overwriting an expiring row with one that never expires takes it out of the index.
      h.write(write(set(hex("02"), bytes("22"))));
      assertEquals(1000, h.store.earliestExpiryMs());
      assertEquals(Set.of(new ByteKey(hex("01"))), h.sweep(NOW_MS, 10_000).touchedKeys());
      assertEquals(Long.MAX_VALUE, h.store.earliestExpiryMs());
      assertTrue(h.get(hex("02"), 0).isPresent());
      assertTrue(h.get(hex("03"), 0).isPresent());
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
        java.sql.Statement s = c.createStatement()) {
      try (java.sql.ResultSet rs = s.executeQuery(
          "SELECT sql FROM sqlite_master WHERE name = 'kv_expiration_ms_idx'")) {
        assertTrue(rs.next());
        assertEquals(SqliteSchema.EXPIRY_INDEX, rs.getString(1));
      }
      // The sweep's and earliestExpiryMs()' queries still use it (a partial index is only
      // chosen when the query implies its WHERE clause).
      for (String query : List.of(
          "SELECT k FROM kv WHERE expiration_ms > 0 AND expiration_ms <= 5 ORDER BY k",
          "SELECT MIN(expiration_ms) FROM kv WHERE expiration_ms > 0")) {
        StringBuilder plan = new StringBuilder();
        try (java.sql.ResultSet rs = s.executeQuery("EXPLAIN QUERY PLAN " + query)) {
          while (rs.next()) {
            plan.append(rs.getString("detail")).append('\n');
          }
        }
        assertTrue(plan.toString().contains("kv_expiration_ms_idx"), query + " plan: " + plan);
      }
    }
  }
}
