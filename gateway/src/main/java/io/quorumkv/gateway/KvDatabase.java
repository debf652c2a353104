package io.quorumkv.gateway;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.AtomicWriteOutput;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.deno.kv.datapath.Watch;
import io.quorumkv.proto.KvException;

/**
 * The database as the gateway's HTTP layer sees it (STYLE.md practice 7: owned by its consumer,
 * so Raft types never reach the HTTP handlers). One implementation forwards to the Ratis group;
 * tests use an in-memory fake.
 *
 * <p>Every request handed to these methods has already passed {@code RequestValidator}; an
 * implementation may rely on the limits of KV-CONNECT.md §5.9 holding.
 *
 * <p>Errors are {@link KvException}s: {@code InvalidRequest} for a type or range error found
 * while applying a write (answered 400 with its message, e.g. {@code Cannot sum BigInt with
 * Number}); {@code LeaderUnavailable}, {@code Indeterminate} and {@code Overloaded} when the
 * cluster cannot answer in time (answered 503, which Deno retries). Any other exception is a bug
 * and is answered 500.
 *
 * <p>Thread-safety: implementations must be safe for concurrent use by many request threads
 * (each HTTP request runs on its own virtual thread). Calls may block; they must give up within
 * a bounded time and throw one of the 503 exceptions rather than wait forever.
 */
public interface KvDatabase extends AutoCloseable {

  /**
   * The database identity sent in the metadata exchange and required on every data-path request:
   * the Raft group id as a lower-case hyphenated UUID ({@code 8-4-4-4-12}), identical on every
   * gateway of the cluster. Constant for the lifetime of the instance.
   */
  String databaseId();

  /**
   * Reads every range of {@code read} from one consistent snapshot.
   *
   * @return one {@code ReadRangeOutput} per requested range, in request order, with
   *     {@code status=SR_SUCCESS}, {@code read_disabled=false} and
   *     {@code read_is_strongly_consistent} equal to {@code consistency == STRONG}. A strong read
   *     that cannot be served linearizably throws {@code LeaderUnavailable}; it never returns a
   *     weaker answer.
   */
  SnapshotReadOutput snapshotRead(SnapshotRead read, Consistency consistency);

  /**
   * Commits {@code write} atomically through the Raft log, or not at all.
   *
   * @return {@code AW_SUCCESS} with the 10-byte commit versionstamp, or {@code AW_CHECK_FAILURE}
   *     (nothing changed) — never {@code AW_WRITE_DISABLED} or {@code AW_UNSPECIFIED}
   * @throws KvException.InvalidRequest a type or range error while applying a mutation; nothing
   *     changed
   * @throws KvException.Indeterminate the write was proposed but its outcome could not be learned
   *     in time; it may or may not commit
   */
  AtomicWriteOutput atomicWrite(AtomicWrite write);

  /**
   * Starts watching the keys of {@code watch} (zero keys is allowed). The returned stream's first
   * output holds every key in request order with {@code changed=true}; later outputs follow
   * commits that touch a watched key. Outputs are collapsed, not queued: a slow consumer sees the
   * newest state, never an unbounded backlog (see {@link WatchStream}).
   *
   * @throws KvException.LeaderUnavailable (or another 503 exception) if the watch cannot be set
   *     up now; the caller answers 503 and the client retries
   */
  WatchStream watch(Watch watch, Consistency consistency);

  /**
   * The cluster as this database last saw it: known leader, reachable nodes, counters. Must not
   * block or throw (called from metrics and health threads). The default suits a database with
   * no cluster behind it.
   */
  default ClusterHealth health() {
    return ClusterHealth.LOCAL;
  }

  /**
   * Releases connections and threads. Idempotent; open watch streams end (their {@code next}
   * throws a {@code KvException}).
   */
  @Override
  void close();
}
