// KV Connect conformance as a Node program using the official npm client @deno/kv sees it.
//
//   KV_URL=http://127.0.0.1:4512 DENO_KV_ACCESS_TOKEN=... node node/conformance.mjs   (from e2e/)
//   KV_URL= node node/conformance.mjs            (no URL: @deno/kv's JS in-memory database)
//   KV_URL=:memory: node node/conformance.mjs    (a path: @deno/kv's native SQLite backend)
//
// Same conventions as the Deno programs: exits 1 at the first failed assertion, prints
// "<case>: N passed, 0 failed[, M skipped]" per case, a total line, then "OK".
// Remote mode wraps fetch to record which endpoint each call went to (only method and URL are
// recorded; the token is never printed), so it can check that eventual reads and watches go
// to the metadata's eventual endpoint, as @deno/kv promises.

import { KvU64, openKv } from "@deno/kv";
import { randomBytes } from "node:crypto";

const URL_ = process.env.KV_URL ?? "";
const REMOTE = /^https?:\/\//i.test(URL_);
const IN_MEMORY = URL_ === ""; // @deno/kv's JS in-memory backend (no URL, no path)
const RUN = `${process.env.RUN ?? "node"}-${randomBytes(4).toString("hex")}`;
const CASE_TIMEOUT_MS = 90_000; // @deno/kv retries a 5xx 10 times with 1 s, 2 s, ... waits
const HEX20 = /^[0-9a-f]{20}$/;
// "1": the metadata must list an eventual endpoint (QuorumKV does); "auto": check routing only
// if it does (the single-node reference lists none).
const EXPECT_EVENTUAL = process.env.EXPECT_EVENTUAL_ENDPOINT ?? "auto";

const printable = (u) => (REMOTE ? u.replace(/\/\/[^/@]*@/, "//***@") : u);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const k = (...parts) => ["conf", RUN, ...parts];

function show(v) {
  return JSON.stringify(v, (_k, x) => {
    if (typeof x === "bigint") return `${x}n`;
    if (x instanceof Uint8Array) return `Uint8Array[${Array.from(x).join(",")}]`;
    if (x instanceof KvU64) return `KvU64(${x.value}n)`;
    return x;
  });
}

function fail(caseName, why) {
  console.log(`FAIL ${caseName}: ${why}`);
  process.exit(1);
}

class AssertionFailed extends Error {}

async function withTimeout(p, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new AssertionFailed(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

class Case {
  passed = 0;
  skipped = 0;
  constructor(name) {
    this.name = name;
  }
  ok(cond, what) {
    if (!cond) throw new AssertionFailed(what);
    this.passed++;
  }
  eq(actual, expected, what) {
    const a = show(actual), e = show(expected);
    const sameKind = (actual instanceof KvU64) === (expected instanceof KvU64) && typeof actual === typeof expected;
    if (a !== e || !sameKind) throw new AssertionFailed(`${what}: expected ${e}, got ${a}`);
    this.passed++;
  }
  async rejects(f, fragments, what) {
    let result;
    try {
      result = await f();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      for (const frag of fragments) {
        if (!msg.includes(frag)) throw new AssertionFailed(`${what}: error ${show(msg)} lacks ${show(frag)}`);
      }
      this.passed++;
      return msg;
    }
    throw new AssertionFailed(`${what}: expected an error, got ${show(result)}`);
  }
  skip(what) {
    console.log(`  skip ${this.name}: ${what}`);
    this.skipped++;
  }
  note(what) {
    // Native-backend errors carry a Rust backtrace after the first line: keep the message.
    console.log(`  note ${this.name}: ${String(what).split("\n")[0]}`);
  }
}

let totalPassed = 0, totalSkipped = 0;
const skips = (n) => (n > 0 ? `, ${n} skipped` : "");

async function run(name, body) {
  const c = new Case(name);
  try {
    await withTimeout(body(c), CASE_TIMEOUT_MS, `case ${name}`);
  } catch (e) {
    const why = e instanceof AssertionFailed ? e.message : `unexpected ${e?.stack ?? e}`;
    console.log(`${name}: ${c.passed} passed, 1 failed${skips(c.skipped)}`);
    fail(name, why);
  }
  console.log(`${name}: ${c.passed} passed, 0 failed${skips(c.skipped)}`);
  totalPassed += c.passed;
  totalSkipped += c.skipped;
}

// ---- remote-mode call recording ------------------------------------------------------------

/** Every HTTP call @deno/kv made: { method, url } (no headers, no bodies). */
const calls = [];
/** Endpoints from the latest metadata exchange, URLs resolved: [{ url, consistency }]. */
let endpoints = [];

async function recordingFetch(input, init) {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const method = init?.method ?? (typeof input === "object" && "method" in input ? input.method : "GET");
  calls.push({ method, url });
  const res = await fetch(input, init);
  if (method === "POST" && res.ok && !/\/(snapshot_read|atomic_write|watch)$/.test(new URL(url).pathname)) {
    try {
      const md = await res.clone().json();
      endpoints = (md.endpoints ?? []).map((e) => ({
        url: new URL(e.url, res.url || url).href.replace(/\/$/, ""),
        consistency: e.consistency,
      }));
    } catch {
      // not metadata; @deno/kv itself will complain if it was supposed to be
    }
  }
  return res;
}

const callsSince = (n) => calls.slice(n).map((x) => x.url);
const eventualEndpoint = () => endpoints.find((e) => e.consistency !== "strong")?.url;
const strongEndpoint = () => endpoints.find((e) => e.consistency === "strong")?.url;

// ---- open ------------------------------------------------------------------------------------

console.log(`node conformance: KV_URL=${printable(URL_) || "(empty: in-memory)"} (${REMOTE ? "remote KV Connect" : "local @deno/kv"}), RUN=${RUN}`);
let kv;
try {
  if (REMOTE) {
    const accessToken = process.env.DENO_KV_ACCESS_TOKEN;
    if (!accessToken) fail("setup", "DENO_KV_ACCESS_TOKEN must be set for a KV Connect URL");
    kv = await withTimeout(openKv(URL_, { accessToken, fetcher: recordingFetch }), 60_000, "openKv");
  } else {
    kv = await openKv(URL_);
  }
} catch (e) {
  fail("setup", `cannot open ${printable(URL_)}: ${e?.message ?? e}`);
}

async function listAll(selector, options = {}) {
  const out = [];
  for await (const e of kv.list(selector, options)) out.push(e);
  return out;
}

/** Polls an eventual read until it satisfies pred (a follower may lag by a few ms). */
async function eventually(read, pred, ms = 10_000) {
  const t0 = Date.now();
  let last;
  while (Date.now() - t0 < ms) {
    last = await read();
    if (pred(last)) return { value: last, afterMs: Date.now() - t0 };
    await sleep(50);
  }
  return { value: last, afterMs: -1 };
}

// @deno/kv reads get(k) as the range [k, FF) limit 1 and decodes the entry it gets *before*
// comparing keys. So a get of an absent key decodes whatever key follows it in the database,
// and Node 20's V8 cannot decode values written by Deno 2.9 (V8 serialization version 16,
// "FF 10"; Node 20 reads up to 15): the get throws "Unable to deserialize cloned data". A
// sentinel after every key of this run (true sorts after every other key part) keeps such
// reads inside data written by this program, whatever else shares the database.
try {
  await withTimeout(kv.set(["conf", RUN, true], "end of this run's keys"), 60_000, "writing the sentinel");
} catch (e) {
  fail("setup", `cannot write: ${e?.message ?? e}`);
}

// ---- cases -----------------------------------------------------------------------------------

await run("metadata", async (c) => {
  if (!REMOTE) {
    c.skip("metadata and endpoints exist only in remote mode");
    return;
  }
  c.ok(strongEndpoint() !== undefined, `the metadata lists a strong endpoint: ${show(endpoints)}`);
  c.ok(endpoints.every((e) => !e.url.endsWith("/")), "endpoint URLs do not end in /");
  if (EXPECT_EVENTUAL === "1") {
    c.ok(eventualEndpoint() !== undefined, `the metadata lists an eventual endpoint: ${show(endpoints)}`);
  }
  c.note(`endpoints: ${endpoints.map((e) => `${e.consistency} ${e.url}`).join(", ")}`);
});

await run("basics", async (c) => {
  const key = k("basics", "a");
  const absent = await kv.get(key);
  c.eq([absent.value, absent.versionstamp], [null, null], "get of an absent key");
  const r1 = await kv.set(key, "hello");
  c.ok(r1.ok && HEX20.test(r1.versionstamp), `set returns ok and a 20-hex versionstamp: ${show(r1)}`);
  const e1 = await kv.get(key);
  c.eq(e1.value, "hello", "get after set");
  c.eq(e1.versionstamp, r1.versionstamp, "entry versionstamp = commit versionstamp");
  const r2 = await kv.set(key, { nested: [1, "two", 3n], bytes: new Uint8Array([0, 255]) });
  c.ok(r2.versionstamp > r1.versionstamp, "overwrite gets a larger versionstamp");
  c.eq((await kv.get(key)).value, { nested: [1, "two", 3n], bytes: new Uint8Array([0, 255]) }, "structured value round trip");
  await kv.delete(key);
  c.eq((await kv.get(key)).versionstamp, null, "get after delete");
  await kv.delete(k("basics", "never"));
  c.ok(true, "delete of an absent key");

  // @deno/kv's get reads [key, FF) limit 1 and compares keys: a neighbour must not leak in.
  await kv.set(k("basics", "b", "child"), 1);
  c.eq((await kv.get(k("basics", "b"))).value, null, "get does not return the next key");

  const many = await kv.getMany([k("basics", "b", "child"), k("basics", "none")]);
  c.eq(many.map((e) => e.value), [1, null], "getMany in request order");
  c.eq(await kv.getMany([]), [], "getMany([])");
});

await run("list", async (c) => {
  const p = k("list");
  for (let i = 0; i < 12; i++) await kv.set([...p, i], i);
  await kv.set(p, "prefix key itself");
  const vals = (es) => es.map((e) => e.value);
  const all = [...Array(12).keys()];
  c.eq(vals(await listAll({ prefix: p })), all, "prefix list, prefix key excluded");
  // @deno/kv 0.14.0 reads [prefix, prefix+FF) and skips the prefix key only when it is the
  // first entry of a batch, so a reverse list yields it last (locally and remotely alike).
  // Either outcome means the server returned the right range; anything else does not.
  const stripPrefixKey = (es) => {
    const last = es[es.length - 1];
    if (last && show(last.key) === show(p)) {
      c.note("reverse prefix list yielded the prefix key itself last (@deno/kv quirk)");
      return es.slice(0, -1);
    }
    return es;
  };
  c.eq(vals(stripPrefixKey(await listAll({ prefix: p }, { reverse: true }))), [...all].reverse(), "reverse");
  c.eq(vals(await listAll({ prefix: p }, { limit: 4 })), [0, 1, 2, 3], "limit");
  c.eq(vals(await listAll({ start: [...p, 3], end: [...p, 6] })), [3, 4, 5], "start/end");
  c.eq(vals(await listAll({ prefix: p }, { batchSize: 5 })), all, "batchSize 5 pages through 12");
  c.eq(
    vals(stripPrefixKey(await listAll({ prefix: p }, { batchSize: 5, reverse: true }))),
    [...all].reverse(),
    "batchSize 5 reverse",
  );

  const it = kv.list({ prefix: p }, { batchSize: 5 });
  const head = [];
  for (let i = 0; i < 7; i++) head.push((await it.next()).value);
  c.eq(vals(head), all.slice(0, 7), "first 7");
  c.eq(vals(await listAll({ prefix: p }, { cursor: it.cursor, batchSize: 5 })), all.slice(7), "resume from the cursor");
});

await run("checks", async (c) => {
  const key = k("check");
  const r1 = await kv.atomic().check({ key, versionstamp: null }).set(key, 1).commit();
  c.ok(r1.ok, "null check on an absent key passes");
  const r2 = await kv.atomic().check({ key, versionstamp: null }).set(key, 2).commit();
  c.eq(r2.ok, false, "null check on a present key fails with ok:false");
  const wrong = await kv.atomic().check({ key, versionstamp: "00000000000000010000" }).set(key, 3).commit();
  c.eq(wrong.ok, false, "wrong versionstamp fails");
  const r3 = await kv.atomic().check({ key, versionstamp: r1.versionstamp }).set(key, 4).commit();
  c.ok(r3.ok, "right versionstamp passes");
  c.eq((await kv.get(key)).value, 4, "value after the checks");
  const e1 = await kv.atomic().commit(), e2 = await kv.atomic().commit();
  c.ok(e1.ok && e2.ok && e1.versionstamp < e2.versionstamp, `empty commits get increasing versionstamps: ${e1.versionstamp} ${e2.versionstamp}`);
});

await run("u64", async (c) => {
  const s = k("u64", "sum");
  await kv.atomic().sum(s, 5n).commit();
  await kv.atomic().mutate({ type: "sum", key: s, value: new KvU64(3n) }).commit();
  const v = (await kv.get(s)).value;
  c.ok(v instanceof KvU64, `a sum reads back as KvU64: ${show(v)}`);
  c.eq(v, new KvU64(8n), "sum(5n) + mutate sum KvU64(3n) = 8");
  await kv.atomic().sum(s, (1n << 64n) - 1n).commit();
  c.eq((await kv.get(s)).value, new KvU64(7n), "sum wraps modulo 2^64");
  await kv.atomic().min(s, 2n).commit();
  c.eq((await kv.get(s)).value, new KvU64(2n), "min");
  await kv.atomic().max(s, 9n).commit();
  c.eq((await kv.get(s)).value, new KvU64(9n), "max");
  await kv.set(k("u64", "str"), "text");
  const msg = await c.rejects(() => kv.atomic().sum(k("u64", "str"), 1n).commit(), [], "sum on a string value is rejected");
  c.note(`error: ${msg}`);
});

await run("eventual", async (c) => {
  const key = k("eventual");
  const w = await kv.set(key, "e1");
  const before = calls.length;
  const { value: got, afterMs } = await eventually(
    () => kv.get(key, { consistency: "eventual" }),
    (e) => e.value === "e1",
  );
  c.ok(afterMs >= 0, `an eventual read sees the write within 10 s (last: ${show(got)})`);
  c.ok(got.versionstamp >= w.versionstamp, "with a versionstamp >= the write's");
  const listed = await eventually(
    () => listAll({ prefix: k() }, { consistency: "eventual" }),
    (es) => es.some((e) => e.value === "e1"),
  );
  c.ok(listed.afterMs >= 0, "an eventual list sees it too");
  const many = await eventually(
    () => kv.getMany([key], { consistency: "eventual" }),
    (es) => es[0].value === "e1",
  );
  c.ok(many.afterMs >= 0, "an eventual getMany sees it too");
  if (!REMOTE) {
    c.skip("endpoint routing is observable only in remote mode");
    return;
  }
  const urls = callsSince(before);
  const target = eventualEndpoint() ?? strongEndpoint();
  c.ok(urls.length > 0 && urls.every((u) => u === `${target}/snapshot_read`),
    `eventual reads go to ${eventualEndpoint() ? "the eventual" : "the (only) strong"} endpoint: ${show(urls)}`);
  if (!eventualEndpoint()) c.skip("no eventual endpoint in the metadata (set EXPECT_EVENTUAL_ENDPOINT=1 to require one)");
});

await run("watch", async (c) => {
  const a = k("watch", "a"), b = k("watch", "b");
  const va = await kv.set(a, "a0"); // @deno/kv emits only once at least one watched key exists
  const before = calls.length;
  const reader = kv.watch([a, b]).getReader();
  const next = async (what) => {
    const r = await withTimeout(reader.read(), 15_000, `watch emission (${what})`);
    c.ok(!r.done, `watch stream open (${what})`);
    return r.value;
  };
  let seen;
  if (IN_MEMORY) {
    // The JS in-memory backend only emits on changes, never the initial state.
    c.skip("initial watch emission (the in-memory backend has none)");
  } else {
    seen = await next("first");
    c.eq(seen.map((e) => e.value), ["a0", null], "first emission: a's value, b absent");
    c.eq(seen[0].versionstamp, va.versionstamp, "with a's versionstamp");
  }

  const t0 = Date.now();
  const vb = await kv.set(b, "b1");
  while (seen?.[1].value !== "b1") seen = await next("after setting b");
  c.note(`change seen after ${Date.now() - t0} ms`);
  c.eq(seen.map((e) => e.value), ["a0", "b1"], "the change to b is seen");
  c.eq(seen[1].versionstamp, vb.versionstamp, "with the new versionstamp");
  await withTimeout(reader.cancel(), 10_000, "closing the watch");
  c.ok(true, "the watch closes");
  if (!REMOTE) {
    c.skip("endpoint routing is observable only in remote mode");
    return;
  }
  const watchUrls = callsSince(before).filter((u) => u.endsWith("/watch"));
  const target = eventualEndpoint() ?? strongEndpoint();
  c.ok(watchUrls.length >= 1 && watchUrls.every((u) => u === `${target}/watch`),
    `watches go to ${eventualEndpoint() ? "the eventual" : "the (only) strong"} endpoint: ${show(watchUrls)}`);
});

await run("enqueue", async (c) => {
  // @deno/kv sends enqueues over KV Connect (the Deno CLI refuses to); the server must accept
  // them. Nothing is ever delivered over KV Connect.
  const r = await kv.enqueue({ hello: "world", n: 1 });
  c.ok(r.ok && HEX20.test(r.versionstamp), `enqueue succeeds: ${show(r)}`);
  const r2 = await kv.enqueue("delayed", { delay: 60_000, keysIfUndelivered: [k("dead-letter")] });
  c.ok(r2.ok && r2.versionstamp > r.versionstamp, "enqueue with delay and a dead-letter key");
  const r3 = await kv.atomic().set(k("enqueue", "with"), 1).enqueue("in a write").commit();
  c.ok(r3.ok, "an atomic write with a mutation and an enqueue");
  c.eq((await kv.get(k("enqueue", "with"))).value, 1, "its mutation is applied");
});

await run("limits", async (c) => {
  // @deno/kv validates none of the sizes; only a server rejects them (KV-CONNECT.md §5.9).
  if (!REMOTE) {
    c.skip("size limits are enforced only by a KV Connect server");
    return;
  }
  await c.rejects(() => kv.set(k("x".repeat(4096)), 1), ["A key exceeds the key size limit."], "key of 4118 bytes");
  await c.rejects(() => kv.set(k("big"), new Uint8Array(655_360)), ["A value exceeds the value size limit."], "value of 640 KiB");
  let op = kv.atomic();
  for (let i = 0; i < 11; i++) op = op.check({ key: k("chk", i), versionstamp: null });
  await c.rejects(() => op.commit(), ["Too many checks included in atomic write."], "11 checks");
});

kv.close();
console.log(`node conformance: ${totalPassed} passed, 0 failed${skips(totalSkipped)}`);
console.log("OK");
// A closed watch or a pending enqueue timer of the in-memory backend must not keep Node alive.
process.exit(0);
