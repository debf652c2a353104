// KV Connect conformance, as an unmodified Deno program sees it.
//
//   KV_URL=http://127.0.0.1:4512 DENO_KV_ACCESS_TOKEN=... deno run -A --unstable-kv conformance.ts
//   KV_URL=:memory: deno run -A --unstable-kv conformance.ts      (Deno's own local KV: the reference)
//
// Self-checking: exits 1 at the first failed assertion, prints per-case count lines and "OK".
// Assertions whose expected outcome differs between a KV Connect server (QuorumKV) and Deno's
// local database are written as `if (REMOTE) ... else ...` with the reason next to them.
// Every key lives under ["conf", RUN] with a fresh RUN, so re-running on one database works.

import {
  isRemote,
  kvUrl,
  openKv,
  printable,
  randomId,
  Runner,
  show,
  sleep,
  withTimeout,
} from "./lib.ts";

const URL = kvUrl(":memory:");
const REMOTE = isRemote(URL);
const RUN = `${Deno.env.get("RUN") ?? "conf"}-${randomId()}`;
const CASE_TIMEOUT_MS = 60_000;
const HEX20 = /^[0-9a-f]{20}$/;

console.log(`conformance: KV_URL=${printable(URL)} (${REMOTE ? "remote KV Connect" : "local Deno KV"}), RUN=${RUN}`);
const kv = await openKv(URL);
const runner = new Runner("conformance", CASE_TIMEOUT_MS);

/** A key under this run's prefix. */
const k = (...parts: Deno.KvKeyPart[]): Deno.KvKey => ["conf", RUN, ...parts];
const u64 = (n: bigint) => new Deno.KvU64(n);

async function listAll<T = unknown>(
  selector: Deno.KvListSelector,
  options: Deno.KvListOptions = {},
): Promise<Deno.KvEntry<T>[]> {
  return await Array.fromAsync(kv.list<T>(selector, options));
}

/** Takes n entries from an iterator and returns them with the iterator's cursor. */
async function take<T>(it: Deno.KvListIterator<T>, n: number): Promise<[Deno.KvEntry<T>[], string]> {
  const out: Deno.KvEntry<T>[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return [out, it.cursor];
}

const lastPart = (key: Deno.KvKey) => key[key.length - 1];

await runner.run("basics", async (c) => {
  const key = k("basics", "a");
  const absent = await kv.get(key);
  c.eq(absent.value, null, "get of an absent key: value");
  c.eq(absent.versionstamp, null, "get of an absent key: versionstamp");
  c.eq(absent.key, key, "get of an absent key echoes the key");

  const r1 = await kv.set(key, "hello");
  c.ok(r1.ok, "set returns ok");
  c.ok(HEX20.test(r1.versionstamp), `set versionstamp is 20 lower-case hex digits: ${r1.versionstamp}`);
  const e1 = await kv.get<string>(key);
  c.eq(e1.value, "hello", "get after set");
  c.eq(e1.versionstamp, r1.versionstamp, "entry versionstamp = commit versionstamp");

  const r2 = await kv.set(key, "world");
  c.ok(r2.versionstamp > r1.versionstamp, `overwrite gets a larger versionstamp (${r1.versionstamp} < ${r2.versionstamp})`);
  c.eq((await kv.get(key)).value, "world", "get after overwrite");

  await kv.delete(key);
  const gone = await kv.get(key);
  c.eq(gone.value, null, "get after delete");
  c.eq(gone.versionstamp, null, "versionstamp after delete");
  await kv.delete(k("basics", "never-existed")); // deleting an absent key is fine
  c.ok(true, "delete of an absent key does not throw");

  // Values of every V8-serialisable kind the protocol carries (VE_V8, VE_BYTES, VE_LE64).
  const values: [string, unknown][] = [
    ["string", "ünïcødé ✓"],
    ["number", -1.5],
    ["int", 42],
    ["bigint", -(1n << 70n)],
    ["boolean", false],
    ["null", null],
    ["object", { a: [1, "two", { three: 3n }], b: null }],
    ["bytes", new Uint8Array([0, 1, 254, 255])],
    ["empty bytes", new Uint8Array()],
    ["kvu64", u64(0xffff_ffff_ffff_ffffn)],
    ["date", new Date(1_700_000_000_000)],
  ];
  for (const [name, v] of values) {
    await kv.set(k("basics", "v", name), v);
    c.eq((await kv.get(k("basics", "v", name))).value, v, `value round trip (${name})`);
  }

  // Keys with every part type round-trip.
  const keyParts: Deno.KvKey = [new Uint8Array([0, 255]), "s\0x", -3n, 1.25, -0, true, false];
  await kv.set(k("basics", ...keyParts), "parts");
  const [entry] = await listAll({ prefix: k("basics", new Uint8Array([0, 255])) });
  c.eq(entry?.key, k("basics", ...keyParts), "key with every part type round-trips");
});

await runner.run("list", async (c) => {
  const p = k("list");
  for (let i = 0; i < 20; i++) await kv.set([...p, i], i);
  await kv.set(p, "the prefix key itself");

  const all = await listAll<number>({ prefix: p });
  c.eq(all.map((e) => e.value), [...Array(20).keys()], "prefix list: all 20 in key order, prefix key excluded");
  c.ok(all.every((e) => HEX20.test(e.versionstamp)), "every listed entry has a 20-hex versionstamp");

  const rev = await listAll<number>({ prefix: p }, { reverse: true });
  c.eq(rev.map((e) => e.value), [...Array(20).keys()].reverse(), "reverse prefix list");

  c.eq((await listAll<number>({ prefix: p }, { limit: 5 })).map((e) => e.value), [0, 1, 2, 3, 4], "limit 5");
  c.eq(
    (await listAll<number>({ prefix: p }, { limit: 3, reverse: true })).map((e) => e.value),
    [19, 18, 17],
    "limit 3 reverse",
  );
  c.eq(
    (await listAll<number>({ start: [...p, 5], end: [...p, 9] })).map((e) => e.value),
    [5, 6, 7, 8],
    "start/end: start inclusive, end exclusive",
  );
  c.eq(
    (await listAll<number>({ start: [...p, 5], end: [...p, 9] }, { reverse: true })).map((e) => e.value),
    [8, 7, 6, 5],
    "start/end reverse",
  );
  c.eq(
    (await listAll<number>({ prefix: p, start: [...p, 17] })).map((e) => e.value),
    [17, 18, 19],
    "prefix + start",
  );
  c.eq(
    (await listAll<number>({ prefix: p, end: [...p, 3] })).map((e) => e.value),
    [0, 1, 2],
    "prefix + end",
  );
  await c.rejects(
    () => listAll({ start: [...p, 9], end: [...p, 5] }),
    ["Start key is greater than end key"],
    "start > end is rejected by the client",
  );
  c.eq((await listAll({ prefix: k("list-nothing-here") })).length, 0, "empty prefix lists nothing");

  // Documented order across types (KV-CONNECT.md §2): bytes < string < bigint < number < false < true.
  const q = k("list-types");
  const ordered: Deno.KvKeyPart[] = [
    new Uint8Array([]), new Uint8Array([0]), new Uint8Array([1]),
    "", "a", "a\0", "b",
    -300n, -1n, 0n, 1n, 600n,
    -Infinity, -300, -0, 0, 1.5, 200, Infinity, NaN,
    false, true,
  ];
  const label = (x: Deno.KvKeyPart) =>
    typeof x === "number" ? (Object.is(x, -0) ? "-0" : String(x)) : show(x);
  for (const part of [...ordered].reverse()) await kv.set([...q, part], label(part));
  const listed = await listAll<string>({ prefix: q });
  c.eq(listed.map((e) => e.value), ordered.map(label), "keys of mixed types list in documented order");
  c.eq(listed.map((e) => label(lastPart(e.key))), ordered.map(label), "and decode back to the same parts");
});

await runner.run("cursors", async (c) => {
  const p = k("cursor");
  for (let i = 0; i < 20; i++) await kv.set([...p, i], i);
  const values = (es: Deno.KvEntry<number>[]) => es.map((e) => e.value);
  const forward = [...Array(20).keys()];

  c.eq(values(await listAll<number>({ prefix: p }, { batchSize: 3 })), forward, "batchSize 3 pages through all 20");
  c.eq(
    values(await listAll<number>({ prefix: p }, { batchSize: 3, reverse: true })),
    [...forward].reverse(),
    "batchSize 3 reverse pages through all 20",
  );
  c.eq(
    values(await listAll<number>({ prefix: p }, { batchSize: 3, limit: 10 })),
    forward.slice(0, 10),
    "batchSize 3 with limit 10",
  );

  for (const reverse of [false, true]) {
    const dir = reverse ? "reverse" : "forward";
    const expected = reverse ? [...forward].reverse() : forward;
    const [first, cursor] = await take(kv.list<number>({ prefix: p }, { batchSize: 3, reverse }), 7);
    c.eq(values(first), expected.slice(0, 7), `${dir}: first 7 entries`);
    c.ok(typeof cursor === "string" && cursor.length > 0, `${dir}: a cursor after 7 entries`);
    const rest = await listAll<number>({ prefix: p }, { batchSize: 3, reverse, cursor });
    c.eq(values(rest), expected.slice(7), `${dir}: resuming from the cursor yields the other 13`);
    // A cursor is stable: resuming twice gives the same entries.
    const again = await listAll<number>({ prefix: p }, { batchSize: 5, reverse, cursor });
    c.eq(values(again), expected.slice(7), `${dir}: the cursor resumes the same way with another batch size`);
  }

  // A cursor also works with start/end selectors.
  const sel = { start: [...p, 4], end: [...p, 16] };
  const [head, cur] = await take(kv.list<number>(sel, { batchSize: 3 }), 5);
  c.eq(values(head), [4, 5, 6, 7, 8], "start/end: first 5");
  c.eq(values(await listAll<number>(sel, { cursor: cur })), [9, 10, 11, 12, 13, 14, 15], "start/end: resumed");
});

await runner.run("getMany", async (c) => {
  const a = k("many", "a"), b = k("many", "b"), missing = k("many", "missing");
  await kv.set(a, "A");
  await kv.set(b, "B");
  const got = await kv.getMany<[string, string, string]>([b, missing, a]);
  c.eq(got.map((e) => e.value), ["B", null, "A"], "getMany returns entries in request order");
  c.eq(got.map((e) => e.key), [b, missing, a], "getMany echoes keys");
  c.eq(got[1].versionstamp, null, "absent entry has a null versionstamp");
  c.eq(await kv.getMany([]), [], "getMany([]) is an empty list (an empty snapshot read on the wire)");
  const ten = Array.from({ length: 10 }, (_, i) => k("many", "ten", i));
  c.eq((await kv.getMany(ten)).length, 10, "getMany of 10 keys (the range limit)");
  const strong = await kv.get(a, { consistency: "strong" });
  c.eq(strong.value, "A", "explicit strong get");
});

await runner.run("checks", async (c) => {
  const key = k("check", "x");
  const r1 = await kv.atomic().check({ key, versionstamp: null }).set(key, 1).commit();
  c.ok(r1.ok, "null check on an absent key passes");
  const r2 = await kv.atomic().check({ key, versionstamp: null }).set(key, 2).commit();
  c.eq(r2.ok, false, "null check on a present key fails with ok:false");
  c.ok(!("versionstamp" in r2) || r2.versionstamp === undefined, `a failed commit has no versionstamp: ${show(r2)}`);
  c.eq((await kv.get(key)).value, 1, "a failed check changes nothing");

  const cur = (await kv.get(key)).versionstamp!;
  c.eq(cur, (r1 as Deno.KvCommitResult).versionstamp, "entry versionstamp is the committing write's");
  const wrong = await kv.atomic().check({ key, versionstamp: "00000000000000010000" }).set(key, 3).commit();
  c.eq(wrong.ok, false, "wrong versionstamp check fails");
  const r3 = await kv.atomic().check({ key, versionstamp: cur }).set(key, 4).commit();
  c.ok(r3.ok, "right versionstamp check passes");
  const stale = await kv.atomic().check({ key, versionstamp: cur }).set(key, 5).commit();
  c.eq(stale.ok, false, "the old versionstamp fails after an update");
  c.eq((await kv.get(key)).value, 4, "value after the passing check");

  // Several checks: all must pass, and one failing check blocks every mutation.
  const other = k("check", "y");
  const multi = await kv.atomic()
    .check({ key, versionstamp: (await kv.get(key)).versionstamp })
    .check({ key: other, versionstamp: null })
    .set(other, "y").set(key, 6).commit();
  c.ok(multi.ok, "two passing checks");
  const blocked = await kv.atomic()
    .check({ key: other, versionstamp: null })
    .set(key, 7).commit();
  c.eq(blocked.ok, false, "one failing check fails the commit");
  c.eq((await kv.get(key)).value, 6, "mutations of a failed commit are not applied");
  await c.rejects(
    () => kv.atomic().check({ key, versionstamp: "zz" }).commit(),
    ["Invalid check"],
    "a malformed versionstamp is rejected by the client",
  );
});

await runner.run("u64", async (c) => {
  const s = k("u64", "sum"), lo = k("u64", "min"), hi = k("u64", "max");
  await kv.atomic().sum(s, 5n).commit();
  c.eq((await kv.get(s)).value, u64(5n), "sum on an absent key stores the operand");
  await kv.atomic().sum(s, 10n).commit();
  c.eq((await kv.get(s)).value, u64(15n), "sum adds");
  await kv.atomic().sum(s, 0xffff_ffff_ffff_ffffn).commit();
  c.eq((await kv.get(s)).value, u64(14n), "sum wraps modulo 2^64");
  await kv.atomic().mutate({ type: "sum", key: s, value: u64(1n) }).commit();
  c.eq((await kv.get(s)).value, u64(15n), "mutate({type:'sum', value: KvU64})");

  await kv.atomic().min(lo, 10n).commit();
  await kv.atomic().min(lo, 20n).commit();
  await kv.atomic().min(lo, 3n).commit();
  c.eq((await kv.get(lo)).value, u64(3n), "min");
  await kv.atomic().max(hi, 10n).commit();
  await kv.atomic().max(hi, 2n).commit();
  await kv.atomic().max(hi, 0x8000_0000_0000_0000n).commit();
  c.eq((await kv.get(hi)).value, u64(0x8000_0000_0000_0000n), "max compares unsigned");

  const str = k("u64", "string");
  await kv.set(str, "not a number");
  for (const op of ["sum", "min", "max"] as const) {
    await c.rejects(
      () => kv.atomic()[op](str, 1n).commit(),
      [`Failed to perform '${op}' mutation on a non-U64 value in the database`],
      `${op} on a non-U64 value`,
    );
  }
  c.eq((await kv.get(str)).value, "not a number", "the rejected mutations changed nothing");
});

await runner.run("v8sum", async (c) => {
  const b = k("v8sum", "bigint"), n = k("v8sum", "number"), u = k("v8sum", "u64");
  // deno-lint-ignore no-explicit-any
  const sum = (key: Deno.KvKey, value: unknown) => kv.atomic().mutate({ type: "sum", key, value } as any).commit();
  let supported = true;
  try {
    await sum(b, 5n);
  } catch (e) {
    supported = false;
    c.skip(`mutate({type:"sum", value: 5n}) not supported by this Deno: ${(e as Error).message}`);
  }
  if (!supported) return;
  c.eq((await kv.get(b)).value, 5n, "V8 bigint sum on an absent key stores the operand");
  await sum(b, 5n);
  c.eq((await kv.get(b)).value, 10n, "V8 bigint sum adds");
  await sum(b, -20n);
  c.eq((await kv.get(b)).value, -10n, "V8 bigint sum goes negative (no wrap)");
  await sum(n, 1.5);
  await sum(n, 2);
  c.eq((await kv.get(n)).value, 3.5, "V8 number sum");
  await c.rejects(() => sum(b, 1), ["Cannot sum BigInt with Number"], "bigint + number is rejected");
  await kv.atomic().sum(u, 40n).commit();
  await sum(u, 2n);
  c.eq((await kv.get(u)).value, u64(42n), "V8 bigint sum onto a KvU64 stays a KvU64 (backward-compatibility rule)");
});

await runner.run("mutation-sequences", async (c) => {
  // Every sequence of KV-CONNECT.md §5.3: each mutation sees the earlier ones of its write.
  const key = (name: string) => k("seq", name);
  const get = async (name: string) => (await kv.get(key(name))).value;

  await kv.atomic().set(key("ab"), "a").set(key("ab"), "b").commit();
  c.eq(await get("ab"), "b", "set a, set b -> b");

  await kv.atomic().set(key("ad"), "a").delete(key("ad")).commit();
  c.eq(await get("ad"), null, "set a, delete -> absent");

  await kv.set(key("da"), "old");
  await kv.atomic().delete(key("da")).set(key("da"), "a").commit();
  c.eq(await get("da"), "a", "delete, set a -> a");

  await kv.set(key("s12"), u64(100n));
  await kv.atomic().delete(key("s12")).sum(key("s12"), 1n).sum(key("s12"), 2n).commit();
  c.eq(await get("s12"), u64(3n), "delete, sum 1, sum 2 -> 3");

  await kv.set(key("s123"), u64(100n));
  await kv.atomic().delete(key("s123")).sum(key("s123"), 1n).sum(key("s123"), 2n).sum(key("s123"), 3n).commit();
  c.eq(await get("s123"), u64(6n), "delete, sum 1, sum 2, sum 3 -> 6");

  await kv.atomic().delete(key("s5")).sum(key("s5"), 1n).sum(key("s5"), 2n).set(key("s5"), "5").commit();
  c.eq(await get("s5"), "5", "delete, sum 1, sum 2, set '5' -> '5'");

  await kv.atomic().delete(key("mm")).sum(key("mm"), 5n)
    .max(key("mm"), 100n).max(key("mm"), 50n).max(key("mm"), 150n).max(key("mm"), 75n).commit();
  c.eq(await get("mm"), u64(150n), "delete, sum 5, max 100, max 50, max 150, max 75 -> 150");
  await kv.atomic()
    .min(key("mm"), 100n).min(key("mm"), 50n).min(key("mm"), 150n).min(key("mm"), 75n).commit();
  c.eq(await get("mm"), u64(50n), "then min 100, min 50, min 150, min 75 -> 50");

  const r = await kv.atomic().set(key("x"), 1).set(key("y"), 2).delete(key("x")).commit();
  const ys = await kv.getMany([key("x"), key("y")]);
  c.eq(ys.map((e) => e.value), [null, 2], "mutations on different keys in one commit");
  c.eq(ys[1].versionstamp, (r as Deno.KvCommitResult).versionstamp, "all rows of one commit share its versionstamp");

  // A type error midway rejects the whole write (the e2e assertion of the reference suite).
  const k1 = key("partial");
  await kv.set(k1, "before");
  await c.rejects(
    () => kv.atomic().delete(k1).set(k1, 0n).sum(k1, 2n).commit(),
    ["Failed to perform 'sum' mutation on a non-U64 value in the database"],
    "delete, set 0n, LE64 sum -> rejected",
  );
  const after = (await kv.get(k1)).value;
  if (REMOTE) {
    // QuorumKV rolls a failed write back entirely (DESIGN invariant 5).
    c.eq(after, "before", "a rejected write leaves no partial effect");
  } else {
    // Deno's local SQLite backend keeps the earlier mutations (the reference bug of §5.10).
    c.note(`local Deno KV kept the partial write (value now ${show(after)}); remote asserts "before"`);
    c.skip("no-partial-effect after a rejected write (local backend has the §5.10 bug)");
  }
});

await runner.run("versionstamped-keys", async (c) => {
  const p = k("vskey");
  const r = await kv.atomic().set([...p, kv.commitVersionstamp()], "v1").commit();
  c.ok(r.ok, "commit with a versionstamped key");
  const vs = (r as Deno.KvCommitResult).versionstamp;
  const listed = await listAll<string>({ prefix: p });
  c.eq(listed.length, 1, "one key under the prefix");
  c.eq(lastPart(listed[0].key), vs, "the key's last part is the commit's versionstamp (hex string)");
  c.eq(listed[0].versionstamp, vs, "the entry's versionstamp is the commit's");
  c.eq(listed[0].value, "v1", "the value");
  c.eq((await kv.get([...p, vs])).value, "v1", "get by the printed versionstamp");

  // Two versionstamped sets with one prefix in one commit target the same key: last wins.
  const q = k("vskey2");
  const r2 = await kv.atomic().set([...q, kv.commitVersionstamp()], "first")
    .set([...q, kv.commitVersionstamp()], "second").commit();
  const two = await listAll<string>({ prefix: q });
  c.eq(two.map((e) => [lastPart(e.key), e.value]), [[(r2 as Deno.KvCommitResult).versionstamp, "second"]],
    "two versionstamped sets with one prefix: one key, last value wins");

  // Successive commits append in commit order.
  const log = k("vslog");
  const stamps: string[] = [];
  for (let i = 0; i < 3; i++) {
    stamps.push((await kv.atomic().set([...log, kv.commitVersionstamp()], i).commit() as Deno.KvCommitResult).versionstamp);
  }
  c.eq((await listAll<number>({ prefix: log })).map((e) => [lastPart(e.key), e.value]),
    stamps.map((s, i) => [s, i]), "versionstamped keys list in commit order");
});

await runner.run("versionstamps", async (c) => {
  const e1 = await kv.atomic().commit();
  const e2 = await kv.atomic().commit();
  c.ok(e1.ok && e2.ok, "empty commits succeed");
  const v1 = (e1 as Deno.KvCommitResult).versionstamp, v2 = (e2 as Deno.KvCommitResult).versionstamp;
  c.ok(HEX20.test(v1) && HEX20.test(v2), `versionstamps are 20 lower-case hex digits (${v1}, ${v2})`);
  c.ok(v1 !== v2, "two consecutive empty commits get different versionstamps");
  c.ok(v1 < v2, "and increasing ones");
  const stamps: string[] = [];
  for (let i = 0; i < 5; i++) stamps.push((await kv.set(k("vs", i), i)).versionstamp);
  c.ok(stamps.every((s, i) => i === 0 || stamps[i - 1] < s), `sequential commits increase: ${stamps.join(" ")}`);
  c.ok(v2 < stamps[0], "later than the empty commits");
  const del = await kv.atomic().delete(k("vs", "absent")).commit();
  c.ok(del.ok && (del as Deno.KvCommitResult).versionstamp > stamps[4], "deleting an absent key still commits a new versionstamp");
});

await runner.run("expiry", async (c) => {
  const key = k("expire");
  const t0 = Date.now();
  await kv.set(key, "soon gone", { expireIn: 1000 });
  const first = await kv.get(key);
  if (Date.now() - t0 < 800) {
    c.eq(first.value, "soon gone", "visible right after set with expireIn 1000");
  } else {
    c.skip(`set+get took ${Date.now() - t0} ms, too slow to check visibility before expiry`);
  }
  const plain = k("expire-cleared");
  await kv.set(plain, "x", { expireIn: 1000 });
  await kv.set(plain, "y"); // a set without expireIn clears the expiry
  if (!REMOTE || Deno.env.get("SKIP_EXPIRY") === "1") {
    // Deno's local backend (like the reference server) deletes expired keys in a background
    // sweep that can run ~60 s later; reads do not hide them. Verified: still visible after 5 s.
    c.skip("expiry within seconds: local Deno KV deletes expired keys lazily (up to ~60 s)");
    return;
  }
  let goneAfterMs = -1;
  while (Date.now() - t0 < 4000) {
    if ((await kv.get(key)).value === null) {
      goneAfterMs = Date.now() - t0;
      break;
    }
    await sleep(100);
  }
  c.ok(goneAfterMs >= 0, "a key set with expireIn 1000 is gone within 4 s");
  c.ok(goneAfterMs >= 900, `and not before it expires (gone after ${goneAfterMs} ms)`);
  c.eq((await kv.get(plain)).value, "y", "a later set without expireIn keeps the key");
});

await runner.run("watch", async (c) => {
  const a = k("watch", "a"), b = k("watch", "b");
  const va = await kv.set(a, "a0");
  const vb = await kv.set(b, "b0");
  const stream = kv.watch<[string, string]>([a, b]);
  const reader = stream.getReader();
  const next = async (what: string) => {
    const r = await withTimeout(reader.read(), 10_000, `watch emission (${what})`);
    c.ok(!r.done, `watch stream still open (${what})`);
    return r.value!;
  };
  const first = await next("first");
  c.eq(first.map((e) => e.value), ["a0", "b0"], "first emission has both keys' values");
  c.eq(first.map((e) => e.versionstamp), [va.versionstamp, vb.versionstamp], "and their versionstamps");
  c.eq(first.map((e) => e.key), [a, b], "in request order");

  const t0 = Date.now();
  const vb1 = await kv.set(b, "b1");
  let seen = first;
  while (seen[1].value !== "b1") seen = await next("after setting b");
  c.note(`change seen after ${Date.now() - t0} ms`);
  c.eq(seen.map((e) => e.value), ["a0", "b1"], "the change to b is seen, a unchanged");
  c.eq(seen[1].versionstamp, vb1.versionstamp, "with the new versionstamp");

  await kv.delete(a);
  while (seen[0].value !== null) seen = await next("after deleting a");
  c.eq(seen.map((e) => e.versionstamp === null), [true, false], "a deletion is seen as a null entry");

  await withTimeout(reader.cancel(), 10_000, "closing the watch stream");
  c.ok(true, "the watch stream closes");

  const empty = kv.watch([k("watch", "none")]).getReader();
  const none = await withTimeout(empty.read(), 10_000, "first emission for an absent key");
  c.eq(none.value?.map((e) => e.value), [null], "watching an absent key emits it as null first");
  await empty.cancel();
});

await runner.run("limits", async (c) => {
  // Client-side validation of the Deno CLI (ext/kv), identical locally and remotely: these never
  // reach a server. The messages are Deno's own.
  // A key under this run's prefix whose encoding is exactly n bytes (every part is a string
  // without NUL: tag, UTF-8 bytes, terminator).
  const prefixBytes = k().reduce<number>((n, p) => n + new TextEncoder().encode(String(p)).length + 2, 0);
  const sized = (n: number) => k("x".repeat(n - prefixBytes - 2));
  await c.rejects(() => kv.set(sized(2049), 1), ["Key too large for write (max 2048 bytes)"], "write key of 2049 bytes");
  c.ok((await kv.set(sized(2048), 1)).ok, "write key of exactly 2048 bytes");
  c.eq((await kv.get(sized(2048))).value, 1, "read it back (range end is 2049 bytes)");
  await c.rejects(() => kv.get(sized(2049)), ["Key too large for read (max 2049 bytes)"], "read key of 2049 bytes (range end 2050)");
  await c.rejects(
    () => kv.set(k("big"), new Uint8Array(65537)),
    ["Value too large (max 65536 bytes)"],
    "value of 65537 bytes",
  );
  c.ok((await kv.set(k("big"), new Uint8Array(65536))).ok, "value of exactly 65536 bytes");
  await c.rejects(
    () => kv.getMany(Array.from({ length: 11 }, (_, i) => k("r", i))),
    ["Too many ranges (max 10)"],
    "11 read ranges",
  );
  await c.rejects(
    () => Promise.resolve().then(() => kv.watch(Array.from({ length: 11 }, (_, i) => k("w", i)))),
    ["Too many keys (max 10)"],
    "11 watched keys",
  );
  await c.rejects(() => Array.fromAsync(kv.list({ prefix: k() }, { batchSize: 1001 })), ["Too many entries (max 1000)"], "batchSize 1001");
  await c.rejects(() => kv.set([], 1), ["key cannot be empty"], "empty key");
  const checks = (n: number) => {
    let op = kv.atomic();
    for (let i = 0; i < n; i++) op = op.check({ key: k("chk", i), versionstamp: null });
    return op;
  };
  await c.rejects(() => checks(101).commit(), ["Too many checks (max 100)"], "101 checks (Deno's own bound)");
  if (REMOTE) {
    // Deno lets 11..100 checks through; the server's bound is 10 (KV-CONNECT.md §5.9).
    await c.rejects(() => checks(11).commit(), ["Too many checks included in atomic write."], "11 checks (server bound 10)");
  } else {
    c.ok((await checks(11).commit()).ok, "11 checks pass locally (Deno's local KV allows up to 100)");
  }
  c.ok((await checks(10).commit()).ok, "10 checks");
  let big = kv.atomic();
  for (let i = 0; i < 14; i++) big = big.set(k("total", i), new Uint8Array(65_000));
  await c.rejects(() => big.commit(), ["Total mutation size too large (max 819200 bytes)"], "total mutation size > 800 KiB");
  await c.rejects(
    () => {
      let op = kv.atomic();
      for (let i = 0; i < 41; i++) op = op.set(k("y".repeat(2000), i), 1);
      return op.commit();
    },
    ["Total key size too large (max 81920 bytes)"],
    "total key size > 80 KiB",
  );
});

await runner.run("big-commit", async (c) => {
  const ops = (n: number) => {
    let op = kv.atomic();
    for (let i = 0; i < n; i++) op = op.set(k("bulk", i), i);
    return op;
  };
  const r = await ops(1000).commit();
  c.ok(r.ok, "a commit of 1000 mutations succeeds");
  const listed = await listAll<number>({ prefix: k("bulk") }, { batchSize: 500 });
  c.eq(listed.length, 1000, "all 1000 keys are there");
  c.ok(listed.every((e) => e.versionstamp === (r as Deno.KvCommitResult).versionstamp), "all with the commit's versionstamp");
  await c.rejects(() => ops(1001).commit(), ["Too many mutations (max 1000)"], "1001 mutations are rejected");
  c.eq((await kv.get(k("bulk", 1000))).value, null, "and nothing of it is written");
});

kv.close();
runner.finish();
