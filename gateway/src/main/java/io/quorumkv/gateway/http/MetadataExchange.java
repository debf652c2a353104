package io.quorumkv.gateway.http;

import io.quorumkv.proto.KvException;
import jakarta.json.Json;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParser.Event;
import jakarta.json.stream.JsonParserFactory;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The metadata exchange ({@code POST /} and {@code POST /replica}, KV-CONNECT.md §1.2): reads
 * the client's supported protocol versions and writes the database metadata document.
 *
 * <p>Request parsing mirrors the reference ({@code Option<Json<MetadataExchangeRequest>>} under
 * axum and serde): the content type must be {@code application/json} or
 * {@code application/*+json}; the body must be one UTF-8 JSON object, nothing after it; a
 * {@code supportedVersions} member, if present (at most once), must be an array of unsigned
 * 64-bit integer literals; other members are ignored. Any failure is "no usable body".
 *
 * <p>Stateless and thread-safe (the JSON-P factories are thread-safe).
 */
final class MetadataExchange {
  static final String MINIMUM_PROTOCOL_VERSION =
      "The server requires at least protocol version 2. Use Deno 1.38.0 or newer.";
  static final String NO_MATCHING_PROTOCOL_VERSION =
      "The server could not negotiate a protocol version. The server requires protocol version 2"
          + " or 3.";

  /** How long a metadata document stays valid; the reference's value (KV-CONNECT.md §9.1). */
  static final long EXPIRES_AFTER_MS = 24L * 60 * 60 * 1000;

  /** An endpoint of the metadata document. */
  record Endpoint(String url, String consistency) {}

  /**
   * Which of the versions this server speaks a client offered. Only these two facts are kept,
   * so a body of a million version numbers costs no memory beyond its bytes.
   */
  record Offered(boolean two, boolean three) {}

  private static final JsonParserFactory PARSERS = Json.createParserFactory(Map.of());
  private static final JsonGeneratorFactory GENERATORS = Json.createGeneratorFactory(Map.of());
  /** RFC 3339, UTC, {@code Z}, 9 fraction digits: what the reference emits and npm accepts. */
  private static final DateTimeFormatter EXPIRES_AT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);
  private static final Pattern UNSIGNED_INTEGER = Pattern.compile("0|[1-9][0-9]*");
  /** 2^64 - 1 in decimal: literals are compared as text, so no huge number is ever parsed. */
  private static final String U64_MAX = "18446744073709551615";
  private static final String SUPPORTED_VERSIONS = "supportedVersions";

  private MetadataExchange() {}

  /**
   * The protocol version to speak: 3 if offered, else 2.
   *
   * @param contentType the request's {@code content-type}, if any
   * @param body the request body, or empty if it was too large to read
   * @throws KvException.InvalidRequest {@value #MINIMUM_PROTOCOL_VERSION} if there is no usable
   *     JSON body, {@value #NO_MATCHING_PROTOCOL_VERSION} if neither 2 nor 3 is offered
   */
  static int negotiateVersion(Optional<String> contentType, Optional<byte[]> body) {
    Offered offered =
        contentType
            .filter(MetadataExchange::isJsonContentType)
            .flatMap(type -> body)
            .flatMap(MetadataExchange::parseSupportedVersions)
            .orElseThrow(() -> new KvException.InvalidRequest(MINIMUM_PROTOCOL_VERSION));
    if (offered.three()) {
      return 3;
    }
    if (offered.two()) {
      return 2;
    }
    throw new KvException.InvalidRequest(NO_MATCHING_PROTOCOL_VERSION);
  }

  /**
   * The metadata document, members in the reference's order: version, databaseId, endpoints,
   * token, expiresAt (npm rejects any extra member).
   */
  static String document(
      int version, String databaseId, List<Endpoint> endpoints, String token, Instant now) {
    StringWriter json = new StringWriter();
    try (JsonGenerator out = GENERATORS.createGenerator(json)) {
      out.writeStartObject().write("version", version).write("databaseId", databaseId);
      out.writeStartArray("endpoints");
      for (Endpoint endpoint : endpoints) {
        out.writeStartObject()
            .write("url", endpoint.url())
            .write("consistency", endpoint.consistency())
            .writeEnd();
      }
      out.writeEnd();
      out.write("token", token)
          .write("expiresAt", EXPIRES_AT.format(now.plusMillis(EXPIRES_AFTER_MS)))
          .writeEnd();
    }
    return json.toString();
  }

  /** {@code application/json} or {@code application/<anything>+json}, parameters ignored. */
  static boolean isJsonContentType(String contentType) {
    int semicolon = contentType.indexOf(';');
    String essence =
        (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
            .strip()
            .toLowerCase(Locale.ROOT);
    int slash = essence.indexOf('/');
    if (slash < 0 || !essence.substring(0, slash).equals("application")) {
      return false;
    }
    String subtype = essence.substring(slash + 1);
    return subtype.equals("json") || (subtype.endsWith("+json") && subtype.length() > 5);
  }

  /** The offered versions, or empty if the body is not a usable request document. */
  static Optional<Offered> parseSupportedVersions(byte[] body) {
    Reader utf8 =
        new InputStreamReader(
            new ByteArrayInputStream(body),
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT));
    try (JsonParser parser = PARSERS.createParser(utf8)) {
      if (!parser.hasNext() || parser.next() != Event.START_OBJECT) {
        return Optional.empty();
      }
      Offered offered = null;
      for (Event event = parser.next(); event != Event.END_OBJECT; event = parser.next()) {
        // event is KEY_NAME here: JSON-P reports nothing else directly inside an object
        if (parser.getString().equals(SUPPORTED_VERSIONS)) {
          if (offered != null) {
            return Optional.empty(); // serde rejects a duplicate field
          }
          offered = readVersions(parser);
          if (offered == null) {
            return Optional.empty();
          }
        } else {
          skipValue(parser);
        }
      }
      if (parser.hasNext()) { // throws for trailing non-whitespace
        return Optional.empty();
      }
      // A missing member is an empty list (serde default).
      return Optional.of(offered == null ? new Offered(false, false) : offered);
    } catch (RuntimeException e) { // JsonException, JsonParsingException, NoSuchElementException
      return Optional.empty();
    }
  }

  /** Reads an array of u64 literals; null if the value is anything else. */
  private static Offered readVersions(JsonParser parser) {
    if (parser.next() != Event.START_ARRAY) {
      return null;
    }
    boolean two = false;
    boolean three = false;
    for (Event event = parser.next(); event != Event.END_ARRAY; event = parser.next()) {
      String literal = event == Event.VALUE_NUMBER ? parser.getString() : "";
      if (!isU64(literal)) {
        return null;
      }
      two |= literal.equals("2");
      three |= literal.equals("3");
    }
    return new Offered(two, three);
  }

  private static boolean isU64(String literal) {
    return UNSIGNED_INTEGER.matcher(literal).matches()
        && (literal.length() < U64_MAX.length()
            || (literal.length() == U64_MAX.length() && literal.compareTo(U64_MAX) <= 0));
  }

  private static void skipValue(JsonParser parser) {
    int depth = 0;
    do {
      switch (parser.next()) {
        case START_OBJECT, START_ARRAY -> depth++;
        case END_OBJECT, END_ARRAY -> depth--;
        default -> {}
      }
    } while (depth > 0);
  }
}
