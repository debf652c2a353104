package io.quorumkv.node.kv;

import io.quorumkv.proto.Versionstamp;
import java.util.Optional;

/**
 * The narrow storage the {@link Applier} writes through: point reads and writes of kv rows, queue
 * inserts, and one level of savepoint so that a write that fails halfway leaves nothing behind.
 *
 * <p>Contract: every call sees the effects of all earlier calls (read-your-writes inside one
 * transaction owned by the caller); implementations never consult a clock or randomness, so the
 * same calls produce the same state on every replica. Expiry is stored, not interpreted: the
 * applier decides what "expired" means. A storage failure is thrown as an unchecked exception and
 * is fatal to the caller (it is never an expected outcome).
 *
 * <p>Thread-safety: none required; the applier uses an instance from a single thread.
 */
public interface KvStorage {

  /** Stored expiry meaning "never expires". */
  long NO_EXPIRY = -1;

  /**
   * A stored row. {@code versionstamp} is the 10 bytes of the commit that last wrote it; {@code
   * expireAtMs} is Unix milliseconds or {@link #NO_EXPIRY}. Arrays are not copied: treat them as
   * read-only.
   */
  record Row(byte[] value, int encoding, byte[] versionstamp, long expireAtMs) {}

  /**
   * A queue message as stored (KV-CONNECT.md §6): never delivered, kept for fidelity. The id is
   * derived from the versionstamp, not random, so replicas stay byte-identical.
   */
  record QueuedMessage(
      String id,
      long deadlineMs,
      byte[] payload,
      String backoffScheduleJson,
      String keysIfUndeliveredJson) {}

  /** The row stored under {@code key}, expired or not. */
  Optional<Row> get(byte[] key);

  /** Inserts or replaces the row under {@code key}. */
  void put(byte[] key, byte[] value, int encoding, Versionstamp versionstamp, long expireAtMs);

  /** Deletes the row under {@code key} if present. */
  void delete(byte[] key);

  /** Stores a queue message. */
  void enqueue(QueuedMessage message);

  /** Marks the start of one atomic write; savepoints are not nested. */
  void savepoint();

  /** Keeps everything since {@link #savepoint()}. */
  void releaseSavepoint();

  /** Undoes everything since {@link #savepoint()} and ends it. */
  void rollbackToSavepoint();
}
