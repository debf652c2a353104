package io.quorumkv.cli;

import io.quorumkv.proto.PeerAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quorumkv restart-node N}: graceful restart of one node of a 'quorumkv up' cluster. */
@Command(name = "restart-node", mixinStandardHelpOptions = true,
    // One string per paragraph: picocli wraps it at the terminal width.
    description = {"Restarts one node of a running 'quorumkv up' cluster: SIGTERM (a leader hands"
        + " over leadership first), wait for it to exit, start it again from its data directory, and"
        + " wait until it has caught up with the leader's commit index."})
final class RestartNodeCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "Node id (n1) or number (1).")
  String node;

  @Option(names = "--dir", defaultValue = "${env:QUORUMKV_DIR:-quorumkv-data}",
      description = "Directory of the 'quorumkv up' cluster (default: ${DEFAULT-VALUE}). [QUORUMKV_DIR]")
  Path dir;

  @Option(names = "--timeout", defaultValue = "60", description = "Seconds to wait for catch-up (default: ${DEFAULT-VALUE}).")
  int timeoutS;

  @Override
  public Integer call() throws Exception {
    LocalLayout layout = LocalLayout.load(dir).orElse(null);
    if (layout == null) {
      System.err.println("quorumkv restart-node: no cluster in " + dir.toAbsolutePath());
      return 2;
    }
    String id = node.matches("\\d+") ? "n" + node : node;
    Optional<PeerAddress> peer = layout.peers().stream().filter(p -> p.id().equals(id)).findFirst();
    if (peer.isEmpty()) {
      System.err.println("quorumkv restart-node: no node " + id + " in " + dir);
      return 2;
    }
    Path pidFile = layout.nodeDir(id).resolve("node.pid");
    Launcher.recorded(pidFile).ifPresent(h -> {
      System.out.println("stopping " + id + " (pid " + h.pid() + ")");
      Launcher.stop(h, 20_000);
    });
    long deadline = System.currentTimeMillis() + timeoutS * 1000L;
    // The target is the leader's commit index now, while the node is down: a fixed target, so
    // that catching up ends even under a steady write load (the live commit index keeps moving,
    // and a follower's applied index trails it by a few entries whenever writes arrive).
    // No other leader within 10 s (a one-node cluster, or no quorum without this node): start it
    // anyway and only wait for a leader to be known.
    long target = Long.MAX_VALUE;
    long searchUntil = Math.min(deadline, System.currentTimeMillis() + 10_000);
    while (target == Long.MAX_VALUE && System.currentTimeMillis() < searchUntil) {
      target = NodeStatus.poll(layout.peers(), 1000).stream()
          .filter(s -> s.status().isPresent() && s.role().equals("LEADER") && !s.peer().id().equals(id))
          .mapToLong(s -> s.status().get().getCommitIndex()).max().orElse(Long.MAX_VALUE);
      if (target == Long.MAX_VALUE) {
        Thread.sleep(200);
      }
    }
    if (target == Long.MAX_VALUE) {
      target = 0;
    }
    Process p = Launcher.start(layout.nodeArgs(peer.get()), layout.nodeDir(id).resolve("node.log"), pidFile);
    System.out.println("started " + id + " (pid " + p.pid() + "); waiting for it to apply index " + target);
    while (System.currentTimeMillis() < deadline) {
      List<NodeStatus.Seen> seen = NodeStatus.poll(layout.peers(), 1000);
      Optional<NodeStatus.Seen> me = seen.stream().filter(s -> s.peer().id().equals(id)).findFirst();
      if (me.isPresent() && me.get().status().isPresent() && me.get().status().get().getAppliedIndex() >= target
          && NodeStatus.leader(seen).isPresent()) {
        System.out.println(id + " is back (applied " + me.get().status().get().getAppliedIndex() + ")");
        return 0;
      }
      if (!p.isAlive()) {
        System.err.println("quorumkv restart-node: " + id + " exited with code " + p.exitValue() + "; see " + layout.nodeDir(id).resolve("node.log"));
        return 1;
      }
      Thread.sleep(200);
    }
    System.err.println("quorumkv restart-node: " + id + " did not catch up within " + timeoutS + " s");
    return 1;
  }
}
