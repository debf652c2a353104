package io.quorumkv.chaos.history;

/** What a recorded operation did; see {@link Op} for which fields each type uses. */
public enum OpType {
  /** Strong read of one register: {@link Op#value()} is the value read (null = absent). */
  READ,
  /** Unconditional write of {@link Op#value()} to one register. */
  WRITE,
  /** Compare-and-set: write {@link Op#value()} if the register holds {@link Op#expected()}. */
  CAS,
  /** Bank transfer: {@link Op#values()} maps the two accounts to their deltas. */
  TRANSFER,
  /** One snapshot read of many keys: {@link Op#values()} is what was read. */
  READ_ALL
}
