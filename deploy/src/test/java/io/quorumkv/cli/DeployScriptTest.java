package io.quorumkv.cli;

import static io.quorumkv.cli.Yamls.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./quorumkv} script starts its own JVM (a node, gateway or serve run directly) with
 * the flags every child of 'up' and the image's ENTRYPOINT get: until 2026-12-04 it left out the
 * heap bounds, so a directly started process could grow to a quarter of the machine's RAM.
 */
class DeployScriptTest {
  private static final Pattern ASSIGN = Pattern.compile("FLAGS(\\+?)=\\(([^)]*)\\)");

  /** The FLAGS the script builds for a JVM of this feature version, in order. */
  static List<String> scriptFlags(int javaFeature) throws IOException {
    List<String> flags = new ArrayList<>();
    for (String line : Files.readAllLines(ROOT.resolve("quorumkv"))) {
      String code = line.strip();
      if (code.startsWith("#")) {
        continue;
      }
      Matcher m = ASSIGN.matcher(code);
      if (!m.find() || m.group(2).contains("$")) {
        continue; // not a literal assignment (e.g. the collector filter)
      }
      if (code.contains("-ge 23") && javaFeature < 23) {
        continue;
      }
      if (m.group(1).isEmpty()) {
        flags.clear();
      }
      flags.addAll(Arrays.asList(m.group(2).strip().split("\\s+")));
    }
    return flags;
  }

  @Test
  void theScriptsOwnJvmGetsTheLaunchersFlags() throws IOException {
    for (int feature : new int[] {21, 25}) {
      assertEquals(Launcher.jvmFlags(feature), scriptFlags(feature), "./quorumkv FLAGS for Java " + feature);
    }
  }
}
