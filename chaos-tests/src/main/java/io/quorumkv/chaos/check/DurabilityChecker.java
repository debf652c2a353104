package io.quorumkv.chaos.check;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.Op;
import io.quorumkv.chaos.history.OpStatus;
import io.quorumkv.chaos.history.OpType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * No acknowledged write is lost: after the faults are healed, every register holds the value
 * of an acknowledged write that no later acknowledged write superseded, or of a write whose
 * outcome is unknown (it may have been applied last).
 *
 * <p>"Later" is real time only (no trust in versionstamps): OK write {@code w} is superseded
 * if another OK write or CAS on the key was invoked after {@code w} completed. The final value
 * must be the value of a non-superseded OK write, or of an indeterminate write. A value of a
 * definitely failed write, a value nobody wrote, or "absent" after an acknowledged write are
 * all violations. Stateless and thread-safe.
 */
public final class DurabilityChecker {
  /** Name used in reports. */
  public static final String NAME = "durability";

  /**
   * @param history the run's history (WRITE and CAS operations are used)
   * @param finalValues per key, the value read after healing (empty = absent); keys missing
   *     from the map could not be read and make the verdict UNKNOWN
   */
  public CheckResult check(History history, Map<String, Optional<Long>> finalValues) {
    List<String> problems = new ArrayList<>();
    List<String> unread = new ArrayList<>();
    Map<String, List<Op>> byKey = history.byKey(OpType.WRITE, OpType.CAS);
    int acknowledged = 0;
    for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
      String key = e.getKey();
      List<Op> writes = e.getValue().stream().filter(o -> !o.casRejected()).toList();
      acknowledged += (int) writes.stream().filter(o -> o.status() == OpStatus.OK).count();
      if (!finalValues.containsKey(key)) {
        unread.add(key);
        continue;
      }
      String p = checkKey(key, writes, finalValues.get(key).orElse(null), history.originNanos());
      if (p != null) {
        problems.add(p);
      }
    }
    if (!problems.isEmpty()) {
      return new CheckResult(NAME, Verdict.FAIL, problems.size() + " of " + byKey.size() + " keys lost an acknowledged write", problems);
    }
    if (!unread.isEmpty()) {
      return new CheckResult(NAME, Verdict.UNKNOWN, "final value unknown for " + unread.size() + " keys", List.of("unread: " + unread));
    }
    return CheckResult.pass(NAME, acknowledged + " acknowledged writes on " + byKey.size() + " keys: every final value is a latest write");
  }

  /** Null if the final value is acceptable, else why not. */
  private static String checkKey(String key, List<Op> writes, Long finalValue, long origin) {
    List<Op> ok = writes.stream().filter(o -> o.status() == OpStatus.OK).toList();
    List<Op> latest = new ArrayList<>();
    for (Op w : ok) {
      boolean superseded = ok.stream().anyMatch(o -> o.invokeNanos() > w.completeNanos());
      if (!superseded) {
        latest.add(w);
      }
    }
    Set<Long> acceptable = new HashSet<>();
    latest.forEach(w -> acceptable.add(w.value()));
    writes.stream().filter(o -> o.status() == OpStatus.INFO).forEach(w -> acceptable.add(w.value()));
    if (finalValue == null ? ok.isEmpty() : acceptable.contains(finalValue)) {
      return null;
    }
    Optional<Op> failedWrite = writes.stream()
        .filter(o -> o.status() == OpStatus.FAIL && finalValue != null && finalValue.equals(o.value())).findFirst();
    String why = failedWrite.map(f -> "holds the value of a definitely failed write: " + f.describe(origin))
        .orElseGet(() -> finalValue == null ? "is absent"
            : ok.stream().anyMatch(o -> finalValue.equals(o.value())) ? "holds superseded value " + finalValue
            : "holds " + finalValue + ", which no write wrote");
    StringBuilder b = new StringBuilder("key " + key + " " + why + "; latest acknowledged:");
    latest.forEach(w -> b.append("\n    ").append(w.describe(origin)));
    return b.toString();
  }
}
