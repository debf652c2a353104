package io.quorumkv.node.metrics;

import static io.quorumkv.proto.JsonStrings.quote;

import io.quorumkv.proto.ObservabilityServer;
import io.quorumkv.proto.gen.StatusResponse;

/**
 * A node's readiness: it has not stopped and it knows a leader.
 *
 * <p>"Knows a leader" is Ratis' own view ({@code StatusResponse.leader_id}): a follower cut off
 * from the leader loses it when its election timeout fires and it becomes a candidate, and a
 * node that is still replaying its log after a restart has none yet. Liveness is not decided
 * here: a process that can answer HTTP is live (a node that stops itself exits).
 *
 * @param ready true if the node can serve
 * @param reason one line for humans: the leader, or why not ready
 * @param status the status the decision was made from
 */
public record Health(boolean ready, String reason, StatusResponse status) implements ObservabilityServer.Readiness {

  /** Decides readiness from one look at the node. */
  public static Health of(NodeProbe node) {
    StatusResponse s = node.status();
    var stopped = node.stopped();
    if (stopped.isPresent()) {
      return new Health(false, "stopped: " + stopped.get(), s);
    }
    if (s.getRole().isEmpty() || s.getRole().equals("UNKNOWN")) {
      return new Health(false, "starting: Raft is not running yet", s);
    }
    if (s.getLeaderId().isEmpty()) {
      return new Health(false, "no leader known (" + s.getRole() + ", term " + s.getTerm() + ")", s);
    }
    return new Health(true, "leader " + s.getLeaderId() + " (" + s.getRole() + ", term " + s.getTerm() + ")", s);
  }

  /** One JSON object: status UP/DOWN, the reason, and the Raft view it was decided from. */
  @Override
  public String toJson() {
    return "{\"status\":\"" + (ready ? "UP" : "DOWN") + "\""
        + ",\"reason\":" + quote(reason)
        + ",\"id\":" + quote(status.getId())
        + ",\"role\":" + quote(status.getRole())
        + ",\"term\":" + status.getTerm()
        + ",\"leader\":" + (status.getLeaderId().isEmpty() ? "null" : quote(status.getLeaderId()))
        + ",\"commitIndex\":" + status.getCommitIndex()
        + ",\"appliedIndex\":" + status.getAppliedIndex() + "}";
  }
}
