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
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The validation table shared by {@code RequestValidatorTest} (direct calls) and the HTTP tests
 * (the same requests posted to a running gateway): each invalid request with the exact message
 * the reference answers, and boundary requests that must pass. Expected texts are literals on
 * purpose, so that a changed constant fails the tests.
 */
public final class ValidationCases {
  private ValidationCases() {}

  /** Which endpoint a request goes to. */
  public enum Kind {
    SNAPSHOT_READ("snapshot_read"),
    ATOMIC_WRITE("atomic_write"),
    WATCH("watch");

    public final String method;

    Kind(String method) {
      this.method = method;
    }
  }

  /**
   * One row of the table.
   *
   * @param expectedMessage null for a request that must pass
   */
  public record Case(String name, Kind kind, Message request, String expectedMessage) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final String KEY = "A key exceeds the key size limit.";
  static final String VALUE = "A value exceeds the value size limit.";
  static final String KIND = "Invalid mutation kind or arguments.";
  static final String EXPIRE = "Invalid mutation expire at.";
  static final String DEADLINE = "Invalid mutation enqueue deadline.";
  static final long DAY_MS = 24L * 60 * 60 * 1000;

  /** Requests the validator must reject, with the message. Deadlines are relative to nowMs. */
  public static List<Case> invalid(long nowMs) {
    List<Case> c = new ArrayList<>();
    // --- snapshot read (KV-CONNECT.md §4)
    String tooManyRanges = "Too many read ranges requested in one read request.";
    String badLimit = "The read range limit of the snapshot read request is invalid.";
    String tooManyEntries =
        "The total number of entries requested across read ranges in the read request is too"
            + " large.";
    c.add(read("11 ranges", tooManyRanges, Collections.nCopies(11, range(1))));
    c.add(read("11 ranges beat limit 0", tooManyRanges, Collections.nCopies(11, range(0))));
    c.add(read("limit 0", badLimit, List.of(range(0))));
    c.add(read("limit -1", badLimit, List.of(range(-1))));
    c.add(read("limit before key size", badLimit, List.of(range(0).setStart(bytes(2050)))));
    c.add(read("start 2050 bytes", KEY, List.of(range(1).setStart(bytes(2050)))));
    c.add(read("end 2050 bytes", KEY, List.of(range(1).setEnd(bytes(2050)))));
    c.add(read("limits 500+501", tooManyEntries, List.of(range(500), range(501))));
    c.add(read("ten huge limits do not overflow", tooManyEntries,
        Collections.nCopies(10, range(Integer.MAX_VALUE))));
    c.add(read("range errors before the total", KEY,
        List.of(range(1000), range(1).setEnd(bytes(2050)))));
    // --- atomic write (§5.1)
    String tooManyChecks = "Too many checks included in atomic write.";
    String tooManyMutations = "Too many mutations / enqueues included in atomic write.";
    c.add(write("11 checks", tooManyChecks,
        w -> w.addAllChecks(Collections.nCopies(11, check(1).build()))));
    c.add(write("1001 mutations", tooManyMutations,
        w -> w.addAllMutations(Collections.nCopies(1001, set(1, 1).build()))));
    c.add(write("500 mutations + 501 enqueues", tooManyMutations,
        w -> w.addAllMutations(Collections.nCopies(500, set(1, 1).build()))
            .addAllEnqueues(Collections.nCopies(501, enqueue(nowMs).build()))));
    c.add(write("check count before mutation count", tooManyChecks,
        w -> w.addAllChecks(Collections.nCopies(11, check(1).build()))
            .addAllMutations(Collections.nCopies(1001, set(1, 1).build()))));
    c.add(write("check key 2050 bytes", KEY, w -> w.addChecks(check(2050))));
    c.add(write("check versionstamp 9 bytes", "Invalid versionstamp.",
        w -> w.addChecks(check(1).setVersionstamp(bytes(9)))));
    c.add(write("check versionstamp 11 bytes", "Invalid versionstamp.",
        w -> w.addChecks(check(1).setVersionstamp(bytes(11)))));
    c.add(write("checks before mutations", KEY,
        w -> w.addChecks(check(2050)).addMutations(set(1, 1).setMutationTypeValue(77))));
    c.add(write("mutation key 2049 bytes", KEY, w -> w.addMutations(set(2049, 1))));
    c.add(write("value 65537 bytes", VALUE, w -> w.addMutations(set(1, 65537))));
    c.add(write("delete with value 65537 bytes", VALUE,
        w -> w.addMutations(set(1, 65537).setMutationType(MutationType.M_DELETE))));
    c.add(write("value size before kind", VALUE,
        w -> w.addMutations(set(1, 65537).setMutationTypeValue(77))));
    for (MutationType t : List.of(MutationType.M_SET, MutationType.M_SUM, MutationType.M_MAX,
        MutationType.M_MIN, MutationType.M_SET_SUFFIX_VERSIONSTAMPED_KEY)) {
      c.add(write(t + " without value", KIND,
          w -> w.addMutations(Mutation.newBuilder().setKey(bytes(1)).setMutationType(t))));
    }
    for (int unknown : new int[] {0, 6, 7, 8, 10, 1000}) {
      c.add(write("mutation type " + unknown, KIND,
          w -> w.addMutations(set(1, 1).setMutationTypeValue(unknown))));
    }
    for (int length : new int[] {0, 7, 9}) {
      c.add(write("LE64 value of " + length + " bytes", KIND,
          w -> w.addMutations(set(1, 0).setValue(value(ValueEncoding.VE_LE64, length)))));
    }
    c.add(write("LE64 sum of 7 bytes", KIND, w -> w.addMutations(
        set(1, 0).setMutationType(MutationType.M_SUM).setValue(value(ValueEncoding.VE_LE64, 7)))));
    for (int encoding : new int[] {0, 4, 99}) {
      c.add(write("value encoding " + encoding, KIND, w -> w.addMutations(
          set(1, 0).setValue(KvValue.newBuilder().setData(bytes(1)).setEncodingValue(encoding)))));
    }
    c.add(write("expire_at_ms -2", EXPIRE, w -> w.addMutations(set(1, 1).setExpireAtMs(-2))));
    c.add(write("expire_at_ms MIN", EXPIRE,
        w -> w.addMutations(set(1, 1).setExpireAtMs(Long.MIN_VALUE))));
    c.add(write("kind before expire", KIND,
        w -> w.addMutations(set(1, 1).setMutationTypeValue(0).setExpireAtMs(-5))));
    c.add(write("mutations before enqueues", KIND,
        w -> w.addMutations(set(1, 1).setMutationTypeValue(0))
            .addEnqueues(enqueue(nowMs).setDeadlineMs(-1))));
    // --- enqueue (§6)
    c.add(write("payload 65537 bytes", VALUE,
        w -> w.addEnqueues(enqueue(nowMs).setPayload(bytes(65537)))));
    c.add(write("11 dead-letter keys", "Too many dead letter keys for a single queue message.",
        w -> w.addEnqueues(
            enqueue(nowMs).addAllKeysIfUndelivered(Collections.nCopies(11, bytes(1))))));
    c.add(write("dead-letter key 2049 bytes", KEY,
        w -> w.addEnqueues(enqueue(nowMs).addKeysIfUndelivered(bytes(2049)))));
    c.add(write("11 backoff intervals", "Too many backoff intervals for a single queue message.",
        w -> w.addEnqueues(enqueue(nowMs).addAllBackoffSchedule(Collections.nCopies(11, 1)))));
    String backoff = "A backoff interval exceeds the maximum allowed backoff interval.";
    c.add(write("backoff 3600001 ms", backoff,
        w -> w.addEnqueues(enqueue(nowMs).addBackoffSchedule(3_600_001))));
    c.add(write("backoff uint32 max", backoff,
        w -> w.addEnqueues(enqueue(nowMs).addBackoffSchedule(-1))));
    c.add(write("deadline -1", DEADLINE, w -> w.addEnqueues(enqueue(nowMs).setDeadlineMs(-1))));
    c.add(write("deadline MIN", DEADLINE,
        w -> w.addEnqueues(enqueue(nowMs).setDeadlineMs(Long.MIN_VALUE))));
    c.add(write("deadline 31 days ago", DEADLINE,
        w -> w.addEnqueues(enqueue(nowMs).setDeadlineMs(nowMs - 31 * DAY_MS))));
    c.add(write("deadline 0 (1970)", DEADLINE,
        w -> w.addEnqueues(enqueue(nowMs).setDeadlineMs(0))));
    // --- total size, checked last
    String tooLarge = "The total size of the atomic write is too large.";
    c.add(write("13 values of 64 KiB", tooLarge,
        w -> w.addAllMutations(Collections.nCopies(13, set(0, 65536).build()))));
    c.add(write("819201 bytes", tooLarge, w -> exactTotal(w, 819_201)));
    c.add(write("check and dead-letter keys count too", tooLarge,
        w -> exactTotal(w, 819_200 - 2049 - 100 - 4)
            .addChecks(check(2049))
            .addEnqueues(enqueue(nowMs).addKeysIfUndelivered(bytes(100)).addBackoffSchedule(1))
            .addEnqueues(enqueue(nowMs).setPayload(bytes(1)))));
    c.add(write("per-item errors before the total", DEADLINE,
        w -> w.addAllMutations(Collections.nCopies(13, set(0, 65536).build()))
            .addEnqueues(enqueue(nowMs).setDeadlineMs(-1))));
    // --- watch (§7)
    c.add(watch("11 keys", "Too many keys watched in a single watch request.",
        Collections.nCopies(11, 1)));
    c.add(watch("key 2049 bytes", KEY, List.of(1, 2049)));
    return c;
  }

  /** Boundary requests the validator must accept. */
  public static List<Case> valid(long nowMs) {
    List<Case> c = new ArrayList<>();
    c.add(read("no ranges", null, List.of()));
    c.add(read("10 ranges, 1000 entries, 2049-byte keys", null,
        Collections.nCopies(10, range(100).setStart(bytes(2049)).setEnd(bytes(2049)))));
    c.add(write("empty write", null, w -> w));
    c.add(write("10 checks, 2049-byte key, 10-byte versionstamp", null,
        w -> w.addAllChecks(Collections.nCopies(9, check(1).build()))
            .addChecks(check(2049).setVersionstamp(bytes(10)))));
    c.add(write("1000 mutations", null,
        w -> w.addAllMutations(Collections.nCopies(1000, set(1, 1).build()))));
    c.add(write("2048-byte key, 65536-byte value", null, w -> w.addMutations(set(2048, 65536))));
    c.add(write("delete without value", null, w -> w.addMutations(
        Mutation.newBuilder().setKey(bytes(1)).setMutationType(MutationType.M_DELETE))));
    c.add(write("delete with an undecodable value", null, w -> w.addMutations(
        set(1, 0).setMutationType(MutationType.M_DELETE)
            .setValue(KvValue.newBuilder().setData(bytes(3)).setEncodingValue(0)))));
    c.add(write("LE64 value of 8 bytes", null,
        w -> w.addMutations(set(1, 0).setValue(value(ValueEncoding.VE_LE64, 8)))));
    c.add(write("V8 and bytes sums pass to the applier", null, w -> w
        .addMutations(set(1, 0).setMutationType(MutationType.M_SUM)
            .setValue(value(ValueEncoding.VE_V8, 4)))
        .addMutations(set(1, 0).setMutationType(MutationType.M_SUM)
            .setValue(value(ValueEncoding.VE_BYTES, 3)))));
    for (long expire : new long[] {-1, 0, 1, Long.MAX_VALUE}) {
      c.add(write("expire_at_ms " + expire, null,
          w -> w.addMutations(set(1, 1).setExpireAtMs(expire))));
    }
    c.add(write("exactly 819200 bytes", null, w -> exactTotal(w, 819_200)));
    c.add(write("enqueue at the limits", null, w -> w.addEnqueues(enqueue(nowMs)
        .setPayload(bytes(65536))
        .addAllKeysIfUndelivered(Collections.nCopies(10, bytes(2048)))
        .addAllBackoffSchedule(Collections.nCopies(10, 3_600_000)))));
    c.add(write("deadline 29 days ago", null,
        w -> w.addEnqueues(enqueue(nowMs).setDeadlineMs(nowMs - 29 * DAY_MS))));
    c.add(write("deadline Long.MAX_VALUE", null,
        w -> w.addEnqueues(enqueue(nowMs).setDeadlineMs(Long.MAX_VALUE))));
    c.add(watch("no keys", null, List.of()));
    c.add(watch("10 keys of 2048 bytes", null, Collections.nCopies(10, 2048)));
    return c;
  }

  /** Adds set mutations whose keys and values total exactly {@code totalBytes}. */
  private static AtomicWrite.Builder exactTotal(AtomicWrite.Builder w, int totalBytes) {
    int remaining = totalBytes;
    while (remaining > 0) {
      int valueBytes = Math.min(remaining, 65536);
      w.addMutations(set(0, valueBytes));
      remaining -= valueBytes;
    }
    return w;
  }

  private interface WriteBuilder {
    AtomicWrite.Builder build(AtomicWrite.Builder w);
  }

  private static Case read(String name, String message, List<ReadRange.Builder> ranges) {
    SnapshotRead.Builder read = SnapshotRead.newBuilder();
    ranges.forEach(read::addRanges);
    return new Case(name, Kind.SNAPSHOT_READ, read.build(), message);
  }

  private static Case write(String name, String message, WriteBuilder body) {
    return new Case(name, Kind.ATOMIC_WRITE, body.build(AtomicWrite.newBuilder()).build(), message);
  }

  private static Case watch(String name, String message, List<Integer> keySizes) {
    Watch.Builder watch = Watch.newBuilder();
    keySizes.forEach(size -> watch.addKeys(WatchKey.newBuilder().setKey(bytes(size))));
    return new Case(name, Kind.WATCH, watch.build(), message);
  }

  private static ReadRange.Builder range(int limit) {
    return ReadRange.newBuilder().setStart(bytes(1)).setEnd(bytes(2)).setLimit(limit);
  }

  private static Check.Builder check(int keyBytes) {
    return Check.newBuilder().setKey(bytes(keyBytes));
  }

  private static Mutation.Builder set(int keyBytes, int valueBytes) {
    return Mutation.newBuilder()
        .setKey(bytes(keyBytes))
        .setMutationType(MutationType.M_SET)
        .setValue(value(ValueEncoding.VE_BYTES, valueBytes));
  }

  private static KvValue.Builder value(ValueEncoding encoding, int dataBytes) {
    return KvValue.newBuilder().setData(bytes(dataBytes)).setEncoding(encoding);
  }

  private static Enqueue.Builder enqueue(long nowMs) {
    return Enqueue.newBuilder().setPayload(bytes(1)).setDeadlineMs(nowMs + 1000);
  }

  /** {@code size} bytes, all 0x01 (so a 2-byte range end sorts after a 1-byte start). */
  static ByteString bytes(int size) {
    byte[] b = new byte[size];
    java.util.Arrays.fill(b, (byte) 1);
    return ByteString.copyFrom(b);
  }
}
