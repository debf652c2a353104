package io.quorumkv.node.storage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Every pragma and every table in one place (STYLE.md practice 11), each with its reason.
 * Stateless; the methods run on the connection they are given.
 */
final class SqliteSchema {
  /** Bumped when the layout changes; stored in the file header (PRAGMA user_version). */
  static final int SCHEMA_VERSION = 2;

  private SqliteSchema() {}

  /** Pragmas of the single writer connection. */
  private static final List<String> WRITER_PRAGMAS =
      List.of(
          // Durability comes from the fsynced Raft log; WAL+NORMAL stays consistent on power
          // loss and may only lose the last commits, which replay from the log (meta index).
          "PRAGMA synchronous = NORMAL",
          // The writer is the only writer; it waits only for WAL recovery or a checkpoint.
          "PRAGMA busy_timeout = 5000",
          // The schema has no foreign keys; stated so that no driver default adds work.
          "PRAGMA foreign_keys = OFF",
          // 16 MiB page cache (negative = KiB): hot keys of sums/checks stay in memory.
          "PRAGMA cache_size = -16384",
          // Sorts and VACUUM INTO scratch space in RAM, never in a temp file.
          "PRAGMA temp_store = MEMORY",
          // SQLite's default, stated: checkpoint at ~1000 WAL pages so the WAL stays small.
          "PRAGMA wal_autocheckpoint = 1000",
          // After a checkpoint, truncate a WAL that grew past 64 MiB (e.g. a huge sweep).
          "PRAGMA journal_size_limit = 67108864");

  /**
   * Pragmas of each read-only connection. Read-only-ness itself comes from the open flag
   * (SQLITE_OPEN_READONLY), not from query_only, because query_only would also forbid VACUUM
   * INTO, which backups use.
   */
  private static final List<String> READER_PRAGMAS =
      List.of(
          // A reader waits (bounded) if it meets WAL recovery by another connection.
          "PRAGMA busy_timeout = 5000",
          // No foreign keys; stated, as on the writer.
          "PRAGMA foreign_keys = OFF",
          // 4 MiB per reader: several readers share the OS page cache anyway.
          "PRAGMA cache_size = -4096",
          // Sorts and VACUUM INTO scratch space in RAM, never in a temp file.
          "PRAGMA temp_store = MEMORY");

  /**
   * Only rows that expire are indexed: every query that uses the index says {@code expiration_ms
   * > 0}, and most rows never expire. A full index cost every set of such a row an index delete
   * and insert (a second random B-tree page in the WAL): 18.7 against 12.2 µs of apply CPU per
   * 100-byte set, 24 sets per entry ({@code bench/apply/ApplyBench.java}). Files made before it had the full index;
   * {@link #prepareWriter} replaces it, and older builds work with either.
   */
  static final String EXPIRY_INDEX =
      "CREATE INDEX kv_expiration_ms_idx ON kv (expiration_ms) WHERE expiration_ms > 0";

  private static final List<String> TABLES =
      List.of(
          // Keys compare as BLOBs (memcmp, shorter first) = KV Connect's unsigned byte order.
          // versionstamp is the 10 bytes themselves (QuorumKV's come from the log, not a counter).
          // expiration_ms: Unix ms, -1 = never (0 on the wire is stored as -1).
          "CREATE TABLE kv ("
              + "k BLOB PRIMARY KEY, v BLOB NOT NULL, v_encoding INTEGER NOT NULL, "
              + "versionstamp BLOB NOT NULL, expiration_ms INTEGER NOT NULL DEFAULT -1"
              + ") WITHOUT ROWID",
          // Sweeps and earliestExpiryMs() look rows up by expiry.
          EXPIRY_INDEX,
          // Enqueued messages (never delivered over KV Connect, KV-CONNECT.md §6); id is derived
          // from the versionstamp so every replica stores the same rows.
          "CREATE TABLE queue ("
              + "ts INTEGER NOT NULL, id TEXT NOT NULL, data BLOB NOT NULL, "
              + "backoff_schedule TEXT NOT NULL, keys_if_undelivered TEXT NOT NULL, "
              + "PRIMARY KEY (ts, id)) WITHOUT ROWID",
          // One row: the last applied Raft entry, written in the same transaction as its data
          // (DESIGN invariant 4: exactly-once apply across restarts).
          "CREATE TABLE meta ("
              + "id INTEGER PRIMARY KEY CHECK (id = 0), "
              + "applied_index INTEGER NOT NULL, applied_term INTEGER NOT NULL)",
          "INSERT INTO meta (id, applied_index, applied_term) VALUES (0, 0, 0)");

  /** What version 2 added; run on a new file after TABLES and on a version-1 file alone. */
  private static final List<String> V2_TABLES =
      List.of(
          // Results of recently applied commands by their gateway-chosen request id, so that a
          // re-proposed command is answered, not applied twice (Command.request_id). Written and
          // pruned (by the leader-stamped time in the log) in the apply transaction, so every
          // replica and every snapshot holds the same rows.
          "CREATE TABLE requests ("
              + "id BLOB PRIMARY KEY, leader_time_ms INTEGER NOT NULL, result BLOB NOT NULL"
              + ") WITHOUT ROWID",
          "CREATE INDEX requests_time_idx ON requests (leader_time_ms)");

  /** Sets the writer pragmas, switches to WAL and creates the schema if the file is new. */
  static void prepareWriter(Connection writer) throws SQLException {
    try (Statement s = writer.createStatement()) {
      // Readers never block the writer and see a stable snapshot. The pragma answers the
      // resulting mode as a row; anything but "wal" (e.g. a read-only medium) is fatal.
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
        String mode = rs.next() ? rs.getString(1) : "";
        if (!"wal".equalsIgnoreCase(mode)) {
          throw new SQLException("journal_mode WAL refused, got '" + mode + "'");
        }
      }
      for (String pragma : WRITER_PRAGMAS) {
        s.execute(pragma);
      }
      int version;
      try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
        version = rs.next() ? rs.getInt(1) : 0;
      }
      if (version == SCHEMA_VERSION) {
        upgradeExpiryIndex(s);
        return;
      }
      if (version != 0 && version != 1) {
        throw new SQLException("unknown schema version " + version + " (this build knows "
            + SCHEMA_VERSION + ")");
      }
      s.execute("BEGIN IMMEDIATE");
      if (version == 0) {
        for (String ddl : TABLES) {
          s.execute(ddl);
        }
      }
      for (String ddl : V2_TABLES) {
        s.execute(ddl);
      }
      // Kept in the file header so that backups and snapshots carry it.
      s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
      s.execute("COMMIT");
      upgradeExpiryIndex(s); // a version-1 file has the full index
    }
  }

  /**
   * Replaces a full expiry index (files made before it became partial) with {@link
   * #EXPIRY_INDEX}, in one transaction. Same schema version: the queries are the same and an
   * older build works with either index, so a rolling upgrade can mix files.
   */
  private static void upgradeExpiryIndex(Statement s) throws SQLException {
    String sql;
    try (ResultSet rs = s.executeQuery(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'kv_expiration_ms_idx'")) {
      sql = rs.next() ? rs.getString(1) : null;
    }
    if (EXPIRY_INDEX.equals(sql)) {
      return;
    }
    s.execute("BEGIN IMMEDIATE");
    s.execute("DROP INDEX IF EXISTS kv_expiration_ms_idx");
    s.execute(EXPIRY_INDEX);
    s.execute("COMMIT");
  }

  /** Sets the reader pragmas. */
  static void prepareReader(Connection reader) throws SQLException {
    try (Statement s = reader.createStatement()) {
      for (String pragma : READER_PRAGMAS) {
        s.execute(pragma);
      }
    }
  }
}
