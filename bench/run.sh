#!/usr/bin/env bash
# bench/run.sh [--smoke] — runs the three benchmarks (text, http, sse) and writes a markdown
# table with the machine's details to bench/results/latest.md (docs/performance.md explains
# them). Installs what it needs (Debian packages, a release build in build/).
#   --smoke   tiny sizes, a few seconds each, result to a temp file: checks that every bench
#             works end to end (scripts/test.sh runs it); fails only when a bench breaks,
#             never on speed. TALA=path/to/tala picks the binary (default build/tala).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
smoke=0
[ "${1:-}" = --smoke ] && smoke=1

# what the benches need, idempotent like scripts/deps.sh
pkgs=(wrk nginx-light python3-jieba python3-sklearn build-essential sqlite3 time)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

tala=${TALA:-build/tala}
buildtype=given
if [ -z "${TALA:-}" ]; then
  if [ ! -f build/build.ninja ]; then
    meson setup build --buildtype=release -Dtests=false >/dev/null
  elif ! meson introspect build --buildoptions | grep -q '"name": "buildtype", "value": "release"'; then
    # build/ is the release build (scripts/build.sh); one set up by hand at -O2 is ~4 % slower
    echo "bench: build/ is not a release build: reconfiguring it (--buildtype=release)"
    meson configure build -Dbuildtype=release >/dev/null
  fi
  ninja -C build tala >/dev/null
  buildtype=release
fi
[ -x "$tala" ] || { echo "bench: no $tala"; exit 1; }

data=${TALA_DATA:-$top/../shared/data}
have_data=1
if [ ! -f "$data/questions/diac2019_dev_clusters.tsv" ]; then
  # the evaluation data is never part of the tree: a smoke run without it skips bench/text
  [ $smoke = 1 ] || { echo "bench: no evaluation data in $data (see docs/performance.md)"; exit 1; }
  echo "bench: no evaluation data in $data: bench/text skipped"
  have_data=0
fi

work=$(mktemp -d /tmp/tala-bench-run.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [ $smoke = 1 ]; then
  text_args=(--n 3000 --peer-n 500 --quality-n 1500 --runs 1)
  http_args=(--duration 1 --runs 1 --connections 32)
  sse_args=(--viewers 200 --questions 10 --bursts 1 --join-rate 100 --join-seconds 1 --reap-wait 3)
  out=$work/latest.md
else
  text_args=()
  http_args=()
  sse_args=()
  out=bench/results/latest.md
fi

failed=()
run() { # run NAME TIMEOUT COMMAND…
  local name=$1 limit=$2; shift 2
  echo "== bench/$name"
  if ! timeout --kill-after=10 "$limit" "$@" --tala "$tala" --md "$work/$name.md"; then
    failed+=("$name")
    printf '### %s\n\nfailed (see the run log)\n' "$name" >"$work/$name.md"
  fi
}
if [ $have_data = 1 ]; then
  run text 1200 python3 bench/text/bench_text.py --data "$data" "${text_args[@]}"
else
  printf '### Text engine (bench/text)\n\nskipped: no evaluation data\n\n' >"$work/text.md"
fi
run http 600 python3 bench/http/bench_http.py "${http_args[@]}"
run sse 600 python3 bench/sse/bench_sse.py "${sse_args[@]}"

commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"
{
  echo "# Benchmark results"
  echo
  echo "Written by \`make bench\` (bench/run.sh$([ $smoke = 1 ] && echo ' --smoke')); the method and the"
  echo "bars are in [docs/performance.md](../../docs/performance.md)."
  echo
  echo "| machine | |"
  echo "|---|---|"
  echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
  echo "| git commit | $commit |"
  echo "| uname -a | $(uname -a) |"
  echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores |"
  echo "| memory | $(free -h | awk '/^Mem:/ {print $2}') |"
  echo "| descriptors (hard limit per process) | $(ulimit -Hn) |"
  echo "| tala | $("$tala" version 2>/dev/null | head -1) ($tala, $buildtype build) |"
  echo
  cat "$work/text.md" "$work/http.md" "$work/sse.md"
} >"$out"
[ $smoke = 1 ] || echo "bench: wrote $out"
if [ ${#failed[@]} -gt 0 ]; then
  echo "bench: failed: ${failed[*]}"
  exit 1
fi
echo "bench: done$([ $have_data = 1 ] || echo ', text skipped')$([ $smoke = 1 ] && echo ' (smoke)')"
