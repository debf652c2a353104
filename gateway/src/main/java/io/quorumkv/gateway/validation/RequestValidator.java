package io.quorumkv.gateway.validation;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.Check;
import com.deno.kv.datapath.Enqueue;
import com.deno.kv.datapath.KvValue;
import com.deno.kv.datapath.Mutation;
import com.deno.kv.datapath.MutationType;
import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.ValueEncoding;
import com.deno.kv.datapath.Watch;
import com.deno.kv.datapath.WatchKey;
import com.google.protobuf.ByteString;
import io.quorumkv.proto.KvException;
import io.quorumkv.proto.Limits;
import io.quorumkv.proto.Versionstamp;

/**
 * Checks KV Connect requests against {@link Limits} before anything reaches the Raft log (DESIGN
 * invariant 7), with the reference server's messages and in its order, so that the first error
 * the reference would report is the one reported here (KV-CONNECT.md §4, §5.1, §6, §7; the order
 * is that of {@code proto/convert.rs} in denokv).
 *
 * <p>Where the reference answers 500 or drops the connection, this answers 400 (Deno retries 5xx
 * forever): an LE64 value whose data is not 8 bytes, and a value encoding that is unspecified or
 * unknown, both get {@value #INVALID_MUTATION_KIND}. No arithmetic here can overflow: expiry
 * instants and enqueue deadlines are compared, never added to.
 *
 * <p>Stateless and thread-safe.
 */
public final class RequestValidator {
  static final String KEY_TOO_LONG = "A key exceeds the key size limit.";
  static final String VALUE_TOO_LONG = "A value exceeds the value size limit.";
  static final String READ_RANGE_TOO_LARGE =
      "The total number of entries requested across read ranges in the read request is too large.";
  static final String ATOMIC_WRITE_TOO_LARGE = "The total size of the atomic write is too large.";
  static final String TOO_MANY_READ_RANGES = "Too many read ranges requested in one read request.";
  static final String TOO_MANY_WATCHED_KEYS = "Too many keys watched in a single watch request.";
  static final String TOO_MANY_CHECKS = "Too many checks included in atomic write.";
  static final String TOO_MANY_MUTATIONS =
      "Too many mutations / enqueues included in atomic write.";
  static final String TOO_MANY_UNDELIVERED_KEYS =
      "Too many dead letter keys for a single queue message.";
  static final String TOO_MANY_BACKOFF_INTERVALS =
      "Too many backoff intervals for a single queue message.";
  static final String BACKOFF_INTERVAL_TOO_LARGE =
      "A backoff interval exceeds the maximum allowed backoff interval.";
  static final String INVALID_READ_RANGE_LIMIT =
      "The read range limit of the snapshot read request is invalid.";
  static final String INVALID_VERSIONSTAMP = "Invalid versionstamp.";
  static final String INVALID_MUTATION_KIND = "Invalid mutation kind or arguments.";
  static final String INVALID_EXPIRE_AT = "Invalid mutation expire at.";
  static final String INVALID_ENQUEUE_DEADLINE = "Invalid mutation enqueue deadline.";

  /** Bytes a backoff interval adds to the total size of a write, as in the reference. */
  private static final int BACKOFF_INTERVAL_SIZE_BYTES = 4;
  /** Size of an LE64 value: a little-endian unsigned 64-bit integer. */
  private static final int LE64_SIZE_BYTES = 8;

  private RequestValidator() {}

  /**
   * Validates a snapshot read: at most {@link Limits#MAX_READ_RANGES} ranges; per range a limit
   * of at least 1 and keys of at most {@link Limits#MAX_READ_KEY_SIZE_BYTES}; limits summing to at
   * most {@link Limits#MAX_READ_ENTRIES}. Zero ranges is valid.
   *
   * @throws KvException.InvalidRequest with the reference's message for the first violation
   */
  public static void validate(SnapshotRead read) {
    if (read.getRangesCount() > Limits.MAX_READ_RANGES) {
      throw invalid(TOO_MANY_READ_RANGES);
    }
    long totalLimit = 0;
    for (ReadRange range : read.getRangesList()) {
      if (range.getLimit() < 1) {
        throw invalid(INVALID_READ_RANGE_LIMIT);
      }
      if (range.getStart().size() > Limits.MAX_READ_KEY_SIZE_BYTES
          || range.getEnd().size() > Limits.MAX_READ_KEY_SIZE_BYTES) {
        throw invalid(KEY_TOO_LONG);
      }
      totalLimit += range.getLimit();
    }
    if (totalLimit > Limits.MAX_READ_ENTRIES) {
      throw invalid(READ_RANGE_TOO_LARGE);
    }
  }

  /**
   * Validates an atomic write: counts first, then each check, each mutation and each enqueue in
   * request order, then the total size (KV-CONNECT.md §5.1).
   *
   * @param nowMs the gateway's wall clock in Unix milliseconds, for the enqueue deadline rule
   * @throws KvException.InvalidRequest with the reference's message for the first violation
   */
  public static void validate(AtomicWrite write, long nowMs) {
    if (write.getChecksCount() > Limits.MAX_CHECKS) {
      throw invalid(TOO_MANY_CHECKS);
    }
    if (write.getMutationsCount() + write.getEnqueuesCount() > Limits.MAX_MUTATIONS) {
      throw invalid(TOO_MANY_MUTATIONS);
    }
    long totalSizeBytes = 0;
    for (Check check : write.getChecksList()) {
      totalSizeBytes += checkSize(check);
    }
    for (Mutation mutation : write.getMutationsList()) {
      totalSizeBytes += mutationSize(mutation);
    }
    for (Enqueue enqueue : write.getEnqueuesList()) {
      totalSizeBytes += enqueueSize(enqueue, nowMs);
    }
    if (totalSizeBytes > Limits.MAX_TOTAL_MUTATION_SIZE_BYTES) {
      throw invalid(ATOMIC_WRITE_TOO_LARGE);
    }
  }

  /**
   * Validates a watch: at most {@link Limits#MAX_WATCHED_KEYS} keys, each at most
   * {@link Limits#MAX_WRITE_KEY_SIZE_BYTES}. Zero keys is valid.
   *
   * @throws KvException.InvalidRequest with the reference's message for the first violation
   */
  public static void validate(Watch watch) {
    if (watch.getKeysCount() > Limits.MAX_WATCHED_KEYS) {
      throw invalid(TOO_MANY_WATCHED_KEYS);
    }
    for (WatchKey key : watch.getKeysList()) {
      if (key.getKey().size() > Limits.MAX_WRITE_KEY_SIZE_BYTES) {
        throw invalid(KEY_TOO_LONG);
      }
    }
  }

  /** Validates one check and returns the bytes it adds to the write's total size. */
  private static long checkSize(Check check) {
    // Check keys get the read limit (2049): a check may target any key a selector can name.
    if (check.getKey().size() > Limits.MAX_READ_KEY_SIZE_BYTES) {
      throw invalid(KEY_TOO_LONG);
    }
    int versionstampBytes = check.getVersionstamp().size();
    if (versionstampBytes != 0 && versionstampBytes != Versionstamp.SIZE_BYTES) {
      throw invalid(INVALID_VERSIONSTAMP);
    }
    return check.getKey().size();
  }

  /** Validates one mutation and returns the bytes it adds to the write's total size. */
  private static long mutationSize(Mutation mutation) {
    if (mutation.getKey().size() > Limits.MAX_WRITE_KEY_SIZE_BYTES) {
      throw invalid(KEY_TOO_LONG);
    }
    int valueBytes = mutation.hasValue() ? mutation.getValue().getData().size() : 0;
    if (valueBytes > Limits.MAX_VALUE_SIZE_BYTES) {
      throw invalid(VALUE_TOO_LONG);
    }
    checkKindAndValue(mutation);
    // 0 and -1 mean "no expiry"; any positive instant is stored as is (never added to, so even
    // Long.MAX_VALUE is harmless, where the reference overflows its date type and panics).
    if (mutation.getExpireAtMs() < -1) {
      throw invalid(INVALID_EXPIRE_AT);
    }
    return (long) mutation.getKey().size() + valueBytes;
  }

  private static void checkKindAndValue(Mutation mutation) {
    // The number, not the enum: unknown numbers arrive as UNRECOGNIZED and are rejected below.
    switch (mutation.getMutationTypeValue()) {
      case MutationType.M_DELETE_VALUE -> {
        // A delete may carry a value (Deno sends an empty VE_BYTES one) or none; it is unused.
      }
      case MutationType.M_SET_VALUE,
          MutationType.M_SUM_VALUE,
          MutationType.M_MAX_VALUE,
          MutationType.M_MIN_VALUE,
          MutationType.M_SET_SUFFIX_VERSIONSTAMPED_KEY_VALUE -> {
        if (!mutation.hasValue() || !isDecodable(mutation.getValue())) {
          throw invalid(INVALID_MUTATION_KIND);
        }
      }
      default -> throw invalid(INVALID_MUTATION_KIND);
    }
  }

  /**
   * Whether the value can be stored: V8 and raw bytes are kept verbatim; LE64 must be exactly 8
   * bytes (the reference panics otherwise); any other encoding, 0 included, is rejected (the
   * reference answers 500).
   */
  private static boolean isDecodable(KvValue value) {
    return switch (value.getEncodingValue()) {
      case ValueEncoding.VE_V8_VALUE, ValueEncoding.VE_BYTES_VALUE -> true;
      case ValueEncoding.VE_LE64_VALUE -> value.getData().size() == LE64_SIZE_BYTES;
      default -> false;
    };
  }

  /** Validates one enqueue and returns the bytes it adds to the write's total size. */
  private static long enqueueSize(Enqueue enqueue, long nowMs) {
    if (enqueue.getPayload().size() > Limits.MAX_VALUE_SIZE_BYTES) {
      throw invalid(VALUE_TOO_LONG);
    }
    long sizeBytes = enqueue.getPayload().size();
    if (enqueue.getKeysIfUndeliveredCount() > Limits.MAX_QUEUE_UNDELIVERED_KEYS) {
      throw invalid(TOO_MANY_UNDELIVERED_KEYS);
    }
    for (ByteString key : enqueue.getKeysIfUndeliveredList()) {
      if (key.size() > Limits.MAX_WRITE_KEY_SIZE_BYTES) {
        throw invalid(KEY_TOO_LONG);
      }
      sizeBytes += key.size();
    }
    if (enqueue.getBackoffScheduleCount() > Limits.MAX_QUEUE_BACKOFF_INTERVALS) {
      throw invalid(TOO_MANY_BACKOFF_INTERVALS);
    }
    for (int intervalMs : enqueue.getBackoffScheduleList()) {
      // uint32 on the wire: values above 2^31 arrive as negative ints.
      if (Integer.toUnsignedLong(intervalMs) > Limits.MAX_QUEUE_BACKOFF_MS) {
        throw invalid(BACKOFF_INTERVAL_TOO_LARGE);
      }
      sizeBytes += BACKOFF_INTERVAL_SIZE_BYTES;
    }
    // The reference's rule, inverted as it is there (KV-CONNECT.md §6): a deadline may not be
    // more than MAX_QUEUE_DELAY_MS in the past; far-future deadlines are accepted. Written as a
    // comparison against nowMs - MAX so that no deadline value can overflow the arithmetic.
    long deadlineMs = enqueue.getDeadlineMs();
    if (deadlineMs < 0 || deadlineMs < nowMs - Limits.MAX_QUEUE_DELAY_MS) {
      throw invalid(INVALID_ENQUEUE_DEADLINE);
    }
    return sizeBytes;
  }

  private static KvException.InvalidRequest invalid(String message) {
    return new KvException.InvalidRequest(message);
  }
}
