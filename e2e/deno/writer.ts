// Durability workload for failover tests: no acknowledged write may be lost.
//
//   write mode (default):
//     KV_URL=... DENO_KV_ACCESS_TOKEN=... ACK_FILE=/tmp/acks.txt [N=200] [RUN=r1] \
//       deno run -A --unstable-kv writer.ts
//   Writes ["w", RUN, i] = "v<i>" for i in 0..N-1, one atomic set per key, strictly one after
//   another. After each commit is acknowledged it appends one line to ACK_FILE and flushes it
//   to disk before the next write starts, so the file never claims more than the server
//   acknowledged. Exits 0 when all N are acknowledged; exits 1 on any error (a 4xx, or a
//   check failure, which must not happen). Deno retries 5xx and network errors by itself, so
//   during a failover a write simply takes longer; slow writes are reported.
//
//   verify mode:
//     KV_URL=... DENO_KV_ACCESS_TOKEN=... ACK_FILE=/tmp/acks.txt \
//       deno run -A --unstable-kv writer.ts verify
//   Reads every acknowledged line and checks that the key exists, holds the written value and
//   has a versionstamp >= the acknowledged one. Prints counts; exits 1 on anything missing.
//
// ACK_FILE format: one line per acknowledged write, tab-separated, "\n"-terminated:
//   <RUN> <TAB> <i> <TAB> <versionstamp (20 hex)>
// A last line without "\n" is a write cut off mid-append (the writer was killed); verify
// ignores it with a warning. Several runs may append to one file.

import { fail, isRemote, kvUrl, openKv, printable, randomId, withTimeout } from "./lib.ts";

const MODE = Deno.args[0] ?? Deno.env.get("MODE") ?? "write";
const URL = kvUrl();
const ACK_FILE = Deno.env.get("ACK_FILE") ?? fail("setup", "set ACK_FILE to the acknowledgement file");
const SLOW_WRITE_MS = 2_000;
/** One write may wait this long (through a leader election, say) before the run fails. */
const WRITE_TIMEOUT_MS = Number(Deno.env.get("WRITE_TIMEOUT_MS") ?? 120_000);
const READ_TIMEOUT_MS = 60_000;
const HEX20 = /^[0-9a-f]{20}$/;

const key = (run: string, i: number): Deno.KvKey => ["w", run, i];
const value = (i: number) => `v${i}`;

if (MODE === "write") {
  await write();
} else if (MODE === "verify") {
  await verify();
} else {
  fail("setup", `unknown mode ${MODE}: use "write" (default) or "verify"`);
}

async function write(): Promise<void> {
  const n = Number(Deno.env.get("N") ?? 200);
  if (!Number.isInteger(n) || n < 0) fail("setup", `N must be a non-negative integer, got ${Deno.env.get("N")}`);
  const run = Deno.env.get("RUN") ?? `w-${randomId()}`;
  if (/[\t\n]/.test(run)) fail("setup", "RUN must not contain tabs or newlines");
  console.log(`writer: KV_URL=${printable(URL)} (${isRemote(URL) ? "remote" : "local"}), RUN=${run}, N=${n}, ACK_FILE=${ACK_FILE}`);

  const kv = await openKv(URL);
  const acks = await Deno.open(ACK_FILE, { append: true, create: true });
  const encoder = new TextEncoder();
  const progressEvery = Math.max(1, Math.floor(n / 10));
  const t0 = Date.now();
  let slowest = 0;
  for (let i = 0; i < n; i++) {
    const started = Date.now();
    let res: Deno.KvCommitResult | Deno.KvCommitError;
    try {
      const commit = kv.atomic().set(key(run, i), value(i)).commit();
      res = await withTimeout(commit, WRITE_TIMEOUT_MS, `write ${i}`);
    } catch (e) {
      fail("write", `write ${i} failed after ${Date.now() - started} ms: ${(e as Error).message}`);
    }
    if (!res.ok) fail("write", `write ${i} returned ok:false (no checks were sent, so this is a server bug)`);
    const vs = (res as Deno.KvCommitResult).versionstamp;
    if (!HEX20.test(vs)) fail("write", `write ${i}: versionstamp ${vs} is not 20 hex digits`);
    // Record the ack durably before starting the next write.
    acks.writeSync(encoder.encode(`${run}\t${i}\t${vs}\n`));
    acks.syncDataSync();

    const took = Date.now() - started;
    slowest = Math.max(slowest, took);
    if (took >= SLOW_WRITE_MS) console.log(`writer: slow write ${i} took ${took} ms (vs ${vs})`);
    if ((i + 1) % progressEvery === 0 || i + 1 === n) {
      console.log(`writer: ${i + 1}/${n} acknowledged (last vs ${vs}, ${Date.now() - t0} ms so far)`);
    }
  }
  acks.close();
  kv.close();
  console.log(`writer: ${n} passed, 0 failed (slowest write ${slowest} ms)`);
  console.log("OK");
}

interface Ack {
  run: string;
  i: number;
  versionstamp: string;
}

function readAcks(): Ack[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(ACK_FILE);
  } catch (e) {
    fail("verify", `cannot read ACK_FILE ${ACK_FILE}: ${(e as Error).message}`);
  }
  const lines = text.split("\n");
  const tail = lines.pop(); // "" when the file ends with "\n"
  if (tail !== undefined && tail !== "") {
    console.log(`verify: ignoring an unterminated last line (a write cut off mid-append): ${JSON.stringify(tail)}`);
  }
  return lines.map((line, n) => {
    const [run, i, versionstamp, ...rest] = line.split("\t");
    if (rest.length > 0 || !run || !/^\d+$/.test(i ?? "") || !HEX20.test(versionstamp ?? "")) {
      fail("verify", `ACK_FILE line ${n + 1} is malformed: ${JSON.stringify(line)}`);
    }
    return { run, i: Number(i), versionstamp };
  });
}

async function verify(): Promise<void> {
  const acks = readAcks();
  console.log(`verify: KV_URL=${printable(URL)}, ACK_FILE=${ACK_FILE}, ${acks.length} acknowledged writes`);
  const kv = await openKv(URL);
  const consistency = (Deno.env.get("CONSISTENCY") ?? "strong") as Deno.KvConsistencyLevel;
  let ok = 0, missing = 0, stale = 0, wrong = 0;
  const BATCH = 10; // a getMany is one snapshot read, at most 10 ranges
  for (let start = 0; start < acks.length; start += BATCH) {
    const batch = acks.slice(start, start + BATCH);
    const read = kv.getMany(batch.map((a) => key(a.run, a.i)), { consistency });
    const entries = await withTimeout(read, READ_TIMEOUT_MS, `reading acks ${start}..${start + batch.length - 1}`)
      .catch((e) => fail("verify", (e as Error).message));
    batch.forEach((a, j) => {
      const e = entries[j];
      const what = `["w", ${JSON.stringify(a.run)}, ${a.i}] (acknowledged at ${a.versionstamp})`;
      if (e.versionstamp === null) {
        missing++;
        console.log(`verify: MISSING ${what}`);
      } else if (e.versionstamp < a.versionstamp) {
        stale++;
        console.log(`verify: STALE ${what}: versionstamp ${e.versionstamp}`);
      } else if (e.value !== value(a.i)) {
        wrong++;
        console.log(`verify: WRONG VALUE ${what}: ${JSON.stringify(e.value)}`);
      } else {
        ok++;
      }
    });
  }
  kv.close();
  const bad = missing + stale + wrong;
  console.log(`verify: acknowledged=${acks.length} present=${ok} missing=${missing} stale=${stale} wrong=${wrong}`);
  console.log(`verify: ${ok} passed, ${bad} failed`);
  if (bad > 0) fail("verify", `${bad} acknowledged writes are not durable`);
  console.log("OK");
}
