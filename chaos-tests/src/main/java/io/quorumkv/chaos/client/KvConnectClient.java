package io.quorumkv.chaos.client;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.AtomicWriteOutput;
import com.deno.kv.datapath.KvEntry;
import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.ReadRangeOutput;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.deno.kv.datapath.SnapshotReadStatus;
import com.google.protobuf.InvalidProtocolBufferException;
import io.quorumkv.proto.Limits;
import io.quorumkv.proto.Versionstamp;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A KV Connect client over {@link HttpClient} (HTTP/1.1, as the npm client speaks it),
 * written for the chaos suite: it never retries and it classifies every answer as
 * {@link Outcome.Ok}, {@link Outcome.Fail} or {@link Outcome.Indeterminate}.
 *
 * <p>Protocol (KV-CONNECT.md §1.2–§1.5): a metadata exchange {@code POST <url>} with
 * {@code {"supportedVersions":[2,3]}} and the access token, then protobuf {@code POST}s to
 * {@code <strong endpoint>/snapshot_read} and {@code /atomic_write} with the returned token,
 * {@code x-denokv-database-id} and {@code x-denokv-version}. Like both real clients it sends no
 * content type on the data path. Metadata is cached and re-fetched after
 * {@link Config#metadataRefresh} (Deno re-fetches every 60 s).
 *
 * <p>Classification: 200 with a decodable body is Ok (reads must say {@code SR_SUCCESS} and
 * strongly consistent); {@code AW_CHECK_FAILURE} and 4xx are definite failures; a request that
 * could not connect, or could not get metadata, was never sent and is a definite failure too;
 * timeouts, 5xx, connection errors after sending and undecodable 200s are indeterminate.
 *
 * <p>Thread-safe: share one instance between client threads.
 */
public final class KvConnectClient implements KvApi, AutoCloseable {

  /**
   * Connection settings. {@code requestTimeout} bounds each HTTP exchange end to end;
   * {@code connectTimeout} bounds the TCP connect.
   */
  public record Config(URI url, String accessToken, Duration connectTimeout, Duration requestTimeout,
      Duration metadataRefresh) {
    public Config {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(accessToken, "accessToken");
      if (url.getPath() == null || url.getPath().isEmpty()) {
        url = url.resolve("/"); // Deno posts to "http://host:port/" for "http://host:port"
      }
    }

    /** 1 s connect, 5 s per request, 60 s metadata refresh. */
    public static Config of(String url, String accessToken) {
      return new Config(URI.create(url), accessToken, Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(60));
    }

    public Config withRequestTimeout(Duration t) {
      return new Config(url, accessToken, connectTimeout, t, metadataRefresh);
    }
  }

  private static final String METADATA_BODY = "{\"supportedVersions\":[2,3]}";
  private static final int MAX_ERROR_BODY_CHARS = 300;

  private final Config config;
  private final HttpClient http;
  private final Object metadataLock = new Object();
  private volatile Metadata metadata;
  private volatile long metadataFetchedNanos;

  public KvConnectClient(Config config) {
    this.config = config;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER) // Deno does not follow them (§1.1)
        .build();
  }

  /** Performs the metadata exchange now (or returns the cached one if fresh). */
  public Outcome<Metadata> metadata() {
    Metadata m = metadata;
    if (m != null && System.nanoTime() - metadataFetchedNanos < config.metadataRefresh().toNanos()) {
      return new Outcome.Ok<>(m);
    }
    synchronized (metadataLock) {
      m = metadata;
      if (m != null && System.nanoTime() - metadataFetchedNanos < config.metadataRefresh().toNanos()) {
        return new Outcome.Ok<>(m);
      }
      Outcome<Metadata> fresh = exchangeMetadata();
      if (fresh instanceof Outcome.Ok<Metadata>(Metadata v)) {
        metadata = v;
        metadataFetchedNanos = System.nanoTime();
      }
      return fresh;
    }
  }

  private Outcome<Metadata> exchangeMetadata() {
    HttpRequest req = HttpRequest.newBuilder(config.url())
        .timeout(config.requestTimeout())
        .header("authorization", "Bearer " + config.accessToken())
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(METADATA_BODY))
        .build();
    Outcome<HttpResponse<byte[]>> sent = send(req);
    if (!(sent instanceof Outcome.Ok<HttpResponse<byte[]>>(HttpResponse<byte[]> r))) {
      return sent.map(x -> null);
    }
    String body = new String(r.body(), StandardCharsets.UTF_8);
    if (r.statusCode() != 200) {
      return statusOutcome(r.statusCode(), "metadata: " + abbreviate(body));
    }
    try {
      return new Outcome.Ok<>(Metadata.parse(body, config.url()));
    } catch (IllegalArgumentException | ArithmeticException e) {
      return new Outcome.Fail<>(Outcome.FailKind.REJECTED, "metadata: " + e.getMessage());
    }
  }

  @Override
  public Outcome<List<List<Entry>>> snapshotRead(List<ReadRange> ranges) {
    if (ranges.size() > Limits.MAX_READ_RANGES) {
      throw new IllegalArgumentException("more than " + Limits.MAX_READ_RANGES + " ranges is a workload bug");
    }
    byte[] body = SnapshotRead.newBuilder().addAllRanges(ranges).build().toByteArray();
    return dataPost("snapshot_read", body).flatMap(bytes -> decodeRead(bytes, ranges.size()));
  }

  @Override
  public Outcome<Versionstamp> commit(AtomicWrite write) {
    return dataPost("atomic_write", write.toByteArray()).flatMap(KvConnectClient::decodeWrite);
  }

  private DataResult dataPost(String method, byte[] body) {
    Outcome<Metadata> meta = metadata();
    if (!(meta instanceof Outcome.Ok<Metadata>(Metadata m))) {
      // nothing was sent on the data path, whatever happened to the metadata request
      return new DataResult(new Outcome.Fail<>(Outcome.FailKind.NOT_SENT, meta.describe()));
    }
    HttpRequest req = HttpRequest.newBuilder(URI.create(m.strongEndpoint() + "/" + method))
        .timeout(config.requestTimeout())
        .header("authorization", "Bearer " + m.token())
        .header("x-denokv-database-id", m.databaseId())
        .header("x-denokv-version", Integer.toString(m.version()))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    Outcome<HttpResponse<byte[]>> sent = send(req);
    if (!(sent instanceof Outcome.Ok<HttpResponse<byte[]>>(HttpResponse<byte[]> r))) {
      return new DataResult(sent.map(x -> null));
    }
    if (r.statusCode() != 200) {
      return new DataResult(statusOutcome(r.statusCode(), method + ": " + abbreviate(new String(r.body(), StandardCharsets.UTF_8))));
    }
    return new DataResult(new Outcome.Ok<>(r.body()));
  }

  /** Sends, mapping transport failures: not connected = not sent; anything later = unknown. */
  private Outcome<HttpResponse<byte[]>> send(HttpRequest req) {
    try {
      return new Outcome.Ok<>(http.send(req, HttpResponse.BodyHandlers.ofByteArray()));
    } catch (HttpConnectTimeoutException e) {
      return new Outcome.Fail<>(Outcome.FailKind.NOT_SENT, "connect timeout: " + e.getMessage());
    } catch (ConnectException e) {
      return new Outcome.Fail<>(Outcome.FailKind.NOT_SENT, "connect failed: " + e.getMessage());
    } catch (HttpTimeoutException e) {
      return new Outcome.Indeterminate<>("timeout after " + config.requestTimeout().toMillis() + " ms");
    } catch (IOException e) {
      if (e.getCause() instanceof ConnectException c) {
        return new Outcome.Fail<>(Outcome.FailKind.NOT_SENT, "connect failed: " + c.getMessage());
      }
      return new Outcome.Indeterminate<>(e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome.Indeterminate<>("interrupted");
    }
  }

  /** Non-200 statuses: 4xx definite, everything else (5xx, 1xx, 3xx) possibly applied. */
  static <T> Outcome<T> statusOutcome(int status, String message) {
    if (status >= 400 && status < 500) {
      return new Outcome.Fail<>(Outcome.FailKind.REJECTED, status + " " + message);
    }
    return new Outcome.Indeterminate<>(status + " " + message);
  }

  static Outcome<List<List<Entry>>> decodeRead(byte[] bytes, int expectedRanges) {
    try {
      return classifyRead(SnapshotReadOutput.parseFrom(bytes), expectedRanges);
    } catch (InvalidProtocolBufferException e) {
      return new Outcome.Indeterminate<>("undecodable SnapshotReadOutput: " + e.getMessage());
    }
  }

  /**
   * Classifies a decoded read answer exactly as for HTTP (shared with adapters that reach the
   * database without HTTP, so both paths judge answers the same way).
   */
  public static Outcome<List<List<Entry>>> classifyRead(SnapshotReadOutput out, int expectedRanges) {
    if (out.getReadDisabled() || out.getStatus() != SnapshotReadStatus.SR_SUCCESS) {
      return new Outcome.Fail<>(Outcome.FailKind.REJECTED, "read status " + out.getStatus() + (out.getReadDisabled() ? " (read disabled)" : ""));
    }
    if (!out.getReadIsStronglyConsistent()) {
      return new Outcome.Fail<>(Outcome.FailKind.REJECTED, "strong read answered with read_is_strongly_consistent=false");
    }
    if (out.getRangesCount() != expectedRanges) {
      return new Outcome.Indeterminate<>("asked for " + expectedRanges + " ranges, got " + out.getRangesCount());
    }
    List<List<Entry>> ranges = new ArrayList<>();
    for (ReadRangeOutput r : out.getRangesList()) {
      List<Entry> entries = new ArrayList<>();
      for (KvEntry e : r.getValuesList()) {
        if (e.getVersionstamp().size() != Versionstamp.SIZE_BYTES) {
          return new Outcome.Indeterminate<>("entry versionstamp of " + e.getVersionstamp().size() + " bytes");
        }
        entries.add(new Entry(e.getKey().toByteArray(), new Value(e.getValue().toByteArray(), e.getEncoding()),
            Versionstamp.fromBytes(e.getVersionstamp().toByteArray())));
      }
      ranges.add(List.copyOf(entries));
    }
    return new Outcome.Ok<>(List.copyOf(ranges));
  }

  static Outcome<Versionstamp> decodeWrite(byte[] bytes) {
    try {
      return classifyWrite(AtomicWriteOutput.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      return new Outcome.Indeterminate<>("undecodable AtomicWriteOutput: " + e.getMessage());
    }
  }

  /** Classifies a decoded write answer exactly as for HTTP. */
  public static Outcome<Versionstamp> classifyWrite(AtomicWriteOutput out) {
    return switch (out.getStatus()) {
      case AW_SUCCESS -> out.getVersionstamp().size() == Versionstamp.SIZE_BYTES
          ? new Outcome.Ok<>(Versionstamp.fromBytes(out.getVersionstamp().toByteArray()))
          : new Outcome.Indeterminate<>("AW_SUCCESS with a " + out.getVersionstamp().size() + "-byte versionstamp");
      case AW_CHECK_FAILURE -> new Outcome.Fail<>(Outcome.FailKind.CHECK_FAILED, "check failed");
      case AW_WRITE_DISABLED -> new Outcome.Fail<>(Outcome.FailKind.REJECTED, "writes are disabled");
      default -> new Outcome.Indeterminate<>("write status " + out.getStatus());
    };
  }

  private static String abbreviate(String s) {
    return s.length() <= MAX_ERROR_BODY_CHARS ? s : s.substring(0, MAX_ERROR_BODY_CHARS) + "...";
  }

  @Override
  public void close() {
    http.close();
  }

  /** The raw 200 body of a data-path call, or why there is none. */
  private record DataResult(Outcome<byte[]> outcome) {
    <T> Outcome<T> flatMap(java.util.function.Function<byte[], Outcome<T>> decode) {
      return outcome instanceof Outcome.Ok<byte[]>(byte[] b) ? decode.apply(b) : outcome.map(x -> null);
    }
  }
}
