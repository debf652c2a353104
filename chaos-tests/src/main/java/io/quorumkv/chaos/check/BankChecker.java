package io.quorumkv.chaos.check;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.Op;
import io.quorumkv.chaos.history.OpStatus;
import io.quorumkv.chaos.history.OpType;
import java.util.ArrayList;
import java.util.List;

/**
 * The bank invariant: every snapshot read of all accounts (an OK {@link OpType#READ_ALL})
 * sees exactly the expected number of accounts, no negative balance, and the same total.
 * Transfers move money with checked atomic writes, so any other sum means a torn or lost
 * write or a read that is not a snapshot. Stateless and thread-safe.
 */
public final class BankChecker {
  /** Name used in reports. */
  public static final String NAME = "bank";
  private static final int MAX_REPORTED = 10;

  private final int accounts;
  private final long total;

  public BankChecker(int accounts, long total) {
    this.accounts = accounts;
    this.total = total;
  }

  public CheckResult check(History history) {
    List<String> bad = new ArrayList<>();
    int reads = 0;
    for (Op op : history.ops()) {
      if (op.type() != OpType.READ_ALL || op.status() != OpStatus.OK) {
        continue;
      }
      reads++;
      long sum = op.values().values().stream().mapToLong(Long::longValue).sum();
      boolean negative = op.values().values().stream().anyMatch(v -> v < 0);
      if (op.values().size() != accounts || sum != total || negative) {
        if (bad.size() < MAX_REPORTED) {
          bad.add(String.format(java.util.Locale.ROOT, "%d accounts, total %d%s: %s", op.values().size(), sum,
              negative ? ", a negative balance" : "", op.describe(history.originNanos())));
        }
      }
    }
    if (!bad.isEmpty()) {
      return new CheckResult(NAME, Verdict.FAIL, "snapshot reads broke the invariant (" + accounts + " accounts, total " + total + ")", bad);
    }
    if (reads == 0) {
      return new CheckResult(NAME, Verdict.UNKNOWN, "no successful balance read", List.of());
    }
    return CheckResult.pass(NAME, reads + " snapshot reads: " + accounts + " accounts, total " + total);
  }
}
