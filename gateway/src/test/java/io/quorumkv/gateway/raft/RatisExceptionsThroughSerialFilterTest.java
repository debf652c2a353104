package io.quorumkv.gateway.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.helidon.common.SerializationConfig;
import java.util.List;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.ReadException;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;
import org.junit.jupiter.api.Test;

/**
 * Finding F5: Helidon installs a JVM-wide deserialization filter that rejects every class not
 * allowed by a {@code META-INF/helidon/serial-config.properties} (JEP 290). Ratis sends the
 * stack trace and cause of several server exceptions Java-serialized, so in the gateway's JVM
 * each of those replies failed to decode ({@code IllegalStateException: Failed to readObject},
 * {@code InvalidClassException: filter status: REJECTED}), which Ratis' client does not retry:
 * seen after an all-crash as 76 strong reads answered 503 within 2 s, and it is how the ordered
 * write client got its window closed (F2). The gateway jar now allows exceptions through.
 */
class RatisExceptionsThroughSerialFilterTest {

  @Test
  void serverExceptionsInRepliesDecodeUnderHelidonsFilter() {
    SerializationConfig.configureRuntime(); // what Helidon does when the gateway starts (JVM-wide, idempotent)
    RaftGroupMemberId server = RaftGroupMemberId.valueOf(RaftPeerId.valueOf("n1"), RaftGroupId.randomId());
    List<RaftException> sent = List.of(
        new ReadIndexException("failed to get read index", new TimeoutIOException("no heartbeat reply")),
        new ReadException(new java.io.IOException("read failed")),
        new LeaderSteppingDownException("n1 is stepping down"),
        new TransferLeadershipException("transfer in progress"));
    for (RaftException e : sent) {
      RaftClientReply reply = RaftClientReply.newBuilder().setClientId(ClientId.randomId()).setServerId(server)
          .setCallId(7).setException(e).build();
      RaftClientReply decoded = ClientProtoUtils.toRaftClientReply(ClientProtoUtils.toRaftClientReplyProto(reply));
      RaftException back = assertInstanceOf(e.getClass(), decoded.getException());
      assertEquals(e.getMessage(), back.getMessage());
      assertEquals(e.getStackTrace().length, back.getStackTrace().length);
      if (e.getCause() != null) {
        assertEquals(e.getCause().getMessage(), back.getCause().getMessage());
      }
    }
  }
}
