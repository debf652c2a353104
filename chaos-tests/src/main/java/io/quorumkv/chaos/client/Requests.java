package io.quorumkv.chaos.client;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.Check;
import com.deno.kv.datapath.KvValue;
import com.deno.kv.datapath.Mutation;
import com.deno.kv.datapath.MutationType;
import com.deno.kv.datapath.ReadRange;
import com.google.protobuf.ByteString;
import io.quorumkv.proto.Versionstamp;
import java.util.Arrays;

/**
 * Builders for the protobuf requests, shaped exactly as the Deno CLI shapes them
 * (KV-CONNECT.md §2 "How clients form ranges", §9.1 "What it sends").
 */
public final class Requests {
  private Requests() {}

  /** Deno's {@code get(k)}: {@code [k, k+00)} limit 1. */
  public static ReadRange exactRange(byte[] key) {
    byte[] end = Arrays.copyOf(key, key.length + 1);
    return ReadRange.newBuilder().setStart(ByteString.copyFrom(key)).setEnd(ByteString.copyFrom(end)).setLimit(1).build();
  }

  /** Deno's {@code list({prefix})}: {@code [p+00, p+FF)}. */
  public static ReadRange prefixRange(byte[] prefix, int limit) {
    byte[] start = Arrays.copyOf(prefix, prefix.length + 1);
    byte[] end = Arrays.copyOf(prefix, prefix.length + 1);
    end[prefix.length] = (byte) 0xFF;
    return ReadRange.newBuilder().setStart(ByteString.copyFrom(start)).setEnd(ByteString.copyFrom(end)).setLimit(limit).build();
  }

  /** A new atomic-write builder. */
  public static AtomicBuilder atomic() {
    return new AtomicBuilder();
  }

  /** Fluent builder of an {@link AtomicWrite}: checks, sets, deletes. Not thread-safe. */
  public static final class AtomicBuilder {
    private final AtomicWrite.Builder b = AtomicWrite.newBuilder();

    private AtomicBuilder() {}

    /** Check that {@code key} has versionstamp {@code expected} ({@code null}: must not exist). */
    public AtomicBuilder check(byte[] key, Versionstamp expected) {
      Check.Builder c = Check.newBuilder().setKey(ByteString.copyFrom(key));
      if (expected != null) {
        c.setVersionstamp(ByteString.copyFrom(expected.toBytes()));
      }
      b.addChecks(c);
      return this;
    }

    /** SET without expiry. */
    public AtomicBuilder set(byte[] key, Value value) {
      b.addMutations(Mutation.newBuilder().setKey(ByteString.copyFrom(key)).setMutationType(MutationType.M_SET)
          .setValue(KvValue.newBuilder().setData(ByteString.copyFrom(value.data())).setEncoding(value.encoding())));
      return this;
    }

    /** DELETE, with the empty bytes value the Deno CLI sends. */
    public AtomicBuilder delete(byte[] key) {
      b.addMutations(Mutation.newBuilder().setKey(ByteString.copyFrom(key)).setMutationType(MutationType.M_DELETE)
          .setValue(KvValue.newBuilder().setEncoding(com.deno.kv.datapath.ValueEncoding.VE_BYTES)));
      return this;
    }

    public AtomicWrite build() {
      return b.build();
    }
  }
}
