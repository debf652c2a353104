package io.quorumkv.node.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.quorumkv.node.raft.LeaderConfirmation;
import io.quorumkv.proto.PeerAddress;
import io.quorumkv.proto.gen.NodeGrpc;
import io.quorumkv.proto.gen.TermRequest;
import io.quorumkv.proto.gen.TermResponse;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The leader's term questions over real gRPC streams to real node RPC services. */
class PeerTermsTest {
  private static final String GROUP = "6f1b2c34-0000-4000-8000-000000000001";

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static Server serve(int port, NodeGrpc.NodeImplBase service) throws Exception {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)).addService(service)
        .callExecutor(NodeRpcService.callExecutors()).build().start();
  }

  private static PeerAddress at(int port) {
    return new PeerAddress("p" + port, "127.0.0.1", 1, port);
  }

  @Test
  void answersFollowTheMembersTermInOrderOnOneStream() throws Exception {
    AtomicLong term = new AtomicLong(3);
    int port = freePort();
    Server server = serve(port, new NodeRpcService(null, null, null, GROUP, term::get));
    try (PeerTerms terms = new PeerTerms(List.of(at(port)), GROUP)) {
      LeaderConfirmation.Peer peer = terms.peers().get(0);
      List<CompletableFuture<Long>> answers = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        answers.add(peer.currentTerm(5_000));
      }
      for (CompletableFuture<Long> a : answers) {
        assertEquals(3L, a.get(10, TimeUnit.SECONDS));
      }
      term.set(9);
      assertEquals(9L, peer.currentTerm(5_000).get(10, TimeUnit.SECONDS), "each question reads the term afresh");
    } finally {
      server.shutdownNow();
    }
  }

  @Test
  void aMemberOfAnotherGroupRefuses() throws Exception {
    int port = freePort();
    Server server = serve(port, new NodeRpcService(null, null, null, "6f1b2c34-0000-4000-8000-000000000002", () -> 1));
    try (PeerTerms terms = new PeerTerms(List.of(at(port)), GROUP)) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> terms.peers().get(0).currentTerm(5_000).get(10, TimeUnit.SECONDS));
      assertInstanceOf(StatusRuntimeException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("belongs to group"), e.getCause().getMessage());
    } finally {
      server.shutdownNow();
    }
  }

  @Test
  void aSilentMemberTimesOutAndTheNextQuestionUsesAFreshStream() throws Exception {
    AtomicBoolean silent = new AtomicBoolean(true);
    int port = freePort();
    NodeGrpc.NodeImplBase sometimesSilent = new NodeGrpc.NodeImplBase() {
      @Override
      public StreamObserver<TermRequest> terms(StreamObserver<TermResponse> out) {
        return new StreamObserver<>() {
          @Override
          public void onNext(TermRequest r) {
            if (!silent.get()) {
              out.onNext(TermResponse.newBuilder().setTerm(4).setSeq(r.getSeq()).build());
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            out.onCompleted();
          }
        };
      }
    };
    Server server = serve(port, sometimesSilent);
    try (PeerTerms terms = new PeerTerms(List.of(at(port)), GROUP)) {
      LeaderConfirmation.Peer peer = terms.peers().get(0);
      long started = System.nanoTime();
      ExecutionException e = assertThrows(ExecutionException.class, () -> peer.currentTerm(100).get(10, TimeUnit.SECONDS));
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertInstanceOf(TimeoutException.class, e.getCause());
      assertTrue(tookMs >= 100 && tookMs < 5_000, "failed after its timeout: " + tookMs + " ms");

      silent.set(false);
      assertEquals(4L, peer.currentTerm(5_000).get(10, TimeUnit.SECONDS), "answered on a new stream");
    } finally {
      server.shutdownNow();
    }
  }

  @Test
  void anUnreachableMemberFailsTheQuestionAndALaterOneReachesItOnceItListens() throws Exception {
    int port = freePort();
    try (PeerTerms terms = new PeerTerms(List.of(at(port)), GROUP)) {
      LeaderConfirmation.Peer peer = terms.peers().get(0);
      assertThrows(ExecutionException.class, () -> peer.currentTerm(2_000).get(10, TimeUnit.SECONDS));
      Server server = serve(port, new NodeRpcService(null, null, null, GROUP, () -> 7));
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Long answer = null;
        while (answer == null && System.nanoTime() < deadline) {
          try {
            answer = peer.currentTerm(2_000).get(10, TimeUnit.SECONDS);
          } catch (ExecutionException retry) {
            Thread.sleep(100); // gRPC's reconnect backoff
          }
        }
        assertEquals(7L, answer);
      } finally {
        server.shutdownNow();
      }
    }
  }
}
