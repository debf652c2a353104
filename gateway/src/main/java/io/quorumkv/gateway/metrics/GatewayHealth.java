package io.quorumkv.gateway.metrics;

import static io.quorumkv.proto.JsonStrings.quote;

import io.quorumkv.gateway.ClusterHealth;
import io.quorumkv.gateway.KvConnectServer;
import io.quorumkv.gateway.KvDatabase;
import io.quorumkv.proto.JsonStrings;
import io.quorumkv.proto.ObservabilityServer;
import java.util.Optional;

/**
 * The gateway's readiness: the KV Connect server runs and the database knows a leader (through
 * the cluster view's status polls). A gateway that cannot reach a leader would answer every
 * write and strong read with 503, so a load balancer should send clients elsewhere.
 *
 * @param ready true if the gateway can serve
 * @param reason one line for humans: the leader, or why not ready
 * @param cluster the cluster state the decision was made from (empty before the database exists)
 */
public record GatewayHealth(boolean ready, String reason, Optional<ClusterHealth> cluster) implements ObservabilityServer.Readiness {

  /** Decides readiness; {@code db} and {@code server} are null while the gateway starts. */
  public static GatewayHealth of(KvDatabase db, KvConnectServer server) {
    if (db == null) {
      return new GatewayHealth(false, "starting: connecting to the Raft group", Optional.empty());
    }
    ClusterHealth c;
    try {
      c = db.health();
    } catch (RuntimeException e) {
      return new GatewayHealth(false, "cluster state unavailable: " + e, Optional.empty());
    }
    String nodes = c.nodesReachable() + " of " + c.nodes() + " nodes reachable";
    if (server == null || !server.isRunning()) {
      return new GatewayHealth(false, "the KV Connect server is not running (" + nodes + ")", Optional.of(c));
    }
    if (c.leader().isEmpty()) {
      return new GatewayHealth(false, "no leader known (" + nodes + ")", Optional.of(c));
    }
    return new GatewayHealth(true, "leader " + c.leader().get() + " (" + nodes + ")", Optional.of(c));
  }

  /** One JSON object on one line: status UP/DOWN, the reason, leader and node counts. */
  @Override
  public String toJson() {
    StringBuilder b = new StringBuilder("{\"status\":\"").append(ready ? "UP" : "DOWN").append('"');
    b.append(",\"reason\":").append(quote(reason));
    cluster.ifPresent(c -> b.append(",\"leader\":").append(c.leader().map(JsonStrings::quote).orElse("null"))
        .append(",\"nodesReachable\":").append(c.nodesReachable())
        .append(",\"nodes\":").append(c.nodes()));
    return b.append('}').toString();
  }
}
