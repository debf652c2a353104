package io.quorumkv.node.storage;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fixed set of read-only connections lent to one thread at a time. A caller that finds none
 * free waits at most {@link #BORROW_TIMEOUT_MS} and then fails (bounded, never forever).
 *
 * <p>Thread-safe.
 */
final class ReadPool implements AutoCloseable {
  /** How long a read waits for a free connection before failing. */
  static final long BORROW_TIMEOUT_MS = 10_000;

  /** Work on a borrowed connection. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(ReadConnection connection) throws SQLException;
  }

  private final List<ReadConnection> all;
  private final BlockingQueue<ReadConnection> idle;

  ReadPool(List<ReadConnection> connections) {
    this.all = List.copyOf(connections);
    this.idle = new ArrayBlockingQueue<>(all.size(), false, all);
  }

  /** Runs {@code work} inside one read transaction: one consistent snapshot. */
  <T> T inTransaction(String what, SqlWork<T> work) {
    return borrow(what, transaction(work));
  }

  private static <T> SqlWork<T> transaction(SqlWork<T> work) {
    return c -> {
      c.begin();
      try {
        return work.run(c);
      } finally {
        c.commit(); // read-only: COMMIT just ends the snapshot
      }
    };
  }

  /**
   * As {@link #inTransaction}, but only if a connection is free right now: empty otherwise
   * (never waits).
   */
  <T> Optional<T> tryInTransaction(String what, SqlWork<T> work) {
    ReadConnection c = idle.poll();
    if (c == null) {
      return Optional.empty();
    }
    return Optional.of(run(what, c, transaction(work)));
  }

  /** Runs {@code work} with no transaction open (VACUUM INTO refuses to run inside one). */
  <T> T withoutTransaction(String what, SqlWork<T> work) {
    return borrow(what, work);
  }

  private <T> T borrow(String what, SqlWork<T> work) {
    ReadConnection c;
    try {
      c = idle.poll(BORROW_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException(what + ": interrupted waiting for a read connection", e);
    }
    if (c == null) {
      throw new StorageException(
          what + ": no read connection free within " + BORROW_TIMEOUT_MS + " ms", null);
    }
    return run(what, c, work);
  }

  /** Runs {@code work} on the borrowed {@code c} and gives it back. */
  private <T> T run(String what, ReadConnection c, SqlWork<T> work) {
    try {
      return work.run(c);
    } catch (SQLException e) {
      throw new StorageException(what + " failed", e);
    } finally {
      idle.add(c);
    }
  }

  /** Closes every connection; callers must have stopped borrowing (SqliteStore's lock). */
  @Override
  public void close() {
    List<SQLException> failures = new ArrayList<>();
    for (ReadConnection c : all) {
      try {
        c.close();
      } catch (SQLException e) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      StorageException e = new StorageException("closing read connections failed", failures.get(0));
      failures.stream().skip(1).forEach(e::addSuppressed);
      throw e;
    }
  }
}
