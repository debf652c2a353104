package io.quorumkv.chaos.client;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.ReadRange;
import io.quorumkv.proto.Versionstamp;
import java.util.List;
import java.util.Optional;

/**
 * The narrow KV surface the workloads drive (owned by its consumer, STYLE.md practice 7).
 * {@link KvConnectClient} implements it over HTTP; tests implement it in memory and over the
 * in-process Raft route, so workloads and checkers are exercised without a gateway.
 *
 * <p>Contract: implementations are thread-safe, every call blocks for at most the
 * implementation's request timeout, never retries a write (a retried write could be applied
 * twice, which the checkers would report as a bug), and never throws for an expected outcome:
 * every result is an {@link Outcome}. Reads are strongly consistent.
 */
public interface KvApi {

  /** Snapshot read of up to 10 ranges; one entry list per range, in request order. */
  Outcome<List<List<Entry>>> snapshotRead(List<ReadRange> ranges);

  /** Commits one atomic write; Ok carries the commit versionstamp. */
  Outcome<Versionstamp> commit(AtomicWrite write);

  /** The entry at {@code key}, or empty if absent. */
  default Outcome<Optional<Entry>> get(byte[] key) {
    return getMany(List.of(key)).map(l -> l.get(0));
  }

  /** Up to 10 keys in one consistent snapshot, in request order. */
  default Outcome<List<Optional<Entry>>> getMany(List<byte[]> keys) {
    return snapshotRead(keys.stream().map(Requests::exactRange).toList())
        .map(ranges -> ranges.stream().map(r -> r.isEmpty() ? Optional.<Entry>empty() : Optional.of(r.get(0))).toList());
  }

  /** Entries strictly under {@code prefix} (Deno's {@code list({prefix})}), at most {@code limit}. */
  default Outcome<List<Entry>> list(byte[] prefix, int limit) {
    return snapshotRead(List.of(Requests.prefixRange(prefix, limit))).map(l -> l.get(0));
  }

  /** Unconditional set. */
  default Outcome<Versionstamp> set(byte[] key, Value value) {
    return commit(Requests.atomic().set(key, value).build());
  }

  /**
   * Compare-and-set on the versionstamp: sets {@code key} only if its current versionstamp is
   * {@code expected} ({@code null} = the key must not exist). A mismatch is
   * {@link Outcome.Fail} with {@link Outcome.FailKind#CHECK_FAILED}.
   */
  default Outcome<Versionstamp> checkedSet(byte[] key, Versionstamp expected, Value value) {
    return commit(Requests.atomic().check(key, expected).set(key, value).build());
  }
}
