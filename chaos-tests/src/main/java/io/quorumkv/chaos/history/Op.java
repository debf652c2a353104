package io.quorumkv.chaos.history;

import java.util.Map;

/**
 * One completed (or abandoned) client operation of a history. Immutable.
 *
 * <p>Times are {@link System#nanoTime()} readings of the recording process:
 * {@code invokeNanos} just before the request, {@code completeNanos} when the outcome was
 * known. For {@link OpStatus#INFO} the completion is when the client gave up; checkers treat
 * such an operation as still pending forever ({@link #effectiveCompleteNanos()}).
 *
 * @param id unique, in invocation order of the recorder
 * @param process the logical client; a client that saw an indeterminate outcome continues
 *     under a new process id, as in Jepsen
 * @param key the register or account name, or null for {@link OpType#READ_ALL}
 * @param expected CAS only: the value the register must hold (null = absent)
 * @param value the written value (WRITE, CAS) or the value read (READ; null = absent)
 * @param values TRANSFER deltas or READ_ALL results; empty otherwise
 * @param error null for OK, else why it failed or is indeterminate ({@link #CHECK_FAILED}
 *     for a CAS whose check did not match)
 */
public record Op(long id, int process, OpType type, String key, Long expected, Long value,
    Map<String, Long> values, long invokeNanos, long completeNanos, OpStatus status, String error) {

  /** The completion time of an operation that never completes. */
  public static final long NEVER = Long.MAX_VALUE;
  /** {@link #error()} of a CAS rejected by its check: an observation that the value differed. */
  public static final String CHECK_FAILED = "check-failed";
  /** Process id of the final reads taken after the faults healed. */
  public static final int FINAL_PROCESS = Integer.MAX_VALUE;

  public Op {
    values = values == null ? Map.of() : Map.copyOf(values);
    if (completeNanos < invokeNanos) {
      throw new IllegalArgumentException("op " + id + " completes before it is invoked");
    }
  }

  /** {@link #completeNanos()}, or {@link #NEVER} for an indeterminate operation. */
  public long effectiveCompleteNanos() {
    return status == OpStatus.INFO ? NEVER : completeNanos;
  }

  /** True for a definite CAS whose check failed. */
  public boolean casRejected() {
    return type == OpType.CAS && status == OpStatus.FAIL && CHECK_FAILED.equals(error);
  }

  /** One line, times in ms relative to {@code originNanos}. */
  public String describe(long originNanos) {
    String what = switch (type) {
      case READ -> "read " + show(value);
      case WRITE -> "write " + value;
      case CAS -> "cas " + show(expected) + "->" + value;
      case TRANSFER, READ_ALL -> type.name().toLowerCase(java.util.Locale.ROOT) + " " + values;
    };
    String done = status == OpStatus.INFO ? "?" : ms(completeNanos - originNanos);
    return String.format(java.util.Locale.ROOT, "p%d %s%s %s [%s, %s]%s", process,
        key == null ? "" : key + " ", what, status.name().toLowerCase(java.util.Locale.ROOT),
        ms(invokeNanos - originNanos), done, error == null ? "" : " (" + error + ")");
  }

  private static String show(Long v) {
    return v == null ? "absent" : v.toString();
  }

  private static String ms(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.3fms", nanos / 1e6);
  }
}
