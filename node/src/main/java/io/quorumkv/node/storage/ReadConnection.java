package io.quorumkv.node.storage;

import com.deno.kv.datapath.KvEntry;
import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.ReadRangeOutput;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Optional;

/**
 * One read-only connection with its prepared queries. Every query hides rows with {@code 0 <
 * expiration_ms <= nowMs} (QuorumKV hides expired rows at read time; the reference does not).
 *
 * <p>Not thread-safe: {@link ReadPool} lends it to one thread at a time.
 */
final class ReadConnection implements AutoCloseable {
  /** Visible at nowMs = never expires, or expires strictly after nowMs. */
  private static final String VISIBLE = "(expiration_ms <= 0 OR expiration_ms > ?)";

  private final Connection connection;
  private final PreparedStatement begin;
  private final PreparedStatement commit;
  private final PreparedStatement forward;
  private final PreparedStatement reverse;
  private final PreparedStatement point;

  ReadConnection(Connection connection) throws SQLException {
    this.connection = connection;
    // Deferred: the snapshot is fixed by the first SELECT and held until COMMIT, so all
    // ranges of one request see the same committed state.
    begin = connection.prepareStatement("BEGIN");
    commit = connection.prepareStatement("COMMIT");
    String columns = "SELECT k, v, v_encoding, versionstamp FROM kv ";
    forward =
        connection.prepareStatement(
            columns + "WHERE k >= ? AND k < ? AND " + VISIBLE + " ORDER BY k ASC LIMIT ?");
    reverse =
        connection.prepareStatement(
            columns + "WHERE k >= ? AND k < ? AND " + VISIBLE + " ORDER BY k DESC LIMIT ?");
    point = connection.prepareStatement(columns + "WHERE k = ? AND " + VISIBLE);
  }

  void begin() throws SQLException {
    begin.execute();
  }

  void commit() throws SQLException {
    commit.execute();
  }

  Connection connection() {
    return connection;
  }

  /**
   * {@code start <= key < end}, at most {@code limit} rows; reverse = the last rows, descending.
   * An empty or inverted range, or a limit below 1 (which SQLite would read as "no limit"),
   * yields no rows.
   */
  ReadRangeOutput range(ReadRange range, long nowMs) throws SQLException {
    ReadRangeOutput.Builder out = ReadRangeOutput.newBuilder();
    byte[] start = range.getStart().toByteArray();
    byte[] end = range.getEnd().toByteArray();
    if (range.getLimit() < 1 || Arrays.compareUnsigned(start, end) >= 0) {
      return out.build();
    }
    PreparedStatement query = range.getReverse() ? reverse : forward;
    query.setBytes(1, start);
    query.setBytes(2, end);
    query.setLong(3, nowMs);
    query.setInt(4, range.getLimit());
    try (ResultSet rs = query.executeQuery()) {
      while (rs.next()) {
        out.addValues(entry(rs));
      }
    }
    return out.build();
  }

  /** The visible entry stored exactly under {@code key} (a watch reads [key, key+00) limit 1). */
  Optional<KvEntry> get(byte[] key, long nowMs) throws SQLException {
    point.setBytes(1, key);
    point.setLong(2, nowMs);
    try (ResultSet rs = point.executeQuery()) {
      return rs.next() ? Optional.of(entry(rs)) : Optional.empty();
    }
  }

  private static KvEntry entry(ResultSet rs) throws SQLException {
    return KvEntry.newBuilder()
        .setKey(ByteString.copyFrom(WriterStorage.bytes(rs, 1)))
        .setValue(ByteString.copyFrom(WriterStorage.bytes(rs, 2)))
        .setEncodingValue(rs.getInt(3))
        .setVersionstamp(ByteString.copyFrom(WriterStorage.bytes(rs, 4)))
        .build();
  }

  /** {@code {appliedIndex, appliedTerm}}. */
  long[] meta() throws SQLException {
    try (PreparedStatement s =
            connection.prepareStatement("SELECT applied_index, applied_term FROM meta");
        ResultSet rs = s.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("meta row missing");
      }
      return new long[] {rs.getLong(1), rs.getLong(2)};
    }
  }

  /** Smallest positive expiry of any row (expired or not), or Long.MAX_VALUE. */
  long earliestExpiryMs() throws SQLException {
    try (PreparedStatement s =
            connection.prepareStatement(
                "SELECT MIN(expiration_ms) FROM kv WHERE expiration_ms > 0");
        ResultSet rs = s.executeQuery()) {
      long min = rs.next() ? rs.getLong(1) : 0;
      return rs.wasNull() || min <= 0 ? Long.MAX_VALUE : min;
    }
  }

  /**
   * SHA-256 over every kv row in key order and then every queue row in (ts, id) order; each
   * field length-prefixed so that no two different databases hash the same byte stream.
   * Answers the digest and the number of kv rows. Call inside a read transaction.
   */
  DigestResult digest() throws SQLException {
    MessageDigest sha = sha256();
    update(sha, "quorumkv-digest-v1".getBytes(StandardCharsets.US_ASCII));
    long rows = 0;
    try (PreparedStatement s =
            connection.prepareStatement(
                "SELECT k, v, v_encoding, versionstamp, expiration_ms FROM kv ORDER BY k");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        update(sha, WriterStorage.bytes(rs, 1));
        update(sha, WriterStorage.bytes(rs, 2));
        sha.update(ByteBuffer.allocate(Long.BYTES).putLong(rs.getInt(3)).array());
        update(sha, WriterStorage.bytes(rs, 4));
        sha.update(ByteBuffer.allocate(Long.BYTES).putLong(rs.getLong(5)).array());
        rows++;
      }
    }
    update(sha, "queue".getBytes(StandardCharsets.US_ASCII));
    try (PreparedStatement s =
            connection.prepareStatement(
                "SELECT ts, id, data, backoff_schedule, keys_if_undelivered FROM queue"
                    + " ORDER BY ts, id");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        sha.update(ByteBuffer.allocate(Long.BYTES).putLong(rs.getLong(1)).array());
        update(sha, rs.getString(2).getBytes(StandardCharsets.UTF_8));
        update(sha, WriterStorage.bytes(rs, 3));
        update(sha, rs.getString(4).getBytes(StandardCharsets.UTF_8));
        update(sha, rs.getString(5).getBytes(StandardCharsets.UTF_8));
      }
    }
    return new DigestResult(sha.digest(), rows);
  }

  record DigestResult(byte[] sha256, long kvRows) {}

  private static void update(MessageDigest sha, byte[] field) {
    sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(field.length).array());
    sha.update(field);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
