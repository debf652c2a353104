package io.quorumkv.node.kv;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.Check;
import com.deno.kv.datapath.KvValue;
import com.deno.kv.datapath.Mutation;
import com.deno.kv.datapath.MutationType;
import com.deno.kv.datapath.ValueEncoding;
import com.google.protobuf.ByteString;
import io.quorumkv.proto.V8Numbers;
import java.math.BigInteger;
import java.util.HexFormat;

/** Test DSL: values, mutations and writes as the clients send them. */
public final class Kv {
  private Kv() {}

  public static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }

  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  public static ByteString bs(byte[] bytes) {
    return ByteString.copyFrom(bytes);
  }

  // ---- values ----

  public static KvValue value(int encoding, byte[] data) {
    return KvValue.newBuilder().setEncodingValue(encoding).setData(bs(data)).build();
  }

  public static KvValue le64(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (8 * i));
    }
    return value(ValueEncoding.VE_LE64_VALUE, b);
  }

  public static KvValue bytes(String spacedHex) {
    return value(ValueEncoding.VE_BYTES_VALUE, hex(spacedHex));
  }

  public static KvValue v8(String spacedHex) {
    return value(ValueEncoding.VE_V8_VALUE, hex(spacedHex));
  }

  /** A BigInt in the minimal form the reference writes. */
  public static KvValue big(long v) {
    return big(BigInteger.valueOf(v));
  }

  public static KvValue big(BigInteger v) {
    return value(ValueEncoding.VE_V8_VALUE, V8Numbers.encodeBigInt(v));
  }

  /** A Number as a V8 Double. */
  public static KvValue num(double v) {
    return value(ValueEncoding.VE_V8_VALUE, V8Numbers.encodeNumber(v));
  }

  /** A small integer Number as Deno writes it (Int32 tag). */
  public static KvValue int32(int v) {
    int zigzag = (v << 1) ^ (v >> 31);
    StringBuilder varint = new StringBuilder();
    long u = Integer.toUnsignedLong(zigzag);
    do {
      long b = u & 0x7F;
      u >>>= 7;
      varint.append(String.format("%02x", u != 0 ? b | 0x80 : b));
    } while (u != 0);
    return v8("FF0F49" + varint);
  }

  /** The V8 string "s" (one-byte). */
  public static KvValue v8String(String s) {
    return v8(String.format("FF0F22%02x", s.length()) + hex(s.getBytes()));
  }

  // ---- mutations on a key ----

  public static Mutation set(byte[] key, KvValue v) {
    return m(key, MutationType.M_SET).setValue(v).build();
  }

  public static Mutation setExpiring(byte[] key, KvValue v, long expireAtMs) {
    return m(key, MutationType.M_SET).setValue(v).setExpireAtMs(expireAtMs).build();
  }

  public static Mutation delete(byte[] key) {
    // As Deno sends it: an empty VE_BYTES value.
    return m(key, MutationType.M_DELETE).setValue(bytes("")).build();
  }

  public static Mutation sum(byte[] key, KvValue v) {
    return m(key, MutationType.M_SUM).setValue(v).build();
  }

  public static Mutation sum(byte[] key, KvValue v, KvValue min, KvValue max, boolean clamp) {
    Mutation.Builder b = m(key, MutationType.M_SUM).setValue(v).setSumClamp(clamp);
    if (min != null) {
      b.setSumMin(min.getData());
    }
    if (max != null) {
      b.setSumMax(max.getData());
    }
    return b.build();
  }

  public static Mutation min(byte[] key, KvValue v) {
    return m(key, MutationType.M_MIN).setValue(v).build();
  }

  public static Mutation max(byte[] key, KvValue v) {
    return m(key, MutationType.M_MAX).setValue(v).build();
  }

  public static Mutation setVersionstamped(byte[] prefix, KvValue v) {
    return m(prefix, MutationType.M_SET_SUFFIX_VERSIONSTAMPED_KEY).setValue(v).build();
  }

  public static Mutation.Builder m(byte[] key, MutationType type) {
    return Mutation.newBuilder().setKey(bs(key)).setMutationType(type);
  }

  // ---- writes ----

  public static AtomicWrite write(Mutation... mutations) {
    AtomicWrite.Builder b = AtomicWrite.newBuilder();
    for (Mutation mutation : mutations) {
      b.addMutations(mutation);
    }
    return b.build();
  }

  public static Check check(byte[] key, byte[] versionstamp) {
    return Check.newBuilder().setKey(bs(key)).setVersionstamp(bs(versionstamp)).build();
  }
}
