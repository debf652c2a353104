package io.quorumkv.node.storage;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.deno.kv.datapath.SnapshotReadStatus;
import com.deno.kv.datapath.WatchKeyOutput;
import com.deno.kv.datapath.WatchOutput;
import com.google.protobuf.ByteString;
import io.quorumkv.node.kv.Applier;
import io.quorumkv.node.kv.WriteOutcome;
import io.quorumkv.proto.Versionstamp;
import io.quorumkv.proto.gen.Command;
import io.quorumkv.proto.gen.CommandResult;
import io.quorumkv.proto.gen.WriteResult;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.sqlite.SQLiteConfig;

/**
 * One node's SQLite database: the state machine's data, its queue table and the applied Raft
 * index/term, all changed only by {@link #applyBatch} (DESIGN invariants 1, 4).
 *
 * <p>Threading: {@link #applyBatch} must be called by one thread at a time (the Raft apply
 * thread; a concurrent call fails fast) and uses the single writer connection. Reads ({@link
 * #snapshotRead}, {@link #watchRead}, {@link #digest}, {@link #backupTo}, ...) use a pool of
 * read-only connections and may be called from any number of threads, concurrently with
 * applying; each read is one SQLite read transaction (one consistent snapshot). {@link #close}
 * and {@link #replaceWith} wait for in-flight calls and exclude new ones while they run.
 *
 * <p>Durability: WAL with {@code synchronous=NORMAL}. A crash may lose the last commits; they
 * come back by replaying the Raft log from {@link #appliedIndex()}, which is committed in the
 * same transaction as the data it describes.
 */
public final class SqliteStore implements AutoCloseable {

  /**
   * A committed log entry to apply. {@code command} is null for an entry without writes (a Raft
   * configuration entry): it only moves the recorded applied index, so that a snapshot labelled
   * with such an entry is not newer than the database (KvStateMachine#initialize).
   */
  public record Entry(long index, long term, Command command) {}

  /** What applying an entry produced: the reply for the client and the keys it touched. */
  public record Applied(long index, CommandResult result, Set<ByteKey> touchedKeys) {}

  /** Digest of every row (key, value, encoding, versionstamp, expiry) at an applied index. */
  public record Digest(byte[] sha256, long rowCount, long appliedIndex) {}

  /** Read-only connections opened by {@link #open(Path)}. */
  public static final int DEFAULT_READ_CONNECTIONS = 4;

  /** Reply for writes past the 16-bit position space of one entry (the gateway sends ≤ 256). */
  static final String TOO_MANY_WRITES = "Too many atomic writes in one log entry.";

  /**
   * How long (leader time) the result of a command with a request id is remembered. The gateway
   * re-proposes a command only within its request wait (10 s by default), so this is generous.
   */
  public static final long REQUEST_MEMORY_MS = 10 * 60_000;

  private final Path file;
  private final int readConnections;
  /** Shared by every call; exclusive for close/replace, so no call sees half-open state. */
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  /** Detects a second concurrent applier, which would break the one-writer contract. */
  private final AtomicBoolean applying = new AtomicBoolean();
  // Guarded by lifecycle (replaced only under the write lock).
  private WriterStorage writer;
  private ReadPool readers;
  private boolean closed;
  private volatile long appliedIndex;
  private volatile long appliedTerm;

  private SqliteStore(Path file, int readConnections) {
    this.file = file;
    this.readConnections = readConnections;
  }

  /** Opens (creating if needed) the database file, sets pragmas and schema. */
  public static SqliteStore open(Path file) {
    return open(file, DEFAULT_READ_CONNECTIONS);
  }

  /** As {@link #open(Path)} with {@code readConnections} (≥ 1) pooled read-only connections. */
  public static SqliteStore open(Path file, int readConnections) {
    if (readConnections < 1) {
      throw new IllegalArgumentException("readConnections must be >= 1: " + readConnections);
    }
    SqliteStore store = new SqliteStore(file.toAbsolutePath(), readConnections);
    store.connect();
    return store;
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  /** Index of the last applied log entry (0 for a new database); stored with the data. */
  public long appliedIndex() {
    return appliedIndex;
  }

  /** Term of the last applied log entry. */
  public long appliedTerm() {
    return appliedTerm;
  }

  /**
   * Applies consecutive committed entries in one SQLite transaction and records the last
   * entry's index and term in the same transaction.
   *
   * <p>Per entry: write {@code i} of {@code command.writes} is applied by {@link Applier} with
   * versionstamp {@code (entry.index, i)} and "now" = {@code command.leader_time_ms}, each in its
   * own savepoint; then, if present, {@code command.sweep} deletes every row with {@code 0 <
   * expiry <= up_to_ms}. Entry indexes must be strictly increasing and above {@link
   * #appliedIndex()} (the caller skips entries already applied before a restart).
   *
   * @throws StorageException if SQLite fails; nothing of the batch is then committed and the
   *     node must stop
   */
  public List<Applied> applyBatch(List<Entry> entries) {
    if (entries.isEmpty()) {
      return List.of();
    }
    lifecycle.readLock().lock();
    if (!applying.compareAndSet(false, true)) {
      lifecycle.readLock().unlock();
      throw new IllegalStateException("applyBatch called concurrently");
    }
    try {
      ensureOpen();
      checkIndexes(entries);
      List<Applied> applied = new ArrayList<>(entries.size());
      Entry last = entries.get(entries.size() - 1);
      try {
        writer.begin();
        long latestTime = 0;
        for (Entry entry : entries) {
          if (entry.command() == null) {
            applied.add(new Applied(entry.index(), CommandResult.getDefaultInstance(), Set.of()));
            continue;
          }
          applied.add(applyEntry(entry));
          latestTime = Math.max(latestTime, entry.command().getLeaderTimeMs());
        }
        if (latestTime > 0) {
          writer.pruneRequests(latestTime - REQUEST_MEMORY_MS);
        }
        writer.writeMeta(last.index(), last.term());
        writer.commit();
      } catch (SQLException | RuntimeException e) {
        writer.rollbackQuietly(e);
        throw e instanceof StorageException se ? se : new StorageException("apply failed", e);
      }
      appliedTerm = last.term();
      appliedIndex = last.index();
      return Collections.unmodifiableList(applied);
    } finally {
      applying.set(false);
      lifecycle.readLock().unlock();
    }
  }

  private void checkIndexes(List<Entry> entries) {
    long previous = appliedIndex;
    for (Entry entry : entries) {
      if (entry.index() <= previous) {
        throw new IllegalArgumentException(
            "entry index " + entry.index() + " not above " + previous
                + " (applied index " + appliedIndex + ")");
      }
      previous = entry.index();
    }
  }

  private Applied applyEntry(Entry entry) throws SQLException {
    Command command = entry.command();
    byte[] requestId = command.getRequestId().toByteArray();
    if (requestId.length > 0) {
      Optional<byte[]> earlier = writer.findRequest(requestId);
      if (earlier.isPresent()) { // a re-proposal of a command already applied: answer, change nothing
        try {
          return new Applied(entry.index(), CommandResult.parseFrom(earlier.get()), Set.of());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw new SQLException("stored result of a request cannot be decoded", e);
        }
      }
    }
    Applied applied = applyFresh(entry);
    if (requestId.length > 0) {
      writer.recordRequest(requestId, command.getLeaderTimeMs(), applied.result().toByteArray());
    }
    return applied;
  }

  private Applied applyFresh(Entry entry) throws SQLException {
    Command command = entry.command();
    CommandResult.Builder result = CommandResult.newBuilder();
    Set<ByteKey> touched = new LinkedHashSet<>();
    for (int i = 0; i < command.getWritesCount(); i++) {
      result.addResults(applyWrite(entry.index(), i, command, touched));
    }
    if (command.hasSweep()) {
      List<byte[]> swept = writer.sweep(command.getSweep().getUpToMs());
      swept.forEach(k -> touched.add(new ByteKey(k)));
      result.setSwept(swept.size());
    }
    return new Applied(entry.index(), result.build(), Collections.unmodifiableSet(touched));
  }

  private WriteResult applyWrite(long index, int position, Command command, Set<ByteKey> touched) {
    if (position > 0xFFFF) { // no versionstamp left for it; deterministic on every replica
      return WriteResult.newBuilder().setRejected(TOO_MANY_WRITES).build();
    }
    AtomicWrite write = command.getWrites(position);
    Versionstamp versionstamp = Versionstamp.of(index, position);
    WriteOutcome outcome = Applier.apply(writer, write, versionstamp, command.getLeaderTimeMs());
    return switch (outcome) {
      case WriteOutcome.Committed c -> {
        c.touchedKeys().forEach(k -> touched.add(new ByteKey(k)));
        yield WriteResult.newBuilder()
            .setCommitted(ByteString.copyFrom(c.versionstamp().toBytes()))
            .build();
      }
      case WriteOutcome.CheckFailed f -> WriteResult.newBuilder().setCheckFailed(true).build();
      case WriteOutcome.Rejected r -> WriteResult.newBuilder().setRejected(r.message()).build();
    };
  }

  /**
   * Reads all ranges in one read transaction; rows with 0 &lt; expiry &lt;= nowMs are hidden.
   * Answers {@code status=SR_SUCCESS} and {@code read_is_strongly_consistent=true}; a caller
   * serving the eventual endpoint overwrites the latter. {@code nowMs = 0} hides nothing.
   */
  public SnapshotReadOutput snapshotRead(SnapshotRead read, long nowMs) {
    return withReaders(
        () -> readers.inTransaction("snapshot read", c -> snapshotRead(c, read, nowMs)));
  }

  /**
   * Several snapshot reads from one consistent snapshot (one read transaction): one output per
   * read, same order. The gateway's read batching sends concurrent reads this way.
   */
  public List<SnapshotReadOutput> snapshotReads(List<SnapshotRead> reads, long nowMs) {
    return withReaders(
        () -> readers.inTransaction("snapshot reads", c -> snapshotReads(c, reads, nowMs)));
  }

  /**
   * {@link #snapshotReads} only if it needs no wait: empty while the store is being replaced or
   * closed (or a thread waits to do so) and when every read connection is lent out. For threads
   * that must not block; the caller falls back to {@link #snapshotReads} elsewhere.
   */
  public Optional<List<SnapshotReadOutput>> trySnapshotReads(List<SnapshotRead> reads, long nowMs) {
    // A plain tryLock would overtake a waiting replaceWith/close (the read lock lets it barge).
    if (lifecycle.hasQueuedThreads() || !lifecycle.readLock().tryLock()) {
      return Optional.empty();
    }
    try {
      if (closed) {
        return Optional.empty();
      }
      return readers.tryInTransaction("snapshot reads", c -> snapshotReads(c, reads, nowMs));
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private static List<SnapshotReadOutput> snapshotReads(
      ReadConnection c, List<SnapshotRead> reads, long nowMs) throws SQLException {
    List<SnapshotReadOutput> out = new ArrayList<>(reads.size());
    for (SnapshotRead read : reads) {
      out.add(snapshotRead(c, read, nowMs));
    }
    return out;
  }

  private static SnapshotReadOutput snapshotRead(ReadConnection c, SnapshotRead read, long nowMs)
      throws SQLException {
    SnapshotReadOutput.Builder out =
        SnapshotReadOutput.newBuilder()
            .setReadDisabled(false)
            .setReadIsStronglyConsistent(true)
            .setStatus(SnapshotReadStatus.SR_SUCCESS);
    for (ReadRange range : read.getRangesList()) {
      out.addRanges(c.range(range, nowMs));
    }
    return out.build();
  }

  /** One full watch message for these keys (every entry changed=true), read in one snapshot. */
  public WatchOutput watchRead(List<byte[]> keys, long nowMs) {
    return withReaders(
        () ->
            readers.inTransaction(
                "watch read",
                c -> {
                  WatchOutput.Builder out =
                      WatchOutput.newBuilder().setStatus(SnapshotReadStatus.SR_SUCCESS);
                  for (byte[] key : keys) {
                    WatchKeyOutput.Builder k = WatchKeyOutput.newBuilder().setChanged(true);
                    c.get(key, nowMs).ifPresent(k::setEntryIfChanged);
                    out.addKeys(k);
                  }
                  return out.build();
                }));
  }

  /** Smallest expiry (ms) of any row, or Long.MAX_VALUE when no row expires. */
  public long earliestExpiryMs() {
    return withReaders(
        () -> readers.inTransaction("earliest expiry", ReadConnection::earliestExpiryMs));
  }

  /**
   * SHA-256 over every row in key order. Covers kv rows (key, value, encoding, versionstamp,
   * expiry) and queue rows; {@code rowCount} counts kv rows; {@code appliedIndex} is read in
   * the same snapshot. Replicas that applied the same entries have equal digests.
   */
  public Digest digest() {
    return withReaders(
        () ->
            readers.inTransaction(
                "digest",
                c -> {
                  long[] meta = c.meta();
                  ReadConnection.DigestResult d = c.digest();
                  return new Digest(d.sha256(), d.kvRows(), meta[0]);
                }));
  }

  /**
   * Writes a consistent copy of the database to {@code target} (must not exist), including the
   * meta row, so the copy knows the applied index it reflects. Uses {@code VACUUM INTO} on a
   * read connection (applying continues meanwhile); the copy is fsynced before returning.
   */
  public void backupTo(Path target) {
    Path absolute = target.toAbsolutePath();
    if (Files.exists(absolute)) {
      throw new IllegalArgumentException("backup target exists: " + absolute);
    }
    withReaders(
        () ->
            readers.withoutTransaction(
                "backup",
                c -> {
                  try (PreparedStatement s = c.connection().prepareStatement("VACUUM INTO ?")) {
                    s.setString(1, absolute.toString());
                    s.execute();
                  }
                  return null;
                }));
    fsync(absolute);
  }

  /**
   * Folds the WAL back into the database file and truncates it ({@code wal_checkpoint(TRUNCATE)})
   * so that the file alone holds every applied entry, e.g. before a snapshot is declared. Waits
   * up to the busy timeout for readers; answers true when the checkpoint completed.
   */
  public boolean checkpoint() {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      return writer.checkpointTruncate();
    } catch (SQLException e) {
      throw new StorageException("checkpoint failed", e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * Installs a Raft snapshot: replaces this database with {@code snapshotFile} (a file written
   * by {@link #backupTo} on some replica) and reopens, in place. Waits for in-flight calls and
   * blocks new ones until done; afterwards {@link #appliedIndex()} is the snapshot's. {@code
   * snapshotFile} is copied, not moved. See {@link #installSnapshot} for the file steps.
   *
   * @throws StorageException if any step fails; the store is then closed and the node must stop
   */
  public void replaceWith(Path snapshotFile) {
    lifecycle.writeLock().lock();
    try {
      ensureOpen();
      try {
        disconnect();
        installSnapshot(snapshotFile, file);
        connect();
      } catch (RuntimeException e) {
        closed = true; // half-replaced: refuse every call rather than serve or apply on it
        throw e;
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /**
   * Puts {@code snapshotFile} in place of the (closed) database {@code databaseFile}; the caller
   * then {@link #open}s it. Steps: copy the snapshot beside the target and fsync it; delete the
   * old {@code -wal} and {@code -shm} files first (an old WAL next to the new file would be
   * replayed onto it and corrupt it); atomically rename the copy over the target; fsync the
   * directory. A crash part-way leaves either the old database (perhaps without its last
   * uncheckpointed commits, which the Raft log replays) or the new one. No connection to
   * {@code databaseFile} may be open.
   */
  public static void installSnapshot(Path snapshotFile, Path databaseFile) {
    Path target = databaseFile.toAbsolutePath();
    Path staging = target.resolveSibling(target.getFileName() + ".installing");
    try {
      Files.copy(snapshotFile, staging, StandardCopyOption.REPLACE_EXISTING);
      fsync(staging);
      Files.deleteIfExists(target.resolveSibling(target.getFileName() + "-wal"));
      Files.deleteIfExists(target.resolveSibling(target.getFileName() + "-shm"));
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      fsyncDirectory(target.getParent());
    } catch (IOException e) {
      throw new StorageException("installing snapshot " + snapshotFile + " failed", e);
    }
  }

  /** Closes every connection. Idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        disconnect();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  private <T> T withReaders(java.util.function.Supplier<T> read) {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      return read.get();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("store closed: " + file);
    }
  }

  /** Opens the writer (which creates the schema), then the readers; loads the applied index. */
  private void connect() {
    List<ReadConnection> opened = new ArrayList<>();
    try {
      Files.createDirectories(file.getParent());
      String url = "jdbc:sqlite:" + file;
      SQLiteConfig writerConfig = new SQLiteConfig();
      // sqlite-jdbc otherwise prepares and runs "SELECT last_insert_rowid()" after every INSERT
      // (for getGeneratedKeys, which we never call): 10-20% of the apply thread in a profile
      // of sets, on every replica.
      writerConfig.setGetGeneratedKeys(false);
      Connection w = DriverManager.getConnection(url, writerConfig.toProperties());
      try {
        SqliteSchema.prepareWriter(w);
        writer = new WriterStorage(w);
      } catch (SQLException e) {
        w.close();
        throw e;
      }
      SQLiteConfig readOnly = new SQLiteConfig();
      readOnly.setReadOnly(true);
      for (int i = 0; i < readConnections; i++) {
        Connection r = DriverManager.getConnection(url, readOnly.toProperties());
        try {
          SqliteSchema.prepareReader(r);
          opened.add(new ReadConnection(r));
        } catch (SQLException e) {
          r.close();
          throw e;
        }
      }
      readers = new ReadPool(opened);
      long[] meta = writer.readMeta();
      appliedIndex = meta[0];
      appliedTerm = meta[1];
    } catch (SQLException | IOException e) {
      StorageException failure = new StorageException("opening " + file + " failed", e);
      opened.forEach(r -> closeQuietly(r, failure));
      if (writer != null) {
        closeQuietly(writer, failure);
        writer = null;
      }
      throw failure;
    }
  }

  private void disconnect() {
    StorageException failure = null;
    try {
      readers.close();
    } catch (StorageException e) {
      failure = e;
    }
    try {
      writer.close(); // the last connection to close checkpoints and removes the WAL
    } catch (SQLException e) {
      failure = failure == null ? new StorageException("closing writer failed", e) : failure;
    }
    readers = null;
    writer = null;
    if (failure != null) {
      throw failure;
    }
  }

  private static void closeQuietly(AutoCloseable c, Exception into) {
    try {
      c.close();
    } catch (Exception e) {
      into.addSuppressed(e);
    }
  }

  private static void fsync(Path path) {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
      channel.force(true);
    } catch (IOException e) {
      throw new StorageException("fsync " + path + " failed", e);
    }
  }

  /** Makes a rename durable; a no-op where directories cannot be opened (not Linux). */
  private static void fsyncDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some platforms refuse to open directories; the rename is still atomic there.
    }
  }
}
