// Shared by bench.ts (Deno KV targets) and etcd.ts (etcd's HTTP JSON API): argument parsing,
// the workload constants, and the closed loop that measures and prints the one JSON result line
// `quorumkv bench` parses. Keep the two drivers identical in everything except the client calls.

import process from "node:process";

export const WORKLOADS = ["set", "get", "get-eventual", "transfer", "mixed"] as const;
export type Workload = typeof WORKLOADS[number];
export type Outcome = "ok" | "conflict";

export type Args = {
  target: string;
  workload: Workload;
  concurrency: number;
  seconds: number;
  keys: number;
  prefix: string;
};

/** Value size of every set, in bytes. */
export const VALUE_SIZE = 100;
/** Accounts for the transfer workload, each starting at INITIAL. */
export const ACCOUNTS = 1000;
export const INITIAL = 1_000_000n;
/** Share of reads in the mixed workload. */
export const MIXED_READS = 0.9;

export function parseArgs(argv: string[], usage: string): Args {
  const a: Args = { target: "", workload: "set", concurrency: 32, seconds: 10, keys: 10000, prefix: "bench" };
  let workload = "set";
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case "--target": a.target = v; i++; break;
      case "--workload": workload = v; i++; break;
      case "--concurrency": a.concurrency = Number(v); i++; break;
      case "--seconds": a.seconds = Number(v); i++; break;
      case "--keys": a.keys = Number(v); i++; break;
      case "--prefix": a.prefix = v; i++; break;
      case "--help":
        console.log(usage);
        Deno.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (!a.target) throw new Error("--target is required");
  if (!(WORKLOADS as readonly string[]).includes(workload)) throw new Error(`unknown workload ${workload}`);
  a.workload = workload as Workload;
  if (!(a.concurrency >= 1 && a.seconds > 0 && a.keys >= 2)) throw new Error("bad --concurrency/--seconds/--keys");
  return a;
}

export function rand(n: number) {
  return Math.floor(Math.random() * n);
}

/** Two distinct random account numbers. */
export function twoAccounts(): [number, number] {
  const from = rand(ACCOUNTS);
  let to = rand(ACCOUNTS - 1);
  if (to >= from) to++;
  return [from, to];
}

function percentile(sorted: Float64Array, p: number) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/**
 * Closed loop: `concurrency` workers each issue `op` back to back. One second of unmeasured
 * warm-up first (connections, JIT), then `seconds` measured; latency is per completed operation,
 * failed operations count as errors and are left out of the latencies. Prints one JSON line.
 *
 * The measured window starts with a line `measuring` on stdout, so that `quorumkv bench` can
 * sample the servers' CPU time over the same window; `clientCpuMs` is this process's own CPU
 * time (user + system, all threads) over the window.
 */
export async function runAndReport(a: Args, op: () => Promise<Outcome>) {
  const warmEnd = performance.now() + 1000;
  await Promise.all(Array.from({ length: a.concurrency }, async () => {
    while (performance.now() < warmEnd) await op().catch(() => {});
  }));
  const latencies: number[] = [];
  let errors = 0, conflicts = 0;
  const firstError: string[] = [];
  console.log("measuring");
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + a.seconds * 1000;
  await Promise.all(Array.from({ length: a.concurrency }, async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const r = await op();
        if (r === "conflict") conflicts++;
        latencies.push(performance.now() - t0);
      } catch (e) {
        errors++;
        if (firstError.length === 0) firstError.push(String(e));
      }
    }
  }));
  const elapsedS = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const sorted = Float64Array.from(latencies).sort();
  const result = {
    target: a.target, workload: a.workload, concurrency: a.concurrency, seconds: +elapsedS.toFixed(2),
    ops: latencies.length, opsPerSec: +(latencies.length / elapsedS).toFixed(1),
    p50ms: +percentile(sorted, 0.5).toFixed(3), p99ms: +percentile(sorted, 0.99).toFixed(3),
    p999ms: +percentile(sorted, 0.999).toFixed(3), errors, conflicts,
    clientCpuMs: +((cpu.user + cpu.system) / 1000).toFixed(1), firstError: firstError[0] ?? null,
  };
  console.log(JSON.stringify(result));
}
