package io.quorumkv.chaos.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.AtomicWriteOutput;
import com.deno.kv.datapath.AtomicWriteStatus;
import com.deno.kv.datapath.KvEntry;
import com.deno.kv.datapath.MutationType;
import com.deno.kv.datapath.ReadRangeOutput;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.deno.kv.datapath.SnapshotReadStatus;
import com.deno.kv.datapath.ValueEncoding;
import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quorumkv.proto.Versionstamp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real HTTP against a fake backend (com.sun.net.httpserver): what the client sends (paths,
 * headers, protobuf bodies, the metadata JSON) and how it classifies every kind of answer.
 */
class KvConnectClientTest {
  private static final String TOKEN = "access-token-1234";
  private static final String DATA_TOKEN = "data-token-5678";
  private static final String DB = "00000000-0000-0000-0000-000000000000";
  private static final Versionstamp VS = Versionstamp.of(42, 0);

  private HttpServer server;
  private final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
  private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
  private volatile Responder atomicWrite = ex -> proto(ex, AtomicWriteOutput.newBuilder()
      .setStatus(AtomicWriteStatus.AW_SUCCESS).setVersionstamp(ByteString.copyFrom(VS.toBytes())).build().toByteArray());
  private volatile Responder snapshotRead = ex -> proto(ex, SnapshotReadOutput.newBuilder()
      .setStatus(SnapshotReadStatus.SR_SUCCESS).setReadIsStronglyConsistent(true)
      .addRanges(ReadRangeOutput.newBuilder().addValues(KvEntry.newBuilder().setKey(ByteString.copyFrom(new byte[] {2, 'a', 0}))
          .setValue(ByteString.copyFrom(Value.le64(7).data())).setEncoding(ValueEncoding.VE_LE64)
          .setVersionstamp(ByteString.copyFrom(VS.toBytes()))))
      .addRanges(ReadRangeOutput.getDefaultInstance()).build().toByteArray());
  private volatile Responder metadata = ex -> reply(ex, 200, "application/json",
      ("{\"version\":3,\"databaseId\":\"" + DB + "\",\"endpoints\":[{\"url\":\"/eventual\",\"consistency\":\"eventual\"},"
          + "{\"url\":\"/v2\",\"consistency\":\"strong\"}],\"token\":\"" + DATA_TOKEN + "\",\"expiresAt\":\"2030-01-01T00:00:00Z\"}")
          .getBytes(StandardCharsets.UTF_8));

  @FunctionalInterface
  interface Responder {
    void respond(HttpExchange ex) throws IOException;
  }

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      String path = ex.getRequestURI().getPath();
      bodies.put(path, body);
      requests.add(Map.of("path", path, "method", ex.getRequestMethod(),
          "authorization", String.valueOf(ex.getRequestHeaders().getFirst("authorization")),
          "db", String.valueOf(ex.getRequestHeaders().getFirst("x-denokv-database-id")),
          "version", String.valueOf(ex.getRequestHeaders().getFirst("x-denokv-version")),
          "content-type", String.valueOf(ex.getRequestHeaders().getFirst("content-type"))));
      switch (path) {
        case "/" -> metadata.respond(ex);
        case "/v2/atomic_write" -> atomicWrite.respond(ex);
        case "/v2/snapshot_read" -> snapshotRead.respond(ex);
        default -> reply(ex, 404, "text/plain", "Resource not found.".getBytes(StandardCharsets.UTF_8));
      }
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private KvConnectClient client() {
    return new KvConnectClient(KvConnectClient.Config.of("http://127.0.0.1:" + server.getAddress().getPort(), TOKEN)
        .withRequestTimeout(Duration.ofMillis(500)));
  }

  private static void proto(HttpExchange ex, byte[] body) throws IOException {
    reply(ex, 200, "application/x-protobuf", body);
  }

  private static void reply(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("content-type", type);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      ex.getResponseBody().write(body);
    }
    ex.close();
  }

  @Test
  void metadataExchangeThenProtobufWriteToTheStrongEndpoint() throws Exception {
    try (KvConnectClient c = client()) {
      byte[] key = Keys.of("a");
      Outcome<Versionstamp> o = c.set(key, Value.le64(5));
      assertEquals(new Outcome.Ok<>(VS), o);
      assertEquals(2, requests.size());
      Map<String, String> meta = requests.get(0);
      assertEquals("/", meta.get("path"));
      assertEquals("POST", meta.get("method"));
      assertEquals("Bearer " + TOKEN, meta.get("authorization"));
      assertEquals("application/json", meta.get("content-type"));
      assertEquals("{\"supportedVersions\":[2,3]}", new String(bodies.get("/"), StandardCharsets.UTF_8));
      Map<String, String> write = requests.get(1);
      assertEquals("/v2/atomic_write", write.get("path"), "the first strong endpoint, not the eventual one");
      assertEquals("Bearer " + DATA_TOKEN, write.get("authorization"), "the token from the metadata");
      assertEquals(DB, write.get("db"));
      assertEquals("3", write.get("version"));
      assertEquals("null", write.get("content-type"), "like Deno and @deno/kv, no content type on the data path");
      AtomicWrite sent = AtomicWrite.parseFrom(bodies.get("/v2/atomic_write"));
      assertEquals(1, sent.getMutationsCount());
      assertEquals(MutationType.M_SET, sent.getMutations(0).getMutationType());
      assertEquals(ByteString.copyFrom(key), sent.getMutations(0).getKey());
      assertEquals(ValueEncoding.VE_LE64, sent.getMutations(0).getValue().getEncoding());
      // metadata is cached
      c.set(key, Value.le64(6));
      assertEquals(3, requests.size());
    }
  }

  @Test
  void checkedSetSendsTheVersionstampOrMustNotExist() throws Exception {
    try (KvConnectClient c = client()) {
      c.checkedSet(Keys.of("a"), VS, Value.le64(1));
      AtomicWrite w = AtomicWrite.parseFrom(bodies.get("/v2/atomic_write"));
      assertEquals(ByteString.copyFrom(VS.toBytes()), w.getChecks(0).getVersionstamp());
      c.checkedSet(Keys.of("a"), null, Value.le64(1));
      assertTrue(AtomicWrite.parseFrom(bodies.get("/v2/atomic_write")).getChecks(0).getVersionstamp().isEmpty());
    }
  }

  @Test
  void getManyReadsOneExactRangePerKeyAndDecodesEntries() throws Exception {
    try (KvConnectClient c = client()) {
      Outcome<List<Optional<Entry>>> o = c.getMany(List.of(Keys.of("a"), Keys.of("b")));
      List<Optional<Entry>> entries = o.value();
      assertEquals(7, entries.get(0).orElseThrow().value().asLong());
      assertEquals(VS, entries.get(0).orElseThrow().versionstamp());
      assertTrue(entries.get(1).isEmpty());
      SnapshotRead sent = SnapshotRead.parseFrom(bodies.get("/v2/snapshot_read"));
      assertEquals(ByteString.copyFrom(new byte[] {2, 'a', 0}), sent.getRanges(0).getStart());
      assertEquals(ByteString.copyFrom(new byte[] {2, 'a', 0, 0}), sent.getRanges(0).getEnd());
      assertEquals(1, sent.getRanges(0).getLimit());
    }
  }

  @Test
  void classifiesWriteOutcomes() {
    try (KvConnectClient c = client()) {
      atomicWrite = ex -> proto(ex, AtomicWriteOutput.newBuilder().setStatus(AtomicWriteStatus.AW_CHECK_FAILURE).build().toByteArray());
      assertEquals(Outcome.FailKind.CHECK_FAILED, assertInstanceOf(Outcome.Fail.class, c.set(Keys.of("a"), Value.le64(1))).kind());
      atomicWrite = ex -> reply(ex, 400, "text/plain", "A value exceeds the value size limit.".getBytes(StandardCharsets.UTF_8));
      Outcome.Fail<?> rejected = assertInstanceOf(Outcome.Fail.class, c.set(Keys.of("a"), Value.le64(1)));
      assertEquals(Outcome.FailKind.REJECTED, rejected.kind());
      assertTrue(rejected.message().contains("400") && rejected.message().contains("value size limit"), rejected.message());
      atomicWrite = ex -> reply(ex, 503, "text/plain", "The write was not confirmed in time".getBytes(StandardCharsets.UTF_8));
      assertInstanceOf(Outcome.Indeterminate.class, c.set(Keys.of("a"), Value.le64(1)));
      atomicWrite = ex -> proto(ex, new byte[] {(byte) 0xFF, 0x01});
      assertInstanceOf(Outcome.Indeterminate.class, c.set(Keys.of("a"), Value.le64(1)), "an undecodable 200 may have committed");
      atomicWrite = ex -> proto(ex, AtomicWriteOutput.newBuilder().setStatus(AtomicWriteStatus.AW_UNSPECIFIED).build().toByteArray());
      assertInstanceOf(Outcome.Indeterminate.class, c.set(Keys.of("a"), Value.le64(1)));
      atomicWrite = ex -> proto(ex, AtomicWriteOutput.newBuilder().setStatus(AtomicWriteStatus.AW_SUCCESS)
          .setVersionstamp(ByteString.copyFrom(new byte[3])).build().toByteArray());
      assertInstanceOf(Outcome.Indeterminate.class, c.set(Keys.of("a"), Value.le64(1)), "a short versionstamp is a broken answer");
    }
  }

  @Test
  void aTimeoutAfterSendingIsIndeterminate() {
    try (KvConnectClient c = client()) {
      c.metadata();
      atomicWrite = ex -> {
        try {
          Thread.sleep(2000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ex.close();
      };
      Outcome.Indeterminate<?> o = assertInstanceOf(Outcome.Indeterminate.class, c.set(Keys.of("a"), Value.le64(1)));
      assertTrue(o.message().startsWith("timeout"), o.message());
    }
  }

  @Test
  void nothingListeningMeansNotSent() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (KvConnectClient c = new KvConnectClient(KvConnectClient.Config.of("http://127.0.0.1:" + port, TOKEN))) {
      Outcome.Fail<?> f = assertInstanceOf(Outcome.Fail.class, c.set(Keys.of("a"), Value.le64(1)));
      assertEquals(Outcome.FailKind.NOT_SENT, f.kind(), f.message());
    }
  }

  @Test
  void metadataProblemsMeanTheDataRequestWasNeverSent() {
    try (KvConnectClient c = client()) {
      metadata = ex -> reply(ex, 401, "text/plain", "Invalid access token.".getBytes(StandardCharsets.UTF_8));
      Outcome.Fail<?> f = assertInstanceOf(Outcome.Fail.class, c.set(Keys.of("a"), Value.le64(1)));
      assertEquals(Outcome.FailKind.NOT_SENT, f.kind());
      assertTrue(f.message().contains("401") && f.message().contains("Invalid access token."), f.message());
      assertEquals(1, requests.size(), "no data-path request");
      metadata = ex -> reply(ex, 200, "application/json", "{\"version\":1}".getBytes(StandardCharsets.UTF_8));
      assertInstanceOf(Outcome.Fail.class, c.metadata());
    }
  }

  @Test
  void classifiesReadOutcomes() {
    try (KvConnectClient c = client()) {
      snapshotRead = ex -> proto(ex, SnapshotReadOutput.newBuilder().setStatus(SnapshotReadStatus.SR_SUCCESS)
          .setReadIsStronglyConsistent(false).addRanges(ReadRangeOutput.getDefaultInstance()).build().toByteArray());
      assertInstanceOf(Outcome.Fail.class, c.get(Keys.of("a")), "a strong read must be strongly consistent");
      snapshotRead = ex -> proto(ex, SnapshotReadOutput.newBuilder().setReadIsStronglyConsistent(true)
          .addRanges(ReadRangeOutput.getDefaultInstance()).build().toByteArray());
      assertInstanceOf(Outcome.Fail.class, c.get(Keys.of("a")), "v3 requires status SR_SUCCESS");
      snapshotRead = ex -> reply(ex, 500, "text/plain", "An internal server error occurred.".getBytes(StandardCharsets.UTF_8));
      assertInstanceOf(Outcome.Indeterminate.class, c.get(Keys.of("a")));
      snapshotRead = ex -> proto(ex, SnapshotReadOutput.newBuilder().setStatus(SnapshotReadStatus.SR_SUCCESS)
          .setReadIsStronglyConsistent(true).addRanges(ReadRangeOutput.getDefaultInstance()).build().toByteArray());
      assertEquals(Optional.empty(), c.get(Keys.of("a")).value());
    }
  }

  @Test
  void listReadsThePrefixRange() throws Exception {
    try (KvConnectClient c = client()) {
      snapshotRead = ex -> proto(ex, SnapshotReadOutput.newBuilder().setStatus(SnapshotReadStatus.SR_SUCCESS)
          .setReadIsStronglyConsistent(true).addRanges(ReadRangeOutput.getDefaultInstance()).build().toByteArray());
      assertTrue(c.list(Keys.of("bank"), 1000).value().isEmpty());
      SnapshotRead sent = SnapshotRead.parseFrom(bodies.get("/v2/snapshot_read"));
      byte[] p = Keys.of("bank");
      assertEquals(ByteString.copyFrom(p).concat(ByteString.copyFrom(new byte[] {0})), sent.getRanges(0).getStart());
      assertEquals(ByteString.copyFrom(p).concat(ByteString.copyFrom(new byte[] {(byte) 0xFF})), sent.getRanges(0).getEnd());
      assertEquals(1000, sent.getRanges(0).getLimit());
    }
  }

  @Test
  void metadataParsing() {
    URI base = URI.create("http://h:4512/");
    Metadata m = Metadata.parse("{\"version\":2,\"databaseId\":\"x\",\"token\":\"t\",\"endpoints\":[{\"url\":\"http://n2:4512/v2\",\"consistency\":\"strong\"}]}", base);
    assertEquals(URI.create("http://n2:4512/v2"), m.strongEndpoint());
    assertEquals(2, m.version());
    for (String bad : List.of("[]", "{}", "{\"version\":3,\"databaseId\":\"x\",\"token\":\"t\",\"endpoints\":[]}",
        "{\"version\":3,\"databaseId\":\"x\",\"token\":\"\",\"endpoints\":[{\"url\":\"/v2\",\"consistency\":\"strong\"}]}",
        "{\"version\":3,\"databaseId\":\"x\",\"token\":\"t\",\"endpoints\":[{\"url\":\"/v2/\",\"consistency\":\"strong\"}]}")) {
      boolean threw = false;
      try {
        Metadata.parse(bad, base);
      } catch (IllegalArgumentException e) {
        threw = true;
      }
      assertTrue(threw, bad);
    }
    assertNull(KvConnectClient.Config.of("http://h:1", "t").url().getQuery());
    assertEquals("/", KvConnectClient.Config.of("http://h:1", "t").url().getPath());
    assertFalse(new Outcome.Fail<>(Outcome.FailKind.REJECTED, "x").isOk());
  }
}
