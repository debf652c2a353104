package io.quorumkv.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Starts QuorumKV child processes with this JVM's java binary and classpath. */
final class Launcher {
  private Launcher() {}

  /** JVM flags for every QuorumKV process; heap bounded so a node stays well under 300 MB. */
  static final List<String> JVM_FLAGS = jvmFlags(Runtime.version().feature());

  /** The flags for a JVM of this feature version: the Unsafe flag only exists from JDK 23. */
  static List<String> jvmFlags(int javaFeature) {
    List<String> f = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
    if (javaFeature >= 23) {
      f.add("--sun-misc-unsafe-memory-access=allow");
    }
    // G1, not SerialGC: under sustained writes Ratis' cached log entries reach the old generation,
    // and SerialGC's full collections of it stopped every node for 0.4-0.7 s every ~10 minutes, a
    // leader's longer than the 150-300 ms election timeout (bench/README.md, profile findings).
    f.addAll(List.of("-XX:+UseG1GC", "-Xms32m", "-Xmx256m", "-XX:MaxDirectMemorySize=128m", "-Xss1m",
        // A node loads ~31 MB of class metadata; with the default threshold (~21 MB) every start ran a
        // full GC (Metadata GC Threshold): 0.1 s idle, 0.6-1.7 s on a busy machine, while elections ran.
        "-XX:MetaspaceSize=96m"));
    return List.copyOf(f);
  }

  /**
   * Extra JVM flags for every child process, from {@code QUORUMKV_JAVA_OPTS} (split on
   * whitespace), e.g. {@code -XX:StartFlightRecording=filename=/tmp/qkv-%p.jfr,settings=profile}
   * to profile a local cluster; {@code %p} keeps one file per process.
   */
  static List<String> extraJvmFlags(String opts) {
    if (opts == null || opts.isBlank()) {
      return List.of();
    }
    return List.of(opts.trim().split("\\s+"));
  }

  /** {@code -XX:+Use...GC}: a garbage collector choice (SerialGC, G1GC, ZGC, ...). */
  private static boolean isCollector(String flag) {
    return flag.matches("-XX:\\+Use\\w*GC");
  }

  static List<String> javaCommand(List<String> args) {
    return javaCommand(args, System.getenv("QUORUMKV_JAVA_OPTS"));
  }

  /** The command for {@code quorumkv <args>} with {@code javaOpts} (QUORUMKV_JAVA_OPTS) added. */
  static List<String> javaCommand(List<String> args, String javaOpts) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> extra = extraJvmFlags(javaOpts);
    // A collector chosen in QUORUMKV_JAVA_OPTS replaces ours (the JVM refuses two).
    boolean ownCollector = extra.stream().anyMatch(Launcher::isCollector);
    JVM_FLAGS.stream().filter(f -> !(ownCollector && isCollector(f))).forEach(cmd::add);
    cmd.addAll(extra);
    String logging = System.getProperty("java.util.logging.config.file");
    if (logging != null) {
      cmd.add("-Djava.util.logging.config.file=" + logging);
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(QuorumKv.class.getName());
    cmd.addAll(args);
    return cmd;
  }

  /** Starts {@code quorumkv <args>} with output appended to {@code log}; writes {@code pidFile}. */
  static Process start(List<String> args, Path log, Path pidFile) throws IOException {
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(javaCommand(args))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    Files.writeString(pidFile, Long.toString(p.pid()));
    return p;
  }

  /** The live process recorded in a pid file, if it is a QuorumKV java process. */
  static Optional<ProcessHandle> recorded(Path pidFile) {
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(true));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** SIGTERM, wait up to {@code graceMs}, then SIGKILL. */
  static void stop(ProcessHandle h, long graceMs) {
    if (!h.isAlive()) {
      return;
    }
    h.destroy();
    try {
      h.onExit().get(graceMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      h.destroyForcibly();
    }
  }

  /** The last {@code n} lines of a log file, for error messages. */
  static String tail(Path log, int n) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }
}
