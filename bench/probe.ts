// Failover probe for the benchmark: opens the database, does one warm-up write, prints
// "ready", then for every "go" line on stdin performs one write and prints the milliseconds
// from "go" to the acknowledged write (Deno retries 5xx and network errors by itself).
const kv = await Deno.openKv(Deno.args[0]);
await kv.set(["probe", "warmup"], Date.now());
console.log("ready");
const decoder = new TextDecoder();
let buf = "";
for await (const chunk of Deno.stdin.readable) {
  buf += decoder.decode(chunk);
  let nl;
  while ((nl = buf.indexOf("\n")) >= 0) {
    const line = buf.slice(0, nl).trim();
    buf = buf.slice(nl + 1);
    if (line === "go") {
      const t0 = performance.now();
      await kv.set(["probe", "failover"], Date.now());
      console.log(`written ${(performance.now() - t0).toFixed(1)}`);
    } else if (line === "quit") {
      kv.close();
      Deno.exit(0);
    }
  }
}
