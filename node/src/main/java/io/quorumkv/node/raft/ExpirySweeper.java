package io.quorumkv.node.raft;

import io.quorumkv.proto.gen.Command;
import io.quorumkv.proto.gen.ExpirySweep;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * On the leader, proposes "delete every key expired up to now" entries, so that every replica
 * deletes the same keys at the same log index and watchers are told (DESIGN: Expiry). Reads
 * already hide expired keys; the sweep reclaims space and notifies watches. A key with a 1 s
 * expiry is swept within about {@link #PERIOD_MS} of expiring.
 */
public final class ExpirySweeper implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ExpirySweeper.class.getName());
  /** How often the leader checks for expired keys. */
  static final long PERIOD_MS = 250;

  private final KvStateMachine stateMachine;
  private final RaftClient client;
  private final BooleanSupplier isLeaderReady;
  private final ScheduledExecutorService timer;

  public ExpirySweeper(KvStateMachine stateMachine, RaftClient client, BooleanSupplier isLeaderReady) {
    this.stateMachine = stateMachine;
    this.client = client;
    this.isLeaderReady = isLeaderReady;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "expiry-sweeper");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts the periodic check. */
  public void start() {
    timer.scheduleWithFixedDelay(this::tick, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      if (!isLeaderReady.getAsBoolean() || stateMachine.earliestExpiryMs() > System.currentTimeMillis()) {
        return;
      }
      Command sweep = Command.newBuilder().setSweep(ExpirySweep.getDefaultInstance()).build();
      // One sweep at a time, bounded: the next tick retries if this one fails.
      client.async().send(Message.valueOf(ByteString.copyFrom(sweep.toByteArray()))).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.log(Level.FINE, "expiry sweep failed; retrying next tick", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
