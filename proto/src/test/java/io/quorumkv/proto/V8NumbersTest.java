package io.quorumkv.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.proto.V8Numbers.BigIntValue;
import io.quorumkv.proto.V8Numbers.DecodeException;
import io.quorumkv.proto.V8Numbers.NumberValue;
import io.quorumkv.proto.V8Numbers.Value;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Byte vectors of KV-CONNECT.md §5.6, in both directions where the reference writes them. */
class V8NumbersTest {

  private static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }

  private static Value big(String decimal) {
    return new BigIntValue(new BigInteger(decimal));
  }

  private static Value num(double d) {
    return new NumberValue(d);
  }

  /** What Deno/Node write (§5.6 "for reference") and what the reference writes, decoded. */
  static Stream<Arguments> decodeVectors() {
    return Stream.of(
        Arguments.of("FF 0F 49 02", num(1)),
        Arguments.of("FF 0F 49 01", num(-1)),
        Arguments.of("FF 0F 49 00", num(0)),
        Arguments.of("FF 0F 4E 00 00 00 00 00 00 00 80", num(-0.0)),
        Arguments.of("FF 0F 4E 00 00 00 00 00 00 F8 3F", num(1.5)),
        Arguments.of("FF 0F 4E 00 00 00 00 00 00 E0 41", num(2147483648.0)),
        Arguments.of("FF 0F 4E 00 00 00 00 00 00 20 40", num(8)),
        Arguments.of("FF 0F 5A 11 01 00 00 00 00 00 00 00", big("-1")),
        Arguments.of(
            "FF 0F 5A 20 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00",
            big("18446744073709551616")),
        Arguments.of("FF 0F 5A 10 01 00 00 00 00 00 00 00", big("1")),
        Arguments.of("FF 0F 5A 00", big("0")),
        Arguments.of("FF 0F 5A 02 2C", big("44")),
        Arguments.of("FF 0F 5A 02 00", big("0")),
        Arguments.of("FF 0F 5A 03 05", big("-5")),
        // Uint32 tag, version 14, padding before tags, the legacy '?' count marker.
        Arguments.of("FF 0F 55 FF FF FF FF 0F", num(4294967295.0)),
        Arguments.of("FF 0E 49 02", num(1)),
        // Version 16, as Deno 2.9.6 sends mutate({type: "sum", value: 5n}).
        Arguments.of("FF 10 5A 10 05 00 00 00 00 00 00 00", big("5")),
        Arguments.of("00 FF 0F 00 00 49 02", num(1)),
        Arguments.of("FF 0F 3F 00 3F 81 01 49 04", num(2)),
        // Int32 extremes (zigzag).
        Arguments.of("FF 0F 49 FE FF FF FF 0F", num(Integer.MAX_VALUE)),
        Arguments.of("FF 0F 49 FF FF FF FF 0F", num(Integer.MIN_VALUE)),
        // Trailing bytes are ignored, as by the reference.
        Arguments.of("FF 0F 49 02 FF FF", num(1)),
        // A varint stops after 5 bytes even if the continuation bit is set; bits past 32 drop.
        Arguments.of("FF 0F 55 FF FF FF FF FF 49", num(4294967295.0)));
  }

  @ParameterizedTest
  @MethodSource("decodeVectors")
  void decodes(String bytes, Value expected) throws DecodeException {
    assertEquals(expected, V8Numbers.decode(hex(bytes)));
  }

  /** §5.6 "Encoding (what the reference writes for sum results)". */
  static Stream<Arguments> encodeVectors() {
    return Stream.of(
        Arguments.of(big("44"), "FF 0F 5A 02 2C"),
        Arguments.of(big("0"), "FF 0F 5A 02 00"),
        Arguments.of(big("-5"), "FF 0F 5A 03 05"),
        Arguments.of(big("1"), "FF 0F 5A 02 01"),
        Arguments.of(big("-1"), "FF 0F 5A 03 01"),
        Arguments.of(big("255"), "FF 0F 5A 02 FF"),
        Arguments.of(big("256"), "FF 0F 5A 04 00 01"),
        Arguments.of(big("18446744073709551616"), "FF 0F 5A 12 00 00 00 00 00 00 00 00 01"),
        Arguments.of(num(8), "FF 0F 4E 00 00 00 00 00 00 20 40"),
        Arguments.of(num(1), "FF 0F 4E 00 00 00 00 00 00 F0 3F"),
        Arguments.of(num(1.5), "FF 0F 4E 00 00 00 00 00 00 F8 3F"),
        Arguments.of(num(-0.0), "FF 0F 4E 00 00 00 00 00 00 00 80"),
        Arguments.of(num(2147483648.0), "FF 0F 4E 00 00 00 00 00 00 E0 41"));
  }

  @ParameterizedTest
  @MethodSource("encodeVectors")
  void encodesAndRoundTrips(Value value, String expected) throws DecodeException {
    byte[] bytes = V8Numbers.encode(value);
    assertArrayEquals(hex(expected), bytes);
    assertEquals(value, V8Numbers.decode(bytes));
  }

  @Test
  void largeBigIntRoundTrips() throws DecodeException {
    BigInteger huge = BigInteger.TWO.pow(1000).subtract(BigInteger.valueOf(12345)).negate();
    byte[] bytes = V8Numbers.encodeBigInt(huge);
    // 1000 bits = 125 bytes: bitfield (125 << 1) | 1 = 251 = varint FB 01.
    assertArrayEquals(hex("FF 0F 5A FB 01"), java.util.Arrays.copyOf(bytes, 5));
    assertEquals(3 + 2 + 125, bytes.length);
    assertEquals(new BigIntValue(huge), V8Numbers.decode(bytes));
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        // Well-formed values of other types: the reference parses them, then refuses the type.
        Arguments.of("FF 0F 22 01 61", V8Numbers.UNSUPPORTED_VALUE_TYPE), // "a"
        Arguments.of("FF 0F 53 02 C3 A9", V8Numbers.UNSUPPORTED_VALUE_TYPE), // UTF-8 string
        Arguments.of("FF 0F 63 02 61 00", V8Numbers.UNSUPPORTED_VALUE_TYPE), // two-byte "a"
        Arguments.of("FF 0F 5F", V8Numbers.UNSUPPORTED_VALUE_TYPE), // undefined
        Arguments.of("FF 0F 30", V8Numbers.UNSUPPORTED_VALUE_TYPE), // null
        Arguments.of("FF 0F 54", V8Numbers.UNSUPPORTED_VALUE_TYPE), // true
        Arguments.of("FF 0F 6E 00 00 00 00 00 00 F0 3F", V8Numbers.UNSUPPORTED_VALUE_TYPE),
        Arguments.of("FF 0F 7A 02 01", V8Numbers.UNSUPPORTED_VALUE_TYPE), // Object(1n)
        Arguments.of("FF 0F 73 22 01 61", V8Numbers.UNSUPPORTED_VALUE_TYPE), // new String("a")
        Arguments.of("FF 0F 6F 7B 00", V8Numbers.UNSUPPORTED_VALUE_TYPE), // {}
        // Bytes the reference cannot parse.
        Arguments.of("0F 49 02", V8Numbers.INVALID_V8_VALUE), // no version tag
        Arguments.of("FF 0D 49 02", V8Numbers.INVALID_V8_VALUE), // version 13
        Arguments.of("FF 11 49 02", V8Numbers.INVALID_V8_VALUE), // version 17
        Arguments.of("FF", V8Numbers.INVALID_V8_VALUE),
        Arguments.of("FF 0F", V8Numbers.INVALID_V8_VALUE),
        Arguments.of("00 00", V8Numbers.INVALID_V8_VALUE), // padding only
        Arguments.of("FF 0F 49", V8Numbers.INVALID_V8_VALUE), // truncated varint
        Arguments.of("FF 0F 49 80", V8Numbers.INVALID_V8_VALUE),
        Arguments.of("FF 0F 4E 00 00 00 00 00 00 F0", V8Numbers.INVALID_V8_VALUE), // 7 bytes
        Arguments.of("FF 0F 5A 04 01", V8Numbers.INVALID_V8_VALUE), // 2 magnitude bytes promised
        Arguments.of("FF 0F 22 05 61", V8Numbers.INVALID_V8_VALUE), // truncated string
        Arguments.of("FF 0F 63 01 61", V8Numbers.INVALID_V8_VALUE), // odd two-byte length
        Arguments.of("FF 0F 5E 00", V8Numbers.INVALID_V8_VALUE), // object reference, empty heap
        Arguments.of("FF 0F 2D", V8Numbers.INVALID_V8_VALUE), // the hole
        Arguments.of("FF 0F 21", V8Numbers.INVALID_V8_VALUE), // unknown tag
        Arguments.of("FF 0F 3F 00", V8Numbers.INVALID_V8_VALUE)); // marker, then nothing
  }

  @ParameterizedTest
  @MethodSource("failures")
  void failsWithReferenceMessage(String bytes, String message) {
    DecodeException e = assertThrows(DecodeException.class, () -> V8Numbers.decode(hex(bytes)));
    assertEquals(message, e.getMessage());
  }

  @Test
  void emptyOperandIsItsOwnFailureButAnAbsentBound() throws DecodeException {
    DecodeException e = assertThrows(DecodeException.class, () -> V8Numbers.decode(new byte[0]));
    assertEquals(V8Numbers.OPERAND_CANNOT_BE_EMPTY, e.getMessage());
    assertTrue(V8Numbers.decodeOptional(new byte[0]).isEmpty());
  }

  @Test
  void objectCountMarkersAreBoundedLikeTheReference() throws DecodeException {
    StringBuilder ok = new StringBuilder("FF0F");
    ok.append("3F00".repeat(256)).append("4902");
    assertEquals(num(1), V8Numbers.decode(hex(ok.toString())));
    StringBuilder tooMany = new StringBuilder("FF0F");
    tooMany.append("3F00".repeat(257)).append("4902");
    DecodeException e =
        assertThrows(DecodeException.class, () -> V8Numbers.decode(hex(tooMany.toString())));
    assertEquals(V8Numbers.INVALID_V8_VALUE, e.getMessage());
  }

  @Test
  void kindNamesMatchTheReference() {
    assertEquals("BigInt", big("1").kindName());
    assertEquals("Number", num(1).kindName());
  }
}
