package io.quorumkv.proto;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A Deno KV versionstamp: 10 bytes, compared as unsigned bytes.
 *
 * <p>QuorumKV derives it from the Raft log (DESIGN invariant 3): the 8-byte big-endian log
 * index of the entry that committed the write, then the 2-byte big-endian position of the
 * write inside that entry. Every replica therefore stores identical versionstamps and they
 * only grow. Instances are immutable and thread-safe.
 */
public final class Versionstamp implements Comparable<Versionstamp> {
  /** Length of a versionstamp on the wire, in bytes. */
  public static final int SIZE_BYTES = 10;

  private final byte[] bytes;

  private Versionstamp(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The versionstamp of write {@code position} inside the log entry at {@code logIndex}. */
  public static Versionstamp of(long logIndex, int position) {
    if (logIndex < 0) {
      throw new IllegalArgumentException("negative log index " + logIndex);
    }
    if (position < 0 || position > 0xFFFF) {
      throw new IllegalArgumentException("position out of range " + position);
    }
    byte[] b = new byte[SIZE_BYTES];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (logIndex >>> (56 - 8 * i));
    }
    b[8] = (byte) (position >>> 8);
    b[9] = (byte) position;
    return new Versionstamp(b);
  }

  /** Wraps a copy of exactly 10 bytes. */
  public static Versionstamp fromBytes(byte[] bytes) {
    if (bytes.length != SIZE_BYTES) {
      throw new IllegalArgumentException("versionstamp must be 10 bytes, got " + bytes.length);
    }
    return new Versionstamp(bytes.clone());
  }

  /** Parses the 20 lower- or upper-case hex digits clients print. */
  public static Versionstamp fromHex(String hex) {
    return fromBytes(HexFormat.of().parseHex(hex));
  }

  /** The log index part (first 8 bytes, big-endian). */
  public long logIndex() {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (bytes[i] & 0xFF);
    }
    return v;
  }

  /** The position part (last 2 bytes, big-endian). */
  public int position() {
    return ((bytes[8] & 0xFF) << 8) | (bytes[9] & 0xFF);
  }

  /** A copy of the 10 bytes. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** 20 lower-case hex digits, as Deno and @deno/kv print versionstamps. */
  public String toHex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public int compareTo(Versionstamp o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Versionstamp v && Arrays.equals(bytes, v.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
