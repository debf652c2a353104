package io.quorumkv.chaos.testing;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.Check;
import com.deno.kv.datapath.Mutation;
import com.deno.kv.datapath.ReadRange;
import io.quorumkv.chaos.client.Entry;
import io.quorumkv.chaos.client.KvApi;
import io.quorumkv.chaos.client.Outcome;
import io.quorumkv.chaos.client.Value;
import io.quorumkv.proto.Versionstamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A linearizable in-memory KV (one lock) with switchable faults and bugs, so workloads and
 * checkers can be tested end to end without a cluster: {@link #down} makes every request fail
 * or time out, {@code indeterminateOneIn} turns some writes into timeouts (applied or not, at
 * random), and the {@link Bug}s plant the anomalies the checkers must find.
 */
public final class InMemoryKv implements KvApi {
  /** Anomalies a broken server could show. */
  public enum Bug { NONE, STALE_READS, LOST_WRITES, TORN_WRITES, FAILED_BUT_APPLIED }

  private final TreeMap<byte[], Entry> data = new TreeMap<>(Arrays::compareUnsigned);
  private final TreeMap<byte[], Entry> previous = new TreeMap<>(Arrays::compareUnsigned);
  private final Random random;
  private volatile Bug bug = Bug.NONE;
  private volatile int indeterminateOneIn;
  private volatile boolean down;
  private long version;

  public InMemoryKv(long seed) {
    random = new Random(seed);
  }

  public InMemoryKv bug(Bug b) {
    bug = b;
    return this;
  }

  public InMemoryKv indeterminateOneIn(int n) {
    indeterminateOneIn = n;
    return this;
  }

  /** While down, reads fail and writes time out (half of them applied). */
  public void down(boolean d) {
    down = d;
  }

  private synchronized boolean chance(int oneIn) {
    return oneIn > 0 && random.nextInt(oneIn) == 0;
  }

  @Override
  public Outcome<List<List<Entry>>> snapshotRead(List<ReadRange> ranges) {
    if (down) {
      return new Outcome.Fail<>(Outcome.FailKind.NOT_SENT, "down");
    }
    boolean stale = bug == Bug.STALE_READS && chance(3);
    synchronized (this) {
      List<List<Entry>> out = new ArrayList<>();
      for (ReadRange r : ranges) {
        TreeMap<byte[], Entry> source = stale ? previous : data;
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<byte[], Entry> e : source.subMap(r.getStart().toByteArray(), true, r.getEnd().toByteArray(), false).entrySet()) {
          if (entries.size() >= r.getLimit()) {
            break;
          }
          entries.add(e.getValue());
        }
        out.add(List.copyOf(entries));
      }
      return new Outcome.Ok<>(List.copyOf(out));
    }
  }

  @Override
  public Outcome<Versionstamp> commit(AtomicWrite write) {
    if (down) {
      boolean applied = chance(2);
      if (applied) {
        apply(write);
      }
      return new Outcome.Indeterminate<>("timeout (down)");
    }
    if (chance(indeterminateOneIn)) {
      if (chance(2)) {
        apply(write);
      }
      return new Outcome.Indeterminate<>("timeout");
    }
    if (bug == Bug.LOST_WRITES && chance(4)) {
      synchronized (this) {
        return new Outcome.Ok<>(Versionstamp.of(++version, 0)); // acknowledged, never applied
      }
    }
    Outcome<Versionstamp> o = apply(write);
    if (bug == Bug.FAILED_BUT_APPLIED && o.isOk() && chance(4)) {
      return new Outcome.Fail<>(Outcome.FailKind.REJECTED, "400 but applied anyway");
    }
    return o;
  }

  private synchronized Outcome<Versionstamp> apply(AtomicWrite write) {
    for (Check c : write.getChecksList()) {
      Entry e = data.get(c.getKey().toByteArray());
      byte[] expected = c.getVersionstamp().toByteArray();
      boolean ok = expected.length == 0 ? e == null : e != null && e.versionstamp().equals(Versionstamp.fromBytes(expected));
      if (!ok) {
        return new Outcome.Fail<>(Outcome.FailKind.CHECK_FAILED, "check failed");
      }
    }
    Versionstamp vs = Versionstamp.of(++version, 0);
    int n = bug == Bug.TORN_WRITES && write.getMutationsCount() > 1 && random.nextInt(4) == 0 ? 1 : write.getMutationsCount();
    for (int i = 0; i < n; i++) {
      Mutation m = write.getMutations(i);
      byte[] key = m.getKey().toByteArray();
      Entry old = data.get(key);
      if (old != null) {
        previous.put(key, old);
      } else {
        previous.remove(key);
      }
      switch (m.getMutationType()) {
        case M_SET -> data.put(key, new Entry(key, new Value(m.getValue().getData().toByteArray(), m.getValue().getEncoding()), vs));
        case M_DELETE -> data.remove(key);
        default -> throw new IllegalArgumentException("unsupported in the fake: " + m.getMutationType());
      }
    }
    return new Outcome.Ok<>(vs);
  }
}
