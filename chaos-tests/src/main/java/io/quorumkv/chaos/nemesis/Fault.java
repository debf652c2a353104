package io.quorumkv.chaos.nemesis;

import java.time.Duration;
import java.util.Locale;

/**
 * One scheduled fault. {@code target} picks the node where the type leaves a choice: the
 * follower ordinal for {@code *_FOLLOWER} (modulo the number of followers at run time), the
 * node index for {@code RESTART} and {@code PARTITION}; it is ignored for the leader faults and
 * {@code ALL_CRASH} (the leader is only known when the fault starts).
 */
public record Fault(FaultType type, int target, Duration start, Duration duration) {
  public Fault {
    if (target < 0 || start.isNegative() || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("bad fault " + type + " " + target + " " + start + " " + duration);
    }
  }

  /** When the fault is healed, relative to the start of the run. */
  public Duration end() {
    return start.plus(duration);
  }

  /** {@code +5.000s kill9-follower #1 for 3.200s}. */
  public String describe() {
    String who = switch (type) {
      case KILL9_FOLLOWER, WIPE_FOLLOWER -> " #" + target;
      case RESTART, PARTITION -> " n" + (target + 1);
      default -> "";
    };
    return String.format(Locale.ROOT, "+%.3fs %s%s for %.3fs", start.toMillis() / 1e3, type.label(), who, duration.toMillis() / 1e3);
  }
}
