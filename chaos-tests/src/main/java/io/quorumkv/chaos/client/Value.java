package io.quorumkv.chaos.client;

import com.deno.kv.datapath.ValueEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A KV value as it travels on the wire: bytes plus their encoding. Immutable (the array is
 * copied in and out).
 */
public final class Value {
  private final byte[] data;
  private final ValueEncoding encoding;

  public Value(byte[] data, ValueEncoding encoding) {
    this.data = data.clone();
    this.encoding = encoding;
  }

  /** A {@code Deno.KvU64}: 8 bytes little-endian, encoding LE64. */
  public static Value le64(long v) {
    return new Value(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array(), ValueEncoding.VE_LE64);
  }

  /** Raw bytes ({@code Uint8Array}). */
  public static Value bytes(byte[] data) {
    return new Value(data, ValueEncoding.VE_BYTES);
  }

  public byte[] data() {
    return data.clone();
  }

  public ValueEncoding encoding() {
    return encoding;
  }

  /** The number in an LE64 value; throws {@link IllegalStateException} for anything else. */
  public long asLong() {
    if (encoding != ValueEncoding.VE_LE64 || data.length != 8) {
      throw new IllegalStateException("not an LE64 value: " + this);
    }
    return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Value v && v.encoding == encoding && Arrays.equals(v.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * encoding.hashCode() + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return encoding + ":" + HexFormat.of().formatHex(data);
  }
}
