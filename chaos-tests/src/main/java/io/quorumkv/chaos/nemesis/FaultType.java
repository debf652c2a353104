package io.quorumkv.chaos.nemesis;

import java.util.Locale;

/** The faults the nemesis can inject; see {@link Nemesis} for how each is applied and healed. */
public enum FaultType {
  /** SIGKILL the leader; restart it when the fault ends. */
  KILL9_LEADER,
  /** SIGKILL a follower; restart it when the fault ends. */
  KILL9_FOLLOWER,
  /** SIGSTOP the leader for longer than the election timeout; SIGCONT when the fault ends. */
  PAUSE_LEADER,
  /** Graceful stop of one node; start it when the fault ends. */
  RESTART,
  /** SIGKILL every node; start them all when the fault ends. */
  ALL_CRASH,
  /** SIGKILL a follower and delete its data directory; start it empty when the fault ends. */
  WIPE_FOLLOWER,
  /** Cut one node's Raft links (through {@link FaultProxy}); heal when the fault ends. */
  PARTITION;

  /** {@code kill9-leader} etc., as printed in schedules. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
