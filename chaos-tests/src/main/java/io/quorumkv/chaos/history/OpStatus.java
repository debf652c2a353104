package io.quorumkv.chaos.history;

/** Completion of an operation, in Jepsen's vocabulary. */
public enum OpStatus {
  /** Took effect; the recorded result is what the system returned. */
  OK,
  /** Definitely did not take effect. */
  FAIL,
  /** Indeterminate: may take effect at any time after its invocation, or never. */
  INFO
}
