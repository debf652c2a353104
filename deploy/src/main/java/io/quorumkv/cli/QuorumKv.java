package io.quorumkv.cli;

import io.quorumkv.gateway.GatewayMain;
import io.quorumkv.node.NodeMain;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code quorumkv} command: one program fronting every QuorumKV process. */
@Command(name = "quorumkv", mixinStandardHelpOptions = true, version = "quorumkv 0.1.0",
    description = {"QuorumKV: a highly available Deno KV server (KV Connect over a Raft group of SQLite replicas).",
        "",
        "  serve         one node and the gateway in one process (drop-in for 'denokv serve')",
        "  up            start a local 3-node cluster and a gateway (separate processes)",
        "  status        show every node's role, term, applied index and the leader",
        "  restart-node  gracefully restart one node of an 'up' cluster",
        "  node          run one replica",
        "  gateway       run a KV Connect gateway in front of the nodes",
        "  bench         benchmark against Deno's in-process SQLite KV",
        "",
        "Run 'quorumkv <command> --help' for a command's options."},
    subcommands = {ServeCommand.class, UpCommand.class, StatusCommand.class, RestartNodeCommand.class, BenchCommand.class})
public final class QuorumKv implements Callable<Integer> {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    if (args.length > 0 && args[0].equals("node")) {
      return NodeMain.run(Arrays.copyOfRange(args, 1, args.length));
    }
    if (args.length > 0 && args[0].equals("gateway")) {
      // Returns after --help or once stopped; exits by itself with 1 or 2 on bad input.
      GatewayMain.main(Arrays.copyOfRange(args, 1, args.length));
      return 0;
    }
    return new CommandLine(new QuorumKv()).execute(args);
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 2;
  }
}
