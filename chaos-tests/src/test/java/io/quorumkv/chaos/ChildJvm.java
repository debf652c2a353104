package io.quorumkv.chaos;

import io.quorumkv.chaos.client.Keys;
import io.quorumkv.chaos.client.KvConnectClient;
import io.quorumkv.chaos.client.Value;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How the chaos tests start {@code quorumkv} child processes: JVM flags, class path, and a
 * class-data-sharing archive that makes every start cheaper.
 *
 * <p>Why the archive: a node start costs 3–5 CPU-seconds (class loading and verification of
 * Ratis, gRPC, Helidon, SQLite), so three nodes restarting after an all-crash on 2 cores took
 * 8–24 s on a loaded machine before the first write; that, not Raft, was most of the
 * all-crash recovery time. An AppCDS archive of the loaded classes halves the CPU of a start
 * (measured 3.05 → 1.6–1.9 CPU-s, 9.8 → 1.8–2.8 s wall for one node). The archive is made
 * once per class path ({@code target/cds/}) by a training run of {@code quorumkv serve} (a node
 * and a gateway in one JVM, one write through KV Connect) that exits normally, which is when
 * the JVM writes it. If anything about it fails, children simply start without it.
 */
final class ChildJvm {
  private ChildJvm() {}

  /** JVM flags of every child; the quorumkv launcher's, plus C1-only JIT (short-lived test JVMs). */
  static final List<String> FLAGS = Stream.concat(
      Stream.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseG1GC", "-Xmx256m", "-Xss1m",
          // as in the launcher: without it every start ran a full GC ("Metadata GC Threshold"),
          // 0.1 s alone and 0.6-1.7 s on a loaded machine, while a new leader was being elected
          "-XX:MetaspaceSize=96m",
          "-XX:TieredStopAtLevel=1"),
      Runtime.version().feature() >= 23 ? Stream.of("--sun-misc-unsafe-memory-access=allow") : Stream.empty())
      .toList();

  private static volatile Optional<Path> archive;

  /** {@code java <flags> [-XX:SharedArchiveFile] -cp <children's class path> io.quorumkv.cli.QuorumKv <args>}. */
  static List<String> command(List<String> args) {
    return command(args, archive().map(a -> "-XX:SharedArchiveFile=" + a));
  }

  private static List<String> command(List<String> args, Optional<String> cdsFlag) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(FLAGS);
    cdsFlag.ifPresent(cmd::add);
    cdsFlag.ifPresent(f -> cmd.add("-Xlog:cds=off,cds+dynamic=off")); // a stale archive is only slower
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, classPath()));
    cmd.add("io.quorumkv.cli.QuorumKv");
    cmd.addAll(args);
    return cmd;
  }

  /**
   * The test JVM's class path without this module's own class directories (children run the
   * quorumkv program, not tests), so that it is all jars and can be archived.
   */
  static List<String> classPath() {
    Path own = Path.of("target").toAbsolutePath();
    List<String> out = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(e).toAbsolutePath();
      if (!(Files.isDirectory(p) && p.startsWith(own))) {
        out.add(e);
      }
    }
    return out;
  }

  /** The archive for this class path, made on first use; empty if it cannot be had. */
  static Optional<Path> archive() {
    Optional<Path> a = archive;
    if (a == null) {
      synchronized (ChildJvm.class) {
        a = archive;
        if (a == null) {
          a = makeArchive();
          archive = a;
        }
      }
    }
    return a;
  }

  private static Optional<Path> makeArchive() {
    if (Boolean.getBoolean("chaos.noCds")) {
      return Optional.empty();
    }
    List<String> cp = classPath();
    if (cp.stream().map(Path::of).anyMatch(Files::isDirectory)) {
      return Optional.empty(); // the JVM archives jars only (e.g. a reactor run before 'package')
    }
    Path file = Path.of("target", "cds", "quorumkv-" + fingerprint(cp) + ".jsa").toAbsolutePath();
    if (Files.isRegularFile(file)) {
      return Optional.of(file);
    }
    long t0 = System.nanoTime();
    Path dir = null;
    Process p = null;
    try {
      Files.createDirectories(file.getParent());
      dir = Files.createTempDirectory("quorumkv-cds-");
      Path token = dir.resolve("token");
      String secret = "cds-training-token";
      Files.writeString(token, secret, StandardCharsets.UTF_8);
      int port = io.quorumkv.node.testing.TestPorts.allocate();
      List<String> args = List.of("serve", "--data-dir", dir.resolve("data").toString(), "--host", "127.0.0.1",
          "--port", Integer.toString(port), "--metrics-port", "-1",
          "--raft-port", Integer.toString(io.quorumkv.node.testing.TestPorts.allocate()),
          "--rpc-port", Integer.toString(io.quorumkv.node.testing.TestPorts.allocate()),
          "--access-token-file", token.toString());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Path log = dir.resolve("serve.log");
      p = new ProcessBuilder(command(args, Optional.of("-XX:ArchiveClassesAtExit=" + tmp)))
          .redirectErrorStream(true).redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      try (KvConnectClient kv = new KvConnectClient(KvConnectClient.Config.of("http://127.0.0.1:" + port, secret))) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!kv.set(Keys.of("cds", "training"), Value.le64(1)).isOk() || !kv.get(Keys.of("cds", "training")).isOk()) {
          if (!p.isAlive() || System.nanoTime() > deadline) {
            throw new IOException("training run did not serve a write: " + tail(log));
          }
          Thread.sleep(200);
        }
      }
      p.destroy(); // SIGTERM: the shutdown hook runs and the JVM writes the archive as it exits
      if (!p.waitFor(60, TimeUnit.SECONDS) || !Files.isRegularFile(tmp)) {
        throw new IOException("no archive written: " + tail(log));
      }
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      System.out.printf("ChildJvm: class-data archive %s made in %d ms%n", file, (System.nanoTime() - t0) / 1_000_000);
      return Optional.of(file);
    } catch (IOException | RuntimeException e) {
      System.out.println("ChildJvm: children start without a class-data archive: " + e.getMessage());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } finally {
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
      }
      deleteQuietly(dir);
    }
  }

  /** Changes whenever the JDK, a jar or the flags change (the JVM would refuse the archive). */
  private static String fingerprint(List<String> cp) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(System.getProperty("java.home").getBytes(StandardCharsets.UTF_8));
      d.update(Runtime.version().toString().getBytes(StandardCharsets.UTF_8));
      d.update(String.join(" ", FLAGS).getBytes(StandardCharsets.UTF_8));
      for (String e : cp) {
        File f = new File(e);
        d.update((e + ":" + f.length() + ":" + f.lastModified() + ";").getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(d.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // temp dir
    }
  }
}
