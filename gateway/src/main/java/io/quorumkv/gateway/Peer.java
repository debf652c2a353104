package io.quorumkv.gateway;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One node of the Raft group as the gateway addresses it: {@code ID=HOST:RAFT_PORT:RPC_PORT},
 * e.g. {@code n1=127.0.0.1:7001:7101}. Immutable and thread-safe.
 *
 * @param id the Raft peer id
 * @param host a host name or IP literal (IPv6 without brackets)
 * @param raftPort the node's Ratis port
 * @param rpcPort the node's own RPC port (watch, local reads, status)
 */
public record Peer(String id, String host, int raftPort, int rpcPort) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  public Peer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("invalid peer id '" + id + "'");
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("empty host for peer " + id);
    }
    checkPort(raftPort, id);
    checkPort(rpcPort, id);
  }

  /** {@code host:raftPort}, with brackets around an IPv6 literal. */
  public String raftAddress() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + raftPort;
  }

  /**
   * Parses a comma-separated list such as {@code n1=h1:7001:7101,n2=h2:7002:7102}.
   *
   * @throws IllegalArgumentException with a one-line message naming the bad entry
   */
  public static List<Peer> parseList(String text) {
    List<Peer> peers = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (String entry : text.split(",", -1)) {
      Peer peer = parse(entry.strip());
      if (!ids.add(peer.id())) {
        throw new IllegalArgumentException("duplicate peer id '" + peer.id() + "'");
      }
      peers.add(peer);
    }
    return List.copyOf(peers);
  }

  /** Parses one {@code ID=HOST:RAFT_PORT:RPC_PORT} entry (IPv6 hosts in brackets). */
  public static Peer parse(String entry) {
    int eq = entry.indexOf('=');
    int rpcColon = entry.lastIndexOf(':');
    int raftColon = rpcColon > 0 ? entry.lastIndexOf(':', rpcColon - 1) : -1;
    if (eq <= 0 || raftColon <= eq + 1) {
      throw malformed(entry);
    }
    String host = entry.substring(eq + 1, raftColon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return new Peer(
          entry.substring(0, eq),
          host,
          Integer.parseInt(entry.substring(raftColon + 1, rpcColon)),
          Integer.parseInt(entry.substring(rpcColon + 1)));
    } catch (IllegalArgumentException e) { // NumberFormatException too
      throw malformed(entry);
    }
  }

  private static IllegalArgumentException malformed(String entry) {
    return new IllegalArgumentException(
        "malformed peer '" + entry + "': expected ID=HOST:RAFT_PORT:RPC_PORT");
  }

  private static void checkPort(int port, String id) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " of peer " + id + " is not in 1..65535");
    }
  }
}
