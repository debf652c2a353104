import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.KvValue;
import com.deno.kv.datapath.Mutation;
import com.deno.kv.datapath.MutationType;
import com.deno.kv.datapath.ValueEncoding;
import com.google.protobuf.ByteString;
import io.quorumkv.node.storage.SqliteStore;
import io.quorumkv.proto.gen.Command;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * What one node's apply thread pays per write, without Raft or HTTP: commands of N 100-byte sets
 * over 10,000 keys (the bench's set workload, as the gateway batches it, each with a request id)
 * applied one entry per SQLite transaction to a real file in a temporary folder. Prints wall and
 * CPU microseconds per write and per entry for each round; the first rounds include the JIT.
 *
 * <p>Run from the repository root after a build (./quorumkv builds deploy/target/lib):
 * {@code java -cp 'deploy/target/lib/*' bench/apply/ApplyBench.java [writesPerEntry] [rounds]}
 */
public final class ApplyBench {
  private static final int ENTRIES_PER_ROUND = 4000;
  private static final int KEYS = 10_000;
  /** The leader's clock advances as at ~150 entries/s, so request rows are pruned as in a cluster. */
  private static final long MS_PER_ENTRY = 7;

  public static void main(String[] args) throws Exception {
    int perEntry = args.length > 0 ? Integer.parseInt(args[0]) : 24;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    long leaderTime = System.currentTimeMillis();
    Path dir = Files.createTempDirectory("quorumkv-applybench");
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Random random = new Random(1);
    byte[] value = new byte[100];
    long index = 0;
    try (SqliteStore store = SqliteStore.open(dir.resolve("kv.sqlite3"))) {
      System.out.printf("%d writes per entry, %d entries per round, file %s%n",
          perEntry, ENTRIES_PER_ROUND, store.file());
      for (int round = 0; round < rounds; round++) {
        long wall0 = System.nanoTime();
        long cpu0 = threads.getCurrentThreadCpuTime();
        for (int e = 0; e < ENTRIES_PER_ROUND; e++) {
          byte[] requestId = new byte[16];
          random.nextBytes(requestId);
          Command.Builder command = Command.newBuilder()
              .setLeaderTimeMs(leaderTime)
              .setRequestId(ByteString.copyFrom(requestId));
          for (int w = 0; w < perEntry; w++) {
            random.nextBytes(value);
            // A one-part string key, as the bench's kv.set(["k", n]) would send ("k" + n here).
            byte[] key = ("\u0002k" + random.nextInt(KEYS) + "\u0000").getBytes(StandardCharsets.UTF_8);
            command.addWrites(AtomicWrite.newBuilder().addMutations(Mutation.newBuilder()
                .setKey(ByteString.copyFrom(key))
                .setMutationType(MutationType.M_SET)
                .setValue(KvValue.newBuilder()
                    .setEncoding(ValueEncoding.VE_BYTES)
                    .setData(ByteString.copyFrom(value)))));
          }
          index++;
          leaderTime += MS_PER_ENTRY;
          store.applyBatch(List.of(new SqliteStore.Entry(index, 1, command.build())));
        }
        double cpuUs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3;
        double wallUs = (System.nanoTime() - wall0) / 1e3;
        int writes = ENTRIES_PER_ROUND * perEntry;
        System.out.printf("round %d: %.1f us wall, %.1f us CPU per write; %.0f us CPU per entry%n",
            round, wallUs / writes, cpuUs / writes, cpuUs / ENTRIES_PER_ROUND);
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }
}
