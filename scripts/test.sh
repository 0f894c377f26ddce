#!/usr/bin/env bash
# Runs every suite: a sanitizer build (ASan + UBSan) with the unit and store tests and the
# black-box API tests on SQLite and on a throwaway PostgreSQL server, short fuzz runs, the
# web app's unit tests and build, and the Chromium end-to-end test. Prints one summary line.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

passed=0
failed=0
failures=()
step() { # step NAME COMMAND… — runs a step, counts it
  local name=$1; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}

pg_dir=""
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$pg_dir" ] && bash scripts/pg-test-server.sh stop "$pg_dir"
}
trap cleanup EXIT

# 1. the sanitizer build
if [ ! -f build-test/build.ninja ]; then
  meson setup build-test -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 1
fi
ninja -C build-test || { echo "tests: 0 passed, 1 failed"; exit 1; }

# 2. a throwaway PostgreSQL server for the postgres suites
if out=$(bash scripts/pg-test-server.sh start); then
  eval "$out"
  pg_dir=$TALA_PG_DIR
  export TALA_PG_ADMIN_URL
else
  echo "test: could not start PostgreSQL"; failed=$((failed + 1)); failures+=("postgres server")
fi

# 3. meson suites: unit, store (both backends), api (both backends)
meson_counts() { # adds meson's Ok/Fail counts from its log to ours
  local log=$1 ok fail
  ok=$(grep -E '^Ok:' "$log" | awk '{print $2}' | tail -1)
  fail=$(grep -E '^(Fail|Timeout|Unexpected Pass):' "$log" | awk '{s+=$NF} END {print s+0}')
  passed=$((passed + ${ok:-0})); failed=$((failed + ${fail:-0}))
  [ "${fail:-0}" -gt 0 ] && failures+=("meson: see above")
  [ -n "$ok" ] || { failed=$((failed + 1)); failures+=("meson did not run"); }
}
echo "== meson test (unit, store, api; sqlite and postgres)"
meson test -C build-test --print-errorlogs --num-processes 2 2>&1 | tee build-test/meson-test.out
meson_counts build-test/meson-test.out

# 4. fuzzers, briefly, over the checked-in corpus
step "fuzz (15 s each)" bash scripts/fuzz.sh 15

# 4b. the benchmarks at tiny sizes, so they do not rot (fails on breakage, never on speed)
step "bench smoke (text, http, sse)" env TALA="$top/build-test/tala" \
  ASAN_OPTIONS=detect_leaks=0 bash bench/run.sh --smoke

# 5. the web app: unit tests and the production build
if [ -f web/package.json ]; then
  step "web unit tests (vitest)" bash -c 'cd web && npm test --silent'
  step "web build" bash -c 'cd web && npm run --silent build'
fi

# 6. end to end in headless Chromium against a real server on the demo county
e2e() {
  local dir port
  dir=$(mktemp -d)
  build-test/tala demo --db "sqlite:$dir/e2e.db" >/dev/null || return 1
  # the test clock lets the points run end its 公示 period without waiting a week
  TALA_TEST_CLOCK=1 build-test/tala serve --db "sqlite:$dir/e2e.db" --listen 127.0.0.1:0 \
    --web web/dist 2>"$dir/server.log" &
  server_pid=$!
  for _ in $(seq 1 100); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$dir/server.log" | grep -o '[0-9]*$')
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$dir/server.log"; return 1; }
  local rc=0
  for t in tests/e2e/*.test.mjs; do
    echo "-- $t"
    (cd tests/e2e && TALA_URL="http://127.0.0.1:$port" TALA_E2E_USER=county \
      TALA_E2E_PASSWORD='Tala@2026' TALA_E2E_EXPECT_NODE=查干沐沦苏木 node "$(basename "$t")") || rc=1
  done
  kill -TERM "$server_pid"; wait "$server_pid" || { echo "server exit: $?"; rc=1; }
  server_pid=""
  [ $rc = 0 ] || tail -30 "$dir/server.log"
  rm -rf "$dir"
  return $rc
}
if [ -f tests/e2e/package.json ] && [ -d web/dist ]; then
  step "e2e (Chromium)" e2e
fi

echo
if [ $failed -gt 0 ]; then printf 'failed: %s\n' "${failures[@]}"; fi
echo "tests: $passed passed, $failed failed"
[ $failed = 0 ]
