package io.quorumkv.gateway.http;

import static io.quorumkv.gateway.TestGateway.contentType;
import static io.quorumkv.gateway.TestGateway.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.gateway.FakeKvDatabase;
import io.quorumkv.gateway.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST /} and {@code POST /replica} over HTTP/1.1 (KV-CONNECT.md §1.2). */
class MetadataHttpTest {
  static final String MINIMUM =
      "The server requires at least protocol version 2. Use Deno 1.38.0 or newer.";
  static final String NO_MATCH =
      "The server could not negotiate a protocol version. The server requires protocol version 2"
          + " or 3.";
  static final String TEXT = "text/plain; charset=utf-8";

  static TestGateway gateway;

  @BeforeAll
  static void start() {
    gateway = new TestGateway();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  void answersTheExactDocumentWithBothEndpoints() {
    Instant before = Instant.now();
    HttpResponse<byte[]> res = gateway.metadata("/");
    Instant after = Instant.now();

    assertEquals(200, res.statusCode());
    assertEquals("application/json", contentType(res)); // npm compares the whole value
    Matcher m =
        Pattern.compile(
                Pattern.quote(
                        "{\"version\":3,\"databaseId\":\"" + FakeKvDatabase.DATABASE_ID + "\","
                            + "\"endpoints\":[{\"url\":\"/v2\",\"consistency\":\"strong\"},"
                            + "{\"url\":\"/eventual/v2\",\"consistency\":\"eventual\"}],"
                            + "\"token\":\"" + TestGateway.TOKEN + "\",\"expiresAt\":\"")
                    + "(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z)\"}")
            .matcher(text(res));
    assertTrue(m.matches(), text(res));
    Instant expiresAt = Instant.parse(m.group(1));
    Duration day = Duration.ofHours(24);
    assertTrue(!expiresAt.isBefore(before.plus(day).minusMillis(1)), expiresAt + " vs " + before);
    assertTrue(!expiresAt.isAfter(after.plus(day).plusMillis(1)), expiresAt + " vs " + after);
  }

  @Test
  void replicaListsOnlyTheFollowerEndpointLabelledStrong() {
    HttpResponse<byte[]> res = gateway.metadata("/replica");
    assertEquals(200, res.statusCode());
    assertEquals("application/json", contentType(res));
    assertTrue(
        text(res).contains("\"endpoints\":[{\"url\":\"/eventual/v2\",\"consistency\":\"strong\"}]"),
        text(res));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"supportedVersions\":[1,2,3]}|3",
        "{\"supportedVersions\":[3]}|3",
        "{\"supportedVersions\":[2]}|2",
        "{\"supportedVersions\":[2,18446744073709551615]}|2",
        "{\"other\":{\"x\":[1,{}]},\"supportedVersions\":[3,2]}|3",
        "' {\"supportedVersions\" : [ 2 ] }\t'|2",
      })
  void negotiatesTheHighestCommonVersion(String body, int version) {
    HttpResponse<byte[]> res = metadata(body, "application/json", "Bearer " + TestGateway.TOKEN);
    assertEquals(200, res.statusCode(), text(res));
    assertTrue(text(res).startsWith("{\"version\":" + version + ","), text(res));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "{\"supportedVersions\":[2,3]} trailing",
        "{\"supportedVersions\":\"3\"}",
        "{\"supportedVersions\":null}",
        "{\"supportedVersions\":[3.0]}",
        "{\"supportedVersions\":[-3]}",
        "{\"supportedVersions\":[18446744073709551616,3]}",
        "{\"supportedVersions\":[3],\"supportedVersions\":[3]}",
        "[3]",
        "{\"supportedVersions\":[3]",
      })
  void rejectsAnUnusableBodyBeforeLookingAtAuthorization(String body) {
    // No authorization at all: the version error still wins (the reference's order).
    HttpResponse<byte[]> res = metadata(body, "application/json", null);
    assertError(res, 400, MINIMUM);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"supportedVersions\":[]}", "{\"supportedVersions\":[1]}"})
  void rejectsClientsWithoutVersion2Or3(String body) {
    assertError(metadata(body, "application/json", null), 400, NO_MATCH);
  }

  @Test
  void requiresAJsonContentType() {
    String body = "{\"supportedVersions\":[3]}";
    String auth = "Bearer " + TestGateway.TOKEN;
    assertError(metadata(body, null, auth), 400, MINIMUM);
    assertError(metadata(body, "text/plain", auth), 400, MINIMUM);
    assertEquals(200, metadata(body, "application/json; charset=utf-8", auth).statusCode());
    assertEquals(200, metadata(body, "Application/JSON", auth).statusCode());
    assertEquals(200, metadata(body, "application/vnd.api+json", auth).statusCode());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "Bearer|Malformed authorization header.",
        "Bearer" + "test-token-0123456789|Malformed authorization header.",
        "Basic test-token-0123456789|Invalid access token.",
        "Bearer wrong-token-0123456|Invalid access token.",
        "Bearer test-token-0123456789x|Invalid access token.",
        "Bearer  test-token-0123456789|Invalid access token.",
        "Bearertest-token-0123456789 x|Invalid access token.",
      })
  void rejectsBadAuthorization(String authorization, String message) {
    assertError(metadata("{\"supportedVersions\":[3]}", "application/json", authorization),
        401, message);
  }

  @Test
  void rejectsMissingAuthorization() {
    assertError(metadata("{\"supportedVersions\":[3]}", "application/json", null),
        401, "Malformed authorization header.");
  }

  @ParameterizedTest
  @ValueSource(strings = {"bearer ", "BEARER ", "BeArEr "})
  void acceptsTheSchemeInAnyCase(String scheme) {
    assertEquals(200,
        metadata("{\"supportedVersions\":[3]}", "application/json", scheme + TestGateway.TOKEN)
            .statusCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/replica", "/v2/snapshot_read", "/eventual/v2/watch"})
  void answersOtherMethodsWith405(String path) {
    HttpResponse<byte[]> res =
        gateway.send(HttpRequest.newBuilder(gateway.uri(path)).GET().build());
    assertEquals(405, res.statusCode());
    assertEquals("POST", res.headers().firstValue("allow").orElse(null));
    assertEquals(0, res.body().length);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/foo", "/v2", "/v2/", "/v2/snapshot_read/", "/v1/snapshot_read", "/v3/watch",
        "/eventual/v2/other", "/replica/", "//v2/snapshot_read", "/eventual"
      })
  void answersUnknownPathsWith404(String path) {
    assertError(gateway.dataPath(path, com.deno.kv.datapath.SnapshotRead.getDefaultInstance()),
        404, "Resource not found.");
    HttpResponse<byte[]> get = gateway.send(HttpRequest.newBuilder(gateway.uri(path)).build());
    assertError(get, 404, "Resource not found.");
  }

  private static HttpResponse<byte[]> metadata(
      String body, String contentType, String authorization) {
    Map<String, String> headers = new HashMap<>();
    if (contentType != null) {
      headers.put("content-type", contentType);
    }
    if (authorization != null) {
      headers.put("authorization", authorization);
    }
    return gateway.post("/", headers, body.getBytes(StandardCharsets.UTF_8));
  }

  static void assertError(HttpResponse<byte[]> res, int status, String message) {
    assertEquals(status, res.statusCode(), text(res));
    assertEquals(message, text(res)); // exact: no trailing newline
    assertEquals(TEXT, contentType(res));
  }
}
