package io.quorumkv.chaos.check;

/** A checker's conclusion. */
public enum Verdict {
  /** The property holds for the history. */
  PASS,
  /** The property is violated; the result says where. */
  FAIL,
  /** The checker could not decide (search budget exhausted, data missing). */
  UNKNOWN;

  /** FAIL beats UNKNOWN beats PASS. */
  public Verdict and(Verdict other) {
    if (this == FAIL || other == FAIL) {
      return FAIL;
    }
    return this == UNKNOWN || other == UNKNOWN ? UNKNOWN : PASS;
  }
}
