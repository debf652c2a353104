package io.quorumkv.gateway;

import io.quorumkv.proto.PeerAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Command line and environment handling of {@code quorumkv gateway}. */
class GatewayMainTest {
  static final String TOKEN = "a-token-of-20-chars!";
  static final String PEERS = "n1=127.0.0.1:7001:7101,n2=127.0.0.1:7002:7102,n3=[::1]:7003:7103";

  @TempDir Path dir;

  @Test
  void parsesDefaultsFromTheEnvironment() {
    GatewayConfig c = parse(env("QUORUMKV_PEERS", PEERS)).orElseThrow();
    assertEquals("0.0.0.0", c.host());
    assertEquals(4512, c.port());
    assertEquals(4513, c.metricsPort());
    assertEquals(TOKEN, c.accessToken());
    assertEquals(
        List.of(new PeerAddress("n1", "127.0.0.1", 7001, 7101), new PeerAddress("n2", "127.0.0.1", 7002, 7102),
            new PeerAddress("n3", "[::1]", 7003, 7103)),
        c.peers());
    assertEquals("[::1]:7003", c.peers().get(2).raftAddress());
    assertEquals(5_000, c.watchKeepAliveMs());
    assertTrue(!c.toString().contains(TOKEN), "toString must not print the token");
  }

  @Test
  void flagsWinOverTheEnvironment() {
    Map<String, String> env = env("QUORUMKV_PORT", "1111");
    env.put("QUORUMKV_HOST", "10.0.0.1");
    env.put("QUORUMKV_PEERS", "x=h:1:2");
    GatewayConfig c =
        parse(env, "gateway", "--port", "2222", "--host=127.0.0.1", "--peers", PEERS).orElseThrow();
    assertEquals(2222, c.port());
    assertEquals("127.0.0.1", c.host());
    assertEquals(3, c.peers().size());
    assertEquals(1111, parse(env).orElseThrow().port());
  }

  @Test
  void readsTheTokenFileWhichWinsOverTheVariable() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "from-the-file-123\n");
    GatewayConfig c =
        parse(env("QUORUMKV_PEERS", PEERS), "--access-token-file", file.toString()).orElseThrow();
    assertEquals("from-the-file-123", c.accessToken());
    Map<String, String> env = env("QUORUMKV_PEERS", PEERS);
    env.put("QUORUMKV_ACCESS_TOKEN_FILE", file.toString());
    assertEquals("from-the-file-123", parse(env).orElseThrow().accessToken());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--port abc|--port must be a number from 0 to 65535, got 'abc'",
        "--port 70000|--port must be a number from 0 to 65535, got '70000'",
        "--port|--port needs a value",
        "--peers n1=127.0.0.1:7001|--peers: malformed peer 'n1=127.0.0.1:7001'; expected"
            + " id=host:raftPort:rpcPort, e.g. n1=127.0.0.1:7001:7101",
        "--peers n1=h:1:2,n1=h:3:4|--peers: peer id 'n1' appears twice in --peers",
        "--peers n1=h:0:2|--peers: peer 'n1': port 0 is not in 1..65535",
        "--verbose|unknown option '--verbose'",
        "--metrics-port -2|--metrics-port must be a number from -1 to 65535, got '-2'",
        "--log-level LOUD|--log-level 'LOUD' is not one of SEVERE, WARNING, INFO, FINE, FINER, ALL",
        "--access-token secret-secret-secret|--access-token is not accepted: the command line is"
            + " visible to every user; use DENO_KV_ACCESS_TOKEN or --access-token-file",
        "--access-token-file /no/such/file|the access token file '/no/such/file' does not exist",
      })
  void rejectsBadOptionsWithOneLineAndExitCode2(String args, String message) {
    Run r = run(env("QUORUMKV_PEERS", PEERS), args.split(" "));
    assertEquals(2, r.code);
    assertEquals("quorumkv gateway: " + message + "\nTry 'quorumkv gateway --help'.\n", r.err);
  }

  @Test
  void requiresPeers() {
    Run r = run(env("X", "y"));
    assertEquals(2, r.code);
    assertTrue(r.err.startsWith("quorumkv gateway: --peers (or QUORUMKV_PEERS) is required\n"));
  }

  @Test
  void requiresAnAccessTokenOfAtLeast12Characters() {
    Map<String, String> env = new HashMap<>(Map.of("QUORUMKV_PEERS", PEERS));
    assertTrue(run(env).err.startsWith(
        "quorumkv gateway: no access token: set DENO_KV_ACCESS_TOKEN or pass"
            + " --access-token-file\n"));
    env.put("DENO_KV_ACCESS_TOKEN", "elevenchars");
    Run r = run(env);
    assertEquals(2, r.code);
    assertTrue(r.err.startsWith(
        "quorumkv gateway: the access token must be at least 12 characters long\n"), r.err);
    env.put("DENO_KV_ACCESS_TOKEN", "twelve-chars");
    assertEquals(12, parse(env).orElseThrow().accessToken().length());
    env.put("DENO_KV_ACCESS_TOKEN", "twelve-chars-but-\u00e9");
    assertTrue(run(env).err.contains("printable ASCII"), run(env).err);
  }

  @Test
  void printsUsageForHelp() {
    Run r = run(Map.of(), "gateway", "--help");
    assertEquals(0, r.code);
    assertTrue(r.out.startsWith("Usage: quorumkv gateway"), r.out);
    assertEquals("", r.err);
  }

  @Test
  void reportsAPortInUseInOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      FakeKvDatabase db = new FakeKvDatabase();
      Run r = run(env("QUORUMKV_PEERS", PEERS), f -> db, "--host", "127.0.0.1", "--port",
          String.valueOf(taken.getLocalPort()), "--metrics-port", "0");
      assertEquals(1, r.code);
      assertTrue(r.err.startsWith("quorumkv gateway: cannot listen on 127.0.0.1:"
          + taken.getLocalPort() + ": "), r.err);
      assertEquals(1, r.err.lines().count(), r.err);
      assertTrue(db.isClosed(), "the database is closed when the server cannot start");
    }
  }

  @Test
  void launchesAServingGatewayWithTheGivenDatabase() throws Exception {
    FakeKvDatabase db = new FakeKvDatabase();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Optional<GatewayMain.Gateway> launched =
        GatewayMain.launch(
            new String[] {"--host", "127.0.0.1", "--port", "0", "--metrics-port", "-1"},
            env("QUORUMKV_PEERS", PEERS),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            config -> db);
    try (GatewayMain.Gateway g = launched.orElseThrow();
        HttpClient client = HttpClient.newHttpClient()) {
      assertTrue(out.toString(StandardCharsets.UTF_8).contains("serving KV Connect on"));
      HttpRequest req =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.server().port() + "/"))
              .header("authorization", "Bearer " + TOKEN)
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"supportedVersions\":[3]}"))
              .build();
      assertEquals(200, client.send(req, HttpResponse.BodyHandlers.ofString()).statusCode());
    }
    assertTrue(db.isClosed());
  }

  @Test
  void peerParsingRejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> PeerAddress.parseList("=h:1:2"));
    assertThrows(IllegalArgumentException.class, () -> PeerAddress.parseList("n1=:1:2"));
    assertThrows(IllegalArgumentException.class, () -> PeerAddress.parseList("n1=h:1:x"));
    assertThrows(IllegalArgumentException.class, () -> PeerAddress.parseList("n1=h:1:2,"));
    assertThrows(IllegalArgumentException.class, () -> PeerAddress.parseList("bad id=h:1:2"));
    assertThrows(IllegalArgumentException.class, () -> PeerAddress.parseList("n1=h:1:2,n1=h:3:4"));
  }

  // --- helpers

  record Run(int code, String out, String err) {}

  private static Run run(Map<String, String> env, String... args) {
    return run(env, config -> new FakeKvDatabase(), args);
  }

  /** Only for runs that must fail or print help: a successful run() serves until JVM exit. */
  private static Run run(Map<String, String> env, KvDatabaseFactory factory, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () ->
                GatewayMain.run(
                    args,
                    env,
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8),
                    factory));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Optional<GatewayConfig> parse(Map<String, String> env, String... args) {
    return GatewayMain.parse(args, env);
  }

  private static Map<String, String> env(String name, String value) {
    Map<String, String> env = new HashMap<>();
    env.put("DENO_KV_ACCESS_TOKEN", TOKEN);
    env.put(name, value);
    return env;
  }

}
