package io.quorumkv.gateway.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Reading a body that declared its length (the HTTP-level bounds are in DataPathHttpTest). */
class RequestBodiesTest {
  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 7 + 1);
    }
    return b;
  }

  private static byte[] read(byte[] sent, int declared, int max) throws IOException {
    return RequestBodies.readDeclared(new ByteArrayInputStream(sent), declared, max);
  }

  @Test
  void aBodyOfTheDeclaredLengthIsReadWhole() throws IOException {
    assertArrayEquals(bytes(150), read(bytes(150), 150, 1000));
    assertArrayEquals(new byte[0], read(new byte[0], 0, 1000));
  }

  @Test
  void aBodyShorterOrLongerThanDeclaredIsReadAsItCame() throws IOException {
    assertArrayEquals(bytes(100), read(bytes(100), 150, 1000));
    assertArrayEquals(bytes(200), read(bytes(200), 150, 1000));
  }

  @Test
  void aLongerBodyIsCutOneBytePastTheBound() throws IOException {
    byte[] got = read(bytes(5000), 150, 1000);
    assertEquals(1001, got.length, "one byte past the bound tells the caller to refuse it");
    assertArrayEquals(java.util.Arrays.copyOf(bytes(5000), 1001), got);
  }
}
