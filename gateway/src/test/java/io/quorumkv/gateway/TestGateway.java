package io.quorumkv.gateway;

import com.google.protobuf.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real {@link KvConnectServer} on 127.0.0.1 and a free port, serving a {@link FakeKvDatabase},
 * with an HTTP/1.1 client (the JDK client, as {@code @deno/kv} on Node would speak it).
 */
public final class TestGateway implements AutoCloseable {
  public static final String TOKEN = "test-token-0123456789";

  public final FakeKvDatabase db = new FakeKvDatabase();
  public final KvConnectServer server;
  public final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  public TestGateway() {
    this(GatewayConfig.DEFAULT_WATCH_KEEP_ALIVE_MS);
  }

  public TestGateway(long watchKeepAliveMs) {
    GatewayConfig config =
        new GatewayConfig("127.0.0.1", 0, TOKEN, List.of(), watchKeepAliveMs);
    server = new KvConnectServer(db, config).start();
  }

  public int port() {
    return server.port();
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  /** The headers every data-path request of a well-behaved v3 client carries. */
  public static Map<String, String> dataHeaders() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("authorization", "Bearer " + TOKEN);
    h.put("x-denokv-database-id", FakeKvDatabase.DATABASE_ID);
    h.put("x-denokv-version", "3");
    return h;
  }

  /** POSTs {@code body} with exactly {@code headers} (plus what the JDK client always adds). */
  public HttpResponse<byte[]> post(String path, Map<String, String> headers, byte[] body) {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(req::header);
    return send(req.build());
  }

  /** A data-path POST with valid headers. */
  public HttpResponse<byte[]> dataPath(String path, Message body) {
    return post(path, dataHeaders(), body.toByteArray());
  }

  /** A metadata exchange the way both clients send it. */
  public HttpResponse<byte[]> metadata(String path) {
    return post(
        path,
        Map.of("authorization", "Bearer " + TOKEN, "content-type", "application/json"),
        "{\"supportedVersions\":[1,2,3]}".getBytes(StandardCharsets.UTF_8));
  }

  public HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static String text(HttpResponse<byte[]> res) {
    return new String(res.body(), StandardCharsets.UTF_8);
  }

  public static String contentType(HttpResponse<?> res) {
    return res.headers().firstValue("content-type").orElse(null);
  }

  @Override
  public void close() {
    server.close();
    db.close();
    http.close();
  }
}
