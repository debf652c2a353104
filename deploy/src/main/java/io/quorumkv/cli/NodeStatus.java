package io.quorumkv.cli;

import io.quorumkv.proto.NodeStatusProbe;
import io.quorumkv.proto.PeerAddress;
import io.quorumkv.proto.gen.StatusResponse;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

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
    List<Optional<StatusResponse>> answers = NodeStatusProbe.fetchAll(peers, deadlineMs);
    return IntStream.range(0, peers.size()).mapToObj(i -> new Seen(peers.get(i), answers.get(i))).toList();
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
