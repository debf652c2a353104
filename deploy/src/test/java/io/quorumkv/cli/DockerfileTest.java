package io.quorumkv.cli;

import static io.quorumkv.cli.Yamls.DEPLOY;
import static io.quorumkv.cli.Yamls.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.node.NodeConfig;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/Dockerfile checked against the code and the repository, since no Docker engine runs
 * here: the ENTRYPOINT is exactly ./quorumkv's JVM command, every COPY source exists and is not
 * excluded from the build context, and the build stage copies every module the image needs.
 */
class DockerfileTest {
  /** One instruction: keyword and the rest of its logical line (continuations joined). */
  record Instruction(String keyword, String args) {}

  static List<Instruction> parse(Path dockerfile) throws IOException {
    List<Instruction> out = new ArrayList<>();
    StringBuilder logical = new StringBuilder();
    for (String raw : Files.readAllLines(dockerfile)) {
      String line = raw.strip();
      if (logical.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
        continue;
      }
      if (line.endsWith("\\")) {
        logical.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      logical.append(line);
      String text = logical.toString().strip();
      logical.setLength(0);
      int sp = text.indexOf(' ');
      out.add(new Instruction(text.substring(0, sp).toUpperCase(), text.substring(sp + 1).strip()));
    }
    return out;
  }

  /** Instructions of each stage, the FROM first. */
  static List<List<Instruction>> stages(List<Instruction> all) {
    List<List<Instruction>> out = new ArrayList<>();
    for (Instruction i : all) {
      if (i.keyword().equals("FROM")) {
        out.add(new ArrayList<>());
      }
      if (!out.isEmpty()) {
        out.getLast().add(i);
      }
    }
    return out;
  }

  static List<String> execForm(Instruction i) {
    // JSON arrays are YAML flow sequences.
    return Yamls.list(Yamls.yaml().load(i.args()), i.keyword()).stream().map(Yamls::str).toList();
  }

  static Instruction only(List<Instruction> stage, String keyword) {
    List<Instruction> found = stage.stream().filter(i -> i.keyword().equals(keyword)).toList();
    assertEquals(1, found.size(), "exactly one " + keyword + " in " + stage.getFirst());
    return found.getFirst();
  }

  private final List<Instruction> all;
  private final List<Instruction> build;
  private final List<Instruction> runtime;

  DockerfileTest() throws IOException {
    all = parse(DEPLOY.resolve("Dockerfile"));
    List<List<Instruction>> stages = stages(all);
    assertEquals(2, stages.size(), "a build stage and a runtime stage");
    build = stages.get(0);
    runtime = stages.get(1);
  }

  @Test
  void entrypointIsTheLaunchersJavaCommandOnTheCopiedClasspath() throws Exception {
    List<String> ep = execForm(only(runtime, "ENTRYPOINT"));
    assertEquals("java", ep.getFirst());
    List<String> flags = Launcher.jvmFlags(imageJava());
    assertEquals(flags, ep.subList(1, 1 + flags.size()),
        "ENTRYPOINT flags must equal Launcher.jvmFlags(image Java) (what ./quorumkv and 'up' use)");
    List<String> tail = ep.subList(1 + flags.size(), ep.size());
    assertEquals(3, tail.size(), "then -cp, the classpath and the main class: " + tail);
    assertEquals("-cp", tail.get(0));
    String libDir = copyFromBuild().get(1);
    assertEquals(libDir + "/*", tail.get(1), "the classpath is the directory the jars were copied to");
    String mainClass = tail.get(2);
    assertEquals(QuorumKv.class.getName(), mainClass);
    Method main = Class.forName(mainClass).getMethod("main", String[].class);
    assertTrue(Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers()));
  }

  /** [source, destination] of the one COPY --from=build. */
  private List<String> copyFromBuild() {
    List<Instruction> copies = runtime.stream()
        .filter(i -> i.keyword().equals("COPY") && i.args().startsWith("--from=build ")).toList();
    assertEquals(1, copies.size(), "one COPY --from=build");
    String[] parts = copies.getFirst().args().substring("--from=build ".length()).strip().split("\\s+");
    assertEquals(2, parts.length, copies.getFirst().toString());
    return List.of(parts[0], parts[1]);
  }

  @Test
  void theRuntimeCopiesDeploysTargetLibFromTheBuildWorkdir() throws IOException {
    String workdir = only(build, "WORKDIR").args();
    assertEquals(workdir + "/deploy/target/lib", copyFromBuild().get(0));
    // deploy/pom.xml puts the runtime classpath there.
    String pom = Files.readString(DEPLOY.resolve("pom.xml"));
    assertTrue(pom.contains("<outputDirectory>${project.build.directory}/lib</outputDirectory>"), "deploy/pom.xml writes target/lib");
    List<String> runs = build.stream().filter(i -> i.keyword().equals("RUN")).map(Instruction::args).toList();
    assertTrue(runs.getLast().matches("mvn -B .*-pl deploy -am package.*"), "the last build step packages deploy: " + runs.getLast());
  }

  private int imageJava() {
    Matcher runFrom = Pattern.compile("eclipse-temurin:(\\d+)-jre(-[a-z]+)?").matcher(runtime.getFirst().args());
    assertTrue(runFrom.matches(), runtime.getFirst().toString());
    return Integer.parseInt(runFrom.group(1));
  }

  @Test
  void javaVersionCanRunTheFlags() {
    Matcher buildFrom = Pattern.compile("maven:[\\w.]+-eclipse-temurin-(\\d+) AS build").matcher(build.getFirst().args());
    Matcher runFrom = Pattern.compile("eclipse-temurin:(\\d+)-jre(-[a-z]+)?").matcher(runtime.getFirst().args());
    assertTrue(buildFrom.matches(), build.getFirst().toString());
    assertTrue(runFrom.matches(), runtime.getFirst().toString());
    assertEquals(buildFrom.group(1), runFrom.group(1), "build and run on the same Java");
    int java = Integer.parseInt(runFrom.group(1));
    assertTrue(java >= 21, "Helidon 4 needs Java 21");
    if (Launcher.jvmFlags(java).stream().anyMatch(f -> f.startsWith("--sun-misc-unsafe-memory-access"))) {
      assertTrue(java >= 23, "--sun-misc-unsafe-memory-access exists from Java 23; Java " + java + " refuses to start");
    }
    assertFalse(runFrom.group(0).contains("alpine"), "healthcheck needs bash");
  }

  @Test
  void everyModuleTheImageNeedsIsCopiedAndEveryCopySourceIsInTheContext() throws IOException {
    List<String> sources = new ArrayList<>();
    for (Instruction i : all) {
      if (i.keyword().equals("COPY") && !i.args().startsWith("--from=")) {
        String[] parts = i.args().split("\\s+");
        sources.addAll(List.of(parts).subList(0, parts.length - 1));
      }
    }
    List<String> ignored = dockerignore();
    for (String s : sources) {
      assertTrue(Files.exists(ROOT.resolve(s)), "COPY source " + s + " exists in the repository");
      for (String pattern : ignored) {
        assertFalse(ignores(pattern, s), "COPY source " + s + " is excluded by .dockerignore pattern " + pattern);
      }
    }
    String rootPom = Files.readString(ROOT.resolve("pom.xml"));
    Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(rootPom);
    Set<String> modules = new HashSet<>();
    while (m.find()) {
      modules.add(m.group(1));
      assertTrue(sources.contains(m.group(1) + "/pom.xml"), "Maven reads every module's POM, even unbuilt ones: COPY " + m.group(1) + "/pom.xml");
    }
    for (String module : reactorClosure("deploy", modules)) {
      assertTrue(sources.contains(module + "/src"), "deploy needs " + module + ": COPY " + module + "/src");
    }
  }

  /** {@code start} and every module it depends on (by artifactId quorumkv-&lt;dir&gt;). */
  static Set<String> reactorClosure(String start, Set<String> modules) throws IOException {
    Set<String> out = new HashSet<>();
    List<String> todo = new ArrayList<>(List.of(start));
    while (!todo.isEmpty()) {
      String mod = todo.removeLast();
      if (!out.add(mod)) {
        continue;
      }
      String deps = Files.readString(ROOT.resolve(mod).resolve("pom.xml"));
      deps = deps.substring(deps.indexOf("<dependencies>"));
      for (String other : modules) {
        if (deps.contains("<artifactId>quorumkv-" + other + "</artifactId>")) {
          todo.add(other);
        }
      }
    }
    return out;
  }

  static List<String> dockerignore() throws IOException {
    return Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  /** Enough of .dockerignore's matching for our patterns: plain paths and {@code ** /name}. */
  static boolean ignores(String pattern, String path) {
    if (pattern.startsWith("**/")) {
      String name = pattern.substring(3);
      return List.of(path.split("/")).stream().anyMatch(seg -> seg.equals(name) || (name.startsWith("*.") && seg.endsWith(name.substring(1))));
    }
    return path.equals(pattern) || path.startsWith(pattern + "/");
  }

  @Test
  void portsUserHealthcheckAndVolumeMatchTheNodeAndGatewayDefaults() throws IOException {
    Set<String> exposed = Set.of(only(runtime, "EXPOSE").args().split("\\s+"));
    int rpc = 7101;
    assertEquals(Set.of("4512", "4513", "7001", Integer.toString(rpc), Integer.toString(NodeConfig.defaultMetricsPort(rpc))), exposed);
    assertTrue(only(runtime, "USER").args().matches("\\d+:\\d+"), "numeric user, for Kubernetes runAsNonRoot");
    assertEquals("10001:10001", only(runtime, "USER").args());
    assertEquals("/data", only(runtime, "VOLUME").args());
    String hc = only(runtime, "HEALTHCHECK").args();
    List<String> cmd = Yamls.list(Yamls.yaml().load(hc.substring(hc.indexOf("CMD ") + 4)), "HEALTHCHECK CMD").stream().map(Yamls::str).toList();
    String script = cmd.getFirst();
    assertTrue(runtime.stream().anyMatch(i -> i.keyword().equals("COPY") && i.args().equals("deploy/docker/healthcheck " + script)),
        "the health check script is copied to " + script);
    assertTrue(Files.isExecutable(ROOT.resolve("deploy/docker/healthcheck")));
    assertTrue(runtime.stream().anyMatch(i -> i.keyword().equals("ENV") && i.args().equals("QUORUMKV_HEALTH_PORT=4513")),
        "the image's default health check is the gateway's");
  }
}
