package io.quorumkv.chaos.workload;

import io.quorumkv.chaos.client.KvApi;
import io.quorumkv.chaos.history.HistoryRecorder;
import java.util.Random;

/**
 * One client thread's view: its KV handle, its seeded random source, the recorder and its
 * current process id. Confined to its thread.
 *
 * <p>Process ids follow Jepsen: a client whose operation ended indeterminate is considered
 * crashed (its operation may still be in flight) and continues as a fresh process, so that
 * every process has at most one operation pending.
 */
public final class ClientContext {
  private final KvApi kv;
  private final Random random;
  private final HistoryRecorder recorder;
  private final int stride;
  private int process;

  /** {@code index} in [0, {@code clients}): process ids are index, index + clients, ... */
  public ClientContext(KvApi kv, Random random, HistoryRecorder recorder, int index, int clients) {
    this.kv = kv;
    this.random = random;
    this.recorder = recorder;
    this.process = index;
    this.stride = clients;
  }

  public KvApi kv() {
    return kv;
  }

  public Random random() {
    return random;
  }

  public HistoryRecorder recorder() {
    return recorder;
  }

  public int process() {
    return process;
  }

  /** The last operation was indeterminate: continue as a new process. */
  public void crashed() {
    process += stride;
  }
}
