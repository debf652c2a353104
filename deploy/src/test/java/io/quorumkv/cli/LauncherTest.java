package io.quorumkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** QUORUMKV_JAVA_OPTS: extra flags for the processes 'up' and 'bench' start. */
class LauncherTest {
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
    assertTrue(plain.contains("-XX:+UseSerialGC"));
    assertTrue(plain.indexOf("-Xms128m") > plain.indexOf("-Xms32m"), "the later -Xms wins");
    List<String> zgc = Launcher.javaCommand(List.of("node"), "-XX:+UseZGC");
    assertFalse(zgc.contains("-XX:+UseSerialGC"), "the JVM refuses two collectors");
    assertTrue(zgc.contains("-XX:+UseZGC"));
    assertEquals("node", zgc.get(zgc.size() - 1));
  }
}
