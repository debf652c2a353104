package io.quorumkv.node.kv;

import static io.quorumkv.node.kv.Kv.big;
import static io.quorumkv.node.kv.Kv.bytes;
import static io.quorumkv.node.kv.Kv.delete;
import static io.quorumkv.node.kv.Kv.int32;
import static io.quorumkv.node.kv.Kv.le64;
import static io.quorumkv.node.kv.Kv.max;
import static io.quorumkv.node.kv.Kv.min;
import static io.quorumkv.node.kv.Kv.num;
import static io.quorumkv.node.kv.Kv.set;
import static io.quorumkv.node.kv.Kv.sum;
import static io.quorumkv.node.kv.Kv.v8;
import static io.quorumkv.node.kv.Kv.v8String;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.KvEntry;
import com.deno.kv.datapath.KvValue;
import com.deno.kv.datapath.Mutation;
import com.deno.kv.datapath.MutationType;
import com.deno.kv.datapath.ValueEncoding;
import io.quorumkv.node.storage.SqliteStore;
import io.quorumkv.proto.gen.WriteResult;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * KV-CONNECT.md §5.3–§5.5 as a table: each row is a sequence of atomic writes on key {@code K}
 * (each write a list of mutations, all in one log entry each) and the expected end: the stored
 * value, absence, or the exact 400 text of the LAST write, which must then have changed nothing.
 * Runs on a real SQLite file.
 */
class ApplierTableTest {
  private static final byte[] K = Kv.hex("02 6b 00"); // ["k"]
  private static final long U64_TOP = 0x8000_0000_0000_0000L;

  @TempDir Path dir;

  /** Expected end state. */
  sealed interface End {}

  record Value(KvValue value) implements End {}

  record Absent() implements End {}

  record Rejected(String message) implements End {}

  @SafeVarargs
  private static Arguments row(String name, End end, List<Mutation>... writes) {
    List<List<Mutation>> copy = new java.util.ArrayList<>(); // not List.of(writes): -Xlint:varargs
    for (List<Mutation> w : writes) {
      copy.add(w);
    }
    return Arguments.of(name, copy, end);
  }

  private static End is(KvValue v) {
    return new Value(v);
  }

  private static End rejected(String message) {
    return new Rejected(message);
  }

  private static final End ABSENT = new Absent();

  static Stream<Arguments> table() {
    return Stream.of(
        // ---- §5.3: mutations of one write see each other (each asserted by the e2e suite) ----
        row("set a, set b", is(bytes("0b")), List.of(set(K, bytes("0a")), set(K, bytes("0b")))),
        row("set a, delete", ABSENT, List.of(set(K, bytes("0a")), delete(K))),
        row("delete, set a", is(bytes("0a")), List.of(delete(K), set(K, bytes("0a")))),
        row("delete, sum 1, sum 2", is(le64(3)), List.of(delete(K), sum(K, le64(1)), sum(K, le64(2)))),
        row("delete, sum 1, 2, 3", is(le64(6)),
            List.of(delete(K), sum(K, le64(1)), sum(K, le64(2)), sum(K, le64(3)))),
        row("delete, sum 1, sum 2, set '5'", is(v8String("5")),
            List.of(delete(K), sum(K, le64(1)), sum(K, le64(2)), set(K, v8String("5")))),
        row("delete, sum 5, max 100, 50, 150, 75", is(le64(150)),
            List.of(delete(K), sum(K, le64(5)), max(K, le64(100)), max(K, le64(50)),
                max(K, le64(150)), max(K, le64(75)))),
        row("then min 100, 50, 150, 75", is(le64(50)),
            List.of(set(K, le64(150))),
            List.of(min(K, le64(100)), min(K, le64(50)), min(K, le64(150)), min(K, le64(75)))),
        row("delete absent key commits", ABSENT, List.of(delete(K))),
        row("delete without a value (npm)", ABSENT,
            List.of(set(K, bytes("01"))), List.of(Kv.m(K, MutationType.M_DELETE).build())),

        // ---- §5.4 LE64 ----
        row("sum on absent stores operand", is(le64(42)), List.of(sum(K, le64(42)))),
        row("sum wraps modulo 2^64", is(le64(1)), List.of(set(K, le64(-1))), List.of(sum(K, le64(2)))),
        row("max compares unsigned", is(le64(U64_TOP)),
            List.of(set(K, le64(1))), List.of(max(K, le64(U64_TOP)))),
        row("min compares unsigned", is(le64(1)),
            List.of(set(K, le64(U64_TOP))), List.of(min(K, le64(1)))),
        row("min on absent stores operand", is(le64(9)), List.of(min(K, le64(9)))),
        row("max on absent stores operand", is(le64(9)), List.of(max(K, le64(9)))),
        row("LE64 sum ignores sum_min/max/clamp", is(le64(100)),
            List.of(set(K, le64(90))), List.of(sum(K, le64(10), le64(0), le64(5), true))),
        row("min with V8 operand", rejected("Failed to perform 'min' mutation on a non-U64 operand"),
            List.of(min(K, big(1)))),
        row("max with BYTES operand", rejected("Failed to perform 'max' mutation on a non-U64 operand"),
            List.of(max(K, bytes("01")))),
        row("LE64 sum on BYTES value",
            rejected("Failed to perform 'sum' mutation on a non-U64 value in the database"),
            List.of(set(K, bytes("01 02 03"))), List.of(sum(K, le64(1)))),
        row("LE64 min on V8 value",
            rejected("Failed to perform 'min' mutation on a non-U64 value in the database"),
            List.of(set(K, big(1))), List.of(min(K, le64(1)))),
        row("LE64 max on BYTES value",
            rejected("Failed to perform 'max' mutation on a non-U64 value in the database"),
            List.of(set(K, bytes("01"))), List.of(max(K, le64(1)))),

        // ---- §5.5 V8 sum: absent key ----
        row("Int32 onto absent is stored as a Double", is(num(1)), List.of(sum(K, int32(1)))),
        row("V8-form BigInt onto absent is stored minimal", is(v8("FF0F5A0201")),
            List.of(sum(K, v8("FF 0F 5A 10 01 00 00 00 00 00 00 00")))),
        row("bounds are not applied on an absent key", is(big(100)),
            List.of(sum(K, big(100), null, big(50), false))),
        row("clamp is not applied on an absent key", is(big(-7)),
            List.of(sum(K, big(-7), big(0), null, true))),

        // ---- §5.5: combine ----
        row("BigInt + BigInt", is(big(44)), List.of(set(K, big(43))), List.of(sum(K, big(1)))),
        row("Number + Int32", is(num(3.5)), List.of(set(K, num(1.5))), List.of(sum(K, int32(2)))),
        row("Int32 stored by client + Int32", is(num(3)), List.of(set(K, int32(1))),
            List.of(sum(K, int32(2)))),
        row("Uint32 + Double", is(num(4294967295.5)), List.of(set(K, v8("FF0F55FFFFFFFF0F"))),
            List.of(sum(K, num(0.5)))),
        row("BigInt + Number", rejected("Cannot sum BigInt with Number"),
            List.of(set(K, big(1))), List.of(sum(K, int32(1)))),
        row("Number + BigInt", rejected("Cannot sum Number with BigInt"),
            List.of(set(K, num(1))), List.of(sum(K, big(1)))),
        row("rule 5: LE64 + BigInt -> LE64", is(le64(44)), List.of(set(K, le64(43))),
            List.of(sum(K, big(1)))),
        row("rule 5 wraps", is(le64(-2)), List.of(set(K, le64(-1))),
            List.of(sum(K, big(new BigInteger("18446744073709551615"))))),
        row("rule 5: negative BigInt", rejected("Cannot sum KvU64 with BigInt"),
            List.of(set(K, le64(43))), List.of(sum(K, big(-1)))),
        row("rule 5: BigInt 2^64", rejected("Cannot sum KvU64 with BigInt"),
            List.of(set(K, le64(43))), List.of(sum(K, big(BigInteger.TWO.pow(64))))),
        row("rule 5: with max", rejected("Cannot sum KvU64 with BigInt"),
            List.of(set(K, le64(43))), List.of(sum(K, big(1), null, big(100), false))),
        row("rule 5: with min", rejected("Cannot sum KvU64 with BigInt"),
            List.of(set(K, le64(43))), List.of(sum(K, big(1), big(0), null, false))),
        row("rule 5: with clamp", rejected("Cannot sum KvU64 with BigInt"),
            List.of(set(K, le64(43))), List.of(sum(K, big(1), null, null, true))),
        row("LE64 + Number", rejected("Cannot sum KvU64 with Number"),
            List.of(set(K, le64(43))), List.of(sum(K, int32(1)))),

        // ---- §5.5 step 1–2: parameters ----
        row("operand is a V8 string", rejected("Some of the parameters are not valid V8 values"),
            List.of(sum(K, v8String("a")))),
        row("operand is raw BYTES", rejected("Some of the parameters are not valid V8 values"),
            List.of(sum(K, bytes("01")))),
        row("operand is empty V8", rejected("Some of the parameters are not valid V8 values"),
            List.of(sum(K, v8("")))),
        row("operand is corrupt V8", rejected("Some of the parameters are not valid V8 values"),
            List.of(sum(K, v8("FF 0F 49")))),
        row("min is a string", rejected("Some of the parameters are not valid V8 values"),
            List.of(sum(K, big(1), v8String("a"), null, false))),
        row("max is corrupt", rejected("Some of the parameters are not valid V8 values"),
            List.of(sum(K, big(1), null, v8("FF 0D 49 02"), false))),
        row("BigInt operand, Number min",
            rejected("Min/max parameters have different types than the operand"),
            List.of(sum(K, big(1), num(0), null, false))),
        row("Number operand, BigInt max",
            rejected("Min/max parameters have different types than the operand"),
            List.of(sum(K, num(1), null, big(5), false))),
        row("parameter check wins over the stored type",
            rejected("Min/max parameters have different types than the operand"),
            List.of(set(K, bytes("01"))), List.of(sum(K, num(1), null, big(5), false))),

        // ---- §5.5 step 4: the stored value ----
        row("stored BYTES", rejected("unsupported value type"),
            List.of(set(K, bytes("01 02 03"))), List.of(sum(K, big(1)))),
        row("stored V8 string", rejected("unsupported value type"),
            List.of(set(K, v8String("a"))), List.of(sum(K, big(1)))),
        row("stored corrupt V8", rejected("invalid v8 value"),
            List.of(set(K, v8("FF 0F 49"))), List.of(sum(K, big(1)))),
        row("stored empty V8", rejected("operand cannot be empty"),
            List.of(set(K, v8(""))), List.of(sum(K, big(1)))),

        // ---- §5.5 step 6: ranges ----
        row("over max, no clamp", rejected("The result of a Sum operation would exceed its range limit"),
            List.of(set(K, big(43))), List.of(sum(K, big(2), null, big(44), false))),
        row("at max, no clamp", is(big(44)),
            List.of(set(K, big(43))), List.of(sum(K, big(1), null, big(44), false))),
        row("over max, clamp", is(big(50)),
            List.of(set(K, big(43))), List.of(sum(K, big(10), null, big(50), true))),
        row("under min, no clamp", rejected("The result of a Sum operation would exceed its range limit"),
            List.of(set(K, big(10))), List.of(sum(K, big(-20), big(0), null, false))),
        row("under min, clamp", is(big(0)),
            List.of(set(K, big(10))), List.of(sum(K, big(-20), big(0), null, true))),
        row("min and max, clamp to max", is(big(50)),
            List.of(set(K, big(10))), List.of(sum(K, big(100), big(0), big(50), true))),
        row("Number over max, clamp", is(num(5)),
            List.of(set(K, num(1.5))), List.of(sum(K, num(10), null, num(5), true))),
        row("Number under min, no clamp",
            rejected("The result of a Sum operation would exceed its range limit"),
            List.of(set(K, num(1.5))), List.of(sum(K, num(-10), num(-1), null, false))),
        row("NaN is never out of range", is(num(Double.NaN)),
            List.of(set(K, num(Double.NaN))), List.of(sum(K, num(1), num(0), num(5), false))),

        // ---- argument errors the gateway should have caught: 400, never a crash ----
        row("M_UNSPECIFIED", rejected("Invalid mutation kind or arguments."),
            List.of(Kv.m(K, MutationType.M_UNSPECIFIED).setValue(bytes("01")).build())),
        row("unknown kind 7", rejected("Invalid mutation kind or arguments."),
            List.of(Mutation.newBuilder().setKey(Kv.bs(K)).setMutationTypeValue(7)
                .setValue(bytes("01")).build())),
        row("set without value", rejected("Invalid mutation kind or arguments."),
            List.of(Kv.m(K, MutationType.M_SET).build())),
        row("sum without value", rejected("Invalid mutation kind or arguments."),
            List.of(Kv.m(K, MutationType.M_SUM).build())),
        row("LE64 of 7 bytes", rejected("Invalid mutation kind or arguments."),
            List.of(set(K, Kv.value(ValueEncoding.VE_LE64_VALUE, new byte[7])))),
        row("value encoding 0", rejected("Invalid mutation kind or arguments."),
            List.of(set(K, Kv.value(0, new byte[] {1})))),
        row("value encoding 9", rejected("Invalid mutation kind or arguments."),
            List.of(set(K, Kv.value(9, new byte[] {1})))),
        row("expire_at -2", rejected("Invalid mutation expire at."),
            List.of(Kv.m(K, MutationType.M_SET).setValue(bytes("01")).setExpireAtMs(-2).build())),
        row("validation runs before any mutation", rejected("Invalid mutation kind or arguments."),
            List.of(set(K, bytes("0a"))),
            List.of(delete(K), Kv.m(K, MutationType.M_SET).build())),

        // ---- a type error rolls back the whole write (QuorumKV, unlike the reference) ----
        row("delete; set 0n; LE64 sum -> nothing changes",
            rejected("Failed to perform 'sum' mutation on a non-U64 value in the database"),
            List.of(set(K, le64(7))), List.of(delete(K), set(K, big(0)), sum(K, le64(1)))),
        row("sum rejected first (no savepoint needed), set after -> nothing changes",
            rejected("Failed to perform 'sum' mutation on a non-U64 value in the database"),
            List.of(set(K, big(0))), List.of(sum(K, le64(1)), set(K, le64(9)))),
        row("set then range error -> nothing changes",
            rejected("The result of a Sum operation would exceed its range limit"),
            List.of(set(K, big(1))),
            List.of(set(K, big(40)), sum(K, big(10), null, big(45), false))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void sequence(String name, List<List<Mutation>> writes, End end) {
    try (StoreHarness h = new StoreHarness(dir.resolve("kv.sqlite3"))) {
      for (int i = 0; i < writes.size() - 1; i++) {
        WriteResult setup = h.write(write(writes.get(i)));
        assertTrue(setup.hasCommitted(), "setup write " + i + " must commit: " + setup);
      }
      SqliteStore.Digest before = h.store.digest();
      Optional<KvEntry> entryBefore = h.get(K);
      WriteResult last = h.write(write(writes.get(writes.size() - 1)));
      switch (end) {
        case Rejected r -> {
          assertEquals(r.message(), last.getRejected(), "outcome: " + last);
          assertArrayEquals(before.sha256(), h.store.digest().sha256(), "state changed");
          assertEquals(entryBefore, h.get(K));
        }
        case Absent a -> {
          assertTrue(last.hasCommitted(), "outcome: " + last);
          assertEquals(Optional.empty(), h.get(K));
        }
        case Value v -> {
          assertTrue(last.hasCommitted(), "outcome: " + last);
          KvEntry entry = h.get(K).orElseThrow(() -> new AssertionError("key absent"));
          assertEquals(v.value().getEncodingValue(), entry.getEncodingValue(), "encoding");
          assertEquals(Kv.hex(v.value().getData().toByteArray()),
              Kv.hex(entry.getValue().toByteArray()), "value bytes");
          assertArrayEquals(last.getCommitted().toByteArray(),
              entry.getVersionstamp().toByteArray(), "row carries the commit versionstamp");
        }
      }
    }
  }

  private static AtomicWrite write(List<Mutation> mutations) {
    return Kv.write(mutations.toArray(Mutation[]::new));
  }
}
