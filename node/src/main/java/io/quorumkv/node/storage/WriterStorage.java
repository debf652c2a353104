package io.quorumkv.node.storage;

import io.quorumkv.node.kv.KvStorage;
import io.quorumkv.proto.Versionstamp;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link KvStorage} over the single writer connection, plus the other statements of the apply
 * path (transaction control, sweep, meta). Transactions are explicit SQL on a connection left in
 * JDBC auto-commit mode, so the driver never starts or ends one behind our back.
 *
 * <p>Not thread-safe: used only by the apply thread, inside {@link SqliteStore#applyBatch}.
 */
final class WriterStorage implements KvStorage, AutoCloseable {
  private final Connection connection;
  private final PreparedStatement begin;
  private final PreparedStatement commit;
  private final PreparedStatement rollback;
  private final PreparedStatement savepoint;
  private final PreparedStatement release;
  private final PreparedStatement rollbackTo;
  private final PreparedStatement get;
  private final PreparedStatement upsert;
  private final PreparedStatement delete;
  private final PreparedStatement enqueue;
  private final PreparedStatement expiredKeys;
  private final PreparedStatement deleteExpired;
  private final PreparedStatement writeMeta;
  private final PreparedStatement readMeta;
  private final PreparedStatement findRequest;
  private final PreparedStatement recordRequest;
  private final PreparedStatement pruneRequests;

  WriterStorage(Connection connection) throws SQLException {
    this.connection = connection;
    // IMMEDIATE: take the write lock at BEGIN, so nothing can fail half-way for lock reasons.
    begin = connection.prepareStatement("BEGIN IMMEDIATE");
    commit = connection.prepareStatement("COMMIT");
    rollback = connection.prepareStatement("ROLLBACK");
    savepoint = connection.prepareStatement("SAVEPOINT atomic_write");
    release = connection.prepareStatement("RELEASE atomic_write");
    // ROLLBACK TO keeps the savepoint open; RELEASE after it ends it.
    rollbackTo = connection.prepareStatement("ROLLBACK TO atomic_write");
    get =
        connection.prepareStatement(
            "SELECT v, v_encoding, versionstamp, expiration_ms FROM kv WHERE k = ?");
    upsert =
        connection.prepareStatement(
            "INSERT INTO kv (k, v, v_encoding, versionstamp, expiration_ms) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (k) DO UPDATE SET v = excluded.v, v_encoding = excluded.v_encoding,"
                + " versionstamp = excluded.versionstamp, expiration_ms = excluded.expiration_ms");
    delete = connection.prepareStatement("DELETE FROM kv WHERE k = ?");
    enqueue =
        connection.prepareStatement(
            "INSERT INTO queue (ts, id, data, backoff_schedule, keys_if_undelivered)"
                + " VALUES (?, ?, ?, ?, ?)");
    expiredKeys =
        connection.prepareStatement(
            "SELECT k FROM kv WHERE expiration_ms > 0 AND expiration_ms <= ? ORDER BY k");
    deleteExpired =
        connection.prepareStatement(
            "DELETE FROM kv WHERE expiration_ms > 0 AND expiration_ms <= ?");
    writeMeta =
        connection.prepareStatement(
            "UPDATE meta SET applied_index = ?, applied_term = ? WHERE id = 0");
    readMeta = connection.prepareStatement("SELECT applied_index, applied_term FROM meta");
    findRequest = connection.prepareStatement("SELECT result FROM requests WHERE id = ?");
    recordRequest =
        connection.prepareStatement(
            "INSERT INTO requests (id, leader_time_ms, result) VALUES (?, ?, ?)");
    pruneRequests = connection.prepareStatement("DELETE FROM requests WHERE leader_time_ms < ?");
  }

  /** The stored result of the command applied with {@code requestId}, if it is remembered. */
  Optional<byte[]> findRequest(byte[] requestId) throws SQLException {
    findRequest.setBytes(1, requestId);
    try (ResultSet rs = findRequest.executeQuery()) {
      return rs.next() ? Optional.of(bytes(rs, 1)) : Optional.empty();
    }
  }

  /** Remembers the result of a command applied with {@code requestId}. */
  void recordRequest(byte[] requestId, long leaderTimeMs, byte[] result) throws SQLException {
    recordRequest.setBytes(1, requestId);
    recordRequest.setLong(2, leaderTimeMs);
    recordRequest.setBytes(3, result);
    recordRequest.executeUpdate();
  }

  /** Forgets request ids applied before {@code beforeMs} (leader time). */
  void pruneRequests(long beforeMs) throws SQLException {
    pruneRequests.setLong(1, beforeMs);
    pruneRequests.executeUpdate();
  }

  void begin() throws SQLException {
    begin.execute();
  }

  void commit() throws SQLException {
    commit.execute();
  }

  /**
   * Ends a failed transaction; never throws (the original failure is what matters). If SQLite
   * already rolled back on its own, ROLLBACK fails harmlessly and is recorded as suppressed.
   */
  void rollbackQuietly(Exception cause) {
    try {
      rollback.execute();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /** PRAGMA wal_checkpoint(TRUNCATE); true when no reader kept it from completing. */
  boolean checkpointTruncate() throws SQLException {
    try (java.sql.Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
      return rs.next() && rs.getInt(1) == 0; // columns: busy, log frames, checkpointed frames
    }
  }

  /** {@code {appliedIndex, appliedTerm}} as committed. */
  long[] readMeta() throws SQLException {
    try (ResultSet rs = readMeta.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("meta row missing");
      }
      return new long[] {rs.getLong(1), rs.getLong(2)};
    }
  }

  void writeMeta(long appliedIndex, long appliedTerm) throws SQLException {
    writeMeta.setLong(1, appliedIndex);
    writeMeta.setLong(2, appliedTerm);
    if (writeMeta.executeUpdate() != 1) {
      throw new SQLException("meta row missing");
    }
  }

  /** Deletes every row with {@code 0 < expiration_ms <= upToMs}; answers their keys in order. */
  List<byte[]> sweep(long upToMs) throws SQLException {
    List<byte[]> keys = new ArrayList<>();
    expiredKeys.setLong(1, upToMs);
    try (ResultSet rs = expiredKeys.executeQuery()) {
      while (rs.next()) {
        keys.add(bytes(rs, 1));
      }
    }
    deleteExpired.setLong(1, upToMs);
    int deleted = deleteExpired.executeUpdate();
    if (deleted != keys.size()) { // same transaction, single writer: must agree
      throw new SQLException("sweep selected " + keys.size() + " rows but deleted " + deleted);
    }
    return keys;
  }

  @Override
  public Optional<Row> get(byte[] key) {
    try {
      get.setBytes(1, key);
      try (ResultSet rs = get.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new Row(bytes(rs, 1), rs.getInt(2), bytes(rs, 3), rs.getLong(4)));
      }
    } catch (SQLException e) {
      throw new StorageException("kv get failed", e);
    }
  }

  @Override
  public void put(
      byte[] key, byte[] value, int encoding, Versionstamp versionstamp, long expireAtMs) {
    try {
      upsert.setBytes(1, key);
      upsert.setBytes(2, value);
      upsert.setInt(3, encoding);
      upsert.setBytes(4, versionstamp.toBytes());
      upsert.setLong(5, expireAtMs);
      upsert.executeUpdate();
    } catch (SQLException e) {
      throw new StorageException("kv put failed", e);
    }
  }

  @Override
  public void delete(byte[] key) {
    try {
      delete.setBytes(1, key);
      delete.executeUpdate();
    } catch (SQLException e) {
      throw new StorageException("kv delete failed", e);
    }
  }

  @Override
  public void enqueue(QueuedMessage message) {
    try {
      enqueue.setLong(1, message.deadlineMs());
      enqueue.setString(2, message.id());
      enqueue.setBytes(3, message.payload());
      enqueue.setString(4, message.backoffScheduleJson());
      enqueue.setString(5, message.keysIfUndeliveredJson());
      enqueue.executeUpdate();
    } catch (SQLException e) {
      throw new StorageException("queue insert failed", e);
    }
  }

  @Override
  public void savepoint() {
    execute(savepoint, "SAVEPOINT");
  }

  @Override
  public void releaseSavepoint() {
    execute(release, "RELEASE");
  }

  @Override
  public void rollbackToSavepoint() {
    execute(rollbackTo, "ROLLBACK TO");
    execute(release, "RELEASE");
  }

  private static void execute(PreparedStatement statement, String what) {
    try {
      statement.execute();
    } catch (SQLException e) {
      throw new StorageException(what + " failed", e);
    }
  }

  /** The driver answers null for an empty BLOB on some paths; keys and values may be empty. */
  static byte[] bytes(ResultSet rs, int column) throws SQLException {
    byte[] b = rs.getBytes(column);
    return b == null ? new byte[0] : b;
  }

  @Override
  public void close() throws SQLException {
    connection.close(); // closes its statements too
  }
}
