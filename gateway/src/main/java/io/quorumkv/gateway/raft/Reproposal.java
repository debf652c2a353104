package io.quorumkv.gateway.raft;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Runs a proposal again when its fate is unknown, until a deadline. Safe only because every
 * command carries a request id that the state machine remembers (Command.request_id): a second
 * proposal of a command that did commit is answered with the first result and changes nothing.
 * Without it, answering 503 after a lost reply made the Deno client retry a check+set that had
 * already been applied (the rolling-restart test saw the counter one ahead of the acknowledged
 * increments).
 */
final class Reproposal {
  private Reproposal() {}

  /**
   * Completes with the first attempt that succeeds; an attempt that fails with a retryable
   * error is repeated after {@code pauseMs} while the clock is before {@code deadlineNanos};
   * otherwise the last failure is passed on.
   */
  static <T> CompletableFuture<T> until(Supplier<CompletableFuture<T>> attempt, Predicate<Throwable> retryable,
      long deadlineNanos, long pauseMs, LongSupplier clock) {
    CompletableFuture<T> first;
    try {
      first = attempt.get();
    } catch (RuntimeException e) {
      first = CompletableFuture.failedFuture(e);
    }
    return first.exceptionallyCompose(e -> {
      Throwable cause = unwrap(e);
      if (!retryable.test(cause) || clock.getAsLong() - deadlineNanos >= 0) {
        return CompletableFuture.failedFuture(cause);
      }
      return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(pauseMs, TimeUnit.MILLISECONDS))
          .thenCompose(ignored -> until(attempt, retryable, deadlineNanos, pauseMs, clock));
    });
  }

  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
