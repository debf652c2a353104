package io.quorumkv.node.kv;

import io.quorumkv.proto.Versionstamp;
import java.util.List;
import java.util.Objects;

/**
 * What applying one atomic write produced. Each is an expected outcome, not an error (STYLE.md
 * practice 5): storage failures are exceptions, these are values. Immutable and thread-safe
 * (touched-key arrays are not copied and must not be modified).
 */
public sealed interface WriteOutcome {

  /**
   * The write committed with {@code versionstamp}. {@code touchedKeys} holds the key of every
   * mutation in request order (duplicates possible); a versionstamped set contributes both its
   * prefix key and the full stored key. Watchers of any of these keys must be notified.
   */
  record Committed(Versionstamp versionstamp, List<byte[]> touchedKeys) implements WriteOutcome {
    public Committed {
      Objects.requireNonNull(versionstamp, "versionstamp");
      touchedKeys = List.copyOf(touchedKeys);
    }
  }

  /** A check did not match: nothing changed, no versionstamp used (AW_CHECK_FAILURE). */
  record CheckFailed() implements WriteOutcome {
    /** The only instance needed. */
    public static final CheckFailed INSTANCE = new CheckFailed();
  }

  /**
   * A type, range or argument error: nothing changed (the write was rolled back entirely).
   * {@code message} is the reference's exact 400 text.
   */
  record Rejected(String message) implements WriteOutcome {
    public Rejected {
      Objects.requireNonNull(message, "message");
    }
  }
}
