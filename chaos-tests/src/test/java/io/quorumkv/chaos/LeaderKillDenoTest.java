package io.quorumkv.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.node.testing.RealClients;
import io.quorumkv.node.testing.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 3's failover promise with real processes and a real client: a Deno program keeps
 * writing while the leader's process is killed with SIGKILL; the program completes, and every
 * write it saw acknowledged is present afterwards (read back by the same client).
 */
class LeaderKillDenoTest {

  @Test
  void denoWriterSurvivesLeaderKillWithNoAcknowledgedWriteLost() throws Exception {
    RealClients.assumeInstalled();
    Path acks = Files.createTempFile("quorumkv-acks-", ".tsv");
    try (ProcessCluster c = ProcessCluster.start(3)) {
      Map<String, String> env = Map.of("KV_URL", c.url(), "DENO_KV_ACCESS_TOKEN", c.token(),
          "ACK_FILE", acks.toString(), "N", "300", "RUN", "kill");
      Path writer = RealClients.repoRoot().resolve("e2e/deno/writer.ts");
      RealClients.Running run = RealClients.startDeno(writer, env);
      // Let it get going, then kill the leader in the middle of the run.
      TestCluster.awaitTrue(Duration.ofSeconds(90), "50 acknowledged writes", () -> {
        if (!run.process().isAlive()) {
          throw new AssertionError("the writer exited early:\n" + output(run));
        }
        return lines(acks) >= 50;
      });
      int leader = c.awaitLeader(Duration.ofSeconds(10));
      long killedAt = System.nanoTime();
      c.kill9(leader);
      RealClients.Result r = run.await(180);
      assertTrue(r.ok(), () -> "writer failed after the leader kill:\n" + r.output() + "\n" + c.logs());
      System.out.println(r.output().lines().filter(l -> l.contains("slow") || l.contains("written") || l.contains("ms"))
          .limit(40).reduce("", (a, b) -> a + b + "\n"));
      System.out.printf("leader kill: writer finished %d ms after the kill; %d writes acknowledged%n",
          (System.nanoTime() - killedAt) / 1_000_000, lines(acks));
      c.restart(leader);
      RealClients.Result v = RealClients.startDenoWithArgs(writer, java.util.List.of("verify"),
          Map.of("KV_URL", c.url(), "DENO_KV_ACCESS_TOKEN", c.token(), "ACK_FILE", acks.toString())).await(120);
      assertTrue(v.ok(), () -> "an acknowledged write is missing:\n" + v.output());
      assertTrue(lines(acks) >= 300, "all 300 writes acknowledged");
    } finally {
      Files.deleteIfExists(acks);
    }
  }

  private static String output(RealClients.Running run) {
    try {
      return run.outputSoFar();
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  private static long lines(Path p) {
    try {
      return Files.readAllLines(p).stream().filter(l -> !l.isBlank()).count();
    } catch (Exception e) {
      return 0;
    }
  }
}
