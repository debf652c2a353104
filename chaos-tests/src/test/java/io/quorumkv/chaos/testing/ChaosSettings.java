package io.quorumkv.chaos.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Settings of cluster-driven chaos tests, from system properties set by the pom (short form
 * by default, long form with {@code -Pchaos}) or the command line: {@code chaos.seed} (empty =
 * a fresh random seed, always printed), {@code chaos.durationSeconds}, {@code chaos.clients},
 * {@code chaos.outputDir}.
 */
public record ChaosSettings(long seed, Duration duration, int clients, Path outputDir) {

  /** Reads the properties; {@code defaultSeconds} applies when the pom did not set one. */
  public static ChaosSettings fromSystemProperties(int defaultSeconds) {
    String seedText = System.getProperty("chaos.seed", "").trim();
    long seed = seedText.isEmpty() ? ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE) : Long.parseLong(seedText);
    int seconds = Integer.parseInt(System.getProperty("chaos.durationSeconds", Integer.toString(defaultSeconds)).trim());
    int clients = Integer.parseInt(System.getProperty("chaos.clients", "4").trim());
    Path out = Path.of(System.getProperty("chaos.outputDir", "target/chaos"));
    System.out.println("chaos: seed " + seed + " (replay with -Dchaos.seed=" + seed + "), " + seconds + " s, " + clients + " clients");
    return new ChaosSettings(seed, Duration.ofSeconds(seconds), clients, out);
  }
}
