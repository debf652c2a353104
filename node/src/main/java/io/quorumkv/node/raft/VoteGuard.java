package io.quorumkv.node.raft;

import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyServerBuilder;

/**
 * Keeps a node whose log is behind what the group committed from helping to elect a leader
 * that lacks committed entries (chaos finding F12).
 *
 * <p>Raft's vote rule (grant only to a candidate whose log is at least as up to date as one's
 * own) protects committed entries because every committed entry sits on a majority, and any
 * majority shares a member with the voters of the next leader. A member that lost part of its
 * log (a replaced disk partly refilled, an old disk image) breaks that. Ratis does not count
 * votes from an empty log, but two members with short logs are a majority of three, can elect
 * one of themselves, and the new leader then overwrites the third member's log.
 *
 * <p>A node learns from its peers (their {@code Status}, before Raft starts and while it
 * catches up) an index that the group has certainly committed: the floor. Until this node has
 * applied the floor itself, it refuses every vote request (pre-vote or vote) from a candidate
 * whose last log index is below the floor. Such a candidate lacks a committed entry and must
 * never lead, so the refusal only removes votes Raft should not have given: it cannot keep a
 * rightful candidate from winning. Once this node has applied the floor, its own log carries
 * the committed entries again and Raft's rule is enough; the guard lets everything through.
 *
 * <p>What it does not cover: a node that finds no peer with data (both others down) has no
 * floor, so two short logs started while the only full copy is down can still elect each other.
 *
 * <p>The refusal is a gRPC error on Ratis' {@code requestVote} call, which the candidate counts as
 * a vote not granted. Thread-safe.
 */
public final class VoteGuard {
  private static final Logger LOG = Logger.getLogger(VoteGuard.class.getName());
  private static final String REQUEST_VOTE =
      RaftServerProtocolServiceGrpc.getRequestVoteMethod().getFullMethodName();

  private final LongSupplier appliedIndex;
  private final AtomicLong floor = new AtomicLong();
  private final AtomicLong refused;

  /**
   * @param appliedIndex this node's applied index
   * @param refused counts the refused vote requests (a metric)
   */
  public VoteGuard(LongSupplier appliedIndex, AtomicLong refused) {
    this.appliedIndex = appliedIndex;
    this.refused = refused;
  }

  /** Raises the floor to {@code committedIndex}, an index some peer reported as committed. */
  public void learnCommitted(long committedIndex) {
    floor.accumulateAndGet(committedIndex, Math::max);
  }

  /** The highest index learnt as committed (0: none). */
  public long floor() {
    return floor.get();
  }

  /** Vote requests refused so far. */
  public long refusedVotes() {
    return refused.get();
  }

  /**
   * Whether a candidate whose log ends at {@code candidateLastIndex} may be given this node's
   * vote (Ratis still applies its own rule after this one).
   */
  public boolean mayVoteFor(long candidateLastIndex) {
    long f = floor.get();
    return candidateLastIndex >= f || appliedIndex.getAsLong() >= f;
  }

  /** Adds the guard to the Raft server's gRPC services (Ratis' services customizer). */
  public GrpcServices.Customizer customizer() {
    return (NettyServerBuilder builder, EnumSet<GrpcServices.Type> types) ->
        types.contains(GrpcServices.Type.SERVER) ? builder.intercept(new Interceptor()) : builder;
  }

  private final class Interceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      ServerCall.Listener<Q> delegate = next.startCall(call, headers);
      if (!REQUEST_VOTE.equals(call.getMethodDescriptor().getFullMethodName())) {
        return delegate;
      }
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
        private boolean closed;

        @Override
        public void onMessage(Q message) {
          RequestVoteRequestProto request = (RequestVoteRequestProto) message;
          long last = request.hasCandidateLastEntry() ? request.getCandidateLastEntry().getIndex() : -1;
          if (mayVoteFor(last)) {
            super.onMessage(message);
            return;
          }
          closed = true;
          long n = refused.incrementAndGet();
          if (n == 1 || n % 100 == 0) { // a stuck election asks several times a second
            LOG.info("vote guard: refused " + (request.getPreVote() ? "a pre-vote" : "a vote") + " to "
                + request.getServerRequest().getRequestorId().toStringUtf8() + ", whose log ends at " + last
                + ", before the committed index " + floor.get() + " that this node has not applied yet ("
                + n + " refused so far)");
          }
          call.close(Status.FAILED_PRECONDITION.withDescription("candidate's log ends at " + last
              + ", before the committed index " + floor.get()), new Metadata());
        }

        /** Not passed on after a refusal: the method would run without its request. */
        @Override
        public void onHalfClose() {
          if (!closed) {
            super.onHalfClose();
          }
        }
      };
    }
  }
}
