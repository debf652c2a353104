package io.quorumkv.chaos.check;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Replicas converge: once every node has applied the same log index, every node's digest of
 * its SQLite rows (node RPC {@code Digest}) is identical. The digests are collected by
 * {@link DigestCollector}; this class only judges them. Stateless and thread-safe.
 */
public final class ConvergenceChecker {
  /** Name used in reports. */
  public static final String NAME = "convergence";

  /** One node's answer; {@code error} non-null if it did not answer. */
  public record NodeDigest(String nodeId, long appliedIndex, long rowCount, byte[] digest, String error) {
    public static NodeDigest unreachable(String nodeId, String error) {
      return new NodeDigest(nodeId, -1, -1, new byte[0], error);
    }

    String describe() {
      return error != null ? nodeId + ": " + error
          : nodeId + ": applied " + appliedIndex + ", " + rowCount + " rows, digest " + HexFormat.of().formatHex(digest);
    }
  }

  public CheckResult check(List<NodeDigest> nodes) {
    List<String> details = nodes.stream().map(NodeDigest::describe).toList();
    List<NodeDigest> answered = nodes.stream().filter(n -> n.error() == null).toList();
    if (answered.size() < nodes.size()) {
      return new CheckResult(NAME, Verdict.FAIL, (nodes.size() - answered.size()) + " of " + nodes.size() + " nodes did not answer", details);
    }
    if (answered.isEmpty()) {
      return new CheckResult(NAME, Verdict.UNKNOWN, "no nodes", details);
    }
    NodeDigest first = answered.get(0);
    List<String> differ = new ArrayList<>();
    boolean sameIndex = true;
    for (NodeDigest n : answered) {
      sameIndex &= n.appliedIndex() == first.appliedIndex();
      if (!java.util.Arrays.equals(n.digest(), first.digest()) || n.rowCount() != first.rowCount()) {
        differ.add(n.nodeId());
      }
    }
    if (!sameIndex) {
      return new CheckResult(NAME, Verdict.FAIL, "nodes did not reach the same applied index", details);
    }
    if (!differ.isEmpty()) {
      return new CheckResult(NAME, Verdict.FAIL, "at applied index " + first.appliedIndex() + " nodes " + differ
          + " differ from " + first.nodeId(), details);
    }
    return new CheckResult(NAME, Verdict.PASS, nodes.size() + " nodes identical at applied index " + first.appliedIndex()
        + " (" + first.rowCount() + " rows)", details);
  }
}
