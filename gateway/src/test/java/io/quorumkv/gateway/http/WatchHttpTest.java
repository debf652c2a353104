package io.quorumkv.gateway.http;

import static io.quorumkv.gateway.http.DataPathHttpTest.key;
import static io.quorumkv.gateway.http.DataPathHttpTest.set;
import static io.quorumkv.gateway.http.DataPathHttpTest.write;
import static io.quorumkv.gateway.http.MetadataHttpTest.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deno.kv.datapath.SnapshotReadStatus;
import com.deno.kv.datapath.ValueEncoding;
import com.deno.kv.datapath.Watch;
import com.deno.kv.datapath.WatchKey;
import com.deno.kv.datapath.WatchOutput;
import com.google.protobuf.ByteString;
import io.quorumkv.gateway.TestGateway;
import io.quorumkv.proto.KvException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /v2/watch} streaming over HTTP/1.1 (KV-CONNECT.md §7). */
class WatchHttpTest {
  static final long KEEP_ALIVE_MS = 300;
  static final Duration TIMEOUT = Duration.ofSeconds(20);
  TestGateway gateway;

  @BeforeEach
  void start() {
    gateway = new TestGateway(KEEP_ALIVE_MS);
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  @Test
  void firstFrameHasEveryKeyThenChangesFollow() {
    assertTimeoutPreemptively(TIMEOUT, () -> {
      gateway.dataPath("/v2/atomic_write",
          write(set("present", ByteString.copyFromUtf8("v1"), ValueEncoding.VE_BYTES)));
      try (InputStream body = openWatch("/v2/watch", "present", "absent")) {
        WatchOutput first = nextOutput(body);
        assertEquals(SnapshotReadStatus.SR_SUCCESS, first.getStatus());
        assertEquals(2, first.getKeysCount());
        assertTrue(first.getKeys(0).getChanged());
        assertEquals(key("present"), first.getKeys(0).getEntryIfChanged().getKey());
        assertEquals(
            ByteString.copyFromUtf8("v1"), first.getKeys(0).getEntryIfChanged().getValue());
        assertTrue(first.getKeys(1).getChanged());
        assertFalse(first.getKeys(1).hasEntryIfChanged());

        gateway.dataPath("/v2/atomic_write",
            write(set("absent", ByteString.copyFromUtf8("v2"), ValueEncoding.VE_BYTES)));
        WatchOutput change = nextOutput(body);
        assertEquals(2, change.getKeysCount());
        assertEquals(
            ByteString.copyFromUtf8("v2"), change.getKeys(1).getEntryIfChanged().getValue());
      }
    });
  }

  @Test
  void sendsZeroLengthKeepAlivesWhenNothingChanges() {
    assertTimeoutPreemptively(TIMEOUT, () -> {
      try (InputStream body = openWatch("/eventual/v2/watch", "k")) {
        assertTrue(readFrame(body).length > 0);
        long startNs = System.nanoTime();
        assertArrayEquals(new byte[0], readFrame(body));
        long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
        assertTrue(elapsedMs >= KEEP_ALIVE_MS / 2, "keep-alive after " + elapsedMs + " ms");
        assertArrayEquals(new byte[0], readFrame(body));
      }
    });
  }

  @Test
  void acceptsAWatchOfNoKeys() {
    assertTimeoutPreemptively(TIMEOUT, () -> {
      try (InputStream body = openWatch("/v2/watch")) {
        WatchOutput first = nextOutput(body);
        assertEquals(SnapshotReadStatus.SR_SUCCESS, first.getStatus());
        assertEquals(0, first.getKeysCount());
        assertArrayEquals(new byte[0], readFrame(body)); // then only keep-alives
      }
    });
  }

  @Test
  void closesTheWatchWhenTheClientGoesAway() {
    assertTimeoutPreemptively(TIMEOUT, () -> {
      InputStream body = openWatch("/v2/watch", "k");
      nextOutput(body);
      assertEquals(1, gateway.db.openWatchCount());
      body.close();
      // Noticed at one of the next keep-alive writes.
      while (gateway.db.openWatchCount() > 0) {
        Thread.sleep(50);
      }
    });
  }

  @Test
  void endsTheBodyWhenTheDatabaseEndsTheStream() {
    assertTimeoutPreemptively(TIMEOUT, () -> {
      try (InputStream body = openWatch("/v2/watch", "k")) {
        nextOutput(body);
        gateway.db.close(); // fails every open stream
        int b;
        do {
          b = body.read();
        } while (b >= 0); // keep-alives may still be in flight; then EOF
      }
    });
  }

  @Test
  void answers503WhenTheWatchCannotStart() {
    gateway.db.failNext(new KvException.LeaderUnavailable("no leader known", null));
    assertError(gateway.dataPath("/v2/watch", watch("k")), 503, "no leader known");
  }

  @Test
  void serverCloseEndsOpenWatchesPromptly() {
    assertTimeoutPreemptively(TIMEOUT, () -> {
      InputStream body = openWatch("/v2/watch", "k");
      nextOutput(body);
      gateway.server.close();
      assertEquals(0, gateway.db.openWatchCount());
      body.close();
    });
  }

  private InputStream openWatch(String path, String... keys) throws Exception {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(gateway.uri(path))
            .POST(HttpRequest.BodyPublishers.ofByteArray(watch(keys).toByteArray()));
    TestGateway.dataHeaders().forEach(req::header);
    HttpResponse<InputStream> res =
        gateway.http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, res.statusCode());
    assertEquals("application/octet-stream", TestGateway.contentType(res));
    return res.body();
  }

  private static Watch watch(String... keys) {
    Watch.Builder w = Watch.newBuilder();
    Arrays.stream(keys).forEach(k -> w.addKeys(WatchKey.newBuilder().setKey(key(k))));
    return w.build();
  }

  /** The next non-empty frame, decoded. */
  static WatchOutput nextOutput(InputStream body) throws IOException {
    byte[] frame;
    do {
      frame = readFrame(body);
    } while (frame.length == 0);
    return WatchOutput.parseFrom(frame);
  }

  /** One frame's payload: a 4-byte little-endian length, then that many bytes. */
  static byte[] readFrame(InputStream body) throws IOException {
    byte[] header = body.readNBytes(4);
    assertEquals(4, header.length, "stream ended");
    int length = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt();
    byte[] payload = body.readNBytes(length);
    assertEquals(length, payload.length, "stream ended inside a frame");
    return payload;
  }
}
