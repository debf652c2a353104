package io.quorumkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The JVM flags every QuorumKV process gets ({@code up}, {@code ./quorumkv}, the Dockerfile). */
class LauncherTest {

  /**
   * Finding F6 (chaos-tests/README.md): a node loads ~31 MB of class metadata; with the default
   * threshold (~21 MB) every start ran a full GC ("Metadata GC Threshold"), 0.6-1.7 s on a busy
   * machine, while a restarted node had to answer a new leader (measured with -Xlog:gc).
   */
  @Test
  void metaspaceThresholdIsAboveWhatAStartLoads() {
    List<String> flags = Launcher.jvmFlags(25);
    long mb = flags.stream().filter(f -> f.startsWith("-XX:MetaspaceSize="))
        .map(f -> f.substring("-XX:MetaspaceSize=".length()))
        .mapToLong(v -> Long.parseLong(v.substring(0, v.length() - 1)) * (v.endsWith("g") ? 1024 : 1))
        .findFirst().orElse(0);
    assertTrue(mb >= 64, "-XX:MetaspaceSize must be well above the ~31 MB a node loads: " + flags);
  }

  @Test
  void extraFlagsSplitOnWhitespace() {
    assertEquals(List.of(), Launcher.extraJvmFlags(null));
    assertEquals(List.of(), Launcher.extraJvmFlags("  "));
    assertEquals(List.of("-Xlog:gc", "-XX:StartFlightRecording=filename=/tmp/q-%p.jfr"),
        Launcher.extraJvmFlags(" -Xlog:gc \t-XX:StartFlightRecording=filename=/tmp/q-%p.jfr "));
  }

  @Test
  void extraFlagsComeAfterOursAndACollectorReplacesOurs() {
    List<String> plain = Launcher.javaCommand(List.of("node"), "-Xms128m");
    assertTrue(plain.contains("-XX:+UseG1GC"));
    assertTrue(plain.indexOf("-Xms128m") > plain.indexOf("-Xms32m"), "the later -Xms wins");
    List<String> zgc = Launcher.javaCommand(List.of("node"), "-XX:+UseZGC");
    assertFalse(zgc.contains("-XX:+UseG1GC"), "the JVM refuses two collectors");
    assertTrue(zgc.contains("-XX:+UseZGC"));
    assertEquals("node", zgc.get(zgc.size() - 1));
    List<String> serial = Launcher.javaCommand(List.of("node"), "-XX:+UseSerialGC");
    assertFalse(serial.contains("-XX:+UseG1GC"), "ours has a digit in its name");
  }
}
