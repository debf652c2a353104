package io.quorumkv.chaos.workload;

import io.quorumkv.chaos.check.BankChecker;
import io.quorumkv.chaos.check.CheckResult;
import io.quorumkv.chaos.client.Entry;
import io.quorumkv.chaos.client.Keys;
import io.quorumkv.chaos.client.KvApi;
import io.quorumkv.chaos.client.Outcome;
import io.quorumkv.chaos.client.Requests;
import io.quorumkv.chaos.client.Value;
import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.HistoryRecorder;
import io.quorumkv.chaos.history.Op;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.proto.Limits;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Jepsen's bank: accounts under {@code ["chaos", "bank", i]} holding LE64 balances; clients
 * transfer money (a consistent {@code getMany} of two accounts, then one atomic write that
 * checks both versionstamps and sets both balances) and read every balance in one snapshot
 * (a single prefix range with limit 1000, well inside the 10-range limit). Every snapshot
 * must sum to the initial total.
 */
public final class BankWorkload implements Workload {

  public record Options(int accounts, long initialBalance, int maxTransfer, double readRatio) {
    public Options {
      if (accounts < 2 || accounts > Limits.MAX_READ_ENTRIES || initialBalance < 0 || maxTransfer < 1) {
        throw new IllegalArgumentException("bad bank options " + this);
      }
    }

    /** 100 accounts of 100, transfers of 1..5, one operation in five a full read. */
    public static Options defaults() {
      return new Options(100, 100, 5, 0.2);
    }
  }

  private final Options options;
  private final byte[] prefix = Keys.of("chaos", "bank");
  private final byte[][] keys;
  private final String[] names;
  private final Map<String, String> nameByKeyHex = new LinkedHashMap<>();

  public BankWorkload(Options options) {
    this.options = options;
    keys = new byte[options.accounts()][];
    names = new String[options.accounts()];
    for (int i = 0; i < options.accounts(); i++) {
      keys[i] = Keys.of("chaos", "bank", i);
      names[i] = "acct-" + i;
      nameByKeyHex.put(HexFormat.of().formatHex(keys[i]), names[i]);
    }
  }

  @Override
  public String name() {
    return "bank";
  }

  /** The sum every snapshot must show. */
  public long total() {
    return options.accounts() * options.initialBalance();
  }

  @Override
  public void setUp(KvApi kv, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      Outcome<List<Entry>> existing = kv.list(prefix, Limits.MAX_READ_ENTRIES);
      if (existing instanceof Outcome.Ok<List<Entry>>(List<Entry> entries)) {
        if (entries.size() == options.accounts()) {
          return; // created by an earlier attempt whose answer was lost
        }
        if (!entries.isEmpty()) {
          throw new IllegalStateException("bank prefix holds " + entries.size() + " accounts; expected 0 or " + options.accounts());
        }
        Requests.AtomicBuilder b = Requests.atomic().check(keys[0], null);
        for (byte[] k : keys) {
          b.set(k, Value.le64(options.initialBalance()));
        }
        Outcome<?> created = kv.commit(b.build());
        if (created.isOk()) {
          return;
        }
      }
      Outcomes.pause();
    }
    throw new IllegalStateException("could not create the bank accounts within " + timeout);
  }

  @Override
  public void step(ClientContext c) {
    if (c.random().nextDouble() < options.readRatio()) {
      readAll(c.kv(), c.recorder(), c.process(), c);
      return;
    }
    int from = c.random().nextInt(keys.length);
    int to = (from + 1 + c.random().nextInt(keys.length - 1)) % keys.length;
    long amount = 1 + c.random().nextInt(options.maxTransfer());
    Outcome<List<Optional<Entry>>> pair = c.kv().getMany(List.of(keys[from], keys[to]));
    if (!(pair instanceof Outcome.Ok<List<Optional<Entry>>>(List<Optional<Entry>> es))
        || es.get(0).isEmpty() || es.get(1).isEmpty()) {
      return; // nothing was attempted; the snapshot reads judge the state
    }
    Entry f = es.get(0).get();
    Entry t = es.get(1).get();
    long fromBalance = f.value().asLong();
    if (fromBalance < amount) {
      return;
    }
    HistoryRecorder.Pending p = c.recorder().invoke(c.process(), OpType.TRANSFER, null, null, null,
        Map.of(names[from], -amount, names[to], amount));
    Outcome<?> o = c.kv().commit(Requests.atomic()
        .check(keys[from], f.versionstamp()).check(keys[to], t.versionstamp())
        .set(keys[from], Value.le64(fromBalance - amount)).set(keys[to], Value.le64(t.value().asLong() + amount))
        .build());
    Outcomes.record(p, o, c);
  }

  /** One recorded snapshot read of every account; true if it succeeded. */
  private boolean readAll(KvApi kv, HistoryRecorder recorder, int process, ClientContext c) {
    HistoryRecorder.Pending p = recorder.invoke(process, OpType.READ_ALL, null, null, null, null);
    Outcome<List<Entry>> o = kv.list(prefix, Limits.MAX_READ_ENTRIES);
    if (o instanceof Outcome.Ok<List<Entry>>(List<Entry> entries)) {
      Map<String, Long> balances = new LinkedHashMap<>();
      for (Entry e : entries) {
        String hex = HexFormat.of().formatHex(e.key());
        long v;
        try {
          v = e.value().asLong();
        } catch (IllegalStateException notLe64) {
          v = Long.MIN_VALUE / 2; // breaks the sum visibly
        }
        balances.put(nameByKeyHex.getOrDefault(hex, "unknown-" + hex), v);
      }
      p.okValues(balances);
      return true;
    }
    Outcomes.record(p, o, c);
    return false;
  }

  @Override
  public void finish(KvApi kv, HistoryRecorder recorder, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!readAll(kv, recorder, Op.FINAL_PROCESS, null) && System.nanoTime() - deadline < 0) {
      Outcomes.pause();
    }
  }

  @Override
  public List<CheckResult> check(History history) {
    return List.of(new BankChecker(options.accounts(), total()).check(history));
  }
}
