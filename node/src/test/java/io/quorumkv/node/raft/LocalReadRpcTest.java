package io.quorumkv.node.raft;

import static io.quorumkv.node.raft.ReplicationTest.cmd;
import static io.quorumkv.node.raft.ReplicationTest.committed;
import static io.quorumkv.node.raft.ReplicationTest.key;
import static io.quorumkv.node.raft.ReplicationTest.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.SnapshotReadOutput;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quorumkv.node.testing.TestCluster;
import io.quorumkv.proto.PeerAddress;
import io.quorumkv.proto.gen.LocalReadRequest;
import io.quorumkv.proto.gen.LocalReadsRequest;
import io.quorumkv.proto.gen.LocalReadsResponse;
import io.quorumkv.proto.gen.NodeGrpc;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.junit.jupiter.api.Test;

/**
 * The node's local-read RPCs over real gRPC: answered on the transport's event loop when the
 * node has caught up, and from a thread of their own when they must wait for it, without holding
 * up the other calls on the same connection.
 */
class LocalReadRpcTest {

  private static SnapshotRead read(String k) {
    byte[] start = key(k);
    byte[] end = Arrays.copyOf(start, start.length + 1);
    return SnapshotRead.newBuilder().addRanges(ReadRange.newBuilder()
        .setStart(ByteString.copyFrom(start)).setEnd(ByteString.copyFrom(end)).setLimit(1)).build();
  }

  private static String value(SnapshotReadOutput out) {
    return out.getRanges(0).getValues(0).getValue().toStringUtf8();
  }

  @Test
  void caughtUpReadsAnswerAtOnceAndAReadAheadOfTheNodeWaitsWithoutBlockingTheConnection() throws Exception {
    try (TestCluster c = TestCluster.start(1)) {
      c.awaitLeader();
      RaftClient client = c.client();
      committed(c.submit(client, cmd(set("a", "1"), set("b", "2"))), 0);
      // The Raft index of what the node has applied (the write and Ratis' own first entry).
      long applied = c.node(0).stateMachine().appliedIndex();
      PeerAddress node = c.peers().get(0);
      ManagedChannel channel = NettyChannelBuilder.forAddress(node.host(), node.rpcPort()).usePlaintext().build();
      try {
        NodeGrpc.NodeBlockingStub now = NodeGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        LocalReadsResponse both = now.snapshotReads(LocalReadsRequest.newBuilder()
            .addReads(read("a")).addReads(read("b")).setMinAppliedIndex(applied).build());
        assertEquals("1", value(both.getOutputs(0)));
        assertEquals("2", value(both.getOutputs(1)));
        assertFalse(both.getOutputs(0).getReadIsStronglyConsistent(), "local reads are eventual");

        // Ahead of the node: waits for the next entry (on a thread of its own).
        ListenableFuture<SnapshotReadOutput> ahead = NodeGrpc.newFutureStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .snapshotRead(LocalReadRequest.newBuilder().setRead(read("a")).setMinAppliedIndex(applied + 1).build());
        Thread.sleep(300);
        assertFalse(ahead.isDone(), "a read ahead of the node waits for it to catch up");
        // Meanwhile the same connection (one event loop on the node) still answers reads.
        for (int i = 0; i < 20; i++) {
          SnapshotReadOutput single = NodeGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
              .snapshotRead(LocalReadRequest.newBuilder().setRead(read("b")).build());
          assertEquals("2", value(single));
        }
        assertFalse(ahead.isDone());

        committed(c.submit(client, cmd(set("a", "3"))), 0);
        assertEquals("3", value(ahead.get(10, TimeUnit.SECONDS)), "answered once the write was applied");
        assertFalse(ahead.get().getReadIsStronglyConsistent());

        // Far ahead of the node: refused as unavailable once the bounded wait runs out.
        long started = System.nanoTime();
        StatusRuntimeException behind = assertThrows(StatusRuntimeException.class,
            () -> NodeGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .snapshotRead(LocalReadRequest.newBuilder().setRead(read("a"))
                    .setMinAppliedIndex(applied + 1_000_000).build()));
        assertEquals(Status.Code.UNAVAILABLE, behind.getStatus().getCode(), behind.toString());
        assertEquals("node is behind index " + (applied + 1_000_000), behind.getStatus().getDescription());
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(waitedMs >= 4_500, "refused only after the wait, took " + waitedMs + " ms");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
