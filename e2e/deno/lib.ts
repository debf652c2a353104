// Shared helpers for the Deno e2e programs: where the database is, a tiny self-checking test
// harness with bounded waits, and printing that never shows secrets.
//
// Output convention (read by the Java tests and by people): one line
// "<case>: N passed, 0 failed[, M skipped]" per case, a total line, then "OK". The first
// failed assertion prints "FAIL <case>: <why>", that case's count line with "1 failed", and
// exits with status 1.

/** The database location: an http(s) KV Connect URL, a SQLite path, or ":memory:". */
export function kvUrl(fallback?: string): string {
  const url = Deno.env.get("KV_URL") ?? fallback;
  if (url === undefined || url === "") {
    fail("setup", "set KV_URL to a KV Connect URL (http://127.0.0.1:4512) or a local SQLite path");
  }
  return url;
}

/** True when talking KV Connect to a server rather than Deno's built-in local database. */
export function isRemote(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/** The URL without any user:password part, safe to print. */
export function printable(url: string): string {
  return isRemote(url) ? url.replace(/\/\/[^/@]*@/, "//***@") : url;
}

/** Opens the database, checking the preconditions that otherwise fail obscurely. */
export async function openKv(url: string): Promise<Deno.Kv> {
  if (typeof Deno.openKv !== "function") {
    fail("setup", "Deno.openKv is missing: run with `deno run -A --unstable-kv ...`");
  }
  if (isRemote(url) && Deno.env.get("DENO_KV_ACCESS_TOKEN") === undefined) {
    fail("setup", "DENO_KV_ACCESS_TOKEN must be set for a KV Connect URL (Deno requires it)");
  }
  try {
    // Deno 2.9 does one metadata exchange inside openKv and fails at once if the server is
    // unreachable or answers non-200 (no retry at open), so start the server first.
    return await withTimeout(Deno.openKv(url), 60_000, "Deno.openKv");
  } catch (e) {
    fail("setup", `cannot open ${printable(url)}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** JSON with bigints (1n) and Uint8Arrays readable; for assertion messages. */
export function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => {
    if (typeof x === "bigint") return `${x}n`;
    if (x instanceof Uint8Array) return `Uint8Array[${Array.from(x).join(",")}]`;
    if (isKvU64(x)) return `KvU64(${x.value}n)`;
    if (typeof x === "symbol") return x.toString();
    return x;
  });
}

export function randomId(bytes = 4): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Prints the failure line and exits 1. Never returns. */
export function fail(caseName: string, why: string): never {
  console.log(`FAIL ${caseName}: ${why}`);
  Deno.exit(1);
}

class AssertionFailed extends Error {}

/** Races a promise against a deadline; a timeout fails the case (and so the program). */
export async function withTimeout<T>(
  p: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new AssertionFailed(
            `${what} did not finish within ${ms} ms (Deno retries 5xx and network errors ` +
              `forever, so a server error shows up as a hang: check the server log)`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The assertion context of one case. */
export class Case {
  passed = 0;
  skipped = 0;
  constructor(readonly name: string) {}

  ok(cond: unknown, what: string): void {
    if (!cond) throw new AssertionFailed(what);
    this.passed++;
  }

  eq(actual: unknown, expected: unknown, what: string): void {
    const a = show(actual);
    const e = show(expected);
    if (a !== e || !sameShape(actual, expected)) {
      throw new AssertionFailed(`${what}: expected ${e}, got ${a}`);
    }
    this.passed++;
  }

  /** Expects f to throw (or reject) with a message containing every fragment. */
  async rejects(f: () => Promise<unknown>, fragments: string[], what: string): Promise<string> {
    let result: unknown;
    try {
      result = await f();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      for (const frag of fragments) {
        if (!msg.includes(frag)) {
          throw new AssertionFailed(`${what}: error ${show(msg)} lacks ${show(frag)}`);
        }
      }
      this.passed++;
      return msg;
    }
    throw new AssertionFailed(`${what}: expected an error, got ${show(result)}`);
  }

  skip(what: string): void {
    console.log(`  skip ${this.name}: ${what}`);
    this.skipped++;
  }

  note(what: string): void {
    console.log(`  note ${this.name}: ${what}`);
  }
}

/** Deno.KvU64 exists only with --unstable-kv; the helpers must work without it. */
function isKvU64(x: unknown): x is Deno.KvU64 {
  return typeof Deno.KvU64 === "function" && x instanceof Deno.KvU64;
}

function sameShape(a: unknown, b: unknown): boolean {
  // show() maps KvU64 and bigint to text; keep them apart from look-alike strings.
  if (isKvU64(a) || isKvU64(b)) return isKvU64(a) && isKvU64(b);
  return typeof a === typeof b;
}

/** Runs cases in order; prints one count line each, a total, then OK. */
export class Runner {
  private passed = 0;
  private skipped = 0;
  constructor(private readonly program: string, private readonly caseTimeoutMs: number) {}

  async run(name: string, body: (c: Case) => Promise<void>): Promise<void> {
    const c = new Case(name);
    try {
      await withTimeout(body(c), this.caseTimeoutMs, `case ${name}`);
    } catch (e) {
      const why = e instanceof AssertionFailed
        ? e.message
        : `unexpected ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
      console.log(`${name}: ${c.passed} passed, 1 failed${skips(c.skipped)}`);
      fail(name, why);
    }
    console.log(`${name}: ${c.passed} passed, 0 failed${skips(c.skipped)}`);
    this.passed += c.passed;
    this.skipped += c.skipped;
  }

  finish(): void {
    console.log(`${this.program}: ${this.passed} passed, 0 failed${skips(this.skipped)}`);
    console.log("OK");
  }
}

function skips(n: number): string {
  return n > 0 ? `, ${n} skipped` : "";
}
