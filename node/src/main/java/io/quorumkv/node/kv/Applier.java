package io.quorumkv.node.kv;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.Check;
import com.deno.kv.datapath.Enqueue;
import com.deno.kv.datapath.KvValue;
import com.deno.kv.datapath.Mutation;
import com.deno.kv.datapath.MutationType;
import io.quorumkv.proto.KeyCodec;
import io.quorumkv.proto.Versionstamp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The KV semantics of one atomic write (KV-CONNECT.md §5.2–§5.7, §6), pure and deterministic:
 * the outcome and the storage changes depend only on the storage contents, the write, the
 * versionstamp and {@code nowMs} (DESIGN invariant 2). No Raft, no SQL, no clock.
 *
 * <p>Order of evaluation: argument validation, then checks, then mutations in request order (each
 * seeing the previous ones), then enqueues. Differences from the reference, all deliberate:
 *
 * <ul>
 *   <li>A row whose expiry {@code 0 < expireAtMs <= nowMs} is absent for checks and for
 *       sum/min/max (the reference sees it until its sweeper runs).
 *   <li>A write rejected halfway (type or range error) is rolled back entirely through a
 *       savepoint; the reference commits its earlier mutations (§5.10).
 *   <li>The versionstamp is the caller's (derived from the Raft log), not a random increment.
 *   <li>Malformed arguments the gateway should have refused (unknown kind, missing value, unknown
 *       encoding, LE64 not 8 bytes, bad check versionstamp, expiry below −1, negative enqueue
 *       deadline) are rejected with a 400 text instead of a 500 or a panic; the applier never
 *       throws for any input.
 * </ul>
 *
 * <p>Stateless; thread-safe as long as each {@link KvStorage} is used by one thread.
 */
public final class Applier {
  /** Reference text for unknown kinds, missing values and undecodable values. */
  public static final String INVALID_MUTATION = "Invalid mutation kind or arguments.";
  /** Reference text for a check versionstamp that is neither empty nor 10 bytes. */
  public static final String INVALID_VERSIONSTAMP = "Invalid versionstamp.";
  /** Reference text for expire_at_ms below −1. */
  public static final String INVALID_EXPIRE_AT = "Invalid mutation expire at.";
  /** Reference text for a negative enqueue deadline. */
  public static final String INVALID_DEADLINE = "Invalid mutation enqueue deadline.";

  /** The reference's backoff schedule for an enqueue that gives none (sqlite/backend.rs). */
  static final String DEFAULT_BACKOFF_SCHEDULE_JSON = "[100,1000,5000,30000,60000]";

  private Applier() {}

  /**
   * Applies {@code write} with commit versionstamp {@code versionstamp}; {@code nowMs} is the
   * leader time stamped into the log entry and decides expiry. On {@link WriteOutcome.Committed}
   * every change is in {@code storage}; on any other outcome {@code storage} is unchanged.
   * Storage failures propagate as unchecked exceptions and leave the storage transaction in an
   * unknown state (the caller must abandon it).
   */
  public static WriteOutcome apply(
      KvStorage storage, AtomicWrite write, Versionstamp versionstamp, long nowMs) {
    Optional<String> invalid = validate(write);
    if (invalid.isPresent()) {
      return new WriteOutcome.Rejected(invalid.get());
    }
    for (Check check : write.getChecksList()) {
      if (!checkPasses(storage, check, nowMs)) {
        return WriteOutcome.CheckFailed.INSTANCE;
      }
    }
    List<byte[]> touchedKeys = new ArrayList<>(write.getMutationsCount() + 1);
    boolean savepoint = mayFailAfterAChange(write);
    if (savepoint) {
      storage.savepoint();
    }
    try {
      for (Mutation mutation : write.getMutationsList()) {
        applyMutation(storage, mutation, versionstamp, nowMs, touchedKeys);
      }
    } catch (Rejection rejection) {
      if (savepoint) {
        storage.rollbackToSavepoint();
      }
      return new WriteOutcome.Rejected(rejection.getMessage());
    }
    for (int i = 0; i < write.getEnqueuesCount(); i++) {
      storage.enqueue(queuedMessage(write.getEnqueues(i), versionstamp, i));
    }
    if (savepoint) {
      storage.releaseSavepoint();
    }
    return new WriteOutcome.Committed(versionstamp, touchedKeys);
  }

  /**
   * Whether a mutation could be rejected after an earlier one changed storage, so that the write
   * needs a savepoint to be undone as a whole. After {@link #validate} only sum/min/max can be
   * rejected (type and range rules against the stored value), and they decide before they write;
   * set, delete and versionstamped set never fail. So a write needs the savepoint only if a
   * sum/min/max comes after another mutation. Skipping it for the rest (nearly every write) saves
   * two SQLite statements per write on every replica; the outcome is the same either way, since a
   * storage failure abandons the whole transaction.
   */
  private static boolean mayFailAfterAChange(AtomicWrite write) {
    for (int i = 1; i < write.getMutationsCount(); i++) {
      switch (write.getMutations(i).getMutationTypeValue()) {
        case MutationType.M_SUM_VALUE, MutationType.M_MIN_VALUE, MutationType.M_MAX_VALUE -> {
          return true;
        }
        default -> { }
      }
    }
    return false;
  }

  /**
   * The key a {@code M_SET_SUFFIX_VERSIONSTAMPED_KEY} mutation writes (§2.1): the key, then one
   * more string tuple part holding the versionstamp as 20 lower-case hex digits.
   */
  public static byte[] versionstampedKey(byte[] prefix, Versionstamp versionstamp) {
    byte[] suffix = KeyCodec.versionstampSuffix(versionstamp);
    byte[] key = Arrays.copyOf(prefix, prefix.length + suffix.length);
    System.arraycopy(suffix, 0, key, prefix.length, suffix.length);
    return key;
  }

  /** Arguments only; never touches storage, so a rejected write costs nothing to undo. */
  private static Optional<String> validate(AtomicWrite write) {
    for (Check check : write.getChecksList()) {
      int length = check.getVersionstamp().size();
      if (length != 0 && length != Versionstamp.SIZE_BYTES) {
        return Optional.of(INVALID_VERSIONSTAMP);
      }
    }
    for (Mutation mutation : write.getMutationsList()) {
      int kind = mutation.getMutationTypeValue();
      if (!knownKind(kind)) { // M_UNSPECIFIED or a number we do not know
        return Optional.of(INVALID_MUTATION);
      }
      // Every kind but DELETE needs a value; a DELETE may carry one, which is ignored.
      boolean needsValue = kind != MutationType.M_DELETE_VALUE;
      if (needsValue && (!mutation.hasValue() || !decodable(mutation.getValue()))) {
        return Optional.of(INVALID_MUTATION);
      }
      if (mutation.getExpireAtMs() < -1) {
        return Optional.of(INVALID_EXPIRE_AT);
      }
    }
    for (Enqueue enqueue : write.getEnqueuesList()) {
      if (enqueue.getDeadlineMs() < 0) {
        return Optional.of(INVALID_DEADLINE);
      }
    }
    return Optional.empty();
  }

  private static boolean knownKind(int kind) {
    return switch (kind) {
      case MutationType.M_SET_VALUE,
          MutationType.M_DELETE_VALUE,
          MutationType.M_SUM_VALUE,
          MutationType.M_MIN_VALUE,
          MutationType.M_MAX_VALUE,
          MutationType.M_SET_SUFFIX_VERSIONSTAMPED_KEY_VALUE ->
          true;
      default -> false;
    };
  }

  /** V8 and BYTES are kept verbatim; LE64 must be exactly 8 bytes; anything else is unknown. */
  private static boolean decodable(KvValue value) {
    return switch (value.getEncodingValue()) {
      case Sums.V8, Sums.BYTES -> true;
      case Sums.LE64 -> value.getData().size() == 8;
      default -> false;
    };
  }

  /** §5.2 with QuorumKV's expiry rule: an expired row is absent. */
  private static boolean checkPasses(KvStorage storage, Check check, long nowMs) {
    Optional<KvStorage.Row> row = visible(storage.get(check.getKey().toByteArray()), nowMs);
    byte[] expected = check.getVersionstamp().toByteArray();
    if (expected.length == 0) {
      return row.isEmpty();
    }
    return row.isPresent() && Arrays.equals(row.get().versionstamp(), expected);
  }

  private static void applyMutation(
      KvStorage storage,
      Mutation mutation,
      Versionstamp versionstamp,
      long nowMs,
      List<byte[]> touchedKeys)
      throws Rejection {
    byte[] key = mutation.getKey().toByteArray();
    touchedKeys.add(key);
    switch (mutation.getMutationTypeValue()) {
      case MutationType.M_SET_VALUE -> set(storage, key, mutation, versionstamp);
      case MutationType.M_DELETE_VALUE -> storage.delete(key);
      case MutationType.M_SUM_VALUE -> {
        Optional<KvStorage.Row> current = visible(storage.get(key), nowMs);
        Sums.Result result =
            mutation.getValue().getEncodingValue() == Sums.LE64
                ? Sums.le64(Sums.Le64Op.SUM, mutation.getValue(), current)
                : Sums.v8Sum(mutation, current);
        putResult(storage, key, result, versionstamp);
      }
      case MutationType.M_MIN_VALUE ->
          le64(storage, key, Sums.Le64Op.MIN, mutation, versionstamp, nowMs);
      case MutationType.M_MAX_VALUE ->
          le64(storage, key, Sums.Le64Op.MAX, mutation, versionstamp, nowMs);
      case MutationType.M_SET_SUFFIX_VERSIONSTAMPED_KEY_VALUE -> {
        byte[] fullKey = versionstampedKey(key, versionstamp);
        touchedKeys.add(fullKey);
        set(storage, fullKey, mutation, versionstamp);
      }
      default -> throw new Rejection(INVALID_MUTATION); // unreachable after validate()
    }
  }

  private static void set(
      KvStorage storage, byte[] key, Mutation mutation, Versionstamp versionstamp) {
    // 0 and -1 both mean "no expiry" on the wire; one stored form keeps replicas identical.
    long expireAtMs =
        mutation.getExpireAtMs() >= 1 ? mutation.getExpireAtMs() : KvStorage.NO_EXPIRY;
    KvValue value = mutation.getValue();
    storage.put(
        key, value.getData().toByteArray(), value.getEncodingValue(), versionstamp, expireAtMs);
  }

  private static void le64(
      KvStorage storage,
      byte[] key,
      Sums.Le64Op op,
      Mutation mutation,
      Versionstamp versionstamp,
      long nowMs)
      throws Rejection {
    Optional<KvStorage.Row> current = visible(storage.get(key), nowMs);
    putResult(storage, key, Sums.le64(op, mutation.getValue(), current), versionstamp);
  }

  /** Sum/min/max results never expire, whatever the mutation or the old row said (§5.4). */
  private static void putResult(
      KvStorage storage, byte[] key, Sums.Result result, Versionstamp versionstamp) {
    storage.put(key, result.value(), result.encoding(), versionstamp, KvStorage.NO_EXPIRY);
  }

  private static Optional<KvStorage.Row> visible(Optional<KvStorage.Row> row, long nowMs) {
    return row.filter(r -> !isExpired(r.expireAtMs(), nowMs));
  }

  /** True when a row with this stored expiry is invisible at {@code nowMs}. */
  public static boolean isExpired(long expireAtMs, long nowMs) {
    return expireAtMs > 0 && expireAtMs <= nowMs;
  }

  /**
   * The stored form of an enqueue (§6). The id is "versionstamp hex - position" so that every
   * replica stores the same id; the reference's random UUID would make replicas diverge.
   */
  private static KvStorage.QueuedMessage queuedMessage(
      Enqueue enqueue, Versionstamp versionstamp, int position) {
    String backoff = DEFAULT_BACKOFF_SCHEDULE_JSON;
    if (enqueue.getBackoffScheduleCount() > 0) {
      StringBuilder json = new StringBuilder("[");
      for (int i = 0; i < enqueue.getBackoffScheduleCount(); i++) {
        json.append(i == 0 ? "" : ",")
            .append(Integer.toUnsignedString(enqueue.getBackoffSchedule(i)));
      }
      backoff = json.append(']').toString();
    }
    StringBuilder keys = new StringBuilder("[");
    for (int k = 0; k < enqueue.getKeysIfUndeliveredCount(); k++) {
      byte[] key = enqueue.getKeysIfUndelivered(k).toByteArray();
      keys.append(k == 0 ? "[" : ",[");
      for (int i = 0; i < key.length; i++) {
        keys.append(i == 0 ? "" : ",").append(key[i] & 0xFF);
      }
      keys.append(']');
    }
    keys.append(']');
    return new KvStorage.QueuedMessage(
        versionstamp.toHex() + "-" + position,
        enqueue.getDeadlineMs(),
        enqueue.getPayload().toByteArray(),
        backoff,
        keys.toString());
  }
}
