package io.quorumkv.gateway.http;

import java.util.Optional;
import java.util.UUID;

/**
 * Parses a UUID in every spelling the Rust {@code uuid} crate (1.x, {@code Uuid::parse_str})
 * accepts, because Deno and {@code @deno/kv} echo back whatever they were given and the reference
 * compares parsed values: 36-character hyphenated ({@code 8-4-4-4-12}), 32 hex digits with no
 * hyphens, hyphenated in braces ({@code {...}}), and {@code urn:uuid:} followed by the hyphenated
 * form. Hex digits may be of either case; the {@code urn:uuid:} prefix is lower case only, as in
 * the crate. Stateless and thread-safe.
 */
final class UuidText {
  private static final String URN_PREFIX = "urn:uuid:";
  private static final int SIMPLE_LENGTH = 32;
  private static final int HYPHENATED_LENGTH = 36;

  private UuidText() {}

  /** The UUID {@code text} spells, or empty if the crate would reject it. */
  static Optional<UUID> parse(String text) {
    if (text.length() == SIMPLE_LENGTH) {
      return fromHex(text);
    }
    String hyphenated = text;
    if (text.length() == HYPHENATED_LENGTH + 2 && text.startsWith("{") && text.endsWith("}")) {
      hyphenated = text.substring(1, text.length() - 1);
    } else if (text.length() == HYPHENATED_LENGTH + URN_PREFIX.length()
        && text.startsWith(URN_PREFIX)) {
      hyphenated = text.substring(URN_PREFIX.length());
    }
    if (hyphenated.length() != HYPHENATED_LENGTH) {
      return Optional.empty();
    }
    for (int hyphenAt : new int[] {8, 13, 18, 23}) {
      if (hyphenated.charAt(hyphenAt) != '-') {
        return Optional.empty();
      }
    }
    return fromHex(hyphenated.replace("-", ""));
  }

  private static Optional<UUID> fromHex(String hex) {
    if (hex.length() != SIMPLE_LENGTH) {
      return Optional.empty();
    }
    long high = 0;
    long low = 0;
    for (int i = 0; i < SIMPLE_LENGTH; i++) {
      int digit = Character.digit(hex.charAt(i), 16);
      // Character.digit also accepts non-ASCII digits; the crate does not.
      if (digit < 0 || hex.charAt(i) > 'f') {
        return Optional.empty();
      }
      if (i < SIMPLE_LENGTH / 2) {
        high = (high << 4) | digit;
      } else {
        low = (low << 4) | digit;
      }
    }
    return Optional.of(new UUID(high, low));
  }
}
