package io.quorumkv.proto;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.quorumkv.proto.gen.NodeGrpc;
import io.quorumkv.proto.gen.StatusRequest;
import io.quorumkv.proto.gen.StatusResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One-shot {@code Status} call to a node's RPC port, for callers that ask rarely (a node
 * checking its peers, the CLI, tests); the gateway keeps long-lived channels instead. The gRPC
 * transport comes from the caller's classpath (grpc-netty-shaded in every process). Thread-safe.
 */
public final class NodeStatusProbe {
  private NodeStatusProbe() {}

  /** The node's status, or empty if it did not answer within {@code deadlineMs}. */
  public static Optional<StatusResponse> fetch(PeerAddress peer, long deadlineMs) {
    ManagedChannel ch = Grpc.newChannelBuilderForAddress(peer.host(), peer.rpcPort(),
        InsecureChannelCredentials.create()).build();
    try {
      return Optional.of(NodeGrpc.newBlockingStub(ch).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
          .status(StatusRequest.getDefaultInstance()));
    } catch (RuntimeException e) {
      return Optional.empty();
    } finally {
      ch.shutdownNow();
    }
  }

  /**
   * Every node's status, asked all at once on virtual threads: the answers in the order of
   * {@code peers}, empty where a node did not answer within {@code deadlineMs}.
   */
  public static List<Optional<StatusResponse>> fetchAll(List<PeerAddress> peers, long deadlineMs) {
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Optional<StatusResponse>>> fs = peers.stream().map(p -> exec.submit(() -> fetch(p, deadlineMs))).toList();
      return fs.stream().map(f -> {
        try {
          return f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Optional.<StatusResponse>empty();
        } catch (ExecutionException e) {
          throw new IllegalStateException(e.getCause());
        }
      }).toList();
    }
  }
}
