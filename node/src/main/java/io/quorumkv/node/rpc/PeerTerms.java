package io.quorumkv.node.rpc;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.quorumkv.node.raft.LeaderConfirmation;
import io.quorumkv.proto.PeerAddress;
import io.quorumkv.proto.gen.NodeGrpc;
import io.quorumkv.proto.gen.TermRequest;
import io.quorumkv.proto.gen.TermResponse;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The leader's questions to the other members for their Raft term ({@link NodeRpcService#terms}),
 * for {@link LeaderConfirmation}. One long-lived channel and one bidirectional stream per member:
 * a question is one small message each way, where a unary call per question (stream set-up,
 * headers, trailers and a deadline timer on both sides) cost measurably more CPU per read.
 * Answers come back in order and are handled on the channel's transport thread (they only
 * count votes). A stream that fails is dropped with every question on it and reopened by the
 * next question; a question not answered within its timeout fails, and because answers are in
 * order the stream is then reset too (a member that stalls must not leave old questions to be
 * answered late). Thread-safe.
 */
public final class PeerTerms implements AutoCloseable {
  /** How often overdue questions are looked for. */
  private static final long SWEEP_MS = 20;

  private final List<ManagedChannel> channels;
  private final List<Member> members;
  private final ScheduledExecutorService sweeper;

  /**
   * @param others every member except this node
   * @param groupId the Raft group id, which the members check
   */
  public PeerTerms(List<PeerAddress> others, String groupId) {
    this.channels = others.stream().map(p -> (ManagedChannel) NettyChannelBuilder.forAddress(p.host(), p.rpcPort())
        .usePlaintext()
        .directExecutor()
        .build()).toList();
    this.members = channels.stream().map(ch -> new Member(NodeGrpc.newStub(ch), groupId)).toList();
    this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "peer-terms-timeouts");
      t.setDaemon(true);
      return t;
    });
    sweeper.scheduleWithFixedDelay(() -> members.forEach(Member::failOverdue), SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
  }

  /** One asker per other member, for {@link LeaderConfirmation}. */
  public List<LeaderConfirmation.Peer> peers() {
    return List.copyOf(members);
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    members.forEach(m -> m.reset(Status.CANCELLED.withDescription("node closing").asRuntimeException()));
    channels.forEach(ManagedChannel::shutdownNow);
  }

  private record Question(long seq, long deadlineNanos, CompletableFuture<Long> answer) {}

  /** The stream to one member and the questions waiting on it. */
  private static final class Member implements LeaderConfirmation.Peer {
    private final NodeGrpc.NodeStub stub;
    private final String groupId;
    /** Guarded by {@code this}. */
    private final ArrayDeque<Question> waiting = new ArrayDeque<>();
    private StreamObserver<TermRequest> stream;
    /** The answer observer of {@link #stream}. */
    private Answers streamOwner;
    private long nextSeq;

    Member(NodeGrpc.NodeStub stub, String groupId) {
      this.stub = stub;
      this.groupId = groupId;
    }

    @Override
    public CompletableFuture<Long> currentTerm(long timeoutMs) {
      CompletableFuture<Long> answer = new CompletableFuture<>();
      try {
        synchronized (this) {
          if (stream == null) {
            streamOwner = new Answers();
            stream = stub.terms(streamOwner);
          }
          Question q = new Question(nextSeq++, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), answer);
          waiting.add(q);
          stream.onNext(TermRequest.newBuilder().setGroupId(groupId).setSeq(q.seq()).build());
        }
      } catch (RuntimeException e) {
        reset(e);
      }
      return answer;
    }

    /** Fails every question and drops the stream (the next question opens a new one). */
    void reset(Throwable why) {
      List<Question> failed;
      StreamObserver<TermRequest> old;
      synchronized (this) {
        failed = List.copyOf(waiting);
        waiting.clear();
        old = stream;
        stream = null;
        streamOwner = null;
      }
      if (old != null) {
        try {
          old.onError(Status.CANCELLED.withDescription("reset: " + why.getMessage()).asRuntimeException());
        } catch (RuntimeException ignored) {
          // already closed
        }
      }
      failed.forEach(q -> q.answer().completeExceptionally(why));
    }

    void failOverdue() {
      Question head;
      synchronized (this) {
        head = waiting.peek();
      }
      if (head != null && System.nanoTime() - head.deadlineNanos() > 0) {
        reset(new TimeoutException("no term from the peer within the timeout"));
      }
    }

    /** Answers for the stream opened with it; a stream that was reset meanwhile is ignored. */
    private final class Answers implements StreamObserver<TermResponse> {
      @Override
      public void onNext(TermResponse r) {
        Question q;
        synchronized (Member.this) {
          q = waiting.peek();
          if (q == null || q.seq() != r.getSeq()) {
            q = null;
          } else {
            waiting.poll();
          }
        }
        if (q != null) {
          q.answer().complete(r.getTerm());
        }
      }

      @Override
      public void onError(Throwable t) {
        dropIfCurrent(t);
      }

      @Override
      public void onCompleted() {
        dropIfCurrent(new IllegalStateException("the peer closed the term stream"));
      }

      private void dropIfCurrent(Throwable t) {
        // Only the stream this observer belongs to may reset the member; after a reset a new
        // stream may already carry new questions.
        boolean current;
        synchronized (Member.this) {
          current = streamOwner == this;
        }
        if (current) {
          reset(t);
        }
      }
    }
  }
}
