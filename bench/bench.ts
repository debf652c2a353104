// QuorumKV benchmark driver: closed-loop workloads through the real Deno KV client.
//
//   deno run -A --unstable-kv bench/bench.ts --target http://127.0.0.1:4512 --workload set --concurrency 32 --seconds 10
//   deno run -A --unstable-kv bench/bench.ts --target /tmp/baseline.sqlite --workload set     (Deno's own SQLite KV)
//
// Workloads: set (100-byte values over --keys keys), get (strong), get-eventual
// ({consistency:"eventual"}), transfer (getMany of two accounts, then check + two sets; conflicts
// counted), mixed (90 % get / 10 % set). Prints one JSON object on the last line of stdout.
// DENO_KV_ACCESS_TOKEN must be set for http targets.

type Args = { target: string; workload: string; concurrency: number; seconds: number; keys: number; prefix: string };

function parseArgs(argv: string[]): Args {
  const a: Args = { target: "", workload: "set", concurrency: 32, seconds: 10, keys: 10000, prefix: "bench" };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case "--target": a.target = v; i++; break;
      case "--workload": a.workload = v; i++; break;
      case "--concurrency": a.concurrency = Number(v); i++; break;
      case "--seconds": a.seconds = Number(v); i++; break;
      case "--keys": a.keys = Number(v); i++; break;
      case "--prefix": a.prefix = v; i++; break;
      case "--help":
        console.log("usage: bench.ts --target URL|FILE --workload set|get|get-eventual|transfer|mixed [--concurrency 32] [--seconds 10] [--keys 10000]");
        Deno.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (!a.target) throw new Error("--target is required");
  if (!["set", "get", "get-eventual", "transfer", "mixed"].includes(a.workload)) throw new Error(`unknown workload ${a.workload}`);
  if (!(a.concurrency >= 1 && a.seconds > 0 && a.keys >= 2)) throw new Error("bad --concurrency/--seconds/--keys");
  return a;
}

const VALUE = new Uint8Array(100).fill(7);
const ACCOUNTS = 1000;
const INITIAL = 1_000_000n;

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

function rand(n: number) {
  return Math.floor(Math.random() * n);
}

async function oneOp(kv: Deno.Kv, a: Args): Promise<"ok" | "conflict"> {
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
      if (Math.random() < 0.9) await kv.get([a.prefix, "k", rand(a.keys)]);
      else await kv.set([a.prefix, "k", rand(a.keys)], VALUE);
      return "ok";
    case "transfer": {
      const from = rand(ACCOUNTS);
      let to = rand(ACCOUNTS - 1);
      if (to >= from) to++;
      const [f, t] = await kv.getMany<[bigint, bigint]>([[a.prefix, "acct", from], [a.prefix, "acct", to]]);
      const amount = 1n;
      const res = await kv.atomic().check(f, t)
        .set(f.key, (f.value ?? 0n) - amount).set(t.key, (t.value ?? 0n) + amount).commit();
      return res.ok ? "ok" : "conflict";
    }
  }
  throw new Error("unreachable");
}

function percentile(sorted: Float64Array, p: number) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function main() {
  const a = parseArgs(Deno.args);
  const kv = await Deno.openKv(a.target);
  await preload(kv, a);
  // Warm-up: a second of load so JITs and connections settle before measuring.
  const warmEnd = performance.now() + 1000;
  await Promise.all(Array.from({ length: a.concurrency }, async () => {
    while (performance.now() < warmEnd) await oneOp(kv, a).catch(() => {});
  }));
  const latencies: number[] = [];
  let errors = 0, conflicts = 0;
  const firstError: string[] = [];
  const start = performance.now();
  const end = start + a.seconds * 1000;
  await Promise.all(Array.from({ length: a.concurrency }, async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const r = await oneOp(kv, a);
        if (r === "conflict") conflicts++;
        latencies.push(performance.now() - t0);
      } catch (e) {
        errors++;
        if (firstError.length === 0) firstError.push(String(e));
      }
    }
  }));
  const elapsedS = (performance.now() - start) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  kv.close();
  const result = {
    target: a.target, workload: a.workload, concurrency: a.concurrency, seconds: +elapsedS.toFixed(2),
    ops: latencies.length, opsPerSec: +(latencies.length / elapsedS).toFixed(1),
    p50ms: +percentile(sorted, 0.5).toFixed(3), p99ms: +percentile(sorted, 0.99).toFixed(3),
    p999ms: +percentile(sorted, 0.999).toFixed(3), errors, conflicts, firstError: firstError[0] ?? null,
  };
  console.log(JSON.stringify(result));
}

await main();
