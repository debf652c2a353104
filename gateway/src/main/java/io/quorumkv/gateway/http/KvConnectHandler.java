package io.quorumkv.gateway.http;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.AtomicWriteOutput;
import com.deno.kv.datapath.AtomicWriteStatus;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.deno.kv.datapath.SnapshotReadStatus;
import com.deno.kv.datapath.Watch;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.quorumkv.gateway.Consistency;
import io.quorumkv.gateway.KvDatabase;
import io.quorumkv.gateway.validation.RequestValidator;
import io.quorumkv.proto.KvException;
import io.quorumkv.proto.Limits;
import io.quorumkv.proto.Versionstamp;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every KV Connect request goes through {@link #handle}: the routing table ({@link Route}), the
 * header and body checks in the reference's order, the call into {@link KvDatabase}, and the
 * mapping of every failure to a status and a plain-text body, in one place
 * ({@link #sendError}).
 *
 * <p>One handler for all paths, rather than one Helidon route per path, so that an unknown path
 * answers 404 {@code Resource not found.} and a known path with another method answers 405, as
 * the reference does, whatever Helidon's own defaults are.
 *
 * <p>Thread-safe: Helidon calls {@link #handle} concurrently, one virtual thread per request.
 */
public final class KvConnectHandler implements Handler {
  private static final Logger LOG = System.getLogger(KvConnectHandler.class.getName());

  static final String NOT_FOUND = "Resource not found.";
  static final String INTERNAL_ERROR = "An internal server error occurred.";
  static final String PAYLOAD_TOO_LARGE =
      "Failed to buffer the request body: length limit exceeded";
  /** The reference's 503 text (sic), for a 503 exception that carries no message. */
  static final String TRY_AGAIN = "The server is temporarially unavailable, try again later.";
  static final String TEXT_PLAIN = "text/plain; charset=utf-8";
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";
  private static final long DRAIN_POLL_MS = 10;

  /** What a path does and, for the data path, which consistency its reads get. */
  enum Route {
    METADATA("/", null, "metadata", "strong"),
    REPLICA_METADATA("/replica", null, "metadata", "eventual"),
    SNAPSHOT_READ("/v2/snapshot_read", Consistency.STRONG, "snapshot_read", "strong"),
    ATOMIC_WRITE("/v2/atomic_write", Consistency.STRONG, "atomic_write", "strong"),
    WATCH("/v2/watch", Consistency.STRONG, "watch", "strong"),
    EVENTUAL_SNAPSHOT_READ("/eventual/v2/snapshot_read", Consistency.EVENTUAL, "snapshot_read", "eventual"),
    EVENTUAL_ATOMIC_WRITE("/eventual/v2/atomic_write", Consistency.EVENTUAL, "atomic_write", "eventual"),
    EVENTUAL_WATCH("/eventual/v2/watch", Consistency.EVENTUAL, "watch", "eventual");

    private static final Map<String, Route> BY_PATH =
        Stream.of(values()).collect(Collectors.toUnmodifiableMap(r -> r.path, r -> r));

    final String path;
    final Consistency consistency;
    /** Metric labels (RequestObserver): what the endpoint does, and the endpoint family. */
    final String endpointLabel;
    final String consistencyLabel;

    Route(String path, Consistency consistency, String endpointLabel, String consistencyLabel) {
      this.path = path;
      this.consistency = consistency;
      this.endpointLabel = endpointLabel;
      this.consistencyLabel = consistencyLabel;
    }

    static Optional<Route> of(String path) {
      return Optional.ofNullable(BY_PATH.get(path));
    }
  }

  /**
   * The metadata documents' endpoints. Root-relative: both clients resolve them against the URL
   * they sent the metadata request to, so they keep working behind any host name, port mapping
   * or proxy that preserves the path (gateway/DESIGN.md, "Endpoints").
   */
  static final List<MetadataExchange.Endpoint> ENDPOINTS =
      List.of(
          new MetadataExchange.Endpoint("/v2", "strong"),
          new MetadataExchange.Endpoint("/eventual/v2", "eventual"));

  /**
   * {@code POST /replica}: the follower endpoint alone, labelled {@code strong} because the Deno
   * CLI sends every call to the first strong endpoint and refuses to work without one. Its reads
   * always answer {@code read_is_strongly_consistent=false}, so strong reads fail loudly there
   * while {@code consistency: "eventual"} reads succeed (gateway/DESIGN.md, "/replica").
   */
  static final List<MetadataExchange.Endpoint> REPLICA_ENDPOINTS =
      List.of(new MetadataExchange.Endpoint("/eventual/v2", "strong"));

  private final KvDatabase db;
  private final String accessToken;
  private final AccessControl access;
  private final WatchResponder watches;
  private final Clock clock;
  private final RequestObserver observer;
  /** Requests being handled, for {@link #drain}. */
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * @param db the database to serve; its {@link KvDatabase#databaseId} must be a lower-case
   *     hyphenated UUID
   * @param accessToken the token clients must present (and are handed back as data-path token)
   * @param watchKeepAliveMs interval between keep-alive frames on watch streams
   * @param clock wall clock for metadata expiry and the enqueue deadline rule
   */
  public KvConnectHandler(KvDatabase db, String accessToken, long watchKeepAliveMs, Clock clock) {
    this(db, accessToken, watchKeepAliveMs, clock, RequestObserver.NONE);
  }

  /**
   * As above, and tells {@code observer} about every answered request (metrics).
   */
  public KvConnectHandler(
      KvDatabase db,
      String accessToken,
      long watchKeepAliveMs,
      Clock clock,
      RequestObserver observer) {
    this.observer = observer;
    this.db = db;
    this.accessToken = accessToken;
    this.clock = clock;
    this.access = new AccessControl(accessToken, parseDatabaseId(db.databaseId()));
    this.watches = new WatchResponder(db, watchKeepAliveMs);
  }

  /**
   * Prepares for the server to stop: ends every watch stream, now and from now on, then waits
   * up to {@code timeoutMs} for requests in flight to be answered. Helidon interrupts whatever
   * still runs when it stops, which cuts answers off and makes it log errors.
   */
  public void drain(long timeoutMs) {
    watches.closeAll();
    long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (inFlight.get() > 0 && System.nanoTime() < deadlineNs) {
      try {
        Thread.sleep(DRAIN_POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Watch streams being served now. */
  public int openWatchStreams() {
    return watches.openStreams();
  }

  @Override
  public void handle(ServerRequest req, ServerResponse res) {
    inFlight.incrementAndGet();
    long startNs = System.nanoTime();
    Route route = null;
    try {
      route =
          Route.of(req.path().rawPath())
              .orElseThrow(() -> new HttpStatusException(404, NOT_FOUND));
      if (req.prologue().method() != Method.POST) {
        res.header(HeaderNames.ALLOW, "POST");
        throw new HttpStatusException(405, "");
      }
      switch (route) {
        case METADATA -> metadata(req, res, ENDPOINTS);
        case REPLICA_METADATA -> metadata(req, res, REPLICA_ENDPOINTS);
        case SNAPSHOT_READ, EVENTUAL_SNAPSHOT_READ -> snapshotRead(req, res, route.consistency);
        case ATOMIC_WRITE, EVENTUAL_ATOMIC_WRITE -> atomicWrite(req, res);
        case WATCH, EVENTUAL_WATCH -> watch(req, res, route.consistency);
      }
    } catch (KvException e) {
      if (e.httpStatus() >= 500) {
        LOG.log(Level.INFO, () -> "answering " + e.httpStatus() + ": " + e);
      }
      sendError(res, e.httpStatus(), e.getMessage() == null ? TRY_AGAIN : e.getMessage());
    } catch (HttpStatusException e) {
      sendError(res, e.status(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "request " + req.prologue() + " failed", e);
      sendError(res, 500, INTERNAL_ERROR);
    } finally {
      observe(route, res, startNs);
      inFlight.decrementAndGet();
    }
  }

  /** The one place requests are measured: every path, every outcome. */
  private void observe(Route route, ServerResponse res, long startNs) {
    try {
      observer.completed(
          route == null ? "other" : route.endpointLabel,
          route == null ? "none" : route.consistencyLabel,
          res.status().code(),
          System.nanoTime() - startNs);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "request observer failed", e);
    }
  }

  private void metadata(
      ServerRequest req, ServerResponse res, List<MetadataExchange.Endpoint> endpoints) {
    // The reference's order: body and version first, then authorization (KV-CONNECT.md §1.2).
    Optional<byte[]> body = RequestBodies.read(req, Limits.MAX_REQUEST_BODY_BYTES);
    int version =
        MetadataExchange.negotiateVersion(req.headers().first(HeaderNames.CONTENT_TYPE), body);
    access.checkAuthorization(req.headers());
    String document =
        MetadataExchange.document(
            version, db.databaseId(), endpoints, accessToken, clock.instant());
    res.header(HeaderNames.CONTENT_TYPE, JSON); // exactly this: npm compares the whole value
    res.send(document.getBytes(StandardCharsets.UTF_8));
  }

  private void snapshotRead(ServerRequest req, ServerResponse res, Consistency consistency) {
    SnapshotRead read = dataPathRequest(req, SnapshotRead.parser());
    RequestValidator.validate(read);
    SnapshotReadOutput out = db.snapshotRead(read, consistency);
    if (out.getStatus() != SnapshotReadStatus.SR_SUCCESS
        || out.getReadDisabled()
        || out.getRangesCount() != read.getRangesCount()
        || (consistency == Consistency.STRONG && !out.getReadIsStronglyConsistent())) {
      throw new IllegalStateException("KvDatabase broke the snapshotRead contract: " + out);
    }
    if (consistency == Consistency.EVENTUAL && out.getReadIsStronglyConsistent()) {
      // Never claim more than the endpoint promises: /replica relies on strong reads failing
      // here every time, not only when the answer happened to come from a lagging replica.
      out = out.toBuilder().setReadIsStronglyConsistent(false).build();
    }
    sendProtobuf(res, out.toByteArray());
  }

  private void atomicWrite(ServerRequest req, ServerResponse res) {
    AtomicWrite write = dataPathRequest(req, AtomicWrite.parser());
    RequestValidator.validate(write, clock.millis());
    AtomicWriteOutput out = db.atomicWrite(write);
    boolean committed =
        out.getStatus() == AtomicWriteStatus.AW_SUCCESS
            && out.getVersionstamp().size() == Versionstamp.SIZE_BYTES;
    if (!committed && out.getStatus() != AtomicWriteStatus.AW_CHECK_FAILURE) {
      throw new IllegalStateException("KvDatabase broke the atomicWrite contract: " + out);
    }
    sendProtobuf(res, out.toByteArray());
  }

  private void watch(ServerRequest req, ServerResponse res, Consistency consistency) {
    Watch watch = dataPathRequest(req, Watch.parser());
    RequestValidator.validate(watch);
    watches.stream(watch, consistency, res);
  }

  /**
   * Header checks, then the body: bounded read (413), then protobuf decoding (400). The order
   * is the reference's: its auth middleware runs before the body is buffered.
   */
  private <T> T dataPathRequest(ServerRequest req, Parser<T> parser) {
    access.checkDataPath(req.headers());
    byte[] body =
        RequestBodies.read(req, Limits.MAX_REQUEST_BODY_BYTES)
            .orElseThrow(() -> new HttpStatusException(413, PAYLOAD_TOO_LARGE));
    try {
      return parser.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new KvException.InvalidRequest(protobufError(e));
    }
  }

  /** {@code Request protobuf is invalid: <detail>.}, the detail prefixed as prost words it. */
  static String protobufError(InvalidProtocolBufferException e) {
    String detail = String.valueOf(e.getMessage()).strip();
    while (detail.endsWith(".")) {
      detail = detail.substring(0, detail.length() - 1);
    }
    return "Request protobuf is invalid: failed to decode Protobuf message: " + detail + ".";
  }

  private static void sendProtobuf(ServerResponse res, byte[] body) {
    res.header(HeaderNames.CONTENT_TYPE, PROTOBUF);
    res.send(body);
  }

  /** The only place an error becomes a response: the status, and the message as plain text. */
  static void sendError(ServerResponse res, int status, String message) {
    if (res.isSent()) {
      return; // a streamed response already started; the body just ends
    }
    try {
      res.status(status);
      if (message.isEmpty()) {
        res.send();
        return;
      }
      res.header(HeaderNames.CONTENT_TYPE, TEXT_PLAIN);
      res.send(message.getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      // The client left (mid-upload, say); there is nobody to tell.
      LOG.log(Level.DEBUG, () -> "could not send " + status + ": " + e);
    }
  }

  private static UUID parseDatabaseId(String databaseId) {
    Function<String, IllegalArgumentException> bad =
        why -> new IllegalArgumentException("database id '" + databaseId + "' " + why);
    UUID id = UuidText.parse(databaseId).orElseThrow(() -> bad.apply("is not a UUID"));
    if (!id.toString().equals(databaseId)) { // npm requires lower-case 8-4-4-4-12
      throw bad.apply("is not lower-case hyphenated");
    }
    return id;
  }
}
