package io.quorumkv.cli;

import io.quorumkv.proto.PeerAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quorumkv status}: every node's role, term, applied index and pid, and the leader. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Prints each node's id, role, term, applied index, process id and the leader.",
        "Reads the peers from --dir (a 'quorumkv up' directory) unless --peers is given."})
final class StatusCommand implements Callable<Integer> {
  @Option(names = "--dir", defaultValue = "${env:QUORUMKV_DIR:-quorumkv-data}",
      description = "Directory of a 'quorumkv up' cluster (default: ${DEFAULT-VALUE}). [QUORUMKV_DIR]")
  Path dir;

  @Option(names = "--peers", defaultValue = "${env:QUORUMKV_PEERS}",
      description = "id=host:raftPort:rpcPort,... instead of --dir. [QUORUMKV_PEERS]")
  String peers;

  @Option(names = "--json", description = "Print exactly one JSON object.")
  boolean json;

  @Override
  public Integer call() {
    List<PeerAddress> list;
    try {
      list = peers != null && !peers.isBlank() ? PeerAddress.parseList(peers)
          : LocalLayout.load(dir).map(LocalLayout::peers).orElseThrow(() -> new IllegalArgumentException(
              "no cluster in " + dir.toAbsolutePath() + " (run 'quorumkv up' or pass --peers)"));
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("quorumkv status: " + e.getMessage());
      return 2;
    }
    List<NodeStatus.Seen> seen = NodeStatus.poll(list, 1500);
    Optional<String> leader = NodeStatus.leader(seen);
    System.out.println(json ? toJson(seen, leader) : toTable(seen, leader));
    return 0;
  }

  static String toJson(List<NodeStatus.Seen> seen, Optional<String> leader) {
    StringBuilder b = new StringBuilder("{\"leader\": ");
    b.append(leader.map(l -> "\"" + l + "\"").orElse("null")).append(", \"nodes\": [");
    for (int i = 0; i < seen.size(); i++) {
      NodeStatus.Seen s = seen.get(i);
      var st = s.status();
      b.append(i == 0 ? "" : ", ").append("{\"id\": \"").append(s.peer().id()).append("\"")
          .append(", \"role\": \"").append(s.role()).append("\"")
          .append(", \"term\": ").append(st.map(x -> x.getTerm()).orElse(0L))
          .append(", \"appliedIndex\": ").append(st.map(x -> x.getAppliedIndex()).orElse(0L))
          .append(", \"commitIndex\": ").append(st.map(x -> x.getCommitIndex()).orElse(0L))
          .append(", \"pid\": ").append(st.map(x -> x.getPid()).orElse(0L))
          .append(", \"raftAddress\": \"").append(s.peer().raftAddress()).append("\"")
          .append(", \"rpcAddress\": \"").append(s.peer().rpcAddress()).append("\"}");
    }
    return b.append("]}").toString();
  }

  static String toTable(List<NodeStatus.Seen> seen, Optional<String> leader) {
    StringBuilder b = new StringBuilder(String.format("%-6s %-12s %6s %10s %10s %8s%n", "ID", "ROLE", "TERM", "APPLIED", "COMMIT", "PID"));
    for (NodeStatus.Seen s : seen) {
      var st = s.status();
      b.append(String.format("%-6s %-12s %6d %10d %10d %8d%n", s.peer().id(), s.role(),
          st.map(x -> x.getTerm()).orElse(0L), st.map(x -> x.getAppliedIndex()).orElse(0L),
          st.map(x -> x.getCommitIndex()).orElse(0L), st.map(x -> x.getPid()).orElse(0L)));
    }
    return b.append("leader: ").append(leader.orElse("none")).toString();
  }
}
