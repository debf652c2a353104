package io.quorumkv.chaos.workload;

import io.quorumkv.chaos.client.Outcome;
import io.quorumkv.chaos.history.HistoryRecorder;
import io.quorumkv.chaos.history.Op;

/** Recording a client outcome into the history, the same way for every workload. */
final class Outcomes {
  private Outcomes() {}

  /**
   * Completes {@code p} from {@code o}: Ok → ok; a failed check → fail with
   * {@link Op#CHECK_FAILED}; other definite failures → fail; indeterminate → info, and the
   * client continues as a new process.
   */
  static void record(HistoryRecorder.Pending p, Outcome<?> o, ClientContext ctx) {
    switch (o) {
      case Outcome.Ok<?> ok -> p.ok();
      case Outcome.Fail<?>(Outcome.FailKind kind, String message) ->
          p.fail(kind == Outcome.FailKind.CHECK_FAILED ? Op.CHECK_FAILED : o.describe());
      case Outcome.Indeterminate<?> i -> {
        p.info(o.describe());
        if (ctx != null) {
          ctx.crashed();
        }
      }
    }
  }

  /** Sleeps between retries of set-up and final reads. */
  static void pause() throws InterruptedException {
    Thread.sleep(200);
  }
}
