package io.quorumkv.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** KV-CONNECT.md §3 layout and DESIGN invariant 3 (log index, position). */
class VersionstampTest {

  private static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }

  @Test
  void ofLaysOutIndexThenPositionBigEndian() {
    assertArrayEquals(hex("00 00 00 00 00 00 00 2A 00 00"), Versionstamp.of(42, 0).toBytes());
    assertArrayEquals(hex("01 02 03 04 05 06 07 08 09 0A"),
        Versionstamp.of(0x0102030405060708L, 0x090A).toBytes());
    assertArrayEquals(hex("7F FF FF FF FF FF FF FF FF FF"),
        Versionstamp.of(Long.MAX_VALUE, 0xFFFF).toBytes());
    assertArrayEquals(new byte[10], Versionstamp.of(0, 0).toBytes());
  }

  @Test
  void hexIsTwentyLowerCaseDigits() {
    assertEquals("000000000000002a0000", Versionstamp.of(42, 0).toHex());
    assertEquals("00000000000000070000", Versionstamp.of(7, 0).toHex());
    assertEquals("00000000000000070001", Versionstamp.of(7, 1).toString());
    assertEquals(20, Versionstamp.of(Long.MAX_VALUE, 0xFFFF).toHex().length());
  }

  @Test
  void fromHexAcceptsBothCasesAndRoundTrips() {
    Versionstamp v = Versionstamp.fromHex("FFEEDDCCBBAA99887766");
    assertEquals("ffeeddccbbaa99887766", v.toHex());
    assertEquals(v, Versionstamp.fromHex(v.toHex()));
    assertEquals(v, Versionstamp.fromBytes(v.toBytes()));
  }

  @Test
  void logIndexAndPositionRoundTrip() {
    Random random = new Random(42);
    long[] indexes = {0, 1, 255, 256, 0xFFFF_FFFFL, Long.MAX_VALUE, random.nextLong() >>> 1};
    int[] positions = {0, 1, 255, 256, 0xFFFF};
    for (long index : indexes) {
      for (int position : positions) {
        Versionstamp v = Versionstamp.of(index, position);
        assertEquals(index, v.logIndex());
        assertEquals(position, v.position());
        assertEquals(v, Versionstamp.fromHex(v.toHex()));
      }
    }
  }

  @Test
  void unsignedBytesDecodeAsUnsignedParts() {
    Versionstamp v = Versionstamp.fromHex("ffffffffffffffffffff");
    assertEquals(-1L, v.logIndex(), "all 64 bits; callers never create such an index");
    assertEquals(0xFFFF, v.position());
  }

  @Test
  void compareIsUnsignedBytewiseAndMatchesHexOrder() {
    List<Versionstamp> sorted =
        List.of(
            Versionstamp.of(0, 0),
            Versionstamp.of(0, 1),
            Versionstamp.of(0, 0xFFFF),
            Versionstamp.of(1, 0),
            Versionstamp.of(0x7F, 0),
            Versionstamp.of(0x80, 0),
            Versionstamp.of(0xFF, 0),
            Versionstamp.of(0x100, 0),
            Versionstamp.of(Long.MAX_VALUE, 0),
            Versionstamp.fromHex("80000000000000000000"),
            Versionstamp.fromHex("ffffffffffffffffffff"));
    List<Versionstamp> shuffled = new ArrayList<>(sorted);
    Collections.shuffle(shuffled, new Random(7));
    Collections.sort(shuffled);
    assertEquals(sorted, shuffled);
    for (int i = 0; i + 1 < sorted.size(); i++) {
      assertTrue(sorted.get(i).toHex().compareTo(sorted.get(i + 1).toHex()) < 0);
      assertTrue(sorted.get(i).compareTo(sorted.get(i + 1)) < 0);
    }
    assertEquals(0, Versionstamp.of(5, 5).compareTo(Versionstamp.of(5, 5)));
  }

  @Test
  void equalityIsByBytes() {
    assertEquals(Versionstamp.of(9, 3), Versionstamp.of(9, 3));
    assertEquals(Versionstamp.of(9, 3).hashCode(), Versionstamp.of(9, 3).hashCode());
    assertNotEquals(Versionstamp.of(9, 3), Versionstamp.of(9, 4));
  }

  @Test
  void isImmutable() {
    byte[] raw = hex("00 00 00 00 00 00 00 01 00 00");
    Versionstamp v = Versionstamp.fromBytes(raw);
    raw[0] = 1;
    v.toBytes()[1] = 1;
    assertEquals(Versionstamp.of(1, 0), v);
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> Versionstamp.of(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> Versionstamp.of(0, -1));
    assertThrows(IllegalArgumentException.class, () -> Versionstamp.of(0, 0x10000));
    assertThrows(IllegalArgumentException.class, () -> Versionstamp.fromBytes(new byte[9]));
    assertThrows(IllegalArgumentException.class, () -> Versionstamp.fromBytes(new byte[11]));
    assertThrows(IllegalArgumentException.class, () -> Versionstamp.fromHex("00"));
    assertThrows(IllegalArgumentException.class, () -> Versionstamp.fromHex("zz000000000000000000"));
  }
}
