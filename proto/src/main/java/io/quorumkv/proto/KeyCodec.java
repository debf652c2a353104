package io.quorumkv.proto;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The tuple-layer key encoding Deno KV clients use (KV-CONNECT.md §2), the same subset of the
 * FoundationDB tuple format as {@code proto/codec.rs} in denokv.
 *
 * <p>The server treats keys as opaque bytes ordered by unsigned comparison and only ever
 * <em>builds</em> key bytes for {@code M_SET_SUFFIX_VERSIONSTAMPED_KEY} ({@link
 * #versionstampSuffix}). Full encode/decode exists for tests, tools and diagnostics: it lets a
 * test state a key as {@code ["log", 42n]} instead of hex. Encoding is canonical (minimal
 * integer length, canonical NaN); decoding is as lenient as the reference's (non-minimal
 * integers are accepted), so {@code encode(decode(b))} equals {@code b} only for canonical
 * input.
 *
 * <p>Stateless and thread-safe. Malformed input raises {@link IllegalArgumentException}.
 */
public final class KeyCodec {
  private KeyCodec() {}

  static final int BYTES = 0x01;
  static final int STRING = 0x02;
  static final int NEG_INT_LONG = 0x0B;
  static final int INT_ZERO = 0x14;
  static final int POS_INT_LONG = 0x1D;
  static final int DOUBLE = 0x21;
  static final int FALSE = 0x26;
  static final int TRUE = 0x27;

  private static final int ESCAPE = 0xFF;
  /** Integers up to this many magnitude bytes use the short form (tag 14±n). */
  private static final int MAX_SHORT_INT_BYTES = 8;
  /** The long form has a one-byte length. */
  private static final int MAX_INT_BYTES = 255;
  private static final long SIGN_BIT = 0x8000_0000_0000_0000L;
  private static final long CANONICAL_NAN = 0x7FF8_0000_0000_0000L;

  /**
   * One part of a key. The variants mirror the JavaScript types Deno allows in a key:
   * {@code Uint8Array}, {@code string}, {@code bigint}, {@code number}, {@code boolean}.
   */
  public sealed interface Part permits Bytes, Str, Int, Float, Bool {}

  /** A {@code Uint8Array} part. Holds its own copy of the bytes. */
  public record Bytes(byte[] value) implements Part {
    public Bytes {
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes b && Arrays.equals(value, b.value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "Bytes[" + HexFormat.of().formatHex(value) + "]";
    }
  }

  /** A {@code string} part (encoded as UTF-8; lone surrogates are rejected). */
  public record Str(String value) implements Part {
    public Str {
      Objects.requireNonNull(value);
    }
  }

  /** A {@code bigint} part; magnitude at most 255 bytes. */
  public record Int(BigInteger value) implements Part {
    public Int {
      Objects.requireNonNull(value);
    }
  }

  /**
   * A {@code number} part. Two parts are equal exactly when they encode to the same bytes:
   * {@code -0.0} differs from {@code 0.0}, NaNs with the same sign are equal whatever their
   * payload, and a negative NaN differs from a positive one.
   */
  public record Float(double value) implements Part {
    @Override
    public boolean equals(Object o) {
      return o instanceof Float f && canonicalBits(value) == canonicalBits(f.value);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(canonicalBits(value));
    }
  }

  /** A {@code boolean} part. */
  public record Bool(boolean value) implements Part {}

  /**
   * Maps a plain Java value to a part: {@code byte[]}, {@link String}, {@link BigInteger},
   * {@link Double}, {@link Boolean}, or a {@link Part} as is. Other types (notably {@code
   * Long}/{@code Integer}) are rejected because it would be ambiguous whether they mean a JS
   * bigint or a JS number.
   */
  public static Part part(Object value) {
    return switch (value) {
      case Part p -> p;
      case byte[] b -> new Bytes(b);
      case String s -> new Str(s);
      case BigInteger i -> new Int(i);
      case Double d -> new Float(d);
      case Boolean b -> new Bool(b);
      case null -> throw new IllegalArgumentException("a key part cannot be null");
      default ->
          throw new IllegalArgumentException(
              "unsupported key part type " + value.getClass().getName()
                  + " (use byte[], String, BigInteger, Double or Boolean)");
    };
  }

  /** Encodes plain Java values, see {@link #part(Object)}. */
  public static byte[] encode(Object... parts) {
    List<Part> key = new ArrayList<>(parts.length);
    for (Object p : parts) {
      key.add(part(p));
    }
    return encode(key);
  }

  /** Encodes a key: the concatenation of its encoded parts. */
  public static byte[] encode(List<? extends Part> key) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Part p : key) {
      switch (p) {
        case Bytes b -> writeEscaped(out, BYTES, b.value);
        case Str s -> writeEscaped(out, STRING, utf8(s.value()));
        case Int i -> writeInt(out, i.value());
        case Float f -> writeDouble(out, f.value());
        case Bool b -> out.write(b.value() ? TRUE : FALSE);
      }
    }
    return out.toByteArray();
  }

  /** Decodes a whole key; every byte must belong to a part. */
  public static List<Part> decode(byte[] bytes) {
    List<Part> key = new ArrayList<>();
    int[] pos = {0};
    while (pos[0] < bytes.length) {
      int at = pos[0];
      int tag = bytes[pos[0]++] & 0xFF;
      key.add(
          switch (tag) {
            case BYTES -> new Bytes(readEscaped(bytes, pos));
            case STRING -> new Str(fromUtf8(readEscaped(bytes, pos), at));
            case DOUBLE -> new Float(readDouble(bytes, pos));
            case FALSE -> new Bool(false);
            case TRUE -> new Bool(true);
            default -> {
              if (tag >= NEG_INT_LONG && tag <= POS_INT_LONG) {
                yield new Int(readInt(bytes, pos, tag));
              }
              throw new IllegalArgumentException(
                  String.format("invalid key part tag %02x at offset %d", tag, at));
            }
          });
    }
    return key;
  }

  /**
   * The 22 bytes {@code M_SET_SUFFIX_VERSIONSTAMPED_KEY} appends to a key (KV-CONNECT.md
   * §2.1): one string part whose text is the versionstamp in lower-case hex, i.e. {@code 02},
   * 20 ASCII hex digits, {@code 00}. Hex digits never contain {@code 00}, so no escaping.
   */
  public static byte[] versionstampSuffix(Versionstamp versionstamp) {
    byte[] hex = versionstamp.toHex().getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[Limits.VERSIONSTAMP_SUFFIX_BYTES];
    out[0] = STRING;
    System.arraycopy(hex, 0, out, 1, hex.length);
    out[out.length - 1] = 0;
    return out;
  }

  private static void writeEscaped(ByteArrayOutputStream out, int tag, byte[] raw) {
    out.write(tag);
    for (byte b : raw) {
      out.write(b);
      if (b == 0) {
        out.write(ESCAPE);
      }
    }
    out.write(0);
  }

  private static byte[] readEscaped(byte[] in, int[] pos) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = pos[0];
    while (i < in.length) {
      byte b = in[i++];
      if (b == 0) {
        if (i < in.length && (in[i] & 0xFF) == ESCAPE) {
          out.write(0);
          i++;
          continue;
        }
        pos[0] = i;
        return out.toByteArray();
      }
      out.write(b);
    }
    throw new IllegalArgumentException("unterminated bytes/string key part");
  }

  private static void writeInt(ByteArrayOutputStream out, BigInteger v) {
    int sign = v.signum();
    if (sign == 0) {
      out.write(INT_ZERO);
      return;
    }
    byte[] mag = magnitude(v.abs());
    int n = mag.length;
    if (n > MAX_INT_BYTES) {
      throw new IllegalArgumentException("bigint key part needs " + n + " bytes (max 255)");
    }
    if (sign > 0) {
      if (n <= MAX_SHORT_INT_BYTES) {
        out.write(INT_ZERO + n);
      } else {
        out.write(POS_INT_LONG);
        out.write(n);
      }
    } else {
      if (n <= MAX_SHORT_INT_BYTES) {
        out.write(INT_ZERO - n);
      } else {
        out.write(NEG_INT_LONG);
        out.write(n ^ 0xFF);
      }
      for (int i = 0; i < n; i++) {
        mag[i] = (byte) ~mag[i];
      }
    }
    out.writeBytes(mag);
  }

  /** Minimal big-endian magnitude of a positive number (no sign byte). */
  private static byte[] magnitude(BigInteger positive) {
    byte[] b = positive.toByteArray();
    return b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  private static BigInteger readInt(byte[] in, int[] pos, int tag) {
    boolean negative = tag < INT_ZERO;
    int n;
    if (tag == NEG_INT_LONG) {
      n = (take(in, pos, 1)[0] & 0xFF) ^ 0xFF;
    } else if (tag == POS_INT_LONG) {
      n = take(in, pos, 1)[0] & 0xFF;
    } else {
      n = Math.abs(tag - INT_ZERO);
    }
    byte[] mag = take(in, pos, n);
    if (negative) {
      for (int i = 0; i < n; i++) {
        mag[i] = (byte) ~mag[i];
      }
    }
    BigInteger m = new BigInteger(1, mag);
    return negative ? m.negate() : m;
  }

  /** IEEE bits with NaN canonicalised to 7FF8.. (or FFF8.. if its sign bit is set). */
  private static long canonicalBits(double d) {
    long bits = Double.doubleToRawLongBits(d);
    return Double.isNaN(d) ? (bits & SIGN_BIT) | CANONICAL_NAN : bits;
  }

  private static void writeDouble(ByteArrayOutputStream out, double d) {
    long bits = canonicalBits(d);
    // Positive: flip the sign bit so they sort above negatives; negative: flip all bits so
    // larger magnitudes sort lower.
    bits = (bits & SIGN_BIT) == 0 ? bits ^ SIGN_BIT : ~bits;
    out.write(DOUBLE);
    out.writeBytes(ByteBuffer.allocate(Long.BYTES).putLong(bits).array());
  }

  private static double readDouble(byte[] in, int[] pos) {
    long bits = ByteBuffer.wrap(take(in, pos, Long.BYTES)).getLong();
    bits = (bits & SIGN_BIT) != 0 ? bits ^ SIGN_BIT : ~bits;
    return Double.longBitsToDouble(bits);
  }

  private static byte[] take(byte[] in, int[] pos, int n) {
    if (in.length - pos[0] < n) {
      throw new IllegalArgumentException("key part truncated at offset " + pos[0]);
    }
    byte[] out = Arrays.copyOfRange(in, pos[0], pos[0] + n);
    pos[0] += n;
    return out;
  }

  private static byte[] utf8(String s) {
    try {
      ByteBuffer b =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(s));
      return Arrays.copyOfRange(b.array(), b.position(), b.limit());
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("string key part is not valid Unicode", e);
    }
  }

  private static String fromUtf8(byte[] b, int offset) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("invalid UTF-8 in string key part at offset " + offset, e);
    }
  }
}
