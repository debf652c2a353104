package io.quorumkv.node.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real clients installed under {@code e2e/node_modules} (the Deno CLI and Node with
 * {@code @deno/kv}) against a KV Connect URL, as a user's program would.
 */
public final class RealClients {
  private RealClients() {}

  /** The repository root (the directory holding e2e/package.json), found from the working dir. */
  public static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    for (; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("e2e/package.json")) && Files.exists(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException("repository root with e2e/package.json not found above " + Path.of("").toAbsolutePath());
  }

  /**
   * Skips the calling test when the real clients are not installed, except under CI (CI=true),
   * where .ci/run installs them and a missing client must fail the run instead of hiding it.
   */
  public static void assumeInstalled() {
    boolean present = deno().isPresent() && denoKvForNode();
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("the Deno CLI or @deno/kv is missing under CI; .ci/run should have installed them");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(present, "Deno CLI / @deno/kv not installed: run 'cd e2e && npm install'");
  }

  /** The Deno binary from npm, if installed. */
  public static Optional<Path> deno() {
    Path d = repoRoot().resolve("e2e/node_modules/@deno/linux-x64-glibc/deno");
    return Files.isExecutable(d) ? Optional.of(d) : Optional.empty();
  }

  /** True if @deno/kv is installed for Node. */
  public static boolean denoKvForNode() {
    return Files.isDirectory(repoRoot().resolve("e2e/node_modules/@deno/kv"));
  }

  /** A finished client run. */
  public record Result(int exitCode, String output, boolean timedOut) {
    public boolean ok() {
      return exitCode == 0 && !timedOut;
    }
  }

  /** Starts {@code deno run -A script} with the given environment (output to a temp file). */
  public static Running startDeno(Path script, Map<String, String> env) throws IOException {
    return startDenoWithArgs(script, List.of(), env);
  }

  /** Starts {@code deno run -A --unstable-kv script args...}. */
  public static Running startDenoWithArgs(Path script, List<String> args, Map<String, String> env) throws IOException {
    Path deno = deno().orElseThrow(() -> new IllegalStateException("Deno is not installed: run 'cd e2e && npm install'"));
    List<String> cmd = new ArrayList<>(List.of(deno.toString(), "run", "-A", "--unstable-kv", "--no-prompt", script.toString()));
    cmd.addAll(args);
    return start(cmd, env);
  }

  /** Starts {@code node script} (with e2e/node_modules resolvable). */
  public static Running startNode(Path script, Map<String, String> env) throws IOException {
    return start(List.of("node", script.toString()), env);
  }

  private static Running start(List<String> cmd, Map<String, String> env) throws IOException {
    Path out = Files.createTempFile("quorumkv-client-", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .directory(repoRoot().resolve("e2e").toFile())
        .redirectErrorStream(true)
        .redirectOutput(out.toFile());
    pb.environment().put("NO_COLOR", "1");
    pb.environment().put("DENO_NO_UPDATE_CHECK", "1");
    pb.environment().put("DENO_DIR", repoRoot().resolve("e2e/.deno-cache").toString());
    pb.environment().putAll(env);
    return new Running(pb.start(), out);
  }

  /** A client process in flight. */
  public record Running(Process process, Path log) {
    /** Waits up to {@code timeoutS}; kills the client on timeout. */
    public Result await(long timeoutS) throws InterruptedException, IOException {
      boolean done = process.waitFor(timeoutS, TimeUnit.SECONDS);
      if (!done) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String text = Files.readString(log, StandardCharsets.UTF_8);
      return new Result(done ? process.exitValue() : -1, text, !done);
    }

    /** What the client printed so far. */
    public String outputSoFar() throws IOException {
      return Files.readString(log, StandardCharsets.UTF_8);
    }
  }
}
