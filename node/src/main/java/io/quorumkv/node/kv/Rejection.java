package io.quorumkv.node.kv;

/**
 * Unwinds a write that must be rejected with a 400 message. Internal control flow of the applier:
 * it never escapes {@link Applier#apply}. No stack trace: it is an expected outcome.
 */
final class Rejection extends Exception {
  Rejection(String message) {
    super(message, null, false, false);
  }
}
