package io.quorumkv.chaos.check;

import io.quorumkv.chaos.check.RegisterSearch.Kind;
import io.quorumkv.chaos.check.RegisterSearch.SearchResult;
import io.quorumkv.chaos.check.RegisterSearch.SOp;
import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.Op;
import io.quorumkv.chaos.history.OpStatus;
import io.quorumkv.chaos.history.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks that the register operations of a history (READ, WRITE, CAS per key) are
 * linearizable against a single-register model whose initial value is "absent".
 *
 * <p>P-compositionality (Herlihy &amp; Wing's locality; Horn &amp; Kroening, "Faster
 * linearizability checking via P-compositionality", FORTE 2015): a history is linearizable iff
 * its restriction to every key is, so each key is searched on its own ({@link RegisterSearch}).
 *
 * <p>How operations enter the model: OK reads constrain the value; failed or indeterminate
 * reads are dropped (they observed nothing). OK and indeterminate writes and CASes are
 * operations (indeterminate ones may take effect at any point after their invocation, or
 * never); definitely failed ones are dropped, except a CAS rejected by its check, which is the
 * observation "the value was not the expected one". CAS compares versionstamps on the wire;
 * since every written value is unique, "same versionstamp" and "same value" coincide.
 *
 * <p>When a key is not linearizable the checker explains it: it finds the earliest completion
 * after which the history can no longer be linearized (the culprit), then the latest
 * quiescent cut (every earlier definite operation completed before it) such that the
 * operations after the cut cannot be linearized from <em>any</em> initial value. That window is
 * a self-contained counterexample. The search is bounded per key by a number of
 * configurations and a time limit; a key that exhausts either is UNKNOWN. Thread-safe
 * (stateless apart from its options).
 */
public final class LinearizabilityChecker {
  /** Name used in reports. */
  public static final String NAME = "linearizability";
  private static final int MAX_WINDOW_LINES = 60;

  /**
   * @param maxConfigurationsPerKey bound on memoized configurations per search
   * @param timeLimitPerKey wall-clock bound per key, including the explanation
   * @param maxWindowAttempts bound on window searches when explaining a failure
   */
  public record Options(long maxConfigurationsPerKey, Duration timeLimitPerKey, int maxWindowAttempts) {
    public static Options defaults() {
      return new Options(500_000, Duration.ofSeconds(30), 200);
    }
  }

  /** The verdict for one key. */
  public sealed interface KeyVerdict {
    String key();
  }

  /** A linearization exists. */
  public record Linearizable(String key, int operations, long configurations) implements KeyVerdict {}

  /**
   * No linearization exists. {@code window} (sorted by invocation) cannot be linearized from
   * any initial value unless {@code fromStart}, in which case it is the whole prefix of the
   * history up to the culprit, starting from "absent".
   */
  public record NotLinearizable(String key, Op culprit, List<Op> window, boolean fromStart) implements KeyVerdict {}

  /** The search budget ran out. */
  public record Unknown(String key, String reason) implements KeyVerdict {}

  /** Per-key verdicts of a whole history. */
  public record Result(List<KeyVerdict> keys) {
    public Verdict verdict() {
      Verdict v = Verdict.PASS;
      for (KeyVerdict k : keys) {
        v = v.and(switch (k) {
          case Linearizable l -> Verdict.PASS;
          case NotLinearizable n -> Verdict.FAIL;
          case Unknown u -> Verdict.UNKNOWN;
        });
      }
      return v;
    }

    /** The report form; times in the window are relative to {@code originNanos}. */
    public CheckResult toCheckResult(long originNanos) {
      List<String> details = new ArrayList<>();
      long ops = 0;
      for (KeyVerdict k : keys) {
        switch (k) {
          case Linearizable l -> ops += l.operations();
          case Unknown u -> details.add("key " + u.key() + ": unknown: " + u.reason());
          case NotLinearizable n -> {
            details.add("key " + n.key() + ": not linearizable; culprit: " + n.culprit().describe(originNanos));
            details.add(n.fromStart()
                ? "  no self-contained window; the history from the start (initial value absent):"
                : "  these operations cannot be linearized from any initial value:");
            n.window().stream().limit(MAX_WINDOW_LINES).forEach(o -> details.add("    " + o.describe(originNanos)));
            if (n.window().size() > MAX_WINDOW_LINES) {
              details.add("    ... " + (n.window().size() - MAX_WINDOW_LINES) + " more");
            }
          }
        }
      }
      String summary = switch (verdict()) {
        case PASS -> keys.size() + " keys, " + ops + " operations linearizable";
        case FAIL -> keys.stream().filter(k -> k instanceof NotLinearizable).count() + " of " + keys.size() + " keys not linearizable";
        case UNKNOWN -> keys.stream().filter(k -> k instanceof Unknown).count() + " of " + keys.size() + " keys undecided (search budget)";
      };
      return new CheckResult(NAME, verdict(), summary, details);
    }
  }

  private final Options options;

  public LinearizabilityChecker(Options options) {
    this.options = options;
  }

  public LinearizabilityChecker() {
    this(Options.defaults());
  }

  /** Checks every key of {@code history} that has READ, WRITE or CAS operations. */
  public Result check(History history) {
    List<KeyVerdict> out = new ArrayList<>();
    for (Map.Entry<String, List<Op>> e : history.byKey(OpType.READ, OpType.WRITE, OpType.CAS).entrySet()) {
      out.add(checkKey(e.getKey(), e.getValue()));
    }
    return new Result(List.copyOf(out));
  }

  /** Checks the operations of one key (all must be READ, WRITE or CAS on it). */
  public KeyVerdict checkKey(String key, List<Op> ops) {
    long deadline = System.nanoTime() + options.timeLimitPerKey().toNanos();
    List<SOp> model = toModel(ops, Op.NEVER);
    RegisterSearch.Outcome o = RegisterSearch.run(model, RegisterSearch.ABSENT, options.maxConfigurationsPerKey(), deadline);
    return switch (o.result()) {
      case LINEARIZABLE -> new Linearizable(key, model.size(), o.configurations());
      case BUDGET_EXCEEDED -> new Unknown(key, "gave up after " + o.configurations() + " configurations");
      case NOT_LINEARIZABLE -> explain(key, ops, deadline);
    };
  }

  /**
   * Model operations of {@code ops} as seen at time {@code cut}: operations invoked after it
   * are left out, and those still running at it become indeterminate (reads are dropped).
   */
  static List<SOp> toModel(List<Op> ops, long cut) {
    List<SOp> out = new ArrayList<>();
    for (Op op : ops) {
      if (op.invokeNanos() > cut) {
        continue;
      }
      long ret = op.effectiveCompleteNanos() > cut ? Op.NEVER : op.effectiveCompleteNanos();
      boolean definite = ret != Op.NEVER;
      switch (op.type()) {
        case READ -> {
          if (op.status() == OpStatus.OK && definite) {
            out.add(new SOp(Kind.READ, model(op.value()), 0, op.invokeNanos(), ret, op));
          }
        }
        case WRITE -> {
          if (op.status() != OpStatus.FAIL) {
            out.add(new SOp(Kind.WRITE, model(op.value()), 0, op.invokeNanos(), ret, op));
          }
        }
        case CAS -> {
          if (op.casRejected()) {
            if (definite) {
              out.add(new SOp(Kind.CAS_REJECTED, model(op.expected()), 0, op.invokeNanos(), ret, op));
            }
          } else if (op.status() != OpStatus.FAIL) {
            out.add(new SOp(Kind.CAS, model(op.expected()), model(op.value()), op.invokeNanos(), ret, op));
          }
        }
        default -> throw new IllegalArgumentException("not a register operation: " + op);
      }
    }
    return out;
  }

  private static long model(Long v) {
    if (v == null) {
      return RegisterSearch.ABSENT;
    }
    if (v == RegisterSearch.ABSENT || v == RegisterSearch.WILDCARD || v == RegisterSearch.ANONYMOUS) {
      throw new IllegalArgumentException("register value " + v + " is reserved by the checker");
    }
    return v;
  }

  private KeyVerdict explain(String key, List<Op> ops, long deadline) {
    // 1. The earliest definite completion after which no linearization exists (prefixes of a
    //    linearizable history are linearizable, so this is a binary search).
    long[] cuts = ops.stream().filter(o -> o.status() != OpStatus.INFO).mapToLong(Op::completeNanos)
        .distinct().sorted().toArray();
    int lo = 0;
    int hi = cuts.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      SearchResult r = RegisterSearch.run(toModel(ops, cuts[mid]), RegisterSearch.ABSENT, options.maxConfigurationsPerKey(), deadline).result();
      if (r == SearchResult.NOT_LINEARIZABLE) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    long cut = cuts[hi];
    List<SOp> prefix = toModel(ops, cut);
    // the operation completing at the cut (the latest definite one if a budget blurred the search)
    Op culprit = prefix.stream().filter(s -> s.ret() <= cut).max(Comparator.comparingLong(SOp::ret))
        .map(SOp::source).orElseThrow();
    // 2. The latest quiescent cut before the culprit whose suffix fails from any value.
    TreeSet<Long> quiescent = new TreeSet<>(Comparator.reverseOrder());
    List<SOp> byCall = prefix.stream().sorted(Comparator.comparingLong(SOp::call)).toList();
    long maxRetBefore = Long.MIN_VALUE;
    for (SOp s : byCall) {
      if (maxRetBefore < s.call() && s.call() <= culprit.invokeNanos()) {
        quiescent.add(s.call());
      }
      if (s.ret() != Op.NEVER) {
        maxRetBefore = Math.max(maxRetBefore, s.ret());
      }
    }
    int attempts = 0;
    for (long start : quiescent) {
      if (attempts++ >= options.maxWindowAttempts() || System.nanoTime() - deadline > 0) {
        break;
      }
      List<SOp> window = byCall.stream().filter(s -> s.call() >= start || s.ret() == Op.NEVER).toList();
      if (RegisterSearch.run(window, RegisterSearch.WILDCARD, options.maxConfigurationsPerKey(), deadline).result()
          == SearchResult.NOT_LINEARIZABLE) {
        return new NotLinearizable(key, culprit, sources(relevant(window, start)), false);
      }
    }
    return new NotLinearizable(key, culprit, sources(byCall), true);
  }

  /**
   * The window without indeterminate operations invoked before the cut whose value no window
   * operation observes. Dropping operations that may never happen only makes linearizing
   * harder, so the result still cannot be linearized; it just reads better.
   */
  private static List<SOp> relevant(List<SOp> window, long start) {
    java.util.Set<Long> observed = new java.util.HashSet<>();
    for (SOp s : window) {
      if (s.call() >= start && s.kind() != Kind.WRITE) {
        observed.add(s.a());
      }
    }
    return window.stream().filter(s -> s.call() >= start
        || observed.contains(s.kind() == Kind.CAS ? s.b() : s.a())).toList();
  }

  private static List<Op> sources(List<SOp> window) {
    return window.stream().map(SOp::source).toList();
  }
}
