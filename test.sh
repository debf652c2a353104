#!/usr/bin/env bash
# The test command: every module's tests (unit, in-process clusters, real Deno and @deno/kv
# clients, multi-process failover, the short chaos run). Needs a JDK >= 21 (found on its own)
# and the clients in e2e/node_modules ('cd e2e && npm install'; .ci/run does both).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
source "$ROOT/.ci/find-jdk.sh"
if [ ! -x "$ROOT/e2e/node_modules/@deno/linux-x64-glibc/deno" ]; then
  echo "test.sh: installing the Deno CLI and @deno/kv from npm (e2e/)"
  (cd e2e && npm install --no-audit --no-fund --loglevel=error)
fi
exec mvn -B verify "$@"
