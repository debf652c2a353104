package io.quorumkv.chaos.client;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Deno KV tuple-key encoding (KV-CONNECT.md §2) for the parts the workloads use: strings,
 * integers (encoded as bigint parts, like {@code 17n}) and byte arrays. Encode-only: the
 * server never interprets keys and the workloads map returned keys back by byte equality.
 */
public final class Keys {
  private static final int BYTES = 0x01;
  private static final int STRING = 0x02;
  private static final int INT_ZERO = 0x14;

  private Keys() {}

  /** The encoded key for {@code parts}; each part is a String, Integer/Long or byte[]. */
  public static byte[] of(Object... parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("empty key (Deno rejects them)");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object p : parts) {
      switch (p) {
        case String s -> escaped(out, STRING, s.getBytes(StandardCharsets.UTF_8));
        case byte[] b -> escaped(out, BYTES, b);
        case Integer i -> bigint(out, BigInteger.valueOf(i));
        case Long l -> bigint(out, BigInteger.valueOf(l));
        case BigInteger b -> bigint(out, b);
        default -> throw new IllegalArgumentException("unsupported key part " + p.getClass().getName());
      }
    }
    return out.toByteArray();
  }

  private static void escaped(ByteArrayOutputStream out, int tag, byte[] raw) {
    out.write(tag);
    for (byte b : raw) {
      out.write(b);
      if (b == 0) {
        out.write(0xFF);
      }
    }
    out.write(0);
  }

  private static void bigint(ByteArrayOutputStream out, BigInteger v) {
    if (v.signum() == 0) {
      out.write(INT_ZERO);
      return;
    }
    byte[] mag = v.abs().toByteArray();
    int skip = mag[0] == 0 ? 1 : 0; // BigInteger adds a sign byte; the format wants the minimal magnitude
    int n = mag.length - skip;
    if (n > 8) {
      throw new IllegalArgumentException("bigint parts over 8 bytes are not needed by the workloads");
    }
    boolean negative = v.signum() < 0;
    out.write(negative ? INT_ZERO - n : INT_ZERO + n);
    for (int i = skip; i < mag.length; i++) {
      out.write(negative ? ~mag[i] & 0xFF : mag[i] & 0xFF);
    }
  }
}
