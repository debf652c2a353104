package io.quorumkv.node.kv;

import com.deno.kv.datapath.KvValue;
import com.deno.kv.datapath.Mutation;
import com.deno.kv.datapath.ValueEncoding;
import io.quorumkv.proto.V8Numbers;
import java.math.BigInteger;
import java.util.Optional;
import java.util.function.LongBinaryOperator;

/**
 * The arithmetic mutations (KV-CONNECT.md §5.4 LE64 sum/min/max, §5.5 V8 sum) as pure functions
 * from (operand, current visible row) to the new value, or a {@link Rejection} carrying the
 * reference's exact message. No storage access, no clock. Stateless and thread-safe.
 */
final class Sums {
  static final int V8 = ValueEncoding.VE_V8_VALUE;
  static final int LE64 = ValueEncoding.VE_LE64_VALUE;
  static final int BYTES = ValueEncoding.VE_BYTES_VALUE;

  private static final String NOT_VALID_V8 = "Some of the parameters are not valid V8 values";
  private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private Sums() {}

  /** A new value to store (always with no expiry: sum/min/max results clear it). */
  record Result(byte[] value, int encoding) {}

  /** The three LE64 operations: name as printed in messages, and the unsigned 64-bit rule. */
  enum Le64Op {
    SUM("sum", (a, b) -> a + b), // wrapping add modulo 2^64
    MIN("min", (a, b) -> Long.compareUnsigned(a, b) <= 0 ? a : b),
    MAX("max", (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);

    final String opName;
    final LongBinaryOperator combine;

    Le64Op(String opName, LongBinaryOperator combine) {
      this.opName = opName;
      this.combine = combine;
    }
  }

  /** §5.4: the operand must be LE64; an absent key takes the operand; bounds are ignored. */
  static Result le64(Le64Op op, KvValue operand, Optional<KvStorage.Row> current)
      throws Rejection {
    if (operand.getEncodingValue() != LE64 || operand.getData().size() != 8) {
      throw new Rejection(
          "Failed to perform '" + op.opName + "' mutation on a non-U64 operand");
    }
    long operandValue = readLe64(operand.getData().toByteArray());
    if (current.isEmpty()) {
      return new Result(writeLe64(operandValue), LE64);
    }
    KvStorage.Row row = current.get();
    switch (row.encoding()) {
      case LE64 -> {
        if (row.value().length != 8) {
          throw new Rejection("The value encoding " + row.encoding() + " is unknown.");
        }
        long combined = op.combine.applyAsLong(readLe64(row.value()), operandValue);
        return new Result(writeLe64(combined), LE64);
      }
      case V8, BYTES ->
          throw new Rejection(
              "Failed to perform '"
                  + op.opName
                  + "' mutation on a non-U64 value in the database");
      default -> throw new Rejection("The value encoding " + row.encoding() + " is unknown.");
    }
  }

  /** A sum operand as the reference classifies it (sqlite/sum_operand.rs). */
  private sealed interface Operand {
    String kindName();
  }

  private record Big(BigInteger value) implements Operand {
    @Override
    public String kindName() {
      return "BigInt";
    }
  }

  private record Num(double value) implements Operand {
    @Override
    public String kindName() {
      return "Number";
    }
  }

  private record U64(long value) implements Operand {
    @Override
    public String kindName() {
      return "KvU64";
    }
  }

  /** §5.5, steps 1–7, in the reference's order (which decides which message wins). */
  static Result v8Sum(Mutation mutation, Optional<KvStorage.Row> current) throws Rejection {
    KvValue value = mutation.getValue();
    if (value.getEncodingValue() != V8) { // raw BYTES: "unsupported value type" in the reference
      throw new Rejection(NOT_VALID_V8);
    }
    Operand operand;
    Optional<Operand> min;
    Optional<Operand> max;
    try {
      operand = fromV8(V8Numbers.decode(value.getData().toByteArray()));
      min = V8Numbers.decodeOptional(mutation.getSumMin().toByteArray()).map(Sums::fromV8);
      max = V8Numbers.decodeOptional(mutation.getSumMax().toByteArray()).map(Sums::fromV8);
    } catch (V8Numbers.DecodeException e) {
      throw new Rejection(NOT_VALID_V8);
    }
    if (differentKind(min, operand) || differentKind(max, operand)) {
      throw new Rejection("Min/max parameters have different types than the operand");
    }
    if (current.isEmpty()) {
      return encode(operand); // bounds and clamp deliberately not applied (as the reference)
    }
    Operand existing = parseExisting(current.get());
    boolean clamp = mutation.getSumClamp();
    // Backward compatibility: a non-negative u64-sized BigInt without bounds adds to a KvU64.
    if (existing instanceof U64
        && operand instanceof Big b
        && min.isEmpty()
        && max.isEmpty()
        && !clamp
        && b.value().signum() >= 0
        && b.value().compareTo(U64_MAX) <= 0) {
      operand = new U64(b.value().longValue());
    }
    return encode(combine(existing, operand, min, max, clamp));
  }

  private static Operand combine(
      Operand existing, Operand operand, Optional<Operand> min, Optional<Operand> max, boolean clamp)
      throws Rejection {
    if (existing instanceof Big cur && operand instanceof Big add) {
      BigInteger sum = cur.value().add(add.value());
      if (min.isPresent() && sum.compareTo(((Big) min.get()).value()) < 0) {
        sum = clampOrReject(clamp, ((Big) min.get()).value());
      }
      if (max.isPresent() && sum.compareTo(((Big) max.get()).value()) > 0) {
        sum = clampOrReject(clamp, ((Big) max.get()).value());
      }
      return new Big(sum);
    }
    if (existing instanceof Num cur && operand instanceof Num add) {
      double sum = cur.value() + add.value();
      // IEEE comparisons as in the reference: NaN is never out of range, -0.0 == 0.0.
      if (min.isPresent() && sum < ((Num) min.get()).value()) {
        sum = clampOrReject(clamp, ((Num) min.get()).value());
      }
      if (max.isPresent() && sum > ((Num) max.get()).value()) {
        sum = clampOrReject(clamp, ((Num) max.get()).value());
      }
      return new Num(sum);
    }
    if (existing instanceof U64 cur && operand instanceof U64 add) {
      if (min.isPresent() || max.isPresent()) { // unreachable: rule 5 requires no bounds
        throw new Rejection("Cannot use min/max parameters with KvU64 operands");
      }
      return new U64(cur.value() + add.value());
    }
    throw new Rejection("Cannot sum " + existing.kindName() + " with " + operand.kindName());
  }

  private static <T> T clampOrReject(boolean clamp, T bound) throws Rejection {
    if (!clamp) {
      throw new Rejection("The result of a Sum operation would exceed its range limit");
    }
    return bound;
  }

  /** §5.5 step 4: the stored value as a sum operand, or the parser's own message. */
  private static Operand parseExisting(KvStorage.Row row) throws Rejection {
    switch (row.encoding()) {
      case V8 -> {
        try {
          return fromV8(V8Numbers.decode(row.value()));
        } catch (V8Numbers.DecodeException e) {
          throw new Rejection(e.getMessage());
        }
      }
      case LE64 -> {
        if (row.value().length != 8) {
          throw new Rejection("Invalid sum operand");
        }
        return new U64(readLe64(row.value()));
      }
      case BYTES -> throw new Rejection(V8Numbers.UNSUPPORTED_VALUE_TYPE);
      default -> throw new Rejection("Invalid sum operand");
    }
  }

  private static boolean differentKind(Optional<Operand> bound, Operand operand) {
    return bound.isPresent() && bound.get().getClass() != operand.getClass();
  }

  private static Operand fromV8(V8Numbers.Value value) {
    return switch (value) {
      case V8Numbers.BigIntValue b -> new Big(b.value());
      case V8Numbers.NumberValue n -> new Num(n.value());
    };
  }

  private static Result encode(Operand operand) {
    return switch (operand) {
      case Big b -> new Result(V8Numbers.encodeBigInt(b.value()), V8);
      case Num n -> new Result(V8Numbers.encodeNumber(n.value()), V8);
      case U64 u -> new Result(writeLe64(u.value()), LE64);
    };
  }

  static long readLe64(byte[] bytes) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (bytes[i] & 0xFF);
    }
    return v;
  }

  static byte[] writeLe64(long value) {
    byte[] out = new byte[8];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (value >>> (8 * i));
    }
    return out;
  }
}
