package io.quorumkv.gateway.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.quorumkv.proto.KvException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The header checks of KV Connect, in the reference's order and with its messages
 * (KV-CONNECT.md §1.2 step 3 and §1.3): protocol version, then bearer token, then database id.
 *
 * <p>The token is compared in constant time on every path (the reference does so only for the
 * metadata exchange): both sides are hashed with SHA-256 and the digests compared with
 * {@link MessageDigest#isEqual}, so neither the content nor the length of the expected token
 * leaks through timing.
 *
 * <p>Immutable and thread-safe.
 */
final class AccessControl {
  static final String MALFORMED_AUTHORIZATION = "Malformed authorization header.";
  static final String INVALID_ACCESS_TOKEN = "Invalid access token.";
  static final String INVALID_PROTOCOL_VERSION = "Expected protocol version 2.";
  static final String INVALID_DATABASE_ID = "Invalid database id.";

  private static final HeaderName PROTOCOL_VERSION = HeaderNames.create("x-denokv-version");
  private static final HeaderName DATABASE_ID = HeaderNames.create("x-denokv-database-id");

  private final byte[] accessTokenSha256;
  private final UUID databaseId;

  AccessControl(String accessToken, UUID databaseId) {
    this.accessTokenSha256 = sha256(accessToken);
    this.databaseId = databaseId;
  }

  /**
   * Checks the {@code authorization} header: {@code <scheme> <token>} with the scheme
   * {@code bearer} in any case and the token exactly the access token (not trimmed).
   *
   * @throws KvException.Unauthorized {@value #MALFORMED_AUTHORIZATION} or
   *     {@value #INVALID_ACCESS_TOKEN}
   */
  void checkAuthorization(Headers headers) {
    String authorization =
        visibleAscii(headers, HeaderNames.AUTHORIZATION)
            .orElseThrow(() -> new KvException.Unauthorized(MALFORMED_AUTHORIZATION));
    int space = authorization.indexOf(' ');
    if (space < 0) {
      throw new KvException.Unauthorized(MALFORMED_AUTHORIZATION);
    }
    boolean bearer = authorization.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer");
    // Always hash and compare, also for a wrong scheme, so the time taken does not say which.
    boolean tokenMatches =
        MessageDigest.isEqual(sha256(authorization.substring(space + 1)), accessTokenSha256);
    if (!bearer || !tokenMatches) {
      throw new KvException.Unauthorized(INVALID_ACCESS_TOKEN);
    }
  }

  /**
   * The data-path checks in the reference middleware's order: {@code x-denokv-version} is
   * {@code 2} or {@code 3}; the bearer token; {@code x-denokv-database-id} names this database in
   * any spelling the Rust {@code uuid} crate accepts.
   *
   * @throws KvException.InvalidRequest or {@link KvException.Unauthorized} for the first failure
   */
  void checkDataPath(Headers headers) {
    String version = visibleAscii(headers, PROTOCOL_VERSION).orElse("");
    if (!version.equals("2") && !version.equals("3")) {
      throw new KvException.InvalidRequest(INVALID_PROTOCOL_VERSION);
    }
    checkAuthorization(headers);
    boolean sameDatabase =
        visibleAscii(headers, DATABASE_ID)
            .flatMap(UuidText::parse)
            .map(databaseId::equals)
            .orElse(false);
    if (!sameDatabase) {
      throw new KvException.InvalidRequest(INVALID_DATABASE_ID);
    }
  }

  /**
   * The first value of a header if it consists of visible ASCII and tabs only, as the
   * reference's {@code HeaderValue::to_str} requires; anything else counts as absent.
   */
  private static Optional<String> visibleAscii(Headers headers, HeaderName name) {
    return headers
        .first(name)
        .filter(v -> v.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7F)));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
