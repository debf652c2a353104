package io.quorumkv.chaos.check;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.Op;
import io.quorumkv.chaos.history.OpStatus;
import io.quorumkv.chaos.history.OpType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Hand-made histories for checker tests: times in ms, process ids in order of appearance. */
final class Hist {
  static final long MS = 1_000_000L;
  private final List<Op> ops = new ArrayList<>();
  private String key = "x";

  Hist key(String k) {
    key = k;
    return this;
  }

  Hist write(long value, double from, double to) {
    return add(OpType.WRITE, null, value, from, to, OpStatus.OK, null);
  }

  Hist writeInfo(long value, double from, double to) {
    return add(OpType.WRITE, null, value, from, to, OpStatus.INFO, "timeout");
  }

  Hist writeFail(long value, double from, double to) {
    return add(OpType.WRITE, null, value, from, to, OpStatus.FAIL, "400");
  }

  /** {@code value} null = read absent. */
  Hist read(Long value, double from, double to) {
    return add(OpType.READ, null, value, from, to, OpStatus.OK, null);
  }

  Hist readInfo(double from, double to) {
    return add(OpType.READ, null, null, from, to, OpStatus.INFO, "timeout");
  }

  Hist cas(Long expected, long value, double from, double to) {
    return add(OpType.CAS, expected, value, from, to, OpStatus.OK, null);
  }

  Hist casInfo(Long expected, long value, double from, double to) {
    return add(OpType.CAS, expected, value, from, to, OpStatus.INFO, "timeout");
  }

  Hist casRejected(Long expected, long value, double from, double to) {
    return add(OpType.CAS, expected, value, from, to, OpStatus.FAIL, Op.CHECK_FAILED);
  }

  Hist add(OpType type, Long expected, Long value, double from, double to, OpStatus status, String error) {
    ops.add(new Op(ops.size(), ops.size(), type, key, expected, value, Map.of(), (long) (from * MS), (long) (to * MS), status, error));
    return this;
  }

  Op op(int i) {
    return ops.get(i);
  }

  List<Op> ops() {
    return List.copyOf(ops);
  }

  History history() {
    return new History(0, ops, List.of());
  }
}
