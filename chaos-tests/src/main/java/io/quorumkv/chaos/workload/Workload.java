package io.quorumkv.chaos.workload;

import io.quorumkv.chaos.check.CheckResult;
import io.quorumkv.chaos.client.KvApi;
import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.HistoryRecorder;
import java.time.Duration;
import java.util.List;

/**
 * Traffic plus the checks that judge it, as in Jepsen (a generator and a checker per
 * workload). {@link #step} is called concurrently by many client threads, each with its own
 * {@link ClientContext}; implementations keep their shared state thread-safe.
 */
public interface Workload {
  /** Short name for reports. */
  String name();

  /** Creates the initial data; retries indeterminate outcomes until {@code timeout}. */
  void setUp(KvApi kv, Duration timeout) throws InterruptedException;

  /** Performs one logical operation (it may record more than one op), recording it. */
  void step(ClientContext client);

  /** After the faults healed: reads the final state, recorded as {@link io.quorumkv.chaos.history.Op#FINAL_PROCESS}. */
  void finish(KvApi kv, HistoryRecorder recorder, Duration timeout) throws InterruptedException;

  /** Judges the complete history (including the final reads). */
  List<CheckResult> check(History history);
}
