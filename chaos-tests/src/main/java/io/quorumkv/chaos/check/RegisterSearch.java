package io.quorumkv.chaos.check;

import io.quorumkv.chaos.history.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The linearizability search for one register: Wing &amp; Gong's depth-first search over
 * linearization orders with Lowe's improvements (G. Lowe, "Testing for linearizability",
 * CCPE 2017):
 *
 * <ul>
 *   <li><b>Memoization</b> (§4, the "WGL" algorithm): a configuration is the set of
 *       linearized operations plus the model state; a configuration seen before is never
 *       explored again, which turns the exponential search into one bounded by the number of
 *       distinct configurations.
 *   <li><b>Just-in-time linearization</b> (§5): an operation is linearized only when it must
 *       be, i.e. when the earliest pending return forces it. At each step the search finds
 *       the unlinearized operation {@code o} with the smallest return time; the candidates
 *       are the unlinearized operations invoked no later than that return (they may precede
 *       {@code o}), tried with {@code o} first.
 *   <li>Dominance for indeterminate operations: a configuration in which an indeterminate
 *       operation is still pending can do everything the same configuration with it
 *       linearized can (it may simply never take effect). So a configuration that failed
 *       also rules out every configuration with the same definite operations linearized,
 *       the same state and a superset of its indeterminate operations linearized. Without
 *       this, each indeterminate operation doubles the space that must be exhausted to prove
 *       a violation (the problem Lowe and Jepsen's Knossos both note for pending calls).
 *   <li>Just-in-time for indeterminate operations, in Lowe's spirit: every linearization can
 *       be rewritten so that each indeterminate operation that takes effect is immediately
 *       followed by an operation that needs it (a read or CAS of the value it leaves, or a
 *       rejected CAS that needs the previous value gone); any other one can be moved later
 *       past the operation after it, or dropped. So an indeterminate operation is tried only
 *       when a current candidate needs it.
 *   <li>Symmetry: written values that no operation reads or compares against are one
 *       state ({@link #ANONYMOUS}), and indeterminate writes of such values are
 *       interchangeable (same effect, available forever), so only one of them is tried per
 *       configuration.
 *   <li>A pruning that is sound for state-preserving observers (a read of the current value,
 *       a CAS rejected by its check): if one is a legal candidate, linearizing it right away
 *       loses no solution (any completion can be reordered to start with it, since it does
 *       not change the state and every operation that must precede it is already
 *       linearized), so it is the only branch tried.
 * </ul>
 *
 * <p>Indeterminate operations return at +infinity: they can be linearized at any point after
 * their invocation, and once only indeterminate operations remain the history is accepted (the
 * rest never took effect). Equal timestamps count as concurrent. Iterative (explicit stack),
 * so long histories do not overflow the thread stack. Not thread-safe; one instance per run.
 */
final class RegisterSearch {
  /** Model value of a register that holds nothing. */
  static final long ABSENT = Long.MIN_VALUE;
  /** Model value "unknown": used as the initial state when checking a window of a history. */
  static final long WILDCARD = Long.MIN_VALUE + 1;
  /**
   * Model value standing for every written value that no operation of the history reads or
   * compares against: no operation can tell such values apart, so they are one state.
   */
  static final long ANONYMOUS = Long.MIN_VALUE + 2;

  enum Kind { READ, WRITE, CAS, CAS_REJECTED }

  /**
   * One operation in model form. {@code a}: value read / written / CAS-expected; {@code b}: CAS
   * new value. {@code ret} is {@link Op#NEVER} for indeterminate operations.
   */
  record SOp(Kind kind, long a, long b, long call, long ret, Op source) {}

  enum SearchResult { LINEARIZABLE, NOT_LINEARIZABLE, BUDGET_EXCEEDED }

  /** The outcome and the number of distinct configurations explored. */
  record Outcome(SearchResult result, long configurations) {}

  private static final int[] SUCCESS = new int[0];
  private static final int[] DEAD_END = new int[0];
  /** A configuration already known to fail: nothing new to record when it is popped. */
  private static final int[] PRUNED = new int[0];
  private static final int DEADLINE_CHECK_EVERY = 1024;

  private final SOp[] ops;
  private final int head;
  private final int[] next;
  private final int[] prev;
  /** Linearized definite operations, by index. */
  private final long[] definiteDone;
  /** Linearized indeterminate operations, by their dense ordinal (usually one word). */
  private final long[] infoDone;
  /** For each operation: -1 if definite, else its ordinal among indeterminate ones. */
  private final int[] infoOrdinal;
  private final Set<Config> seen = new HashSet<>();
  /** Failed configurations, by (definite operations linearized, state): their indeterminate sets. */
  private final Map<Config, List<long[]>> failed = new HashMap<>();
  private final boolean hasIndeterminate;
  private final long maxConfigurations;
  private final long deadlineNanos;
  private long state;

  private RegisterSearch(List<SOp> history, long initial, long maxConfigurations, long deadlineNanos) {
    this.ops = anonymize(history).stream().sorted(Comparator.comparingLong(SOp::call)).toArray(SOp[]::new);
    int n = ops.length;
    this.head = n;
    this.next = new int[n + 1];
    this.prev = new int[n + 1];
    for (int i = 0; i <= n; i++) {
      next[i] = (i + 1) % (n + 1);
      prev[i] = (i + n) % (n + 1);
    }
    this.definiteDone = new long[(n + 63) / 64];
    this.infoOrdinal = new int[n];
    int infos = 0;
    for (int i = 0; i < n; i++) {
      infoOrdinal[i] = ops[i].ret() == Op.NEVER ? infos++ : -1;
    }
    this.infoDone = new long[(infos + 63) / 64];
    for (int i = 0; i < n; i++) {
      if (infoOrdinal[i] >= 0) {
        definiteDone[i >>> 6] |= 1L << i; // permanently "done" here: tracked in infoDone
      }
    }
    this.hasIndeterminate = infos > 0;
    this.state = initial;
    this.maxConfigurations = maxConfigurations;
    this.deadlineNanos = deadlineNanos;
  }

  /** Searches for a linearization of {@code history} from register value {@code initial}. */
  static Outcome run(List<SOp> history, long initial, long maxConfigurations, long deadlineNanos) {
    RegisterSearch s = new RegisterSearch(history, initial, maxConfigurations, deadlineNanos);
    SearchResult r;
    try {
      r = s.search();
    } catch (BudgetExceeded e) {
      r = SearchResult.BUDGET_EXCEEDED;
    }
    return new Outcome(r, s.seen.size());
  }

  private SearchResult search() {
    int n = ops.length;
    int[][] candidates = new int[n + 1][];
    int[] cursor = new int[n + 1];
    int[] chosen = new int[n + 1];
    long[] stateBefore = new long[n + 1];
    int[] root = frame();
    if (root == SUCCESS) {
      return SearchResult.LINEARIZABLE;
    }
    candidates[0] = root;
    int depth = 1;
    long steps = 0;
    while (true) {
      if (++steps % DEADLINE_CHECK_EVERY == 0 && System.nanoTime() - deadlineNanos > 0) {
        throw new BudgetExceeded();
      }
      int top = depth - 1;
      if (cursor[top] < candidates[top].length) {
        int p = candidates[top][cursor[top]++];
        chosen[top] = p;
        stateBefore[top] = state;
        state = apply(state, ops[p]);
        lift(p);
        int[] f = frame();
        if (f == SUCCESS) {
          return SearchResult.LINEARIZABLE;
        }
        candidates[depth] = f;
        cursor[depth] = 0;
        depth++;
      } else {
        if (candidates[top] != PRUNED) {
          recordFailure();
        }
        depth--;
        if (depth == 0) {
          return SearchResult.NOT_LINEARIZABLE;
        }
        int p = chosen[depth - 1];
        unlift(p);
        state = stateBefore[depth - 1];
      }
    }
  }

  private static List<SOp> anonymize(List<SOp> history) {
    Set<Long> observed = new HashSet<>();
    for (SOp o : history) {
      if (o.kind() != Kind.WRITE) {
        observed.add(o.a());
      }
    }
    List<SOp> out = new ArrayList<>(history.size());
    for (SOp o : history) {
      if (o.kind() == Kind.WRITE && !observed.contains(o.a())) {
        o = new SOp(Kind.WRITE, ANONYMOUS, 0, o.call(), o.ret(), o.source());
      } else if (o.kind() == Kind.CAS && !observed.contains(o.b())) {
        o = new SOp(Kind.CAS, o.a(), ANONYMOUS, o.call(), o.ret(), o.source());
      }
      out.add(o);
    }
    return out;
  }

  /** The candidates of the current configuration, or SUCCESS / DEAD_END. */
  private int[] frame() {
    long minRet = Op.NEVER;
    int forced = -1;
    for (int i = next[head]; i != head && ops[i].call() <= minRet; i = next[i]) {
      if (ops[i].ret() < minRet) {
        minRet = ops[i].ret();
        forced = i;
      }
    }
    if (forced < 0) {
      return SUCCESS; // nothing left, or only indeterminate operations: they never happened
    }
    long[] definite = compactDefinite();
    if (!seen.add(new Config(concat(definite, infoDone), state)) || dominatedByFailure(definite)) {
      return PRUNED;
    }
    if (seen.size() > maxConfigurations) {
      throw new BudgetExceeded();
    }
    long[] wanted = wantedValues(minRet);
    List<Integer> legal = new ArrayList<>();
    if (legal(state, ops[forced])) {
      legal.add(forced);
    }
    boolean anonymousTried = false;
    for (int i = next[head]; i != head && ops[i].call() <= minRet; i = next[i]) {
      SOp o = ops[i];
      if (!legal(state, o)) {
        continue;
      }
      if (apply(state, o) == state && (o.kind() == Kind.READ || o.kind() == Kind.CAS_REJECTED)) {
        return new int[] {i};
      }
      if (i == forced || pointless(o, wanted)) {
        continue;
      }
      if (o.ret() == Op.NEVER && o.kind() == Kind.WRITE && o.a() == ANONYMOUS) {
        if (anonymousTried) {
          continue;
        }
        anonymousTried = true;
      }
      legal.add(i);
    }
    return legal.isEmpty() ? DEAD_END : legal.stream().mapToInt(Integer::intValue).toArray();
  }

  private void recordFailure() {
    if (!hasIndeterminate) {
      return; // plain memoization already covers it
    }
    failed.computeIfAbsent(new Config(compactDefinite(), state), k -> new ArrayList<>()).add(infoDone.clone());
  }

  private boolean dominatedByFailure(long[] definite) {
    if (!hasIndeterminate) {
      return false;
    }
    List<long[]> sets = failed.get(new Config(definite, state));
    if (sets == null) {
      return false;
    }
    for (long[] f : sets) {
      if (subset(f, infoDone)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The linearized definite operations, compactly: every operation before the first
   * unlinearized one is linearized, so store that index and the bits from there to the last
   * linearized one (usually a single word: the concurrency window). Keeps the memo small.
   */
  private long[] compactDefinite() {
    int n = ops.length;
    int first = 0;
    while (first < n && (definiteDone[first >>> 6] & (1L << first)) != 0) {
      if ((first & 63) == 0 && definiteDone[first >>> 6] == -1L) {
        first += 64;
      } else {
        first++;
      }
    }
    first = Math.min(first, n);
    int last = first;
    for (int j = definiteDone.length - 1; j >= 0 && (j + 1) * 64 - 1 > last; j--) {
      if (definiteDone[j] != 0) {
        last = Math.max(last, j * 64 + 63 - Long.numberOfLeadingZeros(definiteDone[j]));
        break;
      }
    }
    int words = (last - first + 64) / 64;
    long[] out = new long[1 + words];
    out[0] = first;
    for (int w = 0; w < words; w++) {
      int off = first + 64 * w;
      int j = off >>> 6;
      int r = off & 63;
      long lo = j < definiteDone.length ? definiteDone[j] >>> r : 0;
      long hi = r == 0 || j + 1 >= definiteDone.length ? 0 : definiteDone[j + 1] << (64 - r);
      out[1 + w] = lo | hi;
    }
    return out;
  }

  private static long[] concat(long[] a, long[] b) {
    long[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  private static boolean subset(long[] small, long[] big) {
    for (int i = 0; i < small.length; i++) {
      if ((small[i] & ~big[i]) != 0) {
        return false;
      }
    }
    return true;
  }

  static boolean legal(long s, SOp o) {
    return switch (o.kind()) {
      case READ, CAS -> s == o.a() || s == WILDCARD;
      case WRITE -> true;
      case CAS_REJECTED -> s != o.a();
    };
  }

  static long apply(long s, SOp o) {
    return switch (o.kind()) {
      case READ, WRITE -> o.a();
      case CAS -> o.b();
      case CAS_REJECTED -> s;
    };
  }

  /**
   * Values that some candidate needs the register to hold next: what a candidate READ or CAS
   * compares against, plus the current value if a candidate rejected CAS expects it (it needs
   * the value to change). The last slot holds the count.
   */
  private long[] wantedValues(long minRet) {
    long[] w = new long[8];
    int k = 0;
    for (int i = next[head]; i != head && ops[i].call() <= minRet; i = next[i]) {
      SOp o = ops[i];
      long v;
      if (o.kind() == Kind.READ || o.kind() == Kind.CAS) {
        v = o.a();
      } else if (o.kind() == Kind.CAS_REJECTED && o.a() == state) {
        v = WILDCARD; // "anything but the current value": any state change will do
      } else {
        continue;
      }
      if (k + 1 >= w.length) {
        w = Arrays.copyOf(w, w.length * 2);
      }
      w[k++] = v;
    }
    w[w.length - 1] = k;
    return w;
  }

  /**
   * An indeterminate operation is only worth linearizing right before a candidate that needs
   * its effect (see the class comment): in any linearization, an indeterminate operation
   * followed by something that does not need it can be moved later or dropped.
   */
  private boolean pointless(SOp o, long[] wanted) {
    if (o.ret() != Op.NEVER || o.kind() == Kind.READ || o.kind() == Kind.CAS_REJECTED) {
      return false;
    }
    long after = apply(state, o);
    int k = (int) wanted[wanted.length - 1];
    for (int j = 0; j < k; j++) {
      if (wanted[j] == after || wanted[j] == WILDCARD) {
        return false;
      }
    }
    return true;
  }

  private void lift(int i) {
    next[prev[i]] = next[i];
    prev[next[i]] = prev[i];
    int k = infoOrdinal[i];
    if (k < 0) {
      definiteDone[i >>> 6] |= 1L << i;
    } else {
      infoDone[k >>> 6] |= 1L << k;
    }
  }

  private void unlift(int i) {
    next[prev[i]] = i;
    prev[next[i]] = i;
    int k = infoOrdinal[i];
    if (k < 0) {
      definiteDone[i >>> 6] &= ~(1L << i);
    } else {
      infoDone[k >>> 6] &= ~(1L << k);
    }
  }

  /** A memoized configuration: which operations are linearized, and the register value. */
  private static final class Config {
    private final long[] bits;
    private final long state;
    private final int hash;

    Config(long[] bits, long state) {
      this.bits = bits;
      this.state = state;
      this.hash = 31 * Arrays.hashCode(bits) + Long.hashCode(state);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Config c && c.state == state && Arrays.equals(c.bits, bits);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private static final class BudgetExceeded extends RuntimeException {
    BudgetExceeded() {
      super(null, null, false, false);
    }
  }
}
