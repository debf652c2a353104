// Mixed workload for rolling-restart tests: zero failed requests, no lost write.
//
//   KV_URL=... DENO_KV_ACCESS_TOKEN=... [SECONDS=30] [STOP_FILE=/tmp/stop] [RUN=r1] \
//     [WRITERS=2] [COUNTERS=2] [REQUEST_TIMEOUT_MS=30000] \
//     deno run -A --unstable-kv rolling.ts
//
// Runs until SECONDS have passed or STOP_FILE exists (whichever comes first), with these loops
// running concurrently on one Deno.Kv:
//   - WRITERS write loops: set ["roll", RUN, "w", loop, i] = "v<loop>.<i>" (unique keys), record
//     the acknowledged versionstamp, then at once read the key back with a strong get: it must
//     be there with a versionstamp >= the acknowledged one (read-your-writes through the strong
//     endpoint);
//   - one read loop: strong get of a random key already acknowledged (same check);
//   - COUNTERS increment loops on one counter ["roll", RUN, "counter"]: get, then
//     atomic().check(entry).set(counter, n + 1); ok:false (another loop won) is retried and is
//     not a failure; every ok:true is one successful increment.
// Every thrown error (or a request that takes longer than REQUEST_TIMEOUT_MS) counts as a failed
// request and the loops go on; the first few are printed. The Deno CLI retries 5xx and network
// errors internally forever, so an error that reaches this program is a 4xx or a decode failure:
// exactly what a rolling restart must never cause.
//
// At the end it checks that every acknowledged write is present with its value and a
// versionstamp >= the acknowledged one, and that the counter equals the number of successful
// increments (more would mean an increment applied twice or a commit reported as failed; less,
// a lost increment). Output: one "<part>: N passed, M failed" line per part, the slowest
// request, a total line, then OK and exit 0; or FAIL ... and exit 1.

import { fail, isRemote, kvUrl, openKv, printable, randomId, sleep, withTimeout } from "./lib.ts";

const URL = kvUrl();
const RUN = Deno.env.get("RUN") ?? `roll-${randomId()}`;
const SECONDS = Number(Deno.env.get("SECONDS") ?? 30);
const STOP_FILE = Deno.env.get("STOP_FILE");
const WRITERS = Number(Deno.env.get("WRITERS") ?? 2);
const COUNTERS = Number(Deno.env.get("COUNTERS") ?? 2);
const REQUEST_TIMEOUT_MS = Number(Deno.env.get("REQUEST_TIMEOUT_MS") ?? 30_000);
const SLOW_MS = 1_000;
const PROGRESS_MS = 1_000;
for (const [name, v] of [["SECONDS", SECONDS], ["WRITERS", WRITERS], ["COUNTERS", COUNTERS], ["REQUEST_TIMEOUT_MS", REQUEST_TIMEOUT_MS]] as const) {
  if (!Number.isFinite(v) || v < 0) fail("setup", `${name} must be a non-negative number`);
}

const counterKey: Deno.KvKey = ["roll", RUN, "counter"];
const writeKey = (loop: number, i: number): Deno.KvKey => ["roll", RUN, "w", loop, i];
const writeValue = (loop: number, i: number) => `v${loop}.${i}`;

interface Ack {
  loop: number;
  i: number;
  versionstamp: string;
}

/** Counts per part: passed = requests that succeeded and checked out, failed = errors. */
class Part {
  passed = 0;
  failed = 0;
  constructor(readonly name: string) {}
}

const writes = new Part("writes");
const reads = new Part("reads");
const increments = new Part("increments");
const acks: Ack[] = [];
let incrementsOk = 0;
let checkConflicts = 0;
let slowest = { ms: 0, what: "none", at: 0 };
let slowCount = 0;
let errorsPrinted = 0;
const t0 = Date.now();

function stopRequested(): boolean {
  if (Date.now() - t0 >= SECONDS * 1000) return true;
  if (STOP_FILE === undefined) return false;
  try {
    Deno.statSync(STOP_FILE);
    return true;
  } catch {
    return false;
  }
}

/** Runs one request with a deadline, recording its latency; errors propagate. */
async function timed<T>(what: string, f: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await withTimeout(f(), REQUEST_TIMEOUT_MS, what);
  } finally {
    const took = Date.now() - started;
    if (took > slowest.ms) slowest = { ms: took, what, at: started - t0 };
    if (took >= SLOW_MS) {
      slowCount++;
      console.log(`rolling: slow request ${what} took ${took} ms (started at +${started - t0} ms)`);
    }
  }
}

function failed(part: Part, what: string, e: unknown): void {
  part.failed++;
  if (errorsPrinted++ < 10) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    console.log(`rolling: FAILED ${part.name} ${what} at +${Date.now() - t0} ms: ${msg}`);
  }
}

/** Strong get of an acknowledged write; returns a problem description or null. */
async function checkAck(a: Ack, what: string): Promise<string | null> {
  const e = await timed(what, () => kv.get<string>(writeKey(a.loop, a.i)));
  if (e.versionstamp === null) return `${what}: acknowledged write ${a.loop}.${a.i} (${a.versionstamp}) is missing`;
  if (e.versionstamp < a.versionstamp) {
    return `${what}: write ${a.loop}.${a.i} has versionstamp ${e.versionstamp} < acknowledged ${a.versionstamp}`;
  }
  if (e.value !== writeValue(a.loop, a.i)) return `${what}: write ${a.loop}.${a.i} holds ${JSON.stringify(e.value)}`;
  return null;
}

async function writeLoop(loop: number): Promise<void> {
  for (let i = 0; !stopRequested(); i++) {
    const what = `write ${loop}.${i}`;
    let ack: Ack;
    try {
      const res = await timed(what, () => kv.atomic().set(writeKey(loop, i), writeValue(loop, i)).commit());
      if (!res.ok) {
        failed(writes, what, new Error("ok:false without checks"));
        continue;
      }
      ack = { loop, i, versionstamp: res.versionstamp };
      acks.push(ack);
      writes.passed++;
    } catch (e) {
      failed(writes, what, e);
      continue;
    }
    try {
      const problem = await checkAck(ack, `read-your-write ${loop}.${i}`);
      if (problem === null) reads.passed++;
      else failed(reads, `read-your-write ${loop}.${i}`, new Error(problem));
    } catch (e) {
      failed(reads, `read-your-write ${loop}.${i}`, e);
    }
  }
}

async function readLoop(): Promise<void> {
  for (let n = 0; !stopRequested(); n++) {
    if (acks.length === 0) {
      await sleep(20);
      continue;
    }
    const a = acks[Math.floor(Math.random() * acks.length)];
    const what = `read ${a.loop}.${a.i}`;
    try {
      const problem = await checkAck(a, what);
      if (problem === null) reads.passed++;
      else failed(reads, what, new Error(problem));
    } catch (e) {
      failed(reads, what, e);
    }
  }
}

async function incrementLoop(loop: number): Promise<void> {
  for (let n = 0; !stopRequested(); n++) {
    const what = `increment ${loop}.${n}`;
    try {
      const cur = await timed(`${what} get`, () => kv.get<bigint>(counterKey));
      const value = cur.value ?? 0n;
      const res = await timed(`${what} commit`, () => kv.atomic().check(cur).set(counterKey, value + 1n).commit());
      if (res.ok) {
        incrementsOk++;
        increments.passed++;
      } else {
        checkConflicts++; // another loop incremented first: retry, not a failure
      }
    } catch (e) {
      failed(increments, what, e);
    }
  }
}

console.log(
  `rolling: KV_URL=${printable(URL)} (${isRemote(URL) ? "remote" : "local"}), RUN=${RUN}, SECONDS=${SECONDS}, ` +
    `STOP_FILE=${STOP_FILE ?? "-"}, WRITERS=${WRITERS}, COUNTERS=${COUNTERS}`,
);
const kv = await openKv(URL);
const progress = setInterval(() => {
  console.log(
    `rolling: progress +${Date.now() - t0} ms writes=${writes.passed} reads=${reads.passed} ` +
      `increments=${incrementsOk} conflicts=${checkConflicts} failed=${writes.failed + reads.failed + increments.failed}`,
  );
}, PROGRESS_MS);
const loops: Promise<void>[] = [];
for (let w = 0; w < WRITERS; w++) loops.push(writeLoop(w));
loops.push(readLoop());
for (let c = 0; c < COUNTERS; c++) loops.push(incrementLoop(c));
await Promise.all(loops);
clearInterval(progress);
const elapsed = Date.now() - t0;

// Final verification, after every loop has stopped.
const verify = new Part("verify");
const BATCH = 10; // one getMany is one snapshot read of at most 10 ranges
for (let start = 0; start < acks.length; start += BATCH) {
  const batch = acks.slice(start, start + BATCH);
  let entries: Deno.KvEntryMaybe<string>[];
  try {
    entries = await timed(`verify ${start}`, () => kv.getMany<string[]>(batch.map((a) => writeKey(a.loop, a.i))));
  } catch (e) {
    failed(verify, `verify ${start}..${start + batch.length - 1}`, e);
    continue;
  }
  batch.forEach((a, j) => {
    const e = entries[j];
    const what = `write ${a.loop}.${a.i} (acknowledged at ${a.versionstamp})`;
    if (e.versionstamp === null) failed(verify, what, new Error("MISSING"));
    else if (e.versionstamp < a.versionstamp) failed(verify, what, new Error(`STALE: versionstamp ${e.versionstamp}`));
    else if (e.value !== writeValue(a.loop, a.i)) failed(verify, what, new Error(`WRONG VALUE ${JSON.stringify(e.value)}`));
    else verify.passed++;
  });
}
const counter = new Part("counter");
try {
  const c = await timed("counter read", () => kv.get<bigint>(counterKey));
  const stored = c.value ?? 0n;
  if (stored === BigInt(incrementsOk)) counter.passed++;
  else failed(counter, "final value", new Error(`counter is ${stored}, but ${incrementsOk} increments succeeded`));
} catch (e) {
  failed(counter, "final read", e);
}
kv.close();

const parts = [writes, reads, increments, verify, counter];
for (const p of parts) console.log(`${p.name}: ${p.passed} passed, ${p.failed} failed`);
const passed = parts.reduce((s, p) => s + p.passed, 0);
const failedTotal = parts.reduce((s, p) => s + p.failed, 0);
console.log(
  `rolling: ran ${elapsed} ms; acknowledged writes=${acks.length}, strong reads=${reads.passed}, ` +
    `increments=${incrementsOk} (check conflicts retried: ${checkConflicts}), requests over ${SLOW_MS} ms: ${slowCount}`,
);
console.log(`rolling: slowest request ${slowest.ms} ms (${slowest.what}, started at +${slowest.at} ms)`);
console.log(`rolling: ${passed} passed, ${failedTotal} failed`);
if (failedTotal > 0) fail("rolling", `${failedTotal} failed requests or checks (see the FAILED lines above)`);
console.log("OK");
