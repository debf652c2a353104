package io.quorumkv.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.deno.kv.datapath.SnapshotReadStatus;
import com.deno.kv.datapath.Watch;
import com.deno.kv.datapath.WatchKey;
import com.deno.kv.datapath.WatchOutput;
import com.google.protobuf.ByteString;
import io.quorumkv.gateway.TestGateway;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 with prior knowledge on the same plain port that serves HTTP/1.1: the only way the Deno
 * CLI talks to a KV Connect server over {@code http://} (KV-CONNECT.md §1.1). The JDK client
 * cannot do prior knowledge, so this uses a raw socket and, where installed, curl.
 */
class H2cTest {
  /** The client connection preface of RFC 9113 §3.4, then an empty SETTINGS frame. */
  static final byte[] PREFACE_AND_SETTINGS =
      concat(
          "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
          new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});

  static final int FRAME_TYPE_SETTINGS = 4;

  static TestGateway gateway;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    gateway = new TestGateway(200);
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  void answersTheHttp2PrefaceWithSettings() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(PREFACE_AND_SETTINGS);
      out.flush();
      byte[] header = socket.getInputStream().readNBytes(9);
      assertEquals(9, header.length, "connection closed instead of an HTTP/2 frame");
      assertEquals(FRAME_TYPE_SETTINGS, header[3], "first server frame must be SETTINGS");
    }
  }

  @Test
  void servesMetadataOverPriorKnowledge() throws Exception {
    Curl res =
        curl(
            "/",
            Map.of("authorization", "Bearer " + TestGateway.TOKEN, "content-type",
                "application/json"),
            "{\"supportedVersions\":[1,2,3]}".getBytes(StandardCharsets.UTF_8),
            List.of());
    assertEquals("2 200 application/json", res.trailer, res.toString());
    assertTrue(new String(res.body, StandardCharsets.UTF_8).startsWith("{\"version\":3,"));
  }

  @Test
  void servesTheDataPathOverPriorKnowledge() throws Exception {
    SnapshotRead read =
        SnapshotRead.newBuilder()
            .addRanges(ReadRange.newBuilder().setStart(ByteString.copyFrom(new byte[] {1}))
                .setEnd(ByteString.copyFrom(new byte[] {2})).setLimit(1))
            .build();
    Curl res = curl("/v2/snapshot_read", TestGateway.dataHeaders(), read.toByteArray(), List.of());
    assertEquals("2 200 application/x-protobuf", res.trailer, res.toString());
    SnapshotReadOutput out = SnapshotReadOutput.parseFrom(res.body);
    assertEquals(SnapshotReadStatus.SR_SUCCESS, out.getStatus());
    assertEquals(1, out.getRangesCount());
  }

  @Test
  void errorsAreThePlainTextOnesOverHttp2Too() throws Exception {
    Map<String, String> h = TestGateway.dataHeaders();
    h.put("x-denokv-version", "1");
    Curl res = curl("/v2/atomic_write", h, new byte[0], List.of());
    assertEquals("2 400 text/plain; charset=utf-8", res.trailer, res.toString());
    assertEquals("Expected protocol version 2.", new String(res.body, StandardCharsets.UTF_8));
  }

  @Test
  void refusesAnOversizedBodyOverHttp2Too() throws Exception {
    Curl res =
        curl("/v2/snapshot_read", TestGateway.dataHeaders(),
            new byte[io.quorumkv.proto.Limits.MAX_REQUEST_BODY_BYTES + 1], List.of());
    assertEquals("2 413 text/plain; charset=utf-8", res.trailer, res.toString());
    assertEquals("Failed to buffer the request body: length limit exceeded",
        new String(res.body, StandardCharsets.UTF_8));
    // The connection is still good for the next request.
    assertEquals("2 200 application/json",
        curl("/", Map.of("authorization", "Bearer " + TestGateway.TOKEN, "content-type",
            "application/json"), "{\"supportedVersions\":[3]}".getBytes(StandardCharsets.UTF_8),
            List.of()).trailer);
  }

  @Test
  void streamsWatchFramesOverHttp2() throws Exception {
    Watch watch =
        Watch.newBuilder()
            .addKeys(WatchKey.newBuilder().setKey(ByteString.copyFromUtf8("k")))
            .build();
    // curl stops after 1.5 s (exit code 28); by then it has the first frame and keep-alives.
    Curl res =
        curl("/v2/watch", TestGateway.dataHeaders(), watch.toByteArray(), List.of("-m", "1.5"));
    assertEquals("2 200 application/octet-stream", res.trailer, res.toString());
    InputStream frames = new ByteArrayInputStream(res.body);
    WatchOutput first = WatchOutput.parseFrom(WatchHttpTest.readFrame(frames));
    assertEquals(1, first.getKeysCount());
    assertTrue(first.getKeys(0).getChanged());
    assertEquals(0, WatchHttpTest.readFrame(frames).length, "a keep-alive follows");
  }

  /** What curl printed: the body, and "<http version> <status> <content type>" from -w. */
  record Curl(byte[] body, String trailer, int exitCode, String stderr) {
    @Override
    public String toString() {
      return "curl exit " + exitCode + " [" + trailer + "] " + stderr;
    }
  }

  private static Curl curl(
      String path, Map<String, String> headers, byte[] body, List<String> extraArgs)
      throws Exception {
    assumeTrue(onPath("curl"), "curl is not installed");
    Path bodyFile = Files.write(Files.createTempFile(dir, "req", ".bin"), body);
    Path outFile = Files.createTempFile(dir, "res", ".bin");
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--http2-prior-knowledge",
        "-o", outFile.toString(), "-w", "%{http_version} %{http_code} %{content_type}",
        "--data-binary", "@" + bodyFile));
    headers.forEach((k, v) -> cmd.addAll(List.of("-H", k + ": " + v)));
    cmd.addAll(extraArgs);
    cmd.add(gateway.uri(path).toString());
    Process p = new ProcessBuilder(cmd).start();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "curl hung");
    String trailer = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Curl(Files.readAllBytes(outFile), trailer.strip(), p.exitValue(), stderr);
  }

  private static boolean onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(d, program).canExecute()) {
        return true;
      }
    }
    return false;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = new byte[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
