package io.quorumkv.gateway.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The batcher's grouping rules, with a call that answers when the test says so. */
class BatcherTest {
  /** Records every call; each call's future completes when {@link #answer} is called. */
  private static final class FakeGroup {
    final List<List<Integer>> calls = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<List<String>>> pending = new CopyOnWriteArrayList<>();

    CompletableFuture<List<String>> call(List<Integer> batch) {
      calls.add(List.copyOf(batch));
      CompletableFuture<List<String>> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    }

    void answer(int callIndex) {
      List<String> results = new ArrayList<>();
      for (int i : calls.get(callIndex)) {
        results.add("r" + i);
      }
      pending.get(callIndex).complete(results);
    }

    void awaitCalls(int n) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (calls.size() < n) {
        assertTrue(System.nanoTime() < deadline, "expected " + n + " calls, saw " + calls);
        Thread.sleep(1);
      }
    }
  }

  /** One call in flight, up to 100 requests of cost 1 per call, no linger. */
  private static Batcher<Integer, String> oneSlot(FakeGroup group) {
    return new Batcher<>("write", 1, 100, 1_000, 0, i -> 1, group::call);
  }

  @Test
  void requestsQueuedWhileACallIsOutGoTogetherAndEachGetsItsOwnResult() throws Exception {
    FakeGroup group = new FakeGroup();
    try (Batcher<Integer, String> b = oneSlot(group)) {
      CompletableFuture<String> first = b.submit(0);
      group.awaitCalls(1);
      List<CompletableFuture<String>> queued = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        queued.add(b.submit(i));
      }
      Thread.sleep(50);
      assertEquals(1, group.calls.size(), "nothing leaves while the only slot is taken");
      group.answer(0);
      assertEquals("r0", first.get(5, TimeUnit.SECONDS));
      group.awaitCalls(2);
      assertEquals(List.of(1, 2, 3, 4, 5), group.calls.get(1));
      group.answer(1);
      for (int i = 1; i <= 5; i++) {
        assertEquals("r" + i, queued.get(i - 1).get(5, TimeUnit.SECONDS));
      }
    }
  }

  @Test
  void batchesAreBoundedByCountAndCost() throws Exception {
    FakeGroup group = new FakeGroup();
    try (Batcher<Integer, String> b = new Batcher<>("write", 1, 3, 10, 0, i -> i, group::call)) {
      b.submit(1);
      group.awaitCalls(1);
      for (int i : new int[] {1, 1, 1, 1, 8, 20}) {
        b.submit(i);
      }
      group.answer(0);
      group.awaitCalls(2);
      assertEquals(List.of(1, 1, 1), group.calls.get(1), "at most 3 per call");
      group.answer(1);
      group.awaitCalls(3);
      assertEquals(List.of(1, 8), group.calls.get(2), "cost 1 + 8 fits in 10, + 20 does not");
      group.answer(2);
      group.awaitCalls(4);
      assertEquals(List.of(20), group.calls.get(3), "a request over the cost alone goes by itself");
    }
  }

  @Test
  void underLoadACallLingersForLateRequestsButALoneRequestNeverWaits() throws Exception {
    FakeGroup group = new FakeGroup();
    long lingerMs = 300;
    try (Batcher<Integer, String> b =
        new Batcher<>("write", 1, 100, 1_000, TimeUnit.MILLISECONDS.toNanos(lingerMs), i -> 1, group::call)) {
      // A lone request (no previous batch) leaves at once.
      long t0 = System.nanoTime();
      b.submit(0);
      group.awaitCalls(1);
      assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(lingerMs), "a lone request waited");
      // Queued behind it: two requests; they leave together, again without lingering (the
      // previous call carried one request).
      b.submit(1);
      b.submit(2);
      group.answer(0);
      group.awaitCalls(2);
      assertEquals(List.of(1, 2), group.calls.get(1));
      // Now the previous call carried two: the next call waits, and a request that arrives
      // during the wait rides along.
      b.submit(3);
      group.answer(1);
      Thread.sleep(lingerMs / 3);
      assertEquals(2, group.calls.size(), "the call lingers");
      b.submit(4);
      group.awaitCalls(3);
      assertEquals(List.of(3, 4), group.calls.get(2));
    }
  }

  @Test
  void aFailedCallFailsEveryRequestInItAndFreesTheSlot() throws Exception {
    FakeGroup group = new FakeGroup();
    try (Batcher<Integer, String> b = oneSlot(group)) {
      CompletableFuture<String> a = b.submit(1);
      group.awaitCalls(1);
      group.pending.get(0).completeExceptionally(new IllegalStateException("leader gone"));
      ExecutionException failed = assertThrows(ExecutionException.class, () -> a.get(5, TimeUnit.SECONDS));
      assertEquals("leader gone", failed.getCause().getMessage());
      CompletableFuture<String> next = b.submit(2);
      group.awaitCalls(2);
      group.answer(1);
      assertEquals("r2", next.get(5, TimeUnit.SECONDS));
    }
  }

  @Test
  void releasedSlotsLetTheNextBatchGoWhileAStuckCallStillAnswersItsOwnRequests() throws Exception {
    FakeGroup group = new FakeGroup();
    try (Batcher<Integer, String> b = oneSlot(group)) {
      CompletableFuture<String> stuck = b.submit(1);
      group.awaitCalls(1);
      CompletableFuture<String> next = b.submit(2);
      Thread.sleep(50);
      assertEquals(1, group.calls.size(), "the only slot is taken");
      b.releaseSlots();
      group.awaitCalls(2);
      assertEquals(List.of(2), group.calls.get(1));
      // The stuck call ending later must not free a second slot: one call is out, so a third
      // request waits for it.
      group.answer(0);
      assertEquals("r1", stuck.get(5, TimeUnit.SECONDS));
      CompletableFuture<String> third = b.submit(3);
      Thread.sleep(50);
      assertEquals(2, group.calls.size(), "still one slot, held by the second call");
      group.answer(1);
      assertEquals("r2", next.get(5, TimeUnit.SECONDS));
      group.awaitCalls(3);
      group.answer(2);
      assertEquals("r3", third.get(5, TimeUnit.SECONDS));
    }
  }
}
