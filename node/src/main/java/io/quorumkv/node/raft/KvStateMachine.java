package io.quorumkv.node.raft;

import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.deno.kv.datapath.WatchOutput;
import com.google.protobuf.InvalidProtocolBufferException;
import io.quorumkv.node.storage.ByteKey;
import io.quorumkv.node.storage.SqliteStore;
import io.quorumkv.proto.Limits;
import io.quorumkv.proto.gen.Command;
import io.quorumkv.proto.gen.CommandResult;
import io.quorumkv.proto.gen.ExpirySweep;
import io.quorumkv.proto.gen.Query;
import io.quorumkv.proto.gen.QueryResult;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.MD5FileUtil;

/**
 * The thin Raft adapter over the SQLite store (STYLE.md practice 2).
 *
 * <ul>
 *   <li>{@link #startTransaction} (leader only) rejects undecodable commands before they reach
 *       the log and stamps the leader's clock into the entry, so apply never reads a clock.
 *   <li>{@link #applyTransaction} (Ratis' single updater thread) decodes the entry and hands it
 *       to the group-apply thread, which applies every queued entry in one SQLite transaction
 *       and only then completes the entries' futures. An entry that cannot be decoded or applied
 *       stops the node through {@code onFatal}; it is never skipped.
 *   <li>Entries at or below the store's persisted applied index are not applied again (Ratis
 *       replays the log from the last snapshot on restart), so apply is exactly-once.
 *   <li>Snapshots are consistent copies of the SQLite file ({@code VACUUM INTO}).
 * </ul>
 *
 * <p>Thread-safety: Ratis calls the lifecycle and apply methods from its own threads; reads
 * ({@link #snapshotRead}, {@link #watchRead}, {@link #digest}) may come from any thread.
 */
public final class KvStateMachine extends BaseStateMachine {
  private static final Logger LOG = Logger.getLogger(KvStateMachine.class.getName());
  /** Entries waiting for the group-apply thread; Ratis' updater blocks when it is full. */
  private static final int APPLY_QUEUE_ENTRIES = 4096;
  /** Largest number of entries applied in one SQLite transaction. */
  private static final int MAX_GROUP_APPLY_ENTRIES = 512;

  private final Path dbFile;
  private final Path snapshotTmpDir;
  private final SnapshotStorage storage = new SnapshotStorage();
  private final ReentrantReadWriteLock storeLock = new ReentrantReadWriteLock();
  private final BlockingQueue<Pending> applyQueue = new ArrayBlockingQueue<>(APPLY_QUEUE_ENTRIES);
  private final AtomicLong lastStampMs = new AtomicLong();
  private final Consumer<Throwable> onFatal;
  private final ApplyListener listener;
  private final StateMachineStats stats = new StateMachineStats();
  private volatile SqliteStore store;
  private volatile Thread applyThread;
  private volatile boolean closed;
  /**
   * The highest index of a configuration or metadata entry handed to the apply thread: Ratis
   * counts those as applied when it hands them over, ahead of the apply thread (see query).
   */
  private final AtomicLong handedNotificationIndex = new AtomicLong();
  /** Queries waiting for the apply thread to reach an index, by that index; guarded by itself. */
  private final TreeMap<Long, List<CompletableFuture<Void>>> appliedWaiters = new TreeMap<>();
  /** Runs the queries that had to wait for the apply thread. */
  private final Executor queryExecutor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("kv-query-", 0).factory());
  /** Confirms leadership for linearizable reads; null until the node RPC service runs. */
  private volatile LeaderConfirmation confirmation;
  /** False when Ratis' own ReadIndex is on (LINEARIZABLE read option): no second round. */
  private volatile boolean confirmReads = true;
  /** Tests only: when set, the apply thread waits for it before applying its next group. */
  private volatile CountDownLatch applyGate;

  /** Told about every applied group of entries, after the SQLite commit. */
  public interface ApplyListener {
    /** {@code touched} are the keys written or deleted; {@code all} means "anything changed". */
    void onApplied(long appliedIndex, Set<ByteKey> touched, boolean all);

    /** Told about leader changes. */
    default void onLeaderChanged(RaftPeerId leader) {}
  }

  private record Pending(long index, long term, Command command, CompletableFuture<Message> future) {}

  /**
   * @param dataDir the node's data directory; the database is {@code dataDir/kv.sqlite3}
   * @param listener told about applied entries (watch streams)
   * @param onFatal called when an entry cannot be decoded or applied; must stop the node
   */
  public KvStateMachine(Path dataDir, ApplyListener listener, Consumer<Throwable> onFatal) {
    this.dbFile = dataDir.resolve("kv.sqlite3");
    this.snapshotTmpDir = dataDir.resolve("snapshot-tmp");
    this.listener = listener;
    this.onFatal = onFatal;
  }

  /** Counters for status and metrics. */
  public StateMachineStats stats() {
    return stats;
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    confirmReads = RaftServerConfigKeys.Read.option(server.getProperties()) != RaftServerConfigKeys.Read.Option.LINEARIZABLE;
    storage.init(raftStorage);
    Files.createDirectories(snapshotTmpDir);
    SingleFileSnapshotInfo latest = storage.loadLatestSnapshot();
    SqliteStore s = SqliteStore.open(dbFile);
    if (latest != null && s.appliedIndex() < latest.getIndex()) {
      // The log before the snapshot may be purged: the database must start from the snapshot.
      LOG.warning("database at index " + s.appliedIndex() + " is behind snapshot " + latest.getTermIndex()
          + "; restoring from the snapshot");
      s.close();
      restoreFrom(latest.getFile().getPath());
      s = SqliteStore.open(dbFile);
    }
    store = s;
    if (latest != null) {
      setLastAppliedTermIndex(latest.getTermIndex());
    }
    startApplyThread();
    getLifeCycle().startAndTransition(() -> {});
  }

  @Override
  public void pause() {
    // Snapshot installation follows; nothing is queued because Ratis stops applying first.
    getLifeCycle().transitionIfValid(org.apache.ratis.util.LifeCycle.State.PAUSING);
    getLifeCycle().transitionIfValid(org.apache.ratis.util.LifeCycle.State.PAUSED);
  }

  @Override
  public void reinitialize() throws IOException {
    SingleFileSnapshotInfo latest = storage.loadLatestSnapshot();
    if (latest == null) {
      throw new IOException("reinitialize without a snapshot");
    }
    storeLock.writeLock().lock();
    try {
      store.close();
      restoreFrom(latest.getFile().getPath());
      store = SqliteStore.open(dbFile);
      setLastAppliedTermIndex(latest.getTermIndex());
      releaseWaiters();
      stats.snapshotsInstalled.incrementAndGet();
      LOG.info(getId() + ": installed snapshot " + latest.getTermIndex());
    } finally {
      storeLock.writeLock().unlock();
    }
    if (getLifeCycleState() == org.apache.ratis.util.LifeCycle.State.PAUSED) {
      getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.STARTING);
      getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.RUNNING);
    }
    listener.onApplied(latest.getIndex(), Set.of(), true);
  }

  private void restoreFrom(Path snapshotFile) throws IOException {
    Files.deleteIfExists(Path.of(dbFile + "-wal"));
    Files.deleteIfExists(Path.of(dbFile + "-shm"));
    Path tmp = Path.of(dbFile + ".restore");
    Files.copy(snapshotFile, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, dbFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    Command cmd;
    try {
      cmd = Command.parseFrom(request.getMessage().getContent().toByteArray());
      validate(cmd);
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      // Rejected before it reaches the log; the client sees a StateMachineException.
      TransactionContext rejected =
          TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request).build();
      rejected.setException(new IllegalArgumentException("malformed command: " + e.getMessage(), e));
      return rejected;
    }
    // Never let "now" go backwards across entries: a key that expired stays expired.
    long now = lastStampMs.accumulateAndGet(System.currentTimeMillis(), Math::max);
    Command.Builder stamped = cmd.toBuilder().setLeaderTimeMs(now);
    if (cmd.hasSweep()) {
      stamped.setSweep(ExpirySweep.newBuilder().setUpToMs(now));
    }
    return TransactionContext.newBuilder()
        .setStateMachine(this)
        .setClientRequest(request)
        .setLogData(ByteString.copyFrom(stamped.build().toByteArray()))
        .build();
  }

  /** Structural checks only: the gateway has validated each write against Limits. */
  static void validate(Command cmd) {
    boolean hasWrites = cmd.getWritesCount() > 0;
    if (hasWrites == cmd.hasSweep()) {
      throw new IllegalArgumentException("a command holds either writes or a sweep");
    }
    if (cmd.getWritesCount() > Limits.MAX_WRITES_PER_ENTRY) {
      throw new IllegalArgumentException("too many writes in one command: " + cmd.getWritesCount());
    }
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    CompletableFuture<Message> f = new CompletableFuture<>();
    Command cmd;
    try {
      cmd = Command.parseFrom(entry.getStateMachineLogEntry().getLogData().toByteArray());
    } catch (InvalidProtocolBufferException e) {
      IllegalStateException fatal = new IllegalStateException(
          "log entry " + entry.getIndex() + " cannot be decoded; stopping instead of skipping it", e);
      f.completeExceptionally(fatal);
      onFatal.accept(fatal);
      return f;
    }
    // A new leader must not stamp a time before what earlier leaders stamped.
    lastStampMs.accumulateAndGet(cmd.getLeaderTimeMs(), Math::max);
    enqueue(new Pending(entry.getIndex(), entry.getTerm(), cmd, f));
    return f;
  }

  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    // Configuration and no-op entries: keep lastApplied in log order behind queued entries.
    enqueue(new Pending(index, term, null, null));
    handedNotificationIndex.accumulateAndGet(index, Math::max);
  }

  private void enqueue(Pending p) {
    try {
      applyQueue.put(p);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (p.future() != null) {
        p.future().completeExceptionally(e);
      }
    }
  }

  private void startApplyThread() {
    Thread t = new Thread(this::applyLoop, "kv-apply-" + getId());
    t.setDaemon(true);
    applyThread = t;
    t.start();
  }

  private void applyLoop() {
    List<Pending> batch = new ArrayList<>(MAX_GROUP_APPLY_ENTRIES);
    while (!closed) {
      try {
        batch.add(applyQueue.take());
        CountDownLatch gate = applyGate;
        if (gate != null) {
          gate.await();
        }
        applyQueue.drainTo(batch, MAX_GROUP_APPLY_ENTRIES - 1);
        applyGroup(batch);
        releaseWaiters();
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
      } catch (Throwable t) {
        for (Pending p : batch) {
          if (p.future() != null) {
            p.future().completeExceptionally(forClient(t));
          }
        }
        onFatal.accept(new IllegalStateException("applying log entries failed; stopping the node", t));
        return;
      } finally {
        batch.clear();
      }
    }
  }

  private void applyGroup(List<Pending> batch) {
    List<SqliteStore.Entry> entries = new ArrayList<>(batch.size());
    List<SqliteStore.Applied> applied;
    Set<ByteKey> touched = new HashSet<>();
    int writes = 0;
    long started = System.nanoTime();
    storeLock.readLock().lock();
    try {
      long persisted = store.appliedIndex();
      for (Pending p : batch) {
        // Configuration entries too (command null): the database records their index, so a
        // snapshot labelled with one (every snapshot taken at close after a leader change) is
        // not newer than the database at the next start.
        if (p.index() > persisted) {
          entries.add(new SqliteStore.Entry(p.index(), p.term(), p.command()));
          writes += p.command() != null ? 1 : 0;
        }
      }
      applied = entries.isEmpty() ? List.of() : store.applyBatch(entries);
    } finally {
      storeLock.readLock().unlock();
    }
    int next = 0;
    long last = 0;
    for (Pending p : batch) {
      CommandResult result = CommandResult.getDefaultInstance();
      if (next < applied.size() && applied.get(next).index() == p.index()) {
        SqliteStore.Applied a = applied.get(next++);
        result = a.result();
        touched.addAll(a.touchedKeys());
      }
      updateLastAppliedTermIndex(p.term(), p.index());
      last = p.index();
      if (p.future() != null) {
        p.future().complete(Message.valueOf(ByteString.copyFrom(result.toByteArray())));
      }
    }
    if (writes > 0) {
      stats.recordGroup(writes, System.nanoTime() - started);
    }
    listener.onApplied(last, touched, false);
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() <= 0) {
      return org.apache.ratis.server.raftlog.RaftLog.INVALID_LOG_INDEX;
    }
    long started = System.nanoTime();
    File target = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    Path tmp = snapshotTmpDir.resolve(target.getName() + ".tmp");
    Files.deleteIfExists(tmp);
    storeLock.readLock().lock();
    try {
      // The copy may contain entries after `last` (applied meanwhile); its meta row says so and
      // a node restoring it skips those entries when the log replays them.
      store.backupTo(tmp);
    } finally {
      storeLock.readLock().unlock();
    }
    Files.move(tmp, target.toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    var md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), last));
    stats.recordSnapshot(System.nanoTime() - started);
    return last.getIndex();
  }

  /**
   * Answers a linearizable read-only query on the leader: confirms this node's leadership with a
   * majority ({@link LeaderConfirmation}; Ratis runs with the DEFAULT read option, which calls
   * this on a ready leader without a ReadIndex round of its own), waits for the apply thread
   * where Ratis ran ahead of it, then reads the database as it is.
   *
   * <p>The wait: Ratis calls a leader ready once its first entry counts as applied. A write
   * entry counts as applied when our future completes (after the SQLite commit, in log order),
   * but a configuration or metadata entry (every new leader's first entry is one) counts as
   * applied the moment it is handed over, ahead of the writes before it that the apply thread may
   * still be applying: after a restart, or a leader change under load, a read would otherwise see
   * a database without committed writes (chaos finding F10). So the query waits until the apply
   * thread has reached the last such entry handed over; in steady state it already has.
   */
  @Override
  public CompletableFuture<Message> query(Message request) {
    long notified = handedNotificationIndex.get();
    return confirmLeadership()
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(notConfirmed(e)))
        .thenCompose(v -> appliedIndex() >= notified ? answerHereOrLater(request)
            : appliedAtLeast(notified).thenComposeAsync(x -> answer(request), queryExecutor));
  }

  /**
   * Answers on the calling thread (the gRPC transport thread that received the confirming term,
   * or Ratis' own thread when no round was needed) when that needs no wait (snapshot reads with a read connection free and no snapshot install
   * waiting); otherwise on a virtual thread. Saves a thread hand-off per strong-read query.
   */
  private CompletableFuture<Message> answerHereOrLater(Message request) {
    CompletableFuture<Message> now = answer(request, false);
    return now != null ? now : CompletableFuture.supplyAsync(() -> answer(request), queryExecutor).thenCompose(f -> f);
  }

  /**
   * Lets this node confirm its own leadership for linearizable reads ({@link LeaderConfirmation}),
   * once its node RPC service can reach the others. Until then queries fail as "not ready".
   */
  public void useLeaderConfirmation(LeaderConfirmation confirmation) {
    this.confirmation = confirmation;
  }

  /**
   * Starts the leadership round of a query, already complete when Ratis did one (read option
   * LINEARIZABLE, an expert override). Ratis calls {@link #query} with the DEFAULT
   * option only on a leader that has applied its first entry; the term is read on both sides
   * of that check so that the round confirms the term this node led in.
   */
  private CompletableFuture<Void> confirmLeadership() {
    if (!confirmReads) {
      return CompletableFuture.completedFuture(null);
    }
    LeaderConfirmation c = confirmation;
    if (c == null) {
      return CompletableFuture.failedFuture(new ReadIndexException("the node's RPC service is not started yet"));
    }
    RaftServer.Division d;
    try {
      d = getServer().join().getDivision(getGroupId());
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(new ReadIndexException("Raft is not running: " + e.getMessage()));
    }
    long term = d.getInfo().getCurrentTerm();
    if (!d.getInfo().isLeaderReady() || d.getInfo().getCurrentTerm() != term) {
      return CompletableFuture.failedFuture(new ReadIndexException(getId() + " is not the leader (term " + term + ")"));
    }
    return c.confirm(term);
  }

  /**
   * A failed leadership round or wait, as a reply exception: Ratis' ReadIndexException (which the
   * gateway retries, and can deserialize) inside the StateMachineException that Ratis puts into
   * a query's reply; anything else as {@link #forClient}.
   */
  private static Exception notConfirmed(Throwable error) {
    Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (t instanceof ReadIndexException r) {
      return new StateMachineException("linearizable read refused", r);
    }
    return t instanceof IOException io ? io : forClient(t);
  }

  /**
   * Completes once the apply thread has applied {@code index}, on the apply thread or the
   * caller's (fails with an {@code IOException} when this closes). A caller that stops waiting
   * leaves the future registered until the index is reached or this closes.
   */
  public CompletableFuture<Void> appliedAtLeast(long index) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    synchronized (appliedWaiters) {
      appliedWaiters.computeIfAbsent(index, i -> new ArrayList<>()).add(f);
    }
    if (closed) {
      failWaiters();
    }
    releaseWaiters(); // the apply thread may have passed the index meanwhile
    return f;
  }

  private void releaseWaiters() {
    long applied = appliedIndex();
    List<CompletableFuture<Void>> ready = new ArrayList<>();
    synchronized (appliedWaiters) {
      var reached = appliedWaiters.headMap(applied, true);
      reached.values().forEach(ready::addAll);
      reached.clear();
    }
    ready.forEach(f -> f.complete(null));
  }

  private void failWaiters() {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    synchronized (appliedWaiters) {
      appliedWaiters.values().forEach(all::addAll);
      appliedWaiters.clear();
    }
    all.forEach(f -> f.completeExceptionally(new IOException("the state machine is closed")));
  }

  /**
   * Tests only: holds the apply thread before its next group of entries until the returned
   * handle is closed (entries are still handed to it and queue up).
   */
  public AutoCloseable holdApplyingForTest() {
    CountDownLatch gate = new CountDownLatch(1);
    applyGate = gate;
    return () -> {
      applyGate = null;
      gate.countDown();
    };
  }

  private CompletableFuture<Message> answer(Message request) {
    return answer(request, true);
  }

  /** The answer to a query; null if {@code mayWait} is false and answering would have to wait. */
  private CompletableFuture<Message> answer(Message request, boolean mayWait) {
    try {
      Query q = Query.parseFrom(request.getContent().toByteArray());
      long now = q.getNowMs() > 0 ? q.getNowMs() : System.currentTimeMillis();
      QueryResult.Builder out = QueryResult.newBuilder();
      switch (q.getKindCase()) {
        case SNAPSHOT_READ, SNAPSHOT_READS -> {
          // One read is a batch of one: the same single read transaction either way.
          boolean single = q.getKindCase() == Query.KindCase.SNAPSHOT_READ;
          List<SnapshotRead> reads = single ? List.of(q.getSnapshotRead()) : q.getSnapshotReads().getReadsList();
          Optional<List<SnapshotReadOutput>> o =
              mayWait ? Optional.of(snapshotReads(reads, now)) : trySnapshotReads(reads, now);
          if (o.isEmpty()) {
            return null;
          }
          if (single) {
            out.setSnapshotRead(o.get().get(0));
          } else {
            out.addAllSnapshotReads(o.get());
          }
        }
        case WATCH -> {
          if (!mayWait) {
            return null;
          }
          out.setWatch(watchRead(q.getWatch().getKeysList().stream().map(k -> k.getKey().toByteArray()).toList(), now));
        }
        case DIGEST -> {
          if (!mayWait) {
            return null;
          }
          SqliteStore.Digest d = digest();
          out.setDigest(com.google.protobuf.ByteString.copyFrom(d.sha256())).setRowCount(d.rowCount());
        }
        default -> throw new IllegalArgumentException("empty query");
      }
      out.setAppliedIndex(appliedIndex());
      return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(out.build().toByteArray())));
    } catch (Exception e) {
      return CompletableFuture.failedFuture(forClient(e));
    }
  }

  /**
   * The exception to put in a reply. Ratis sends a failed query's or entry's exception to the
   * client with Java serialization, cause chain included. The gateway cannot deserialize our
   * classes (StorageException) or sqlite-jdbc's; its Ratis client then fails with a non-IO
   * "Failed to readObject" error, which closes the client for every later call. Seen when a
   * leader closing its store on SIGTERM still answered strong reads. So replies carry only a JDK
   * IOException with the message.
   */
  static IOException forClient(Throwable t) {
    return new IOException(t.getClass().getSimpleName() + ": " + t.getMessage());
  }

  /** A read of this node's local state (no coordination). */
  public SnapshotReadOutput snapshotRead(SnapshotRead read, long nowMs) {
    storeLock.readLock().lock();
    try {
      return store.snapshotRead(read, nowMs);
    } finally {
      storeLock.readLock().unlock();
    }
  }

  /** Several reads of this node's local state from one snapshot, one output per read. */
  public List<SnapshotReadOutput> snapshotReads(List<SnapshotRead> reads, long nowMs) {
    storeLock.readLock().lock();
    try {
      return store.snapshotReads(reads, nowMs);
    } finally {
      storeLock.readLock().unlock();
    }
  }

  /**
   * {@link #snapshotReads} only if it needs no wait: empty while a snapshot is being installed
   * (or waits to be) or when the store cannot serve at once ({@link SqliteStore#trySnapshotReads}).
   * For threads that must not block: the node RPC's event loop.
   */
  public Optional<List<SnapshotReadOutput>> trySnapshotReads(List<SnapshotRead> reads, long nowMs) {
    // A plain tryLock would overtake a waiting installer (ReentrantReadWriteLock lets it barge).
    if (storeLock.hasQueuedThreads() || !storeLock.readLock().tryLock()) {
      return Optional.empty();
    }
    try {
      return store.trySnapshotReads(reads, nowMs);
    } finally {
      storeLock.readLock().unlock();
    }
  }

  /** One full watch message for these keys from local state. */
  public WatchOutput watchRead(List<byte[]> keys, long nowMs) {
    storeLock.readLock().lock();
    try {
      return store.watchRead(keys, nowMs);
    } finally {
      storeLock.readLock().unlock();
    }
  }

  /** Digest of the local database. */
  public SqliteStore.Digest digest() {
    storeLock.readLock().lock();
    try {
      return store.digest();
    } finally {
      storeLock.readLock().unlock();
    }
  }

  /** Smallest expiry of any row (Long.MAX_VALUE if none). */
  public long earliestExpiryMs() {
    storeLock.readLock().lock();
    try {
      return store.earliestExpiryMs();
    } finally {
      storeLock.readLock().unlock();
    }
  }

  /** The last applied index known to Ratis (0 before anything was applied). */
  public long appliedIndex() {
    TermIndex ti = getLastAppliedTermIndex();
    return ti == null ? 0 : Math.max(0, ti.getIndex());
  }

  /** The index of the latest snapshot (0 if none). */
  public long snapshotIndex() {
    SingleFileSnapshotInfo s = storage.getLatestSnapshot();
    return s == null ? 0 : s.getIndex();
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
    stats.leaderChanges.incrementAndGet();
    listener.onLeaderChanged(newLeaderId);
  }

  @Override
  public void close() throws IOException {
    closed = true;
    failWaiters();
    Thread t = applyThread;
    if (t != null) {
      t.interrupt();
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    storeLock.writeLock().lock();
    try {
      if (store != null) {
        store.close();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "closing the store failed", e);
    } finally {
      storeLock.writeLock().unlock();
    }
    super.close();
  }
}
