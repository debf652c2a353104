package io.quorumkv.proto;

import java.io.InputStream;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * One-line-per-event JUL logging for QuorumKV processes (node, gateway, serve); Ratis, gRPC and
 * Helidon kept at WARNING. Lives in proto because both node and gateway use it and neither may
 * depend on the other.
 */
public final class Logging {
  private Logging() {}

  /** Loads the bundled logging.properties unless one was given, then sets our level. */
  public static void configure(String level) {
    if (System.getProperty("java.util.logging.config.file") == null) {
      try (InputStream in = Logging.class.getResourceAsStream("/quorumkv-logging.properties")) {
        if (in != null) {
          LogManager.getLogManager().readConfiguration(in);
        }
      } catch (Exception e) {
        System.err.println("logging configuration failed: " + e.getMessage());
      }
    }
    Level l;
    try {
      l = Level.parse(level.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--log-level '" + level + "' is not one of SEVERE, WARNING, INFO, FINE, FINER, ALL");
    }
    Logger.getLogger("io.quorumkv").setLevel(l);
  }
}
