package io.quorumkv.chaos.inprocess;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.ReadRange;
import com.deno.kv.datapath.SnapshotRead;
import io.quorumkv.chaos.client.Entry;
import io.quorumkv.chaos.client.KvApi;
import io.quorumkv.chaos.client.KvConnectClient;
import io.quorumkv.chaos.client.Outcome;
import io.quorumkv.gateway.raft.RaftKvDatabase;
import io.quorumkv.proto.KvException;
import io.quorumkv.proto.Versionstamp;
import java.util.List;

/**
 * The workloads' KV surface over the gateway's Raft route, without HTTP: lets the chaos
 * pipeline run against a real Raft cluster before the gateway's HTTP layer exists. Errors
 * map as the gateway will map them to HTTP: InvalidRequest is a 400 (definite), everything
 * else a 503 (indeterminate for writes).
 */
final class RaftKvApi implements KvApi {
  private final RaftKvDatabase db;

  RaftKvApi(RaftKvDatabase db) {
    this.db = db;
  }

  @Override
  public Outcome<List<List<Entry>>> snapshotRead(List<ReadRange> ranges) {
    try {
      return KvConnectClient.classifyRead(db.strongRead(SnapshotRead.newBuilder().addAllRanges(ranges).build()), ranges.size());
    } catch (KvException.InvalidRequest e) {
      return new Outcome.Fail<>(Outcome.FailKind.REJECTED, e.getMessage());
    } catch (RuntimeException e) {
      return new Outcome.Indeterminate<>(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  @Override
  public Outcome<Versionstamp> commit(AtomicWrite write) {
    try {
      return KvConnectClient.classifyWrite(db.atomicWrite(write));
    } catch (KvException.InvalidRequest e) {
      return new Outcome.Fail<>(Outcome.FailKind.REJECTED, e.getMessage());
    } catch (RuntimeException e) {
      return new Outcome.Indeterminate<>(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }
}
