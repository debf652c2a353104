package io.quorumkv.chaos.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Key bytes against the vectors of KV-CONNECT.md §2, and the small JSON reader. */
class KeysAndJsonTest {
  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void keyVectorsFromTheSpec() {
    assertArrayEquals(hex("02 61 00"), Keys.of("a"));
    assertArrayEquals(hex("02 66 00 FF 6F 00"), Keys.of("f\0o"));
    assertArrayEquals(hex("01 04 00 FF 04 00"), Keys.of((Object) new byte[] {4, 0, 4}));
    assertArrayEquals(hex("14"), Keys.of(0L));
    assertArrayEquals(hex("15 C8"), Keys.of(200L));
    assertArrayEquals(hex("13 37"), Keys.of(-200L));
    assertArrayEquals(hex("16 02 58"), Keys.of(600));
    assertArrayEquals(hex("02 61 00 02 62 00"), Keys.of("a", "b"));
    assertArrayEquals(hex("1C 7F FF FF FF FF FF FF FF"), Keys.of(Long.MAX_VALUE));
    assertThrows(IllegalArgumentException.class, Keys::of);
  }

  @Test
  void jsonValues() {
    Object v = MiniJson.parse(" {\"a\": [1, -2.5e3, true, false, null], \"s\": \"x\\n\\u0041\\\"\", \"o\": {}} ");
    Map<?, ?> m = (Map<?, ?>) v;
    List<?> a = (List<?>) m.get("a");
    assertEquals(new BigDecimal("1"), a.get(0));
    assertEquals(new BigDecimal("-2.5e3"), a.get(1));
    assertEquals(Boolean.TRUE, a.get(2));
    assertNull(a.get(4));
    assertEquals("x\nA\"", m.get("s"));
    assertEquals(Map.of(), m.get("o"));
  }

  @Test
  void jsonRejectsMalformedInput() {
    for (String bad : List.of("", "{", "{\"a\":}", "[1,]", "{\"a\":1,\"a\":2}", "\"unterminated", "tru", "{} x",
        "[".repeat(40) + "]".repeat(40), "\"\\q\"")) {
      assertThrows(IllegalArgumentException.class, () -> MiniJson.parse(bad), bad);
    }
  }
}
