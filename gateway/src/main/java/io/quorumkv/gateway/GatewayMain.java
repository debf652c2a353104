package io.quorumkv.gateway;

import io.quorumkv.gateway.metrics.GatewayMetrics;
import io.quorumkv.proto.Logging;
import io.quorumkv.proto.ObservabilityServer;
import io.quorumkv.proto.PeerAddress;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code quorumkv gateway}: parses the command line and environment, connects to the Raft group
 * through a {@link KvDatabaseFactory}, and serves KV Connect until the process is stopped.
 *
 * <p>Options are parsed by hand: four flags do not justify a dependency, and the rules that
 * matter here (every flag also from {@code QUORUMKV_<FLAG>}, the token never from the command
 * line, exit code 2 for bad input) are easier to see in thirty lines than in annotations.
 *
 * <p>Exit codes: 0 after {@code --help} (or a normal stop), 2 for a bad option or environment
 * value, 1 if the gateway cannot start (address in use, database unreachable).
 */
public final class GatewayMain {
  static final int EXIT_USAGE = 2;
  static final int EXIT_FAILURE = 1;

  static final String USAGE =
      """
      Usage: quorumkv gateway --peers ID=HOST:RAFT_PORT:RPC_PORT,... [options]

      Serves KV Connect (Deno.openKv / @deno/kv) for a QuorumKV Raft group.

        --peers LIST              the group's nodes, e.g. n1=127.0.0.1:7001:7101,n2=...
        --port N                  KV Connect port, HTTP/1.1 and h2c (default 4512)
        --host ADDRESS            address to bind (default 0.0.0.0)
        --access-token-file PATH  file holding the access token (wins over the variable)
        --metrics-port N          /metrics (Prometheus), /health/live, /health/ready on
                                  --host (default 4513; -1 turns it off; 0 = any free port)
        --log-level LEVEL         QuorumKV log level: SEVERE, WARNING, INFO, FINE (default
                                  INFO); Ratis, gRPC and Helidon stay at WARNING
        --help                    print this and exit

      Every option can also be set as QUORUMKV_<OPTION> (QUORUMKV_PEERS, QUORUMKV_PORT, ...);
      the command line wins. The access token comes from --access-token-file or
      DENO_KV_ACCESS_TOKEN, never from the command line (ps would show it to every user).
      It must be at least 12 characters.
      """;

  private static final Set<String> VALUED_FLAGS =
      Set.of(
          "--peers", "--port", "--host", "--access-token-file", "--metrics-port", "--log-level");

  private GatewayMain() {}

  /** A bad option or environment value: one line for the user, exit code 2. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * A started gateway: the metrics port (null if off), the KV Connect server and the database it
   * serves, closed in that order (probes see the gateway go away before it stops answering).
   */
  public record Gateway(ObservabilityServer metrics, KvConnectServer server, KvDatabase database)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        if (metrics != null) {
          metrics.close();
        }
        server.close();
      } finally {
        database.close();
      }
    }
  }

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err, GatewayMain::raftDatabase);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Parses, starts, and serves until the JVM shuts down (a shutdown hook stops the server, then
   * closes the database).
   *
   * @return the exit code: 0 after {@code --help} or once stopped, otherwise at once 1 or 2
   */
  static int run(
      String[] args,
      Map<String, String> env,
      PrintStream out,
      PrintStream err,
      KvDatabaseFactory factory) {
    Optional<Gateway> gateway;
    try {
      gateway = launch(args, env, out, factory);
    } catch (UsageException e) {
      err.println("quorumkv gateway: " + e.getMessage());
      err.println("Try 'quorumkv gateway --help'.");
      return EXIT_USAGE;
    } catch (RuntimeException e) {
      err.println("quorumkv gateway: " + oneLine(e));
      return EXIT_FAILURE;
    }
    if (gateway.isPresent()) {
      CountDownLatch stopped = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                gateway.get().close();
                stopped.countDown();
              },
              "quorumkv-gateway-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      awaitUninterruptibly(stopped);
    }
    return 0;
  }

  /**
   * Parses and starts; the caller owns the returned gateway.
   *
   * @return empty after printing the usage for {@code --help}
   * @throws UsageException for a bad option or environment value
   * @throws RuntimeException if the database cannot be created or the port cannot be bound
   */
  static Optional<Gateway> launch(
      String[] args, Map<String, String> env, PrintStream out, KvDatabaseFactory factory) {
    Optional<Map<String, String>> flags = flags(args);
    if (flags.isEmpty()) {
      out.print(USAGE);
      return Optional.empty();
    }
    GatewayConfig config = config(flags.get(), env);
    String level = option(flags.get(), env, "--log-level").orElse("INFO");
    try {
      Logging.configure(level);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return Optional.of(start(config, factory, out));
  }

  /**
   * Starts a gateway for {@code config} (used by {@code quorumkv serve} too): the metrics port,
   * then the database from {@code factory}, then the KV Connect server. The caller owns the
   * result. On failure whatever was started is closed again.
   *
   * @throws RuntimeException with a one-line message if a port cannot be bound or the database
   *     cannot be created
   */
  public static Gateway start(GatewayConfig config, KvDatabaseFactory factory, PrintStream out) {
    // Metrics first: /health/live answers (and /health/ready says why not) while the database
    // waits for the group, which can take up to a minute.
    GatewayMetrics metrics = new GatewayMetrics(true);
    ObservabilityServer metricsServer =
        config.metricsPort() == GatewayConfig.METRICS_OFF
            ? null
            : ObservabilityServer.start(
                config.host(), config.metricsPort(), "gateway-metrics-http", metrics.registry(), metrics::health);
    KvDatabase database = null;
    try {
      database = factory.create(config);
      KvConnectServer server = new KvConnectServer(database, config, metrics).start();
      metrics.serving(database, server);
      out.println(
          "quorumkv gateway: serving KV Connect on http://" + config.host() + ":"
              + server.port() + " (database " + database.databaseId() + "), metrics "
              + (metricsServer == null ? "off" : "on port " + metricsServer.port()));
      return new Gateway(metricsServer, server, database);
    } catch (RuntimeException e) {
      if (metricsServer != null) {
        metricsServer.close();
      }
      if (database != null) {
        database.close();
      }
      throw e;
    }
  }

  /**
   * The configuration from {@code args} and {@code env}; empty if {@code --help} was given.
   *
   * @throws UsageException naming the bad flag or variable
   */
  static Optional<GatewayConfig> parse(String[] args, Map<String, String> env) {
    return flags(args).map(f -> config(f, env));
  }

  /**
   * The command-line flags by name; empty if {@code --help} was given.
   *
   * @throws UsageException for an unknown flag or one without its value
   */
  private static Optional<Map<String, String>> flags(String[] args) {
    Map<String, String> flags = new HashMap<>();
    int i = args.length > 0 && args[0].equals("gateway") ? 1 : 0;
    for (; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        return Optional.empty();
      }
      int eq = arg.indexOf('=');
      String flag = eq > 0 ? arg.substring(0, eq) : arg;
      if (flag.equals("--access-token")) {
        throw new UsageException(
            "--access-token is not accepted: the command line is visible to every user;"
                + " use DENO_KV_ACCESS_TOKEN or --access-token-file");
      }
      if (!VALUED_FLAGS.contains(flag)) {
        throw new UsageException("unknown option '" + arg + "'");
      }
      if (eq < 0 && i + 1 >= args.length) {
        throw new UsageException(flag + " needs a value");
      }
      flags.put(flag, eq > 0 ? arg.substring(eq + 1) : args[++i]);
    }
    return Optional.of(flags);
  }

  /** The configuration from parsed flags and {@code env}. */
  private static GatewayConfig config(Map<String, String> flags, Map<String, String> env) {
    String peersText =
        option(flags, env, "--peers")
            .orElseThrow(() -> new UsageException("--peers (or QUORUMKV_PEERS) is required"));
    List<PeerAddress> peers;
    try {
      peers = PeerAddress.parseList(peersText);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--peers: " + e.getMessage());
    }
    int port =
        parsePort("--port",
            option(flags, env, "--port").orElse(String.valueOf(GatewayConfig.DEFAULT_PORT)), 0);
    int metricsPort =
        parsePort("--metrics-port",
            option(flags, env, "--metrics-port")
                .orElse(String.valueOf(GatewayConfig.DEFAULT_METRICS_PORT)),
            GatewayConfig.METRICS_OFF);
    String host = option(flags, env, "--host").orElse(GatewayConfig.DEFAULT_HOST);
    if (host.isBlank()) {
      throw new UsageException("--host must not be empty");
    }
    String token = accessToken(option(flags, env, "--access-token-file"), env);
    try {
      return new GatewayConfig(
          host, port, token, peers, GatewayConfig.DEFAULT_WATCH_KEEP_ALIVE_MS, metricsPort);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** The flag's value, else the variable {@code QUORUMKV_<FLAG>}; blank counts as unset. */
  private static Optional<String> option(
      Map<String, String> flags, Map<String, String> env, String flag) {
    String variable = "QUORUMKV_" + flag.substring(2).replace('-', '_').toUpperCase(Locale.ROOT);
    return Optional.ofNullable(flags.get(flag))
        .or(() -> Optional.ofNullable(env.get(variable)).filter(v -> !v.isBlank()));
  }

  private static int parsePort(String flag, String text, int min) {
    try {
      int port = Integer.parseInt(text.strip());
      if (port >= min && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(
        flag + " must be a number from " + min + " to 65535, got '" + text + "'");
  }

  /**
   * The access token from the file if one is named (one trailing line break removed), else
   * {@code DENO_KV_ACCESS_TOKEN}; checked by {@link GatewayConfig#checkAccessToken}.
   *
   * @throws IllegalArgumentException with a one-line message
   */
  public static String readAccessToken(Optional<String> file, Map<String, String> env) {
    try {
      return accessToken(file, env);
    } catch (UsageException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  private static String accessToken(Optional<String> file, Map<String, String> env) {
    String token;
    if (file.isPresent()) {
      try {
        token = Files.readString(Path.of(file.get()), StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw new UsageException("the access token file '" + file.get() + "' does not exist");
      } catch (IOException | UncheckedIOException | InvalidPathException e) {
        throw new UsageException(
            "cannot read the access token file '" + file.get() + "': " + oneLine(e));
      }
      // Editors and `echo` end files with a line break; it is never part of the token.
      token = token.endsWith("\r\n") ? token.substring(0, token.length() - 2)
          : token.endsWith("\n") ? token.substring(0, token.length() - 1) : token;
    } else {
      token = env.get("DENO_KV_ACCESS_TOKEN");
      if (token == null) {
        throw new UsageException(
            "no access token: set DENO_KV_ACCESS_TOKEN or pass --access-token-file");
      }
    }
    try {
      GatewayConfig.checkAccessToken(token);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return token;
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (latch.getCount() > 0) {
      try {
        latch.await();
      } catch (InterruptedException e) {
        interrupted = true; // keep serving: only the shutdown hook ends the gateway
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    return message.lines().findFirst().orElse(message);
  }

  /** The production database: the Raft group behind {@code config.peers()}. */
  static KvDatabase raftDatabase(GatewayConfig config) {
    return new io.quorumkv.gateway.raft.RaftKvDatabase(config.peers(), io.quorumkv.gateway.raft.RaftKvDatabase.DEFAULT_WAIT_MS);
  }
}
