package io.quorumkv.node.metrics;

import io.quorumkv.node.raft.StateMachineStats;
import io.quorumkv.proto.gen.StatusResponse;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What metrics and health checks see of a node (implemented over {@code NodeServer}).
 *
 * <p>Called from HTTP threads at scrape and probe time: every method must be thread-safe,
 * non-blocking and must not throw.
 */
public interface NodeProbe {
  /** Role, term, leader, commit/applied/snapshot index; role {@code UNKNOWN} before Raft runs. */
  StatusResponse status();

  /** The state machine's counters. */
  StateMachineStats stats();

  /** Open watch streams. */
  int watchStreams();

  /** The node's data directory (holds {@code kv.sqlite3}). */
  Path dataDir();

  /** Why the node has stopped serving (closed, or a fatal error), or empty while it runs. */
  Optional<String> stopped();
}
