// etcd baseline for the QuorumKV benchmark: the same closed-loop workloads as bench.ts, against
// etcd's HTTP JSON API (the gRPC gateway, /v3/...) with Deno's fetch.
//
//   deno run -A bench/etcd.ts --target http://127.0.0.1:2379,http://127.0.0.1:22379,http://127.0.0.1:32379 --workload set
//
// --target is a comma-separated list of the members' client URLs. Routing (--routing) matches what
// the Deno client gets from QuorumKV, whose gateway sends writes and strong reads to the Raft
// leader and eventual reads to a follower:
//   leader (default)  puts, txns and linearizable ranges go to the leader (found once through
//                     /v3/maintenance/status), serializable ranges round-robin over all members.
//                     A follower would forward a put to the leader and ask it for a read index
//                     before a linearizable read, an extra hop: in paired 2-s runs on the 2-core
//                     bench machine round-robin did 25-45 % fewer sets and 15-55 % fewer gets
//                     (6 of 6 pairs). The baseline should be etcd at its best.
//   round-robin       everything round-robin over all members, as etcd's Go client balances when
//                     it does not track the leader.
//
// Workloads, 100-byte values over --keys keys, as in bench.ts:
//   set           PUT /v3/kv/put
//   get           linearizable range /v3/kv/range
//   get-eventual  serializable range (serializable: true): served by the member's local state
//   transfer      read-only txn ranging both accounts (one round trip, one revision, like getMany),
//                 then a txn comparing both mod_revisions and putting both new balances;
//                 a failed compare counts as a conflict
//   mixed         90 % linearizable range / 10 % put
// Prints the same one-line JSON result as bench.ts (lib.ts).

import { ACCOUNTS, type Args, INITIAL, MIXED_READS, type Outcome, parseArgs, rand, runAndReport, twoAccounts, VALUE_SIZE } from "./lib.ts";

const USAGE =
  "usage: etcd.ts --target URL[,URL...] --workload set|get|get-eventual|transfer|mixed [--routing leader|round-robin] [--concurrency 32] [--seconds 10] [--keys 10000]";
/** Longest a request may take before it counts as an error. */
const REQUEST_TIMEOUT_MS = 10_000;
/** etcd's default --max-txn-ops. */
const MAX_TXN_OPS = 128;

const argv = [...Deno.args];
const routingAt = argv.indexOf("--routing");
const routing = routingAt >= 0 ? argv.splice(routingAt, 2)[1] : "leader";
if (routing !== "leader" && routing !== "round-robin") throw new Error(`unknown --routing ${routing}`);
const a: Args = parseArgs(argv, USAGE);
const endpoints = a.target.split(",").map((u) => u.trim().replace(/\/+$/, "")).filter((u) => u.length > 0);
if (endpoints.length === 0) throw new Error("--target has no URL");

const b64 = btoa; // every string encoded here is ASCII
const VALUE_B64 = b64(String.fromCharCode(...new Uint8Array(VALUE_SIZE).fill(7)));
// Keys are ASCII; encode them once so the client spends its CPU on requests, not on base64.
const KEYS = Array.from({ length: a.keys }, (_, i) => b64(`${a.prefix}/k/${i}`));
const ACCTS = Array.from({ length: ACCOUNTS }, (_, i) => b64(`${a.prefix}/acct/${i}`));

type Kv = { key: string; value?: string; mod_revision?: string };
type RangeResponse = { kvs?: Kv[] };
type TxnResponse = { succeeded?: boolean; responses?: { response_range?: RangeResponse }[] };

let next = 0;
let leader: string | undefined; // set by findLeader() when routing is "leader"

/** The member that is leader, asking each member's status until one says it leads (10 s at most). */
async function findLeader(): Promise<string> {
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    for (const url of endpoints) {
      try {
        const res = await fetch(url + "/v3/maintenance/status", { method: "POST", body: "{}", signal: AbortSignal.timeout(2000) });
        const s = await res.json() as { header?: { member_id?: string }; leader?: string };
        if (res.ok && s.leader && s.leader !== "0" && s.leader === s.header?.member_id) return url;
      } catch {
        // member not up yet
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no leader among ${endpoints.join(", ")}`);
}

/** POSTs to the leader (writes, linearizable reads) or to the next member round-robin. */
// deno-lint-ignore no-explicit-any
async function call<T>(path: string, body: any, anyMember = false): Promise<T> {
  const url = (leader && !anyMember ? leader : endpoints[next++ % endpoints.length]) + path;
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), // a stuck member must not stall the bounded loop
  });
  const text = await res.text(); // always drain, so the connection goes back to the pool
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

const put = (key: string, value: string) => call("/v3/kv/put", { key, value });
const range = (key: string, serializable = false) => call<RangeResponse>("/v3/kv/range", { key, serializable }, serializable);

async function putAll(keys: string[], value: (i: number) => string) {
  for (let i = 0; i < keys.length; i += MAX_TXN_OPS) {
    const success = keys.slice(i, i + MAX_TXN_OPS).map((key, j) => ({ request_put: { key, value: value(i + j) } }));
    await call("/v3/kv/txn", { success });
  }
}

async function preload() {
  if (a.workload === "transfer") {
    if ((await range(ACCTS[0])).kvs?.length) return;
    const initial = b64(INITIAL.toString());
    await putAll(ACCTS, () => initial);
    return;
  }
  if (a.workload === "set") return;
  if ((await range(KEYS[a.keys - 1])).kvs?.length) return;
  await putAll(KEYS, () => VALUE_B64);
}

async function transfer(): Promise<Outcome> {
  const [from, to] = twoAccounts();
  const read = await call<TxnResponse>("/v3/kv/txn", {
    success: [{ request_range: { key: ACCTS[from] } }, { request_range: { key: ACCTS[to] } }],
  });
  const [f, t] = (read.responses ?? []).map((r) => r.response_range?.kvs?.[0]);
  const balance = (kv?: Kv) => (kv?.value ? BigInt(atob(kv.value)) : 0n);
  const amount = 1n;
  const res = await call<TxnResponse>("/v3/kv/txn", {
    // An absent key has mod_revision 0, which is what Deno's check on a null versionstamp means.
    compare: [
      { key: ACCTS[from], target: "MOD", result: "EQUAL", mod_revision: f?.mod_revision ?? "0" },
      { key: ACCTS[to], target: "MOD", result: "EQUAL", mod_revision: t?.mod_revision ?? "0" },
    ],
    success: [
      { request_put: { key: ACCTS[from], value: b64((balance(f) - amount).toString()) } },
      { request_put: { key: ACCTS[to], value: b64((balance(t) + amount).toString()) } },
    ],
  });
  return res.succeeded ? "ok" : "conflict"; // the gateway omits "succeeded" when it is false
}

async function oneOp(): Promise<Outcome> {
  switch (a.workload) {
    case "set":
      await put(KEYS[rand(a.keys)], VALUE_B64);
      return "ok";
    case "get":
      await range(KEYS[rand(a.keys)]);
      return "ok";
    case "get-eventual":
      await range(KEYS[rand(a.keys)], true);
      return "ok";
    case "mixed":
      if (Math.random() < MIXED_READS) await range(KEYS[rand(a.keys)]);
      else await put(KEYS[rand(a.keys)], VALUE_B64);
      return "ok";
    case "transfer":
      return await transfer();
  }
}

if (routing === "leader") leader = await findLeader();
await preload();
await runAndReport(a, oneOp);
