package io.quorumkv.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.node.raft.StateMachineStats;
import io.quorumkv.proto.gen.StatusResponse;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The readiness rule on its own, table-style. */
class HealthTest {
  static NodeProbe probe(StatusResponse s, Optional<String> stopped) {
    return new NodeProbe() {
      @Override
      public StatusResponse status() {
        return s;
      }

      @Override
      public StateMachineStats stats() {
        return new StateMachineStats();
      }

      @Override
      public int watchStreams() {
        return 0;
      }

      @Override
      public Path dataDir() {
        return Path.of(".");
      }

      @Override
      public Optional<String> stopped() {
        return stopped;
      }
    };
  }

  static StatusResponse status(String role, String leader) {
    return StatusResponse.newBuilder().setId("n1").setRole(role).setLeaderId(leader).setTerm(4).build();
  }

  @Test
  void readyOnlyWhenRunningAndALeaderIsKnown() {
    assertTrue(Health.of(probe(status("FOLLOWER", "n2"), Optional.empty())).ready());
    assertTrue(Health.of(probe(status("LEADER", "n1"), Optional.empty())).ready());
    Health candidate = Health.of(probe(status("CANDIDATE", ""), Optional.empty()));
    assertFalse(candidate.ready());
    assertEquals("no leader known (CANDIDATE, term 4)", candidate.reason());
    assertFalse(Health.of(probe(status("UNKNOWN", ""), Optional.empty())).ready());
    Health fatal = Health.of(probe(status("FOLLOWER", "n2"), Optional.of("fatal error: entry 7 cannot be decoded")));
    assertFalse(fatal.ready(), "a stopped node is not ready even if Ratis still names a leader");
    assertTrue(fatal.reason().startsWith("stopped: fatal error"));
  }

  @Test
  void jsonIsEscaped() {
    Health h = Health.of(probe(status("FOLLOWER", "n2"), Optional.of("bad \"entry\"\n")));
    assertEquals("{\"status\":\"DOWN\",\"reason\":\"stopped: bad \\\"entry\\\"\\n\",\"id\":\"n1\",\"role\":\"FOLLOWER\","
        + "\"term\":4,\"leader\":\"n2\",\"commitIndex\":0,\"appliedIndex\":0}", h.toJson());
  }
}
