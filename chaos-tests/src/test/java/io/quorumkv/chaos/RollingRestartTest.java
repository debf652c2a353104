package io.quorumkv.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quorumkv.node.testing.RealClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 4 item 5: a rolling restart ({@code quorumkv restart-node} of each node in turn, the
 * leader included) while a real Deno client keeps writing, reading its writes strongly and
 * incrementing a counter with check+set, costs the client zero failed requests and no write.
 */
class RollingRestartTest {
  private static final Pattern PROGRESS = Pattern.compile("progress \\+\\d+ ms writes=(\\d+)");

  @Test
  void restartingEachNodeInTurnCostsTheClientNothing() throws Exception {
    assumeTrue(RealClients.deno().isPresent(), "Deno CLI not installed (cd e2e && npm ci)");
    Path stop = Files.createTempFile("quorumkv-rolling-stop-", "");
    Files.delete(stop);
    try (ProcessCluster c = ProcessCluster.start(3)) {
      Map<String, String> env = Map.of("KV_URL", c.url(), "DENO_KV_ACCESS_TOKEN", c.token(),
          "STOP_FILE", stop.toString(), "SECONDS", "110", "WRITERS", "2", "COUNTERS", "2");
      RealClients.Running run = RealClients.startDeno(RealClients.repoRoot().resolve("e2e/deno/rolling.ts"), env);
      awaitWrites(run, 30, Duration.ofSeconds(60));

      // Leader first (the interesting case), then the others; the leader moves as we go, so
      // pick each time "the leader if not yet restarted, else any not yet restarted".
      List<ProcessCluster.Restart> restarts = new ArrayList<>();
      List<Integer> todo = new ArrayList<>(List.of(0, 1, 2));
      while (!todo.isEmpty()) {
        int leader = c.awaitLeader(Duration.ofSeconds(20));
        int next = todo.contains(leader) ? leader : todo.get(0);
        todo.remove(Integer.valueOf(next));
        long before = writes(run);
        ProcessCluster.Restart r = c.gracefulRestart(next, Duration.ofSeconds(30));
        restarts.add(r);
        System.out.println("rolling restart: " + r);
        // The client must make progress between restarts (the cluster is serving, not stuck).
        awaitWrites(run, before + 10, Duration.ofSeconds(30));
      }
      Files.writeString(stop, "stop");
      RealClients.Result result = run.await(90);

      String out = result.output();
      System.out.println(out.lines().filter(l -> !l.contains("progress")).reduce("", (a, b) -> a + b + "\n"));
      for (ProcessCluster.Restart r : restarts) {
        System.out.println("rolling restart: " + r);
      }
      assertTrue(restarts.stream().anyMatch(ProcessCluster.Restart::wasLeader), "a leader was restarted: " + restarts);
      // What the client did not see: how often the gateway answered 503 (Deno retried those),
      // and any warnings (a replaced Raft client, a failed leadership transfer).
      List<String> unavailable = c.grepLogs("answering 503");
      System.out.println("gateway 503 answers (retried by Deno): " + unavailable.size());
      unavailable.stream().limit(5).forEach(System.out::println);
      System.out.println("gateway warnings:\n" + c.gatewayProblems(10));
      c.grepLogs("stopped on signal").forEach(System.out::println);
      c.grepLogs("replacing it").forEach(System.out::println);
      c.grepLogs("Failed to send request").stream().limit(5).forEach(System.out::println);
      System.out.println(c.gatewayLogAround("Failed to send request", 12));
      assertTrue(result.ok(), () -> "the client saw failures:\n" + out + "\n" + c.logs());
      assertTrue(out.contains("\nrolling: ") && out.contains(" passed, 0 failed\nOK"), () -> "no clean total line:\n" + out);
      for (String part : List.of("writes", "reads", "increments", "verify", "counter")) {
        Matcher m = Pattern.compile("(?m)^" + part + ": (\\d+) passed, (\\d+) failed$").matcher(out);
        assertTrue(m.find(), part + " line missing:\n" + out);
        assertEquals("0", m.group(2), part + " failed:\n" + out);
        assertTrue(Long.parseLong(m.group(1)) > 0, part + " did nothing:\n" + out);
      }
    } finally {
      Files.deleteIfExists(stop);
    }
  }

  /** Acknowledged writes according to the client's last progress line. */
  private static long writes(RealClients.Running run) throws Exception {
    long last = 0;
    Matcher m = PROGRESS.matcher(run.outputSoFar());
    while (m.find()) {
      last = Long.parseLong(m.group(1));
    }
    return last;
  }

  private static void awaitWrites(RealClients.Running run, long atLeast, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (writes(run) < atLeast) {
      if (!run.process().isAlive()) {
        throw new AssertionError("the client exited early:\n" + run.outputSoFar());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the client did not reach " + atLeast + " writes in " + timeout + ":\n" + run.outputSoFar());
      }
      Thread.sleep(200);
    }
  }
}
