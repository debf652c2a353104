package io.quorumkv.proto;

/**
 * The shared error vocabulary (STYLE.md practice 6). Every failure that crosses a module
 * boundary is one of these; the gateway maps them to HTTP in one place.
 */
public abstract sealed class KvException extends RuntimeException
    permits KvException.InvalidRequest,
        KvException.Unauthorized,
        KvException.LeaderUnavailable,
        KvException.Indeterminate,
        KvException.Overloaded {

  private KvException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The HTTP status this error maps to. */
  public abstract int httpStatus();

  /** Bad input: 400 with the reference's exact message. Never reaches the log. */
  public static final class InvalidRequest extends KvException {
    public InvalidRequest(String message) {
      super(message, null);
    }

    @Override
    public int httpStatus() {
      return 400;
    }
  }

  /** Missing or wrong credentials: 401 with the reference's exact message. */
  public static final class Unauthorized extends KvException {
    public Unauthorized(String message) {
      super(message, null);
    }

    @Override
    public int httpStatus() {
      return 401;
    }
  }

  /** No leader known (or it changed) within the wait bound: 503, Deno retries. */
  public static final class LeaderUnavailable extends KvException {
    public LeaderUnavailable(String message, Throwable cause) {
      super(message, cause);
    }

    @Override
    public int httpStatus() {
      return 503;
    }
  }

  /** A proposed write whose outcome could not be learned in time: it may or may not commit. */
  public static final class Indeterminate extends KvException {
    public Indeterminate(String message, Throwable cause) {
      super(message, cause);
    }

    @Override
    public int httpStatus() {
      return 503;
    }
  }

  /** A bounded queue is full: 503, the client retries later. */
  public static final class Overloaded extends KvException {
    public Overloaded(String message) {
      super(message, null);
    }

    @Override
    public int httpStatus() {
      return 503;
    }
  }
}
