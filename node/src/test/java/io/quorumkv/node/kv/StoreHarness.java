package io.quorumkv.node.kv;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.KvEntry;
import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.SnapshotRead;
import io.quorumkv.node.storage.SqliteStore;
import io.quorumkv.proto.gen.Command;
import io.quorumkv.proto.gen.ExpirySweep;
import io.quorumkv.proto.gen.WriteResult;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** A real SQLite store plus a log-index counter: applies writes as the Raft layer would. */
public final class StoreHarness implements AutoCloseable {
  /** Leader time stamped into entries unless a test says otherwise. */
  public static final long NOW_MS = 1_700_000_000_000L;

  public final SqliteStore store;
  private long nextIndex;
  private final long term;

  public StoreHarness(Path file) {
    this(file, 1);
  }

  public StoreHarness(Path file, long term) {
    this.store = SqliteStore.open(file);
    this.nextIndex = store.appliedIndex() + 1;
    this.term = term;
  }

  public long nextIndex() {
    return nextIndex;
  }

  /** Skips ahead so that the next entry gets {@code index}. */
  public void jumpTo(long index) {
    nextIndex = index;
  }

  public SqliteStore.Applied apply(Command command) {
    SqliteStore.Entry entry = new SqliteStore.Entry(nextIndex++, term, command);
    return store.applyBatch(List.of(entry)).get(0);
  }

  public SqliteStore.Applied applyWrites(long nowMs, AtomicWrite... writes) {
    return apply(
        Command.newBuilder().setLeaderTimeMs(nowMs).addAllWrites(Arrays.asList(writes)).build());
  }

  public WriteResult write(AtomicWrite write) {
    return write(NOW_MS, write);
  }

  public WriteResult write(long nowMs, AtomicWrite write) {
    return applyWrites(nowMs, write).result().getResults(0);
  }

  public SqliteStore.Applied sweep(long nowMs, long upToMs) {
    return apply(
        Command.newBuilder()
            .setLeaderTimeMs(nowMs)
            .setSweep(ExpirySweep.newBuilder().setUpToMs(upToMs))
            .build());
  }

  public Optional<KvEntry> get(byte[] key) {
    return get(key, NOW_MS);
  }

  /** As Deno's get: range [key, key+00) limit 1. */
  public Optional<KvEntry> get(byte[] key, long nowMs) {
    byte[] end = Arrays.copyOf(key, key.length + 1);
    SnapshotRead read =
        SnapshotRead.newBuilder()
            .addRanges(
                ReadRange.newBuilder().setStart(Kv.bs(key)).setEnd(Kv.bs(end)).setLimit(1))
            .build();
    List<KvEntry> values = store.snapshotRead(read, nowMs).getRanges(0).getValuesList();
    return values.stream().findFirst();
  }

  @Override
  public void close() {
    store.close();
  }
}
