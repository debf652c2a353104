package io.quorumkv.proto;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;

/**
 * The slice of the V8 value-serializer wire format that the server needs for V8 sums
 * (KV-CONNECT.md §5.5, §5.6): numbers and BigInts. Everything else is stored verbatim and never
 * parsed.
 *
 * <p>Decoding accepts exactly what the reference's deserializer (v8_valueserializer 0.1.1)
 * accepts for these values, and classifies failures with the reference's messages, because they
 * reach clients verbatim as 400 bodies: {@value #UNSUPPORTED_VALUE_TYPE} (a well-formed value
 * that is not a number or BigInt), {@value #INVALID_V8_VALUE} (bytes the reference cannot parse),
 * {@value #OPERAND_CANNOT_BE_EMPTY} (no bytes at all). Encoding writes what the reference writes
 * for sum results: BigInts in minimal form, Numbers always as Doubles.
 *
 * <p>Stateless; all methods are thread-safe.
 */
public final class V8Numbers {
  /** Message for a well-formed V8 value that is neither a number nor a BigInt. */
  public static final String UNSUPPORTED_VALUE_TYPE = "unsupported value type";
  /** Message for bytes that are not a valid V8 serialization. */
  public static final String INVALID_V8_VALUE = "invalid v8 value";
  /** Message for an empty V8 value. */
  public static final String OPERAND_CANNOT_BE_EMPTY = "operand cannot be empty";

  private static final int TAG_VERSION = 0xFF;
  private static final int TAG_PADDING = 0x00;
  private static final int TAG_VERIFY_OBJECT_COUNT = '?';
  private static final int TAG_INT32 = 'I';
  private static final int TAG_UINT32 = 'U';
  private static final int TAG_DOUBLE = 'N';
  private static final int TAG_BIGINT = 'Z';
  /** The wire format version we write (what Deno and Node write today). */
  private static final int WRITE_VERSION = 15;
  /** The reference recurses once per '?' marker and gives up beyond this depth. */
  private static final int MAX_OBJECT_COUNT_MARKERS = 256;
  /** Varints are read 7 bits at a time, at most 5 bytes (a u32), as in the reference. */
  private static final int MAX_VARINT_BYTES = 5;

  private V8Numbers() {}

  /** A decoded sum operand: a V8 BigInt or a V8 Number. Immutable. */
  public sealed interface Value permits BigIntValue, NumberValue {
    /** The kind name the reference prints in "Cannot sum A with B": BigInt or Number. */
    String kindName();
  }

  /** A V8 BigInt. */
  public record BigIntValue(BigInteger value) implements Value {
    public BigIntValue {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String kindName() {
      return "BigInt";
    }
  }

  /** A V8 Number (Int32, Uint32 and Double all decode to a double, as in the reference). */
  public record NumberValue(double value) implements Value {
    @Override
    public String kindName() {
      return "Number";
    }
  }

  /** Decoding failed; {@link #getMessage()} is one of the three reference messages. */
  public static final class DecodeException extends Exception {
    private DecodeException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Decodes a required operand.
   *
   * @throws DecodeException with {@value #OPERAND_CANNOT_BE_EMPTY} for empty input, otherwise
   *     as {@link #decodeOptional}
   */
  public static Value decode(byte[] bytes) throws DecodeException {
    return decodeOptional(bytes)
        .orElseThrow(() -> new DecodeException(OPERAND_CANNOT_BE_EMPTY));
  }

  /**
   * Decodes an optional operand (sum_min / sum_max): empty input means "absent".
   *
   * @throws DecodeException with {@value #INVALID_V8_VALUE} or {@value #UNSUPPORTED_VALUE_TYPE}
   */
  public static Optional<Value> decodeOptional(byte[] bytes) throws DecodeException {
    if (bytes.length == 0) {
      return Optional.empty();
    }
    return Optional.of(new Reader(bytes).readTopLevel());
  }

  /** Serializes like the reference serializes sum results. */
  public static byte[] encode(Value value) {
    return switch (value) {
      case BigIntValue b -> encodeBigInt(b.value());
      case NumberValue n -> encodeNumber(n.value());
    };
  }

  /**
   * {@code FF 0F 5A varint((byteLen << 1) | sign) magnitudeLE}, minimal magnitude; zero is one
   * {@code 00} byte with the sign clear (44n is {@code FF 0F 5A 02 2C}).
   */
  public static byte[] encodeBigInt(BigInteger value) {
    byte[] bigEndian = value.abs().toByteArray(); // may carry one leading 00 sign byte
    int start = 0;
    while (start < bigEndian.length - 1 && bigEndian[start] == 0) {
      start++;
    }
    int magnitudeBytes = bigEndian.length - start;
    ByteArrayOutputStream out = new ByteArrayOutputStream(8 + magnitudeBytes);
    out.write(TAG_VERSION);
    out.write(WRITE_VERSION);
    out.write(TAG_BIGINT);
    writeVarint(out, ((long) magnitudeBytes << 1) | (value.signum() < 0 ? 1 : 0));
    for (int i = bigEndian.length - 1; i >= start; i--) {
      out.write(bigEndian[i]);
    }
    return out.toByteArray();
  }

  /** {@code FF 0F 4E} + the 8-byte little-endian IEEE double, even for integral values. */
  public static byte[] encodeNumber(double value) {
    byte[] out = new byte[11];
    out[0] = (byte) TAG_VERSION;
    out[1] = (byte) WRITE_VERSION;
    out[2] = (byte) TAG_DOUBLE;
    long bits = Double.doubleToRawLongBits(value);
    for (int i = 0; i < 8; i++) {
      out[3 + i] = (byte) (bits >>> (8 * i));
    }
    return out;
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    long v = value;
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  /** A cursor over one serialized value; mirrors the reference deserializer's Input. */
  private static final class Reader {
    private final byte[] bytes;
    private int position;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    Value readTopLevel() throws DecodeException {
      skipPadding(); // the reference skips padding before the version tag as well
      if (readByte() != TAG_VERSION) {
        throw invalid();
      }
      int version = readVarint();
      // 14 and 15 as the reference; 16 because Deno 2.9 writes it (measured: a V8 sum of 5n
      // arrives as FF 10 5A 10 05 00..), with the same number and BigInt layouts.
      if (version < 14 || version > 16) {
        throw invalid();
      }
      // Trailing bytes after the value are ignored: the reference's end-of-input check can
      // never fail, so "FF 0F 49 02 FF" is the number 1 there, and must be here too.
      return readValue();
    }

    private Value readValue() throws DecodeException {
      int tag = readTag();
      return switch (tag) {
        case TAG_INT32 -> {
          int raw = readVarint();
          yield new NumberValue((raw >>> 1) ^ -(raw & 1));
        }
        case TAG_UINT32 -> new NumberValue(Integer.toUnsignedLong(readVarint()));
        case TAG_DOUBLE -> new NumberValue(readDouble());
        case TAG_BIGINT -> new BigIntValue(readBigInt());
        default -> throw skipNonNumber(tag);
      };
    }

    /** The next value tag, skipping padding and (a bounded number of) legacy object counts. */
    private int readTag() throws DecodeException {
      int markers = 0;
      while (true) {
        skipPadding();
        int tag = readByte();
        if (tag != TAG_VERIFY_OBJECT_COUNT) {
          return tag;
        }
        if (++markers > MAX_OBJECT_COUNT_MARKERS) {
          throw invalid();
        }
        readVarint(); // legacy object count: ignored
      }
    }

    /**
     * Classifies a tag that is not a number: values the reference parses successfully become
     * {@value #UNSUPPORTED_VALUE_TYPE}, tags it rejects become {@value #INVALID_V8_VALUE}.
     * Primitives, strings and boxed primitives are checked exactly (a truncated string is
     * invalid, as in the reference). Objects, arrays, maps, sets, regexps, errors and array
     * buffers are not walked: they count as unsupported even if malformed inside, a difference
     * in the wording of one 400 that no client can depend on.
     */
    private DecodeException skipNonNumber(int tag) throws DecodeException {
      switch (tag) {
        case '_', '0', 'T', 'F', 'y', 'x' -> { // undefined, null, booleans, Boolean objects
        }
        case 'S', '"' -> skipBytes(readVarint()); // UTF-8 and one-byte strings
        case 'c' -> skipTwoByteString();
        case 'D', 'n' -> skipBytes(8); // Date, Number object
        case 'z' -> readBigInt(); // BigInt object
        case 's' -> skipStringValue(); // String object
        case 'o', 'a', 'A', 'R', ';', '\'', 'B', '~', 'r' -> { // composite values, not walked
        }
        default -> throw invalid(); // '^' with an empty heap, transfers, host/shared objects...
      }
      return new DecodeException(UNSUPPORTED_VALUE_TYPE);
    }

    private void skipStringValue() throws DecodeException {
      switch (readTag()) {
        case 'S', '"' -> skipBytes(readVarint());
        case 'c' -> skipTwoByteString();
        default -> throw invalid();
      }
    }

    private void skipTwoByteString() throws DecodeException {
      int byteLength = readVarint();
      if ((byteLength & 1) != 0) {
        throw invalid();
      }
      skipBytes(byteLength);
    }

    private BigInteger readBigInt() throws DecodeException {
      int bitfield = readVarint();
      boolean negative = (bitfield & 1) != 0;
      int byteLength = (bitfield & 0x7FFF_FFFE) >>> 1;
      int start = position;
      skipBytes(byteLength);
      byte[] bigEndian = new byte[byteLength];
      for (int i = 0; i < byteLength; i++) {
        bigEndian[i] = bytes[start + byteLength - 1 - i];
      }
      BigInteger magnitude = new BigInteger(1, bigEndian);
      return negative ? magnitude.negate() : magnitude;
    }

    private double readDouble() throws DecodeException {
      int start = position;
      skipBytes(8);
      long bits = 0;
      for (int i = 7; i >= 0; i--) {
        bits = (bits << 8) | (bytes[start + i] & 0xFF);
      }
      return Double.longBitsToDouble(bits);
    }

    /** Up to 5 bytes, 7 bits each, least significant first; bits beyond 32 are dropped. */
    private int readVarint() throws DecodeException {
      int value = 0;
      for (int i = 0; i < MAX_VARINT_BYTES; i++) {
        int b = readByte();
        value |= (b & 0x7F) << (7 * i);
        if ((b & 0x80) == 0) {
          break;
        }
      }
      return value;
    }

    private void skipPadding() {
      while (position < bytes.length && bytes[position] == TAG_PADDING) {
        position++;
      }
    }

    private int readByte() throws DecodeException {
      if (position >= bytes.length) {
        throw invalid();
      }
      return bytes[position++] & 0xFF;
    }

    /** Lengths are unsigned 32-bit on the wire; anything beyond the input is a parse error. */
    private void skipBytes(int unsignedLength) throws DecodeException {
      long length = Integer.toUnsignedLong(unsignedLength);
      if (length > bytes.length - position) {
        throw invalid();
      }
      position += (int) length;
    }

    private static DecodeException invalid() {
      return new DecodeException(INVALID_V8_VALUE);
    }
  }
}
