package io.quorumkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.AtomicWriteOutput;
import com.deno.kv.datapath.AtomicWriteStatus;
import com.deno.kv.datapath.KvValue;
import com.deno.kv.datapath.Mutation;
import com.deno.kv.datapath.MutationType;
import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.deno.kv.datapath.ValueEncoding;
import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code quorumkv serve} in-process: a real single-node Raft group, the Raft-backed database
 * and the KV Connect server; a write over HTTP survives a stop and a start on the same data
 * directory.
 */
class ServeCommandTest {
  private static final String TOKEN = "serve-test-token-0123";

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Test
  void writesOverHttpSurviveARestartOnTheSameDataDir() throws Exception {
    int raft = freePort();
    int rpc = freePort();
    ServeCommand.Settings settings = new ServeCommand.Settings(dir.resolve("data"), "127.0.0.1", 0, 0, raft, rpc, TOKEN);
    AtomicReference<Throwable> fatal = new AtomicReference<>();
    ByteString key = ByteString.copyFrom(new byte[] {0x02, 'k', 0x00}); // ["k"] as a KV key
    ByteString value = ByteString.copyFromUtf8("hello from serve");

    String databaseId;
    try (ServeCommand.Serving s = ServeCommand.start(settings, quiet(), fatal::set)) {
      databaseId = metadataDatabaseId(s.port());
      AtomicWrite write = AtomicWrite.newBuilder().addMutations(Mutation.newBuilder().setKey(key)
          .setMutationType(MutationType.M_SET)
          .setValue(KvValue.newBuilder().setData(value).setEncoding(ValueEncoding.VE_BYTES))).build();
      AtomicWriteOutput out = AtomicWriteOutput.parseFrom(dataPath(s.port(), databaseId, "/v2/atomic_write", write.toByteArray()));
      assertEquals(AtomicWriteStatus.AW_SUCCESS, out.getStatus());
      assertEquals(value, read(s.port(), databaseId, key));
    }
    try (ServeCommand.Serving s = ServeCommand.start(settings, quiet(), fatal::set)) {
      assertEquals(databaseId, metadataDatabaseId(s.port()), "same group after a restart");
      assertEquals(value, read(s.port(), databaseId, key), "the write survived the restart");
    }
    assertEquals(null, fatal.get());
  }

  @Test
  void helpSaysGrowingIntoAClusterIsNotSupported() {
    String help = new CommandLine(new QuorumKv()).getSubcommands().get("serve").getUsageMessage()
        .replaceAll("\\s+", " ");
    assertTrue(help.contains("drop-in for 'denokv serve'"), help);
    assertTrue(help.contains("into a multi-node cluster is not supported yet"), help);
    for (String flag : new String[] {"--data-dir", "--port", "--host", "--metrics-port", "--raft-port", "--rpc-port", "--access-token-file"}) {
      assertTrue(help.contains(flag), flag);
    }
  }

  // --- helpers

  private ByteString read(int port, String databaseId, ByteString key) throws Exception {
    SnapshotRead read = SnapshotRead.newBuilder().addRanges(ReadRange.newBuilder()
        .setStart(key).setEnd(key.concat(ByteString.copyFrom(new byte[] {0}))).setLimit(1)).build();
    SnapshotReadOutput out = SnapshotReadOutput.parseFrom(dataPath(port, databaseId, "/v2/snapshot_read", read.toByteArray()));
    assertEquals(1, out.getRanges(0).getValuesCount(), out.toString());
    return out.getRanges(0).getValues(0).getValue();
  }

  private String metadataDatabaseId(int port) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
        .header("authorization", "Bearer " + TOKEN).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"supportedVersions\":[2,3]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    int at = r.body().indexOf("\"databaseId\":\"") + 14;
    return r.body().substring(at, r.body().indexOf('"', at));
  }

  private byte[] dataPath(int port, String databaseId, String path, byte[] body) throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .header("authorization", "Bearer " + TOKEN).header("x-denokv-database-id", databaseId)
        .header("x-denokv-version", "3")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    return r.body();
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
