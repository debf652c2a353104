package io.quorumkv.chaos.check;

import java.util.List;

/**
 * What one checker concluded about a history, ready for the run report.
 *
 * @param checker a short name ("linearizability", "durability", ...)
 * @param verdict the conclusion
 * @param summary one line
 * @param details evidence for a FAIL or UNKNOWN (e.g. the window of operations), may be empty
 */
public record CheckResult(String checker, Verdict verdict, String summary, List<String> details) {
  public CheckResult {
    details = List.copyOf(details);
  }

  public static CheckResult pass(String checker, String summary) {
    return new CheckResult(checker, Verdict.PASS, summary, List.of());
  }
}
