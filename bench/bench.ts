// QuorumKV benchmark driver: closed-loop workloads through the real Deno KV client.
//
//   deno run -A --unstable-kv bench/bench.ts --target http://127.0.0.1:4512 --workload set --concurrency 32 --seconds 10
//   deno run -A --unstable-kv bench/bench.ts --target /tmp/baseline.sqlite --workload set     (Deno's own SQLite KV)
//
// Workloads: set (100-byte values over --keys keys), get (strong), get-eventual
// ({consistency:"eventual"}), transfer (getMany of two accounts, then check + two sets; conflicts
// counted), mixed (90 % get / 10 % set). Prints one JSON object on the last line of stdout.
// DENO_KV_ACCESS_TOKEN must be set for http targets. etcd.ts runs the same workloads against etcd;
// the loop, percentiles and output line are shared in lib.ts.

import { ACCOUNTS, type Args, INITIAL, MIXED_READS, type Outcome, parseArgs, rand, runAndReport, twoAccounts, VALUE_SIZE } from "./lib.ts";

const USAGE =
  "usage: bench.ts --target URL|FILE --workload set|get|get-eventual|transfer|mixed [--concurrency 32] [--seconds 10] [--keys 10000]";
const VALUE = new Uint8Array(VALUE_SIZE).fill(7);

async function preload(kv: Deno.Kv, a: Args) {
  if (a.workload === "transfer") {
    const existing = await kv.get([a.prefix, "acct", 0]);
    if (existing.value !== null) return;
    for (let i = 0; i < ACCOUNTS; i += 500) {
      const op = kv.atomic();
      for (let j = i; j < Math.min(ACCOUNTS, i + 500); j++) op.set([a.prefix, "acct", j], INITIAL);
      await op.commit();
    }
    return;
  }
  if (a.workload === "set") return;
  const existing = await kv.get([a.prefix, "k", a.keys - 1]);
  if (existing.value !== null) return;
  for (let i = 0; i < a.keys; i += 500) {
    const op = kv.atomic();
    for (let j = i; j < Math.min(a.keys, i + 500); j++) op.set([a.prefix, "k", j], VALUE);
    await op.commit();
  }
}

async function oneOp(kv: Deno.Kv, a: Args): Promise<Outcome> {
  switch (a.workload) {
    case "set":
      await kv.set([a.prefix, "k", rand(a.keys)], VALUE);
      return "ok";
    case "get":
      await kv.get([a.prefix, "k", rand(a.keys)]);
      return "ok";
    case "get-eventual":
      await kv.get([a.prefix, "k", rand(a.keys)], { consistency: "eventual" });
      return "ok";
    case "mixed":
      if (Math.random() < MIXED_READS) await kv.get([a.prefix, "k", rand(a.keys)]);
      else await kv.set([a.prefix, "k", rand(a.keys)], VALUE);
      return "ok";
    case "transfer": {
      const [from, to] = twoAccounts();
      const [f, t] = await kv.getMany<[bigint, bigint]>([[a.prefix, "acct", from], [a.prefix, "acct", to]]);
      const amount = 1n;
      const res = await kv.atomic().check(f, t)
        .set(f.key, (f.value ?? 0n) - amount).set(t.key, (t.value ?? 0n) + amount).commit();
      return res.ok ? "ok" : "conflict";
    }
  }
}

const a = parseArgs(Deno.args, USAGE);
const kv = await Deno.openKv(a.target);
await preload(kv, a);
// The Deno CLI sends every call, eventual reads included, to the first *strong* endpoint, so on
// QuorumKV's main URL an eventual read is served as a strong one (leader, ReadIndex). A Deno
// program that wants follower reads opens URL/replica (README: Follower reads), and so does this.
const reader = a.workload === "get-eventual" && /^https?:/.test(a.target)
  ? await Deno.openKv(a.target.replace(/\/+$/, "") + "/replica")
  : kv;
await runAndReport(a, () => oneOp(reader, a));
if (reader !== kv) reader.close();
kv.close();
