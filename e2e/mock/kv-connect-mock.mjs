// A small in-memory KV Connect server: a TEST DOUBLE for the e2e programs, not a reference.
//
// Purpose: run the remote-mode code paths of e2e/deno/*.ts and e2e/node/*.mjs (HTTP/2 prior
// knowledge for Deno, HTTP/1.1 for @deno/kv, metadata, error texts surfacing through the real
// clients, eventual-endpoint routing, watch framing) before QuorumKV exists, so that a failure
// against QuorumKV later points at the server, not at the programs. Its semantics follow
// shared/KV-CONNECT.md and QuorumKV's DESIGN.md (expired keys hidden at read time, a rejected
// write rolled back entirely); anything it gets wrong is a bug in this file only.
//
//   MOCK_TOKEN=<at least 12 chars> [PORT=0] [EVENTUAL=1] node e2e/mock/kv-connect-mock.mjs
//
// Prints "listening on http://127.0.0.1:<port>" once ready. One plain port serves HTTP/1.1 and
// HTTP/2 with prior knowledge (sniffed from the first bytes). EVENTUAL=1 adds an eventual
// endpoint (/eventual/v2, answered from the same store with read_is_strongly_consistent=false).
// Bounded: at most MAX_CONNECTIONS sockets; it stops on SIGTERM/SIGINT.

import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { Duplex } from "node:stream";
import * as SnapshotRead from "../node_modules/@deno/kv/esm/proto/messages/com/deno/kv/datapath/SnapshotRead.js";
import * as SnapshotReadOutput from "../node_modules/@deno/kv/esm/proto/messages/com/deno/kv/datapath/SnapshotReadOutput.js";
import * as AtomicWrite from "../node_modules/@deno/kv/esm/proto/messages/com/deno/kv/datapath/AtomicWrite.js";
import * as AtomicWriteOutput from "../node_modules/@deno/kv/esm/proto/messages/com/deno/kv/datapath/AtomicWriteOutput.js";
import * as Watch from "../node_modules/@deno/kv/esm/proto/messages/com/deno/kv/datapath/Watch.js";
import * as WatchOutput from "../node_modules/@deno/kv/esm/proto/messages/com/deno/kv/datapath/WatchOutput.js";

const TOKEN = process.env.MOCK_TOKEN ?? "";
if (TOKEN.length < 12) {
  console.error("set MOCK_TOKEN (at least 12 characters)");
  process.exit(2);
}
const PORT = Number(process.env.PORT ?? 0);
const EVENTUAL = process.env.EVENTUAL === "1";
const MAX_CONNECTIONS = 64;
const KEEPALIVE_MS = 5_000;
const NIL_UUID = "00000000-0000-0000-0000-000000000000";
const L = { writeKey: 2048, readKey: 2049, value: 65536, ranges: 10, entries: 1000, checks: 10, mutations: 1000, total: 819200, watched: 10 };

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}
const bad = (msg) => new ApiError(400, msg);

// ---- store -------------------------------------------------------------------------------------

const hex = (b) => Buffer.from(b).toString("hex");
const cmp = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
/** hex(key) -> { key, value, encoding, version (bigint), expireAt (ms, 0 = never) } */
let rows = new Map();
let version = 0n;
/** Watchers: { keys: hex[], wake() } */
const watchers = new Set();

const versionstamp = (v) => {
  const b = Buffer.alloc(10);
  b.writeBigUInt64BE(v);
  return new Uint8Array(b);
};
const live = (row, now) => row && (row.expireAt === 0 || row.expireAt > now);
const sortedLive = (now) => [...rows.values()].filter((r) => live(r, now)).sort((a, b) => cmp(a.key, b.key));
const entry = (r) => ({ key: r.key, value: r.value, encoding: r.encoding, versionstamp: versionstamp(r.version) });

function snapshotRead(req, strong) {
  if (req.ranges.length > L.ranges) throw bad("Too many read ranges requested in one read request.");
  let total = 0;
  for (const r of req.ranges) {
    if (r.limit <= 0) throw bad("The read range limit of the snapshot read request is invalid.");
    if (r.start.length > L.readKey || r.end.length > L.readKey) throw bad("A key exceeds the key size limit.");
    total += r.limit;
  }
  if (total > L.entries) throw bad("The total number of entries requested across read ranges in the read request is too large.");
  const all = sortedLive(Date.now());
  return {
    ranges: req.ranges.map((r) => {
      const inRange = all.filter((x) => cmp(x.key, r.start) >= 0 && cmp(x.key, r.end) < 0);
      const picked = r.reverse ? inRange.slice(-r.limit).reverse() : inRange.slice(0, r.limit);
      return { values: picked.map(entry) };
    }),
    readDisabled: false,
    readIsStronglyConsistent: strong,
    status: "SR_SUCCESS",
  };
}

// ---- V8 numbers (KV-CONNECT.md §5.6), only what V8 sums need ----------------------------------

function v8Decode(b) {
  if (b.length < 2 || b[0] !== 0xff) throw bad("Some of the parameters are not valid V8 values");
  let i = 1;
  const varint = () => {
    let v = 0n, shift = 0n;
    for (;;) {
      const x = b[i++];
      if (x === undefined) throw bad("Some of the parameters are not valid V8 values");
      v |= BigInt(x & 0x7f) << shift;
      if ((x & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  varint(); // version
  while (b[i] === 0x00) i++;
  const tag = b[i++];
  if (tag === 0x49) { const z = varint(); return Number((z >> 1n) ^ -(z & 1n)); }
  if (tag === 0x55) return Number(varint());
  if (tag === 0x4e) return Buffer.from(b.subarray(i, i + 8)).readDoubleLE(0);
  if (tag === 0x5a) {
    const bits = varint(), len = Number(bits >> 1n);
    let m = 0n;
    for (let j = len - 1; j >= 0; j--) m = (m << 8n) | BigInt(b[i + j]);
    return bits & 1n ? -m : m;
  }
  throw bad("Some of the parameters are not valid V8 values");
}

function v8Encode(x) {
  if (typeof x === "number") {
    const b = Buffer.alloc(11);
    b.set([0xff, 0x0f, 0x4e]);
    b.writeDoubleLE(x, 3);
    return new Uint8Array(b);
  }
  const bytes = [];
  for (let m = x < 0n ? -x : x; m > 0n; m >>= 8n) bytes.push(Number(m & 0xffn));
  if (bytes.length === 0) bytes.push(0);
  const bits = (bytes.length << 1) | (x < 0n ? 1 : 0);
  const vi = [];
  for (let v = bits; ; v >>>= 7) { if (v < 0x80) { vi.push(v); break; } vi.push((v & 0x7f) | 0x80); }
  return new Uint8Array([0xff, 0x0f, 0x5a, ...vi, ...bytes]);
}

const le64 = (b) => Buffer.from(b).readBigUInt64LE(0);
const toLe64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt.asUintN(64, n)); return new Uint8Array(b); };
const kind = (x) => (typeof x === "bigint" ? "BigInt" : "Number");

// ---- atomic write ------------------------------------------------------------------------------

function validateWrite(w) {
  if (w.checks.length > L.checks) throw bad("Too many checks included in atomic write.");
  if (w.mutations.length + w.enqueues.length > L.mutations) throw bad("Too many mutations / enqueues included in atomic write.");
  let total = 0;
  for (const c of w.checks) {
    if (c.key.length > L.readKey) throw bad("A key exceeds the key size limit.");
    if (c.versionstamp.length !== 0 && c.versionstamp.length !== 10) throw bad("Invalid versionstamp.");
    total += c.key.length;
  }
  for (const m of w.mutations) {
    if (m.key.length > L.writeKey) throw bad("A key exceeds the key size limit.");
    if (m.value && m.value.data.length > L.value) throw bad("A value exceeds the value size limit.");
    const needsValue = ["M_SET", "M_SUM", "M_MAX", "M_MIN", "M_SET_SUFFIX_VERSIONSTAMPED_KEY"].includes(m.mutationType);
    if (!needsValue && m.mutationType !== "M_DELETE") throw bad("Invalid mutation kind or arguments.");
    if (needsValue && !m.value) throw bad("Invalid mutation kind or arguments.");
    if (m.value && !["VE_V8", "VE_LE64", "VE_BYTES"].includes(m.value.encoding)) throw bad("Invalid mutation kind or arguments.");
    if (m.value?.encoding === "VE_LE64" && m.value.data.length !== 8) throw bad("Invalid mutation kind or arguments.");
    if (BigInt(m.expireAtMs) < -1n) throw bad("Invalid mutation expire at.");
    total += m.key.length + (m.value?.data.length ?? 0);
  }
  for (const e of w.enqueues) {
    if (e.payload.length > L.value) throw bad("A value exceeds the value size limit.");
    if (e.keysIfUndelivered.length > 10) throw bad("Too many dead letter keys for a single queue message.");
    if (e.backoffSchedule.length > 10) throw bad("Too many backoff intervals for a single queue message.");
    if (e.backoffSchedule.some((x) => x > 3_600_000)) throw bad("A backoff interval exceeds the maximum allowed backoff interval.");
    if (BigInt(e.deadlineMs) < 0n) throw bad("Invalid mutation enqueue deadline.");
    total += e.payload.length + e.keysIfUndelivered.reduce((n, k) => n + k.length, 0) + 4 * e.backoffSchedule.length;
  }
  if (total > L.total) throw bad("The total size of the atomic write is too large.");
}

function applyMutation(staged, m, v, now) {
  const id = hex(m.key);
  const cur = live(staged.get(id), now) ? staged.get(id) : undefined;
  const put = (value, encoding, expireAt = 0) => staged.set(id, { key: m.key, value, encoding, version: v, expireAt });
  const expireAt = Number(m.expireAtMs) > 0 ? Number(m.expireAtMs) : 0;
  switch (m.mutationType) {
    case "M_SET":
      return put(m.value.data, m.value.encoding, expireAt);
    case "M_DELETE":
      return staged.delete(id);
    case "M_SET_SUFFIX_VERSIONSTAMPED_KEY": {
      const suffix = new Uint8Array([0x02, ...Buffer.from(hex(versionstamp(v)), "ascii"), 0x00]);
      const key = new Uint8Array([...m.key, ...suffix]);
      return staged.set(hex(key), { key, value: m.value.data, encoding: m.value.encoding, version: v, expireAt });
    }
    case "M_SUM":
      if (m.value.encoding !== "VE_LE64") return v8Sum(cur, m, put);
    // falls through: LE64 sum shares min/max's rules
    case "M_MIN":
    case "M_MAX": {
      const op = { M_SUM: "sum", M_MIN: "min", M_MAX: "max" }[m.mutationType];
      if (m.value.encoding !== "VE_LE64") throw bad(`Failed to perform '${op}' mutation on a non-U64 operand`);
      const x = le64(m.value.data);
      if (!cur) return put(m.value.data, "VE_LE64");
      if (cur.encoding !== "VE_LE64") throw bad(`Failed to perform '${op}' mutation on a non-U64 value in the database`);
      const y = le64(cur.value);
      const r = op === "sum" ? x + y : op === "min" ? (x < y ? x : y) : (x > y ? x : y);
      return put(toLe64(r), "VE_LE64");
    }
  }
}

function v8Sum(cur, m, put) {
  if (m.value.encoding !== "VE_V8") throw bad("Some of the parameters are not valid V8 values");
  const x = v8Decode(m.value.data);
  const min = m.sumMin.length ? v8Decode(m.sumMin) : undefined;
  const max = m.sumMax.length ? v8Decode(m.sumMax) : undefined;
  for (const bound of [min, max]) {
    if (bound !== undefined && kind(bound) !== kind(x)) throw bad("Min/max parameters have different types than the operand");
  }
  if (!cur) return put(v8Encode(x), "VE_V8");
  if (cur.encoding === "VE_LE64" && typeof x === "bigint" && x >= 0n && x < 1n << 64n && min === undefined && max === undefined && !m.sumClamp) {
    return put(toLe64(le64(cur.value) + x), "VE_LE64");
  }
  if (cur.encoding !== "VE_V8") throw bad(cur.encoding === "VE_LE64" ? `Cannot sum KvU64 with ${kind(x)}` : "unsupported value type");
  const y = v8Decode(cur.value);
  if (kind(x) !== kind(y)) throw bad(`Cannot sum ${kind(y)} with ${kind(x)}`);
  let r = x + y;
  if (min !== undefined && r < min) { if (!m.sumClamp) throw bad("The result of a Sum operation would exceed its range limit"); r = min; }
  if (max !== undefined && r > max) { if (!m.sumClamp) throw bad("The result of a Sum operation would exceed its range limit"); r = max; }
  return put(v8Encode(r), "VE_V8");
}

function atomicWrite(w) {
  validateWrite(w);
  const now = Date.now();
  for (const c of w.checks) {
    const row = rows.get(hex(c.key));
    const actual = live(row, now) ? hex(versionstamp(row.version)) : "";
    if (actual !== hex(c.versionstamp)) return { status: "AW_CHECK_FAILURE", versionstamp: new Uint8Array(), failedChecks: [] };
  }
  const v = version + 1n;
  const staged = new Map(rows); // all-or-nothing: a type error leaves `rows` untouched
  for (const m of w.mutations) applyMutation(staged, m, v, now);
  rows = staged;
  version = v;
  const touched = new Set(w.mutations.map((m) => hex(m.key)));
  for (const watcher of watchers) if (watcher.keys.some((k) => touched.has(k))) watcher.wake();
  return { status: "AW_SUCCESS", versionstamp: versionstamp(v), failedChecks: [] };
}

// ---- HTTP ---------------------------------------------------------------------------------------

function checkAuth(req) {
  const h = req.headers["authorization"];
  if (typeof h !== "string" || !h.includes(" ")) throw new ApiError(401, "Malformed authorization header.");
  const i = h.indexOf(" ");
  if (h.slice(0, i).toLowerCase() !== "bearer" || h.slice(i + 1) !== TOKEN) throw new ApiError(401, "Invalid access token.");
}

function metadata(req, body) {
  let versions = [];
  try {
    versions = JSON.parse(Buffer.from(body).toString("utf8")).supportedVersions ?? [];
  } catch {
    throw bad("The server requires at least protocol version 2. Use Deno 1.38.0 or newer.");
  }
  const v = versions.includes(3) ? 3 : versions.includes(2) ? 2 : 0;
  if (v === 0) throw bad("The server could not negotiate a protocol version. The server requires protocol version 2 or 3.");
  checkAuth(req);
  const endpoints = [{ url: "/v2", consistency: "strong" }];
  if (EVENTUAL) endpoints.push({ url: "/eventual/v2", consistency: "eventual" });
  const expiresAt = new Date(Date.now() + 24 * 3600_000).toISOString();
  return { version: v, databaseId: NIL_UUID, endpoints, token: TOKEN, expiresAt };
}

function watch(req, res, w) {
  if (w.keys.length > L.watched) throw bad("Too many keys watched in a single watch request.");
  if (w.keys.some((k) => k.key.length > L.writeKey)) throw bad("A key exceeds the key size limit.");
  res.writeHead(200, { "content-type": "application/octet-stream" });
  const frame = (bytes) => {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(bytes.length);
    res.write(Buffer.concat([len, Buffer.from(bytes)]));
  };
  const send = () => {
    const now = Date.now();
    const keys = w.keys.map((k) => {
      const row = rows.get(hex(k.key));
      return live(row, now) ? { changed: true, entryIfChanged: entry(row) } : { changed: true };
    });
    frame(WatchOutput.encodeBinary({ status: "SR_SUCCESS", keys }));
  };
  const watcher = { keys: w.keys.map((k) => hex(k.key)), wake: send };
  watchers.add(watcher);
  const keepAlive = setInterval(() => frame(new Uint8Array()), KEEPALIVE_MS);
  const stop = () => {
    watchers.delete(watcher);
    clearInterval(keepAlive);
  };
  req.on("close", stop);
  res.on("close", stop);
  send();
}

async function handle(req, res) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = new Uint8Array(Buffer.concat(chunks));
  const path = new URL(req.url, "http://x").pathname;
  const reply = (status, type, bytes) => {
    res.writeHead(status, { "content-type": type });
    res.end(Buffer.from(bytes));
  };
  try {
    if (path === "/") {
      if (req.method !== "POST") throw new ApiError(405, "");
      return reply(200, "application/json", JSON.stringify(metadata(req, body)));
    }
    const m = /^(\/eventual)?\/v2\/(snapshot_read|atomic_write|watch)$/.exec(path);
    if (!m) throw new ApiError(404, "Resource not found.");
    if (req.method !== "POST") throw new ApiError(405, "");
    if (!["2", "3"].includes(req.headers["x-denokv-version"])) throw bad("Expected protocol version 2.");
    checkAuth(req);
    if (req.headers["x-denokv-database-id"] !== NIL_UUID) throw bad("Invalid database id.");
    const strong = !m[1];
    switch (m[2]) {
      case "snapshot_read":
        return reply(200, "application/x-protobuf", SnapshotReadOutput.encodeBinary(snapshotRead(SnapshotRead.decodeBinary(body), strong)));
      case "atomic_write":
        if (!strong) throw bad("This database is read only.");
        return reply(200, "application/x-protobuf", AtomicWriteOutput.encodeBinary(atomicWrite(AtomicWrite.decodeBinary(body))));
      case "watch":
        return watch(req, res, Watch.decodeBinary(body));
    }
  } catch (e) {
    if (!(e instanceof ApiError)) {
      console.error(`mock: ${req.method} ${path}: ${e?.stack ?? e}`);
      e = bad(`mock internal error: ${e?.message ?? e}`); // 400, never 5xx: Deno retries 5xx forever
    }
    if (!res.headersSent) reply(e.status, "text/plain; charset=utf-8", e.message);
    else res.end();
  }
}

const h1 = http.createServer(handle);
const h2 = http2.createServer({}, handle);
const PREFACE = "PRI * HTTP/2.0";
const server = net.createServer((socket) => {
  socket.setNoDelay(true); // small request/response frames: Nagle + delayed ACK cost 40 ms each
  socket.once("data", (first) => {
    if (first.toString("latin1", 0, PREFACE.length) !== PREFACE) {
      socket.pause();
      socket.unshift(first);
      h1.emit("connection", socket);
      socket.resume();
      return;
    }
    // http2 reads a net.Socket through its native handle, past anything unshifted in JS, so
    // hand it a plain Duplex that replays the sniffed bytes and then relays the socket.
    const relay = new Duplex({
      read() {},
      write(chunk, encoding, done) {
        socket.write(chunk, encoding, done);
      },
      final(done) {
        socket.end();
        done();
      },
    });
    relay.push(first);
    socket.on("data", (chunk) => relay.push(chunk));
    socket.on("end", () => relay.push(null));
    socket.on("error", () => relay.destroy());
    socket.on("close", () => relay.destroy());
    relay.on("close", () => socket.destroy());
    h2.emit("connection", relay);
  });
});
server.maxConnections = MAX_CONNECTIONS;
server.listen(PORT, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => {
    server.close();
    process.exit(0);
  });
}
