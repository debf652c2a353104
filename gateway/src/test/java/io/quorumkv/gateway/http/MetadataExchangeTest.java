package io.quorumkv.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.gateway.http.MetadataExchange.Offered;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The request parsing and document writing of the metadata exchange, without HTTP. */
class MetadataExchangeTest {

  @Test
  void writesTheDocumentInTheReferenceOrderWithEscaping() {
    String doc =
        MetadataExchange.document(
            3,
            "5f0c8d9e-1a2b-4c3d-8e4f-a0b1c2d3e4f5",
            List.of(new MetadataExchange.Endpoint("/v2", "strong")),
            "tok\"en\\with-quotes",
            Instant.parse("2025-07-29T12:00:00.123456789Z"));
    assertEquals(
        "{\"version\":3,\"databaseId\":\"5f0c8d9e-1a2b-4c3d-8e4f-a0b1c2d3e4f5\","
            + "\"endpoints\":[{\"url\":\"/v2\",\"consistency\":\"strong\"}],"
            + "\"token\":\"tok\\\"en\\\\with-quotes\","
            + "\"expiresAt\":\"2025-07-30T12:00:00.123456789Z\"}",
        doc);
  }

  @Test
  void alwaysWritesNineFractionDigits() {
    String doc =
        MetadataExchange.document(2, "id", List.of(), "t", Instant.parse("2025-01-01T00:00:00Z"));
    assertTrue(doc.endsWith("\"expiresAt\":\"2025-01-02T00:00:00.000000000Z\"}"), doc);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"supportedVersions\":[3]}",
        "\n\t {\"supportedVersions\":[3]} \r\n",
        "{\"supportedVersions\":[0,18446744073709551615,3]}",
        "{\"a\":null,\"b\":[[],{\"c\":[{}]}],\"supportedVersions\":[3],\"d\":\"x\"}",
      })
  void findsVersion3(String body) {
    assertEquals(Optional.of(new Offered(false, true)), parse(body));
  }

  @Test
  void treatsAMissingMemberAsNoVersions() {
    assertEquals(Optional.of(new Offered(false, false)), parse("{}"));
    assertEquals(Optional.of(new Offered(false, false)), parse("{\"x\":1}"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", " ", "null", "3", "[3]", "\"x\"",
        "{\"supportedVersions\":[3]}}", "{\"supportedVersions\":[3]} {}",
        "{\"supportedVersions\":[3],}", "{\"supportedVersions\":[03]}",
        "{\"supportedVersions\":[1e0]}", "{\"supportedVersions\":[2.5]}",
        "{\"supportedVersions\":[-0]}", "{\"supportedVersions\":[true]}",
        "{\"supportedVersions\":[\"3\"]}", "{\"supportedVersions\":[[3]]}",
        "{\"supportedVersions\":{}}", "{\"supportedVersions\":3}",
        "{\"supportedVersions\":[99999999999999999999]}",
        "{\"supportedVersions\":[3],\"supportedVersions\":[2]}",
        "{'supportedVersions':[3]}",
      })
  void rejectsWhatSerdeRejects(String body) {
    assertEquals(Optional.empty(), parse(body));
  }

  @Test
  void rejectsInvalidUtf8() {
    byte[] body = "{\"x\":\"\u00e9\",\"supportedVersions\":[3]}".getBytes(StandardCharsets.UTF_8);
    assertTrue(MetadataExchange.parseSupportedVersions(body).isPresent());
    body[7] = (byte) 0xFF; // break the two-byte sequence of é
    assertEquals(Optional.empty(), MetadataExchange.parseSupportedVersions(body));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/json", "APPLICATION/JSON", "application/json; charset=utf-8",
        "application/json;charset=UTF-8", "application/problem+json", " application/json "
      })
  void acceptsJsonContentTypes(String type) {
    assertTrue(MetadataExchange.isJsonContentType(type));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "text/json", "application/jsonx", "application/+json", "json", "text/plain",
          "application/x-protobuf", "application"})
  void rejectsOtherContentTypes(String type) {
    assertFalse(MetadataExchange.isJsonContentType(type));
  }

  private static Optional<Offered> parse(String body) {
    return MetadataExchange.parseSupportedVersions(body.getBytes(StandardCharsets.UTF_8));
  }
}
