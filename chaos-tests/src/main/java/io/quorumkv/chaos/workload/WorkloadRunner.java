package io.quorumkv.chaos.workload;

import io.quorumkv.chaos.client.KvApi;
import io.quorumkv.chaos.history.HistoryRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drives a {@link Workload} with {@code clients} threads for a fixed duration. Client
 * {@code i} draws from {@code new Random(seed + i * GOLDEN)}, so the sequence of operations
 * each client chooses is reproducible from the seed (their interleaving is not: it is up to
 * the system under test). An optional pause between operations keeps the load bounded on a
 * small machine.
 */
public final class WorkloadRunner {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  /**
   * @param clients number of client threads (at least 1, at most 256)
   * @param duration how long clients issue operations
   * @param pauseBetweenOps sleep after each operation (zero: as fast as possible)
   * @param overtime how much longer than {@code duration} clients may go on while the
   *     recorder is {@linkplain HistoryRecorder#awaitingRecovery() awaiting recovery} from a
   *     late fault (zero: stop at {@code duration} whatever happened)
   */
  public record Options(int clients, Duration duration, Duration pauseBetweenOps, long seed, Duration overtime) {
    public Options {
      if (clients < 1 || clients > 256) {
        throw new IllegalArgumentException("clients must be in 1..256, got " + clients);
      }
      if (overtime.isNegative()) {
        throw new IllegalArgumentException("overtime must not be negative, got " + overtime);
      }
    }

    /** No overtime. */
    public Options(int clients, Duration duration, Duration pauseBetweenOps, long seed) {
      this(clients, duration, pauseBetweenOps, seed, Duration.ZERO);
    }
  }

  private WorkloadRunner() {}

  /**
   * Runs until the duration elapsed and every client finished its last operation (each is
   * bounded by the KvApi's request timeout); past the duration, clients go on for at most
   * {@link Options#overtime()} while a fault still awaits its first acknowledged write, so that
   * a fault scheduled near the end is measured instead of reported as "never recovered". A
   * client that throws ends the run with that exception after the others stopped.
   */
  public static void run(Workload workload, KvApi kv, HistoryRecorder recorder, Options o) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + o.duration().toNanos();
    long hardDeadline = deadline + o.overtime().toNanos();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < o.clients(); i++) {
      ClientContext ctx = new ClientContext(kv, new Random(o.seed() + i * GOLDEN), recorder, i, o.clients());
      Thread t = new Thread(() -> {
        try {
          while (failure.get() == null && goOn(System.nanoTime(), deadline, hardDeadline, recorder)) {
            workload.step(ctx);
            if (!o.pauseBetweenOps().isZero()) {
              Thread.sleep(o.pauseBetweenOps().toMillis());
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "chaos-client-" + i);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    Throwable f = failure.get();
    if (f != null) {
      throw new IllegalStateException("a client failed: " + f, f);
    }
  }

  private static boolean goOn(long now, long deadline, long hardDeadline, HistoryRecorder recorder) {
    return now - deadline < 0 || (now - hardDeadline < 0 && recorder.awaitingRecovery());
  }
}
