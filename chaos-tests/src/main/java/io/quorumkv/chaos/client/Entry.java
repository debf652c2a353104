package io.quorumkv.chaos.client;

import io.quorumkv.proto.Versionstamp;
import java.util.HexFormat;

/** One key-value entry returned by a read, with the versionstamp of the commit that wrote it. */
public record Entry(byte[] key, Value value, Versionstamp versionstamp) {
  public Entry {
    key = key.clone();
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public String toString() {
    return HexFormat.of().formatHex(key) + "=" + value + "@" + versionstamp;
  }
}
