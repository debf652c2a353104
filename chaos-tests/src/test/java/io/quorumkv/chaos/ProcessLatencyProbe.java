package io.quorumkv.chaos;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quorumkv.chaos.client.Keys;
import io.quorumkv.chaos.client.KvConnectClient;
import io.quorumkv.chaos.client.Outcome;
import io.quorumkv.chaos.client.Value;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Measurement probe, not a test (skipped unless {@code -Dchaos.probe=true}): one KV Connect
 * client against a {@link ProcessCluster}, timing single requests without faults (3 rounds of
 * 20 writes and reads) and then across each fault of {@code -Dchaos.probe.fault=pause,kill9,allcrash}
 * (wall-clock stamps, to line up with the processes' logs; {@code -Dchaos.keepLogs=true}). How
 * issue 5's findings F4-F7 were measured; see the README.
 */
class ProcessLatencyProbe {

  @Test
  void probe() throws Exception {
    assumeTrue(Boolean.getBoolean("chaos.probe"));
    try (ProcessCluster cluster = ProcessCluster.start(3);
         KvConnectClient client = new KvConnectClient(KvConnectClient.Config.of(cluster.url(), cluster.token()))) {
      long t0 = System.nanoTime();
      System.out.println("probe: metadata " + client.metadata().describe() + " " + ms(t0));
      byte[] key = Keys.of("probe", "k");
      for (int round = 0; round < 3; round++) {
        List<Long> w = new ArrayList<>();
        List<Long> r = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          long a = System.nanoTime();
          Outcome<?> o = client.set(key, Value.le64(i));
          w.add(ms(a));
          if (!o.isOk()) {
            System.out.println("probe: write " + o.describe());
          }
          a = System.nanoTime();
          o = client.get(key);
          r.add(ms(a));
          if (!o.isOk()) {
            System.out.println("probe: read " + o.describe());
          }
        }
        System.out.println("probe: round " + round + " writes ms " + w + "\nprobe: reads ms " + r);
      }
      for (String fault : System.getProperty("chaos.probe.fault", "").split(",")) {
        if (fault.isEmpty()) {
          continue;
        }
        int leader = cluster.awaitLeader(java.time.Duration.ofSeconds(30));
        long tf = System.nanoTime();
        switch (fault) {
          case "kill9" -> cluster.kill9(leader);
          case "pause" -> cluster.pause(leader);
          case "allcrash" -> {
            for (int i = 0; i < 3; i++) {
              cluster.kill9(i);
            }
            for (int i = 0; i < 3; i++) {
              cluster.restart(i);
            }
          }
          default -> throw new IllegalArgumentException(fault);
        }
        System.out.println("probe: " + java.time.LocalTime.now() + " fault " + fault + " on n" + (leader + 1) + " took " + ms(tf));
        int oks = 0;
        for (int i = 0; i < 200 && oks < 5; i++) {
          long a = System.nanoTime();
          Outcome<?> o = client.set(key, Value.le64(1000 + i));
          System.out.println("probe: " + java.time.LocalTime.now() + " +" + ms(tf) + " ms write " + ms(a) + " ms " + o.describe());
          long b = System.nanoTime();
          Outcome<?> rd = client.get(key);
          System.out.println("probe: " + java.time.LocalTime.now() + " +" + ms(tf) + " ms read " + ms(b) + " ms " + rd.describe());
          oks += o.isOk() ? 1 : 0;
          if (!o.isOk()) {
            Thread.sleep(5);
          }
        }
        if (fault.equals("pause")) {
          cluster.resume(leader);
        } else if (fault.equals("kill9")) {
          cluster.restart(leader);
        }
        Thread.sleep(3000);
      }
      cluster.saveLogs(java.nio.file.Path.of("target/probe-logs"));
    }
  }

  private static long ms(long fromNanos) {
    return (System.nanoTime() - fromNanos) / 1_000_000;
  }
}
