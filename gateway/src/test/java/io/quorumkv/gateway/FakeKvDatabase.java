package io.quorumkv.gateway;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.AtomicWriteOutput;
import com.deno.kv.datapath.AtomicWriteStatus;
import com.deno.kv.datapath.Check;
import com.deno.kv.datapath.KvEntry;
import com.deno.kv.datapath.Mutation;
import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.ReadRangeOutput;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.deno.kv.datapath.SnapshotReadStatus;
import com.deno.kv.datapath.ValueEncoding;
import com.deno.kv.datapath.Watch;
import com.deno.kv.datapath.WatchKey;
import com.deno.kv.datapath.WatchKeyOutput;
import com.deno.kv.datapath.WatchOutput;
import com.google.protobuf.ByteString;
import io.quorumkv.proto.KvException;
import io.quorumkv.proto.Versionstamp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * An in-memory {@link KvDatabase} for the gateway's tests: a sorted map, versionstamps from a
 * counter, simple semantics (set, delete, LE64 sum/min/max, versionstamped-key set), watches fed
 * on every commit through {@link CollapsingWatchStream}. Not a model of the real semantics (V8
 * sums, expiry); the node's applier is tested elsewhere. Thread-safe (one lock).
 */
public final class FakeKvDatabase implements KvDatabase {
  public static final String DATABASE_ID = "5f0c8d9e-1a2b-4c3d-8e4f-a0b1c2d3e4f5";

  private record Row(ByteString value, ValueEncoding encoding, long version) {}

  private record Watcher(List<ByteString> keys, CollapsingWatchStream stream) {}

  private final ReentrantLock lock = new ReentrantLock();
  private final NavigableMap<ByteString, Row> rows =
      new TreeMap<>(ByteString.unsignedLexicographicalComparator());
  private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
  private final AtomicReference<RuntimeException> failNext = new AtomicReference<>();
  private long version;
  private volatile boolean closed;
  private volatile ClusterHealth health = ClusterHealth.LOCAL;

  /** What {@link #health} reports from now on (e.g. no leader known). */
  public void setHealth(ClusterHealth newHealth) {
    health = newHealth;
  }

  @Override
  public ClusterHealth health() {
    return health;
  }

  /** The next call of any data method throws {@code error} instead of doing its work. */
  public void failNext(RuntimeException error) {
    failNext.set(error);
  }

  /** Watches currently registered (closed ones are removed). */
  public int openWatchCount() {
    return watchers.size();
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public String databaseId() {
    return DATABASE_ID;
  }

  @Override
  public SnapshotReadOutput snapshotRead(SnapshotRead read, Consistency consistency) {
    throwIfFailing();
    lock.lock();
    try {
      SnapshotReadOutput.Builder out =
          SnapshotReadOutput.newBuilder()
              .setStatus(SnapshotReadStatus.SR_SUCCESS)
              .setReadIsStronglyConsistent(consistency == Consistency.STRONG);
      for (ReadRange range : read.getRangesList()) {
        out.addRanges(readRange(range));
      }
      return out.build();
    } finally {
      lock.unlock();
    }
  }

  private ReadRangeOutput readRange(ReadRange range) {
    ReadRangeOutput.Builder out = ReadRangeOutput.newBuilder();
    if (ByteString.unsignedLexicographicalComparator().compare(range.getStart(), range.getEnd())
        >= 0) {
      return out.build();
    }
    NavigableMap<ByteString, Row> slice =
        rows.subMap(range.getStart(), true, range.getEnd(), false);
    if (range.getReverse()) {
      slice = slice.descendingMap();
    }
    slice.entrySet().stream()
        .limit(range.getLimit())
        .forEach(e -> out.addValues(entry(e.getKey(), e.getValue())));
    return out.build();
  }

  @Override
  public AtomicWriteOutput atomicWrite(AtomicWrite write) {
    throwIfFailing();
    Set<ByteString> touched;
    AtomicWriteOutput out;
    lock.lock();
    try {
      for (Check check : write.getChecksList()) {
        Row row = rows.get(check.getKey());
        ByteString actual = row == null ? ByteString.EMPTY : versionstamp(row.version());
        if (!actual.equals(check.getVersionstamp())) {
          return AtomicWriteOutput.newBuilder()
              .setStatus(AtomicWriteStatus.AW_CHECK_FAILURE)
              .build();
        }
      }
      long commitVersion = version + 1;
      Map<ByteString, Row> staged = new HashMap<>(); // null value = deleted
      for (Mutation m : write.getMutationsList()) {
        apply(m, commitVersion, staged);
      }
      version = commitVersion; // only now: a rejected write changes nothing
      staged.forEach((k, v) -> {
        if (v == null) {
          rows.remove(k);
        } else {
          rows.put(k, v);
        }
      });
      touched = write.getMutationsList().stream().map(Mutation::getKey).collect(Collectors.toSet());
      out =
          AtomicWriteOutput.newBuilder()
              .setStatus(AtomicWriteStatus.AW_SUCCESS)
              .setVersionstamp(versionstamp(commitVersion))
              .build();
      for (Watcher w : watchers) {
        if (w.keys().stream().anyMatch(touched::contains)) {
          w.stream().offer(watchOutput(w.keys()));
        }
      }
    } finally {
      lock.unlock();
    }
    return out;
  }

  private void apply(Mutation m, long commitVersion, Map<ByteString, Row> staged) {
    ByteString key = m.getKey();
    Row current = staged.containsKey(key) ? staged.get(key) : rows.get(key);
    switch (m.getMutationType()) {
      case M_SET ->
          staged.put(
              key, new Row(m.getValue().getData(), m.getValue().getEncoding(), commitVersion));
      case M_DELETE -> staged.put(key, null);
      case M_SUM, M_MIN, M_MAX -> {
        String op = m.getMutationType().name().substring(2).toLowerCase();
        if (m.getValue().getEncoding() != ValueEncoding.VE_LE64) {
          throw new KvException.InvalidRequest(
              "Failed to perform '" + op + "' mutation on a non-U64 operand");
        }
        long operand = le64(m.getValue().getData());
        long result = operand;
        if (current != null) {
          if (current.encoding() != ValueEncoding.VE_LE64) {
            throw new KvException.InvalidRequest(
                "Failed to perform '" + op + "' mutation on a non-U64 value in the database");
          }
          long existing = le64(current.value());
          result = switch (m.getMutationType()) {
            case M_SUM -> existing + operand;
            case M_MIN -> Long.compareUnsigned(existing, operand) <= 0 ? existing : operand;
            default -> Long.compareUnsigned(existing, operand) >= 0 ? existing : operand;
          };
        }
        staged.put(key, new Row(le64(result), ValueEncoding.VE_LE64, commitVersion));
      }
      case M_SET_SUFFIX_VERSIONSTAMPED_KEY -> {
        ByteString suffix =
            ByteString.copyFrom(new byte[] {0x02})
                .concat(ByteString.copyFrom(
                    Versionstamp.of(commitVersion, 0).toHex(), StandardCharsets.US_ASCII))
                .concat(ByteString.copyFrom(new byte[] {0x00}));
        staged.put(
            key.concat(suffix),
            new Row(m.getValue().getData(), m.getValue().getEncoding(), commitVersion));
      }
      default -> throw new IllegalArgumentException("not validated: " + m);
    }
  }

  @Override
  public WatchStream watch(Watch watch, Consistency consistency) {
    throwIfFailing();
    List<ByteString> keys = watch.getKeysList().stream().map(WatchKey::getKey).toList();
    AtomicReference<Watcher> self = new AtomicReference<>();
    CollapsingWatchStream stream =
        new CollapsingWatchStream(keys.size(), () -> watchers.remove(self.get()));
    self.set(new Watcher(keys, stream));
    lock.lock();
    try {
      stream.offer(watchOutput(keys));
      watchers.add(self.get());
    } finally {
      lock.unlock();
    }
    return stream;
  }

  @Override
  public void close() {
    closed = true;
    for (Watcher w : watchers) {
      w.stream().fail(new KvException.LeaderUnavailable("database closed", null));
    }
  }

  private WatchOutput watchOutput(List<ByteString> keys) {
    WatchOutput.Builder out = WatchOutput.newBuilder().setStatus(SnapshotReadStatus.SR_SUCCESS);
    for (ByteString key : keys) {
      WatchKeyOutput.Builder k = WatchKeyOutput.newBuilder().setChanged(true);
      Row row = rows.get(key);
      if (row != null) {
        k.setEntryIfChanged(entry(key, row));
      }
      out.addKeys(k);
    }
    return out.build();
  }

  private void throwIfFailing() {
    RuntimeException error = failNext.getAndSet(null);
    if (error != null) {
      throw error;
    }
  }

  private static KvEntry entry(ByteString key, Row row) {
    return KvEntry.newBuilder()
        .setKey(key)
        .setValue(row.value())
        .setEncoding(row.encoding())
        .setVersionstamp(versionstamp(row.version()))
        .build();
  }

  private static ByteString versionstamp(long version) {
    return ByteString.copyFrom(Versionstamp.of(version, 0).toBytes());
  }

  /** The 8 little-endian bytes of an LE64 value. */
  public static ByteString le64(long value) {
    return ByteString.copyFrom(
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
  }

  private static long le64(ByteString bytes) {
    return bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getLong();
  }
}
