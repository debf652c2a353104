package io.quorumkv.cli;

import static io.quorumkv.cli.Yamls.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  /**
   * Runs the real script in a copy of the repository's layout, with a stand-in JDK whose
   * {@code java} prints its arguments, and returns them (one per element).
   */
  private static List<String> scriptJavaArgs(Path dir, String javaOpts) throws Exception {
    Path root = dir.resolve("repo");
    Path lib = Files.createDirectories(root.resolve("deploy/target/lib"));
    Files.createFile(lib.resolve("quorumkv-deploy-0.jar")); // "built": nothing to compile
    Files.copy(ROOT.resolve("quorumkv"), root.resolve("quorumkv"));
    Path bin = Files.createDirectories(dir.resolve("jdk/bin"));
    String java = "#!/bin/sh\n"
        + "if [ \"$1\" = -version ]; then echo 'openjdk version \"25\" 2025-09-16' >&2; exit 0; fi\n"
        + "for a in \"$@\"; do echo \"$a\"; done\n";
    for (String tool : List.of("java", "javac")) {
      Path f = bin.resolve(tool);
      Files.writeString(f, java);
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("quorumkv").toString(), "node", "--help");
    pb.environment().put("JAVA_HOME", dir.resolve("jdk").toString());
    pb.environment().remove("QUORUMKV_JAVA_OPTS");
    if (javaOpts != null) {
      pb.environment().put("QUORUMKV_JAVA_OPTS", javaOpts);
    }
    Process p = pb.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "script did not finish");
    assertEquals(0, p.exitValue(), out);
    return List.of(out.strip().split("\n"));
  }

  @Test
  void aCollectorInQuorumkvJavaOptsReplacesOurs(@TempDir Path dir) throws Exception {
    // Until 2026-12-04 the script's filter matched -XX:+Use[A-Za-z]*GC: a name with a digit (G1)
    // slipped through and the JVM refused to start with two collectors.
    for (String collector : List.of("-XX:+UseSerialGC", "-XX:+UseZGC")) {
      List<String> args = scriptJavaArgs(dir.resolve(collector.substring(8)), collector + " -Dquorumkv.test=1");
      assertTrue(args.contains(collector), args.toString());
      assertTrue(args.contains("-Dquorumkv.test=1"), args.toString());
      assertFalse(args.contains("-XX:+UseG1GC"), args.toString());
      assertTrue(args.contains("-Xmx256m"), args.toString());
      assertEquals(List.of("io.quorumkv.cli.QuorumKv", "node", "--help"), args.subList(args.size() - 3, args.size()));
    }
  }

  @Test
  void withoutQuorumkvJavaOptsTheScriptUsesTheLaunchersFlags(@TempDir Path dir) throws Exception {
    List<String> args = scriptJavaArgs(dir, null);
    assertTrue(args.contains("-XX:+UseG1GC"), args.toString());
    assertEquals(Launcher.jvmFlags(25), args.subList(0, Launcher.jvmFlags(25).size()));
  }
}
