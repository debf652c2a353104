package io.quorumkv.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quorumkv.proto.KeyCodec.Bool;
import io.quorumkv.proto.KeyCodec.Bytes;
import io.quorumkv.proto.KeyCodec.Float;
import io.quorumkv.proto.KeyCodec.Int;
import io.quorumkv.proto.KeyCodec.Part;
import io.quorumkv.proto.KeyCodec.Str;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Byte vectors of KV-CONNECT.md §2 and §2.1, in both directions, plus error cases. */
class KeyCodecTest {

  private static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }

  private static String hex(byte[] b) {
    return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(b);
  }

  private static Arguments vector(String name, String bytes, Part... key) {
    return Arguments.of(name, bytes, List.of(key));
  }

  /** Every example of KV-CONNECT.md §2, in the order the document lists them. */
  static Stream<Arguments> documentedExamples() {
    return Stream.of(
        vector("[\"a\"]", "02 61 00", new Str("a")),
        vector("[\"f\\0o\"]", "02 66 00 FF 6F 00", new Str("f\0o")),
        vector("[Uint8Array[4,0,4]]", "01 04 00 FF 04 00", new Bytes(new byte[] {4, 0, 4})),
        vector("[0]", "21 80 00 00 00 00 00 00 00", new Float(0.0)),
        vector("[-300]", "21 3F 8D 3F FF FF FF FF FF", new Float(-300.0)),
        vector("[200]", "21 C0 69 00 00 00 00 00 00", new Float(200.0)),
        vector("[0n]", "14", new Int(BigInteger.ZERO)),
        vector("[200n]", "15 C8", new Int(BigInteger.valueOf(200))),
        vector("[-200n]", "13 37", new Int(BigInteger.valueOf(-200))),
        vector("[600n]", "16 02 58", new Int(BigInteger.valueOf(600))),
        vector("[false]", "26", new Bool(false)),
        vector("[true]", "27", new Bool(true)),
        vector("[\"a\",\"b\"]", "02 61 00 02 62 00", new Str("a"), new Str("b")),
        // §2.1: the key M_SET_SUFFIX_VERSIONSTAMPED_KEY builds from ["log"] and version 42.
        vector(
            "§2.1 [\"log\",\"000000000000002a0000\"]",
            "02 6C 6F 67 00 02 30 30 30 30 30 30 30 30 30 30 30 30 30 30 32 61 30 30 30 30 00",
            new Str("log"),
            new Str("000000000000002a0000")));
  }

  /** Rows of the §2 table the examples do not exercise: long integer forms, special floats. */
  static Stream<Arguments> tableRows() {
    BigInteger two64 = BigInteger.ONE.shiftLeft(64);
    return Stream.of(
        vector("empty key", ""),
        vector("empty bytes", "01 00", new Bytes(new byte[0])),
        vector("empty string", "02 00", new Str("")),
        vector("bytes 00 FF", "01 00 FF FF 00", new Bytes(new byte[] {0, (byte) 0xFF})),
        vector("utf-8 string", "02 C3 A9 F0 9F 98 80 00", new Str("é😀")),
        vector("1n", "15 01", new Int(BigInteger.ONE)),
        vector("-1n", "13 FE", new Int(BigInteger.ONE.negate())),
        vector("255n", "15 FF", new Int(BigInteger.valueOf(255))),
        vector("256n", "16 01 00", new Int(BigInteger.valueOf(256))),
        vector("-255n", "13 00", new Int(BigInteger.valueOf(-255))),
        vector("-256n", "12 FE FF", new Int(BigInteger.valueOf(-256))),
        vector("2^64-1", "1C FF FF FF FF FF FF FF FF", new Int(two64.subtract(BigInteger.ONE))),
        vector(
            "-(2^64-1)",
            "0C 00 00 00 00 00 00 00 00",
            new Int(two64.subtract(BigInteger.ONE).negate())),
        vector("2^64 (long form 1D)", "1D 09 01 00 00 00 00 00 00 00 00", new Int(two64)),
        vector(
            "-(2^64) (long form 0B)",
            "0B F6 FE FF FF FF FF FF FF FF FF",
            new Int(two64.negate())),
        vector("-0.0", "21 7F FF FF FF FF FF FF FF", new Float(-0.0)),
        vector("+Infinity", "21 FF F0 00 00 00 00 00 00", new Float(Double.POSITIVE_INFINITY)),
        vector("-Infinity", "21 00 0F FF FF FF FF FF FF", new Float(Double.NEGATIVE_INFINITY)),
        vector("NaN", "21 FF F8 00 00 00 00 00 00", new Float(Double.NaN)),
        vector(
            "-NaN",
            "21 00 07 FF FF FF FF FF FF",
            new Float(Double.longBitsToDouble(0xFFF8_0000_0000_0000L))),
        vector(
            "mixed",
            "01 00 FF 00 02 78 00 14 21 BF F0 00 00 00 00 00 00 26 27",
            new Bytes(new byte[] {0}),
            new Str("x"),
            new Int(BigInteger.ZERO),
            new Float(1.0),
            new Bool(false),
            new Bool(true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"documentedExamples", "tableRows"})
  void encodesToTheDocumentedBytes(String name, String bytes, List<Part> key) {
    assertEquals(hex(hex(bytes)), hex(KeyCodec.encode(key)), name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"documentedExamples", "tableRows"})
  void decodesTheDocumentedBytes(String name, String bytes, List<Part> key) {
    assertEquals(key, KeyCodec.decode(hex(bytes)), name);
  }

  @Test
  void plainJavaValuesMapToParts() {
    assertArrayEquals(
        hex("02 61 00 01 04 00 FF 04 00 15 C8 21 C0 69 00 00 00 00 00 00 27"),
        KeyCodec.encode("a", new byte[] {4, 0, 4}, BigInteger.valueOf(200), 200.0, true));
  }

  @Test
  void longAndIntegerAreRejectedAsAmbiguous() {
    assertThrows(IllegalArgumentException.class, () -> KeyCodec.encode(1L));
    assertThrows(IllegalArgumentException.class, () -> KeyCodec.encode(1));
    assertThrows(IllegalArgumentException.class, () -> KeyCodec.encode((Object) null));
  }

  @Test
  void everyNanPayloadEncodesCanonically() {
    byte[] canonical = KeyCodec.encode(List.of(new Float(Double.NaN)));
    for (long bits : new long[] {0x7FF8_0000_0000_0001L, 0x7FF0_0000_0000_0001L, -1L >>> 1}) {
      assertArrayEquals(canonical, KeyCodec.encode(List.of(new Float(Double.longBitsToDouble(bits)))));
    }
    assertArrayEquals(
        hex("21 00 07 FF FF FF FF FF FF"),
        KeyCodec.encode(List.of(new Float(Double.longBitsToDouble(0xFFF0_0000_0000_0001L)))));
  }

  @Test
  void numberEqualityFollowsTheEncoding() {
    double otherNan = Double.longBitsToDouble(0x7FF0_0000_0000_0001L);
    double negativeNan = Double.longBitsToDouble(0xFFF8_0000_0000_0000L);
    assertEquals(new Float(Double.NaN), new Float(otherNan));
    assertEquals(new Float(Double.NaN).hashCode(), new Float(otherNan).hashCode());
    assertNotEquals(new Float(Double.NaN), new Float(negativeNan));
    assertEquals(
        List.of(new Float(negativeNan)), KeyCodec.decode(hex("21 00 07 FF FF FF FF FF FF")));
  }

  @Test
  void minusZeroAndZeroAreDistinct() {
    assertNotEquals(new Float(0.0), new Float(-0.0));
    assertEquals(new Float(-0.0), KeyCodec.decode(KeyCodec.encode(List.of(new Float(-0.0)))).get(0));
  }

  @Test
  void decodingIsLenientAboutNonMinimalIntegers() {
    assertEquals(List.of(new Int(BigInteger.ONE)), KeyCodec.decode(hex("16 00 01")));
    assertEquals(List.of(new Int(BigInteger.ONE)), KeyCodec.decode(hex("1D 01 01")));
    assertEquals(List.of(new Int(BigInteger.ONE.negate())), KeyCodec.decode(hex("0B FE FE")));
  }

  @Test
  void largestAndTooLargeBigint() {
    BigInteger max = BigInteger.ONE.shiftLeft(255 * 8).subtract(BigInteger.ONE);
    byte[] enc = KeyCodec.encode(List.of(new Int(max)));
    assertEquals(2 + 255, enc.length);
    assertEquals(0x1D, enc[0] & 0xFF);
    assertEquals(List.of(new Int(max)), KeyCodec.decode(enc));
    byte[] neg = KeyCodec.encode(List.of(new Int(max.negate())));
    assertEquals(List.of(new Int(max.negate())), KeyCodec.decode(neg));
    assertThrows(
        IllegalArgumentException.class,
        () -> KeyCodec.encode(List.of(new Int(max.add(BigInteger.ONE)))));
  }

  @Test
  void malformedInputIsRejected() {
    for (String bad :
        new String[] {
          "05", "00", "FF", "28", "02 61", "01 00 FF", "15", "16 01", "1D", "1D 02 01", "0B",
          "21 00 00", "02 FF 00", "02 C3 00",
        }) {
      assertThrows(IllegalArgumentException.class, () -> KeyCodec.decode(hex(bad)), bad);
    }
  }

  @Test
  void loneSurrogateIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> KeyCodec.encode("\uD800"));
  }

  @Test
  void bytesPartIsACopy() {
    byte[] raw = {1, 2};
    Bytes part = new Bytes(raw);
    raw[0] = 9;
    part.value()[1] = 9;
    assertArrayEquals(new byte[] {1, 2}, part.value());
  }

  @Test
  void versionstampSuffixMatchesSection2_1() {
    Versionstamp vs = Versionstamp.fromBytes(hex("00 00 00 00 00 00 00 2A 00 00"));
    byte[] suffix = KeyCodec.versionstampSuffix(vs);
    assertEquals(
        "02 30 30 30 30 30 30 30 30 30 30 30 30 30 30 32 61 30 30 30 30 00", hex(suffix));
    assertEquals(Limits.VERSIONSTAMP_SUFFIX_BYTES, suffix.length);

    byte[] key = hex("02 6C 6F 67 00");
    byte[] stored = Arrays.copyOf(key, key.length + suffix.length);
    System.arraycopy(suffix, 0, stored, key.length, suffix.length);
    assertEquals(
        "02 6C 6F 67 00 02 30 30 30 30 30 30 30 30 30 30 30 30 30 30 32 61 30 30 30 30 00",
        hex(stored));
    assertEquals(List.of(new Str("log"), new Str("000000000000002a0000")), KeyCodec.decode(stored));
  }

  @Test
  void versionstampSuffixIsTheHexStringPart() {
    Versionstamp vs = Versionstamp.fromHex("ffeeddccbbaa99887766");
    byte[] suffix = KeyCodec.versionstampSuffix(vs);
    assertArrayEquals(KeyCodec.encode(vs.toHex()), suffix);
    assertEquals(
        "ffeeddccbbaa99887766",
        new String(suffix, 1, 20, StandardCharsets.US_ASCII));
  }
}
