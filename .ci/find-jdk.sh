# Sourced by .ci/run and test.sh: exports JAVA_HOME pointing at a JDK >= 21, or exits.
_qkv_java_major() { "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'; }
_qkv_find_jdk() {
  local c v
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v="$(_qkv_java_major "$c/bin/java")"
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then echo "$c"; return 0; fi
  done
  return 1
}
if ! JAVA_HOME="$(_qkv_find_jdk)"; then
  echo "no JDK 21 or newer found (looked at \$JAVA_HOME and /usr/lib/jvm/*); install one, e.g. apt-get install openjdk-21-jdk-headless" >&2
  if [ "${CI:-}" = "true" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ci: installing openjdk-21-jdk-headless" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-21-jdk-headless >/dev/null
    JAVA_HOME="$(_qkv_find_jdk)" || exit 3
  else
    exit 3
  fi
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
