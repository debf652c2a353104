package io.quorumkv.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.ratis.conf.RaftProperties;
import org.junit.jupiter.api.Test;

class RaftSettingsTest {
  @Test
  void raftSystemPropertiesOverrideTheDefaultsAndNothingElseIsCopied() {
    RaftProperties p = RaftSettings.defaults().serverProperties(Path.of("/tmp/x"), 7001);
    assertEquals("150ms", p.get("raft.server.rpc.timeout.min"));
    Properties system = new Properties();
    system.setProperty("raft.server.rpc.timeout.min", "400ms");
    system.setProperty("raft.grpc.server.worker-group.size", "1");
    system.setProperty("java.version", "99");
    RaftSettings.applyOverrides(p, system);
    assertEquals("400ms", p.get("raft.server.rpc.timeout.min"));
    assertEquals("1", p.get("raft.grpc.server.worker-group.size"));
    assertNull(p.get("java.version"));
  }
}
