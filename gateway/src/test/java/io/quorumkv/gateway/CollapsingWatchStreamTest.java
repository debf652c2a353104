package io.quorumkv.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deno.kv.datapath.KvEntry;
import com.deno.kv.datapath.SnapshotReadStatus;
import com.deno.kv.datapath.WatchKeyOutput;
import com.deno.kv.datapath.WatchOutput;
import com.google.protobuf.ByteString;
import io.quorumkv.proto.KvException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CollapsingWatchStreamTest {

  @Test
  void returnsEmptyAfterTheTimeoutWhenNothingArrives() throws InterruptedException {
    CollapsingWatchStream s = new CollapsingWatchStream(1, () -> {});
    long start = System.nanoTime();
    assertEquals(Optional.empty(), s.next(50));
    assertTrue(System.nanoTime() - start >= 45_000_000L);
  }

  @Test
  void keepsOnlyTheNewestStateOfEveryKey() throws InterruptedException {
    CollapsingWatchStream s = new CollapsingWatchStream(2, () -> {});
    assertTrue(s.offer(output(changed("a1"), changed("b1"))));
    assertTrue(s.offer(output(changed("a2"), unchanged())));
    assertTrue(s.offer(output(unchanged(), unchanged())));

    WatchOutput merged = s.next(0).orElseThrow();
    assertEquals("a2", value(merged.getKeys(0)));
    assertEquals("b1", value(merged.getKeys(1))); // a later "unchanged" does not hide b1
    assertEquals(Optional.empty(), s.next(0)); // one output for three offers
  }

  @Test
  void wakesAWaitingConsumer() {
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      CollapsingWatchStream s = new CollapsingWatchStream(1, () -> {});
      Thread.ofVirtual().start(() -> {
        sleep(100);
        s.offer(output(changed("x")));
      });
      assertEquals("x", value(s.next(10_000).orElseThrow().getKeys(0)));
    });
  }

  @Test
  void deliversPendingOutputBeforeTheFailure() throws InterruptedException {
    CollapsingWatchStream s = new CollapsingWatchStream(1, () -> {});
    s.offer(output(changed("last")));
    KvException.LeaderUnavailable error = new KvException.LeaderUnavailable("node lost", null);
    s.fail(error);
    assertFalse(s.offer(output(changed("ignored"))));
    assertEquals("last", value(s.next(0).orElseThrow().getKeys(0)));
    assertSame(error, assertThrows(KvException.class, () -> s.next(0)));
  }

  @Test
  void closeRunsTheCallbackOnceAndUnblocksTheConsumer() {
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      AtomicInteger closed = new AtomicInteger();
      CollapsingWatchStream s = new CollapsingWatchStream(1, closed::incrementAndGet);
      Thread closer = Thread.ofVirtual().start(() -> {
        sleep(100);
        s.close();
      });
      assertEquals(Optional.empty(), s.next(10_000));
      closer.join(); // the callback runs after the consumer was woken
      s.close();
      assertEquals(1, closed.get());
      assertFalse(s.offer(output(changed("late"))));
    });
  }

  @Test
  void rejectsAnOutputWithTheWrongKeyCount() {
    CollapsingWatchStream s = new CollapsingWatchStream(2, () -> {});
    assertThrows(IllegalArgumentException.class, () -> s.offer(output(changed("a"))));
  }

  private static WatchOutput output(WatchKeyOutput... keys) {
    WatchOutput.Builder b = WatchOutput.newBuilder().setStatus(SnapshotReadStatus.SR_SUCCESS);
    for (WatchKeyOutput k : keys) {
      b.addKeys(k);
    }
    return b.build();
  }

  private static WatchKeyOutput changed(String value) {
    return WatchKeyOutput.newBuilder()
        .setChanged(true)
        .setEntryIfChanged(KvEntry.newBuilder().setValue(ByteString.copyFromUtf8(value)))
        .build();
  }

  private static WatchKeyOutput unchanged() {
    return WatchKeyOutput.newBuilder().setChanged(false).build();
  }

  private static String value(WatchKeyOutput k) {
    return k.getEntryIfChanged().getValue().toStringUtf8();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
