package io.quorumkv.chaos;

import io.quorumkv.chaos.nemesis.FaultProxy;
import io.quorumkv.proto.PeerAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@link FaultProxy} per directed link between node processes, for both the Raft port and
 * the node RPC port, so that partitions need no root and no firewall.
 *
 * <p>Node {@code i} is started with its own {@code --peers} list: its own entry has its real
 * ports (it binds them), and every other node {@code j} is listed at the ports of the proxies
 * {@code i→j}. Ratis dials a peer at the address it first learned for that peer id: the
 * server registers the start-up group's peers before it reads the configuration from its log,
 * and its proxy map never replaces an address for a known id (Ratis {@code RaftServerProxy.
 * newRaftServerImpl}, {@code PeerProxyMap.computeIfAbsent}), so the different addresses in the
 * configuration entries that other leaders write into the log do not redirect it. Every byte
 * from {@code i} to {@code j} therefore passes through proxy {@code i→j}, and the link is a
 * pair of them: {@link #isolate} of {@code n} holds both directions of every link of
 * {@code n}, and nothing else. The gateway is not partitioned: it dials the real ports.
 *
 * <p>Isolation uses {@link FaultProxy#hold()}: connections stay up and go silent, so Raft
 * learns of the partition only through its own timeouts (as it would from lost packets), not
 * from connection resets, and after {@link #heal()} the held bytes arrive in order as TCP would
 * deliver them.
 */
final class PartitionMesh implements AutoCloseable {
  private final int size;
  /** raft[i][j], rpc[i][j]: the proxies node i uses to reach node j (null on the diagonal). */
  private final FaultProxy[][] raft;
  private final FaultProxy[][] rpc;

  PartitionMesh(List<PeerAddress> peers) throws IOException {
    size = peers.size();
    raft = new FaultProxy[size][size];
    rpc = new FaultProxy[size][size];
    try {
      for (int i = 0; i < size; i++) {
        for (int j = 0; j < size; j++) {
          if (i != j) {
            PeerAddress to = peers.get(j);
            raft[i][j] = FaultProxy.start(0, new InetSocketAddress(to.host(), to.raftPort()));
            rpc[i][j] = FaultProxy.start(0, new InetSocketAddress(to.host(), to.rpcPort()));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The {@code --peers} list for node {@code i}: itself as it is, the others behind i's proxies. */
  List<PeerAddress> peersSeenBy(int i, List<PeerAddress> peers) {
    List<PeerAddress> out = new ArrayList<>();
    for (int j = 0; j < size; j++) {
      PeerAddress p = peers.get(j);
      out.add(i == j ? p : new PeerAddress(p.id(), "127.0.0.1", raft[i][j].port(), rpc[i][j].port()));
    }
    return out;
  }

  /** Silences every link to and from node {@code n}, both directions, Raft and RPC. */
  synchronized void isolate(int n) {
    for (int k = 0; k < size; k++) {
      if (k != n) {
        raft[n][k].hold();
        raft[k][n].hold();
        rpc[n][k].hold();
        rpc[k][n].hold();
      }
    }
  }

  /** Restores every link. */
  synchronized void heal() {
    forEach(FaultProxy::pass);
  }

  /** True if any link is not passing traffic. */
  synchronized boolean partitioned() {
    boolean[] any = {false};
    forEach(p -> any[0] |= p.mode() != FaultProxy.Mode.PASS);
    return any[0];
  }

  private void forEach(java.util.function.Consumer<FaultProxy> action) {
    for (FaultProxy[][] grid : List.of(raft, rpc)) {
      for (FaultProxy[] row : grid) {
        for (FaultProxy p : row) {
          if (p != null) {
            action.accept(p);
          }
        }
      }
    }
  }

  @Override
  public void close() {
    forEach(FaultProxy::close);
  }
}
