package io.quorumkv.proto;

/**
 * Every protocol bound of KV-CONNECT.md §5.9 in one place. The gateway validates requests
 * against these before anything is proposed to the Raft log (DESIGN invariant 7).
 */
public final class Limits {
  private Limits() {}

  /** Mutation keys (before a versionstamp suffix), dead-letter keys, watch keys. */
  public static final int MAX_WRITE_KEY_SIZE_BYTES = 2048;
  /** Read range start/end and check keys (selectors append 00/FF to a 2048-byte key). */
  public static final int MAX_READ_KEY_SIZE_BYTES = 2049;
  /** Mutation value data and enqueue payloads. */
  public static final int MAX_VALUE_SIZE_BYTES = 65536;
  /** Ranges per snapshot read. */
  public static final int MAX_READ_RANGES = 10;
  /** Sum of range limits per snapshot read. */
  public static final int MAX_READ_ENTRIES = 1000;
  /** Checks per atomic write (the reference's bound; Deno itself allows 100). */
  public static final int MAX_CHECKS = 10;
  /** Mutations plus enqueues per atomic write. */
  public static final int MAX_MUTATIONS = 1000;
  /** Total bytes of keys, values, payloads and dead-letter keys of one atomic write. */
  public static final int MAX_TOTAL_MUTATION_SIZE_BYTES = 819200;
  /** Enqueue deadlines may be at most this far in the past (the reference's inverted rule). */
  public static final long MAX_QUEUE_DELAY_MS = 30L * 24 * 60 * 60 * 1000;
  /** Dead-letter keys per enqueue. */
  public static final int MAX_QUEUE_UNDELIVERED_KEYS = 10;
  /** Backoff intervals per enqueue. */
  public static final int MAX_QUEUE_BACKOFF_INTERVALS = 10;
  /** Largest backoff interval. */
  public static final long MAX_QUEUE_BACKOFF_MS = 3_600_000L;
  /** Keys per watch request. */
  public static final int MAX_WATCHED_KEYS = 10;
  /** Bytes appended to a key by M_SET_SUFFIX_VERSIONSTAMPED_KEY: 02, 20 hex digits, 00. */
  public static final int VERSIONSTAMP_SUFFIX_BYTES = 22;
  /** Largest HTTP request body the gateway reads (as axum's default in the reference). */
  public static final int MAX_REQUEST_BODY_BYTES = 2 * 1024 * 1024;
  /** Largest number of atomic writes the gateway combines into one log entry. */
  public static final int MAX_WRITES_PER_ENTRY = 256;
  /** Bytes per snapshot read / watch frame on the node RPC and Raft channels. */
  public static final int MAX_RPC_MESSAGE_BYTES = 64 * 1024 * 1024;
}
