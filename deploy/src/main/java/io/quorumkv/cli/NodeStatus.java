package io.quorumkv.cli;

import io.quorumkv.proto.NodeStatusProbe;
import io.quorumkv.proto.PeerAddress;
import io.quorumkv.proto.gen.StatusResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Asks every node for its status in parallel, with a short deadline. */
final class NodeStatus {
  private NodeStatus() {}

  /** A node's answer, or empty when it did not answer. */
  record Seen(PeerAddress peer, Optional<StatusResponse> status) {
    String role() {
      return status.map(StatusResponse::getRole).orElse("UNREACHABLE");
    }
  }

  static List<Seen> poll(List<PeerAddress> peers, long deadlineMs) {
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Seen>> fs = peers.stream().map(p -> exec.submit(() -> one(p, deadlineMs))).toList();
      return fs.stream().map(f -> {
        try {
          return f.get();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }).toList();
    }
  }

  private static Seen one(PeerAddress p, long deadlineMs) {
    return new Seen(p, NodeStatusProbe.fetch(p, deadlineMs));
  }

  /** The leader id agreed by the reachable node with the highest term. */
  static Optional<String> leader(List<Seen> seen) {
    return seen.stream().filter(s -> s.status().isPresent())
        .map(s -> s.status().get())
        .filter(s -> !s.getLeaderId().isEmpty())
        .max(java.util.Comparator.comparingLong(StatusResponse::getTerm))
        .map(StatusResponse::getLeaderId);
  }
}
