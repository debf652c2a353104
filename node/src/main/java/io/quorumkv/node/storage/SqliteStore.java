package io.quorumkv.node.storage;

import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.deno.kv.datapath.WatchOutput;
import io.quorumkv.proto.gen.Command;
import io.quorumkv.proto.gen.CommandResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * One node's SQLite database. STUB: the real implementation replaces this file.
 *
 * <p>Threading: {@link #applyBatch} is called by exactly one thread (the Raft apply thread)
 * and uses the single writer connection; reads use a pool of read-only connections and may
 * be called from any thread concurrently.
 */
public final class SqliteStore implements AutoCloseable {

  /** A committed log entry to apply. */
  public record Entry(long index, long term, Command command) {}

  /** What applying an entry produced: the reply for the client and the keys it touched. */
  public record Applied(long index, CommandResult result, Set<ByteKey> touchedKeys) {}

  /** Digest of every row (key, value, encoding, versionstamp, expiry) at an applied index. */
  public record Digest(byte[] sha256, long rowCount, long appliedIndex) {}

  /** Opens (creating if needed) the database file, sets pragmas and schema. */
  public static SqliteStore open(Path file) {
    throw new UnsupportedOperationException("stub");
  }

  /** Index of the last applied log entry (0 for a new database); stored with the data. */
  public long appliedIndex() {
    throw new UnsupportedOperationException("stub");
  }

  /** Term of the last applied log entry. */
  public long appliedTerm() {
    throw new UnsupportedOperationException("stub");
  }

  /**
   * Applies consecutive committed entries in one SQLite transaction and records the last
   * entry's index and term in the same transaction.
   */
  public List<Applied> applyBatch(List<Entry> entries) {
    throw new UnsupportedOperationException("stub");
  }

  /** Reads all ranges in one read transaction; rows with 0 &lt; expiry &lt;= nowMs are hidden. */
  public SnapshotReadOutput snapshotRead(SnapshotRead read, long nowMs) {
    throw new UnsupportedOperationException("stub");
  }

  /** One full watch message for these keys (every entry changed=true), read in one snapshot. */
  public WatchOutput watchRead(List<byte[]> keys, long nowMs) {
    throw new UnsupportedOperationException("stub");
  }

  /** Smallest expiry (ms) of any row, or Long.MAX_VALUE when no row expires. */
  public long earliestExpiryMs() {
    throw new UnsupportedOperationException("stub");
  }

  /** SHA-256 over every row in key order. */
  public Digest digest() {
    throw new UnsupportedOperationException("stub");
  }

  /** Writes a consistent copy of the database to {@code target} (must not exist). */
  public void backupTo(Path target) {
    throw new UnsupportedOperationException("stub");
  }

  /** Closes every connection. */
  @Override
  public void close() {
    throw new UnsupportedOperationException("stub");
  }
}
