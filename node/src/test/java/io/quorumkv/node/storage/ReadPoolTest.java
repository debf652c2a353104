package io.quorumkv.node.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/** ReadPool on a real file: the non-waiting borrow the node RPC's event loop uses. */
class ReadPoolTest {
  @TempDir Path dir;

  private static Connection reader(Path file) throws Exception {
    SQLiteConfig readOnly = new SQLiteConfig();
    readOnly.setReadOnly(true);
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, readOnly.toProperties());
    SqliteSchema.prepareReader(c);
    return c;
  }

  @Test
  void tryInTransactionAnswersEmptyInsteadOfWaitingForALentConnection() throws Exception {
    Path file = dir.resolve("kv.sqlite3");
    SqliteStore.open(file).close(); // creates the schema
    try (ReadPool pool = new ReadPool(List.of(new ReadConnection(reader(file))))) {
      CountDownLatch lent = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Thread holder = Thread.ofPlatform().start(() -> pool.inTransaction("hold", c -> {
        lent.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return 0L;
      }));
      assertTrue(lent.await(10, TimeUnit.SECONDS), "the holder borrowed the only connection");
      long start = System.nanoTime();
      assertEquals(Optional.empty(), pool.tryInTransaction("try", c -> c.meta()[0]));
      // The waiting borrow would have waited ReadPool.BORROW_TIMEOUT_MS (10 s) here.
      assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(ReadPool.BORROW_TIMEOUT_MS / 2),
          "tryInTransaction did not wait for the connection");
      release.countDown();
      holder.join();
      assertEquals(Optional.of(0L), pool.tryInTransaction("try", c -> c.meta()[0]),
          "the connection is back in the pool, with a transaction around the work");
    }
  }
}
