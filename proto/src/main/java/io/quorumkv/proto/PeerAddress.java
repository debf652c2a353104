package io.quorumkv.proto;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One member of the Raft group as written on command lines: {@code id=host:raftPort:rpcPort}.
 * Used by the node (its peers) and the gateway (where to send requests).
 */
public record PeerAddress(String id, String host, int raftPort, int rpcPort) {
  private static final Pattern ENTRY =
      Pattern.compile("([A-Za-z0-9][A-Za-z0-9_.-]{0,62})=([^=:,\\s]+|\\[[0-9a-fA-F:]+\\]):(\\d{1,5}):(\\d{1,5})");

  public PeerAddress {
    checkPort(raftPort, id);
    checkPort(rpcPort, id);
  }

  /** {@code host:raftPort}, the Ratis peer address. */
  public String raftAddress() {
    return host + ":" + raftPort;
  }

  /** {@code host:rpcPort}, the node RPC address. */
  public String rpcAddress() {
    return host + ":" + rpcPort;
  }

  /** Back to the command-line form. */
  public String spec() {
    return id + "=" + host + ":" + raftPort + ":" + rpcPort;
  }

  /**
   * Parses {@code n1=127.0.0.1:7001:7101,n2=...}. Throws IllegalArgumentException with a
   * one-line message naming the bad entry.
   */
  public static List<PeerAddress> parseList(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("--peers is empty; expected id=host:raftPort:rpcPort[,...]");
    }
    List<PeerAddress> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (String part : spec.split(",", -1)) {
      String p = part.trim();
      Matcher m = ENTRY.matcher(p);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "malformed peer '" + p + "'; expected id=host:raftPort:rpcPort, e.g. n1=127.0.0.1:7001:7101");
      }
      PeerAddress a = new PeerAddress(m.group(1), m.group(2), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
      if (!ids.add(a.id())) {
        throw new IllegalArgumentException("peer id '" + a.id() + "' appears twice in --peers");
      }
      out.add(a);
    }
    return List.copyOf(out);
  }

  /** The comma-separated command-line form of a list. */
  public static String toSpec(List<PeerAddress> peers) {
    return String.join(",", peers.stream().map(PeerAddress::spec).toList());
  }

  private static void checkPort(int port, String id) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("peer '" + id + "': port " + port + " is not in 1..65535");
    }
  }
}
