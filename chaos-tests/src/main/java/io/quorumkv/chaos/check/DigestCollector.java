package io.quorumkv.chaos.check;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quorumkv.chaos.check.ConvergenceChecker.NodeDigest;
import io.quorumkv.proto.PeerAddress;
import io.quorumkv.proto.gen.DigestRequest;
import io.quorumkv.proto.gen.DigestResponse;
import io.quorumkv.proto.gen.NodeGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Asks every node for its {@code Digest} over the node RPC until all answer with the same
 * applied index (followers catch up after the faults heal) or the timeout passes; returns the
 * last answers either way. Blocking; safe to call from any thread.
 */
public final class DigestCollector {
  private static final Duration PER_CALL = Duration.ofSeconds(2);
  private static final Duration POLL = Duration.ofMillis(200);

  private DigestCollector() {}

  public static List<NodeDigest> collect(List<PeerAddress> peers, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ManagedChannel> channels = peers.stream()
        .<ManagedChannel>map(p -> NettyChannelBuilder.forAddress(p.host(), p.rpcPort()).usePlaintext().build()).toList();
    try {
      while (true) {
        List<NodeDigest> round = new ArrayList<>();
        for (int i = 0; i < peers.size(); i++) {
          round.add(ask(peers.get(i).id(), channels.get(i)));
        }
        boolean settled = round.stream().allMatch(d -> d.error() == null)
            && round.stream().mapToLong(NodeDigest::appliedIndex).distinct().count() == 1;
        if (settled || System.nanoTime() - deadline > 0) {
          return round;
        }
        Thread.sleep(POLL.toMillis());
      }
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }

  private static NodeDigest ask(String id, ManagedChannel ch) {
    try {
      DigestResponse r = NodeGrpc.newBlockingStub(ch).withDeadlineAfter(PER_CALL.toMillis(), TimeUnit.MILLISECONDS)
          .digest(DigestRequest.getDefaultInstance());
      return new NodeDigest(id, r.getAppliedIndex(), r.getRowCount(), r.getDigest().toByteArray(), null);
    } catch (RuntimeException e) {
      return NodeDigest.unreachable(id, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }
}
