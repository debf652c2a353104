package io.quorumkv.chaos.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable history: operations sorted by invocation time plus the fault windows, with the
 * time origin of the run. Built by {@link HistoryRecorder} or by hand in tests.
 */
public record History(long originNanos, List<Op> ops, List<FaultWindow> faults) {
  public History {
    List<Op> sorted = new ArrayList<>(ops);
    sorted.sort(Comparator.comparingLong(Op::invokeNanos).thenComparingLong(Op::id));
    ops = List.copyOf(sorted);
    faults = List.copyOf(faults);
  }

  /** A history without faults, origin = first invocation (or 0). */
  public static History of(List<Op> ops) {
    long origin = ops.stream().mapToLong(Op::invokeNanos).min().orElse(0);
    return new History(origin, ops, List.of());
  }

  /** Operations of the given types grouped by key, keys in first-seen order. */
  public Map<String, List<Op>> byKey(OpType... types) {
    List<OpType> wanted = List.of(types);
    Map<String, List<Op>> m = new LinkedHashMap<>();
    for (Op op : ops) {
      if (op.key() != null && wanted.contains(op.type())) {
        m.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      }
    }
    return m;
  }

  /** Number of operations per status. */
  public Map<OpStatus, Long> countByStatus() {
    Map<OpStatus, Long> m = new EnumMap<>(OpStatus.class);
    for (OpStatus s : OpStatus.values()) {
      m.put(s, 0L);
    }
    for (Op op : ops) {
      m.merge(op.status(), 1L, Long::sum);
    }
    return m;
  }

  /** Time of the last invocation or definite completion (the end of the observed run). */
  public long endNanos() {
    long end = originNanos;
    for (Op op : ops) {
      end = Math.max(end, op.completeNanos());
    }
    for (FaultWindow f : faults) {
      end = Math.max(end, f.endNanos() == Op.NEVER ? f.startNanos() : f.endNanos());
    }
    return end;
  }
}
