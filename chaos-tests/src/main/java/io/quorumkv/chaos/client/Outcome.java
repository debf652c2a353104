package io.quorumkv.chaos.client;

import java.util.function.Function;

/**
 * The result of one KV Connect request, classified the way a history checker needs it.
 *
 * <ul>
 *   <li>{@link Ok}: the server answered and the operation took effect (or was read).
 *   <li>{@link Fail}: the operation definitely did <em>not</em> take effect: a 4xx answer, a
 *       failed check ({@code AW_CHECK_FAILURE}), or a request that never left this process
 *       (connection refused, metadata unavailable).
 *   <li>{@link Indeterminate}: it may or may not have taken effect: a timeout, a 5xx, a
 *       connection lost after the request was sent, an undecodable 200.
 * </ul>
 *
 * <p>Expected outcomes are values (STYLE.md practice 5); the client never throws for them.
 */
public sealed interface Outcome<T> {

  /** Why an operation definitely failed. */
  enum FailKind {
    /** {@code AW_CHECK_FAILURE}: a check did not match; nothing was written. */
    CHECK_FAILED,
    /** The server refused the request (4xx, or a status that says it did nothing). */
    REJECTED,
    /** The request was never delivered (no connection, no metadata). */
    NOT_SENT
  }

  /** The operation took effect; {@code value} is what it returned. */
  record Ok<T>(T value) implements Outcome<T> {}

  /** The operation definitely did not take effect. */
  record Fail<T>(FailKind kind, String message) implements Outcome<T> {}

  /** The operation may or may not have taken effect. */
  record Indeterminate<T>(String message) implements Outcome<T> {}

  /** True for {@link Ok}. */
  default boolean isOk() {
    return this instanceof Ok<T>;
  }

  /** The value of an {@link Ok}; throws {@link IllegalStateException} otherwise. */
  default T value() {
    if (this instanceof Ok<T>(T v)) {
      return v;
    }
    throw new IllegalStateException("not ok: " + this);
  }

  /** A short description of a non-Ok outcome, {@code "ok"} for Ok. */
  default String describe() {
    return switch (this) {
      case Ok<T> ok -> "ok";
      case Fail<T>(FailKind kind, String message) -> kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + message;
      case Indeterminate<T>(String message) -> "indeterminate: " + message;
    };
  }

  /** The same classification with the Ok value mapped. */
  default <U> Outcome<U> map(Function<? super T, ? extends U> f) {
    return switch (this) {
      case Ok<T>(T v) -> new Ok<>(f.apply(v));
      case Fail<T>(FailKind kind, String message) -> new Fail<>(kind, message);
      case Indeterminate<T>(String message) -> new Indeterminate<>(message);
    };
  }
}
