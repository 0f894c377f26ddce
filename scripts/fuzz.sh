#!/usr/bin/env bash
# Builds the libFuzzer targets with clang + ASan/UBSan and runs each for N seconds (default 15)
# from the checked-in corpus. New inputs go to a temp dir, not into the repository.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
seconds=${1:-15}
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined \
    -Db_lundef=false >/dev/null
fi
ninja -C build-fuzz >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for t in fuzz_json_body fuzz_router fuzz_xlsx fuzz_form fuzz_text fuzz_live_import; do
  corpus=tests/fuzz/corpus/${t#fuzz_}
  mkdir -p "$work/$t"
  if build-fuzz/tests/fuzz/$t -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    "$work/$t" "$corpus" >"$work/$t.log" 2>&1; then
    echo "fuzz: $t clean ($(grep -o 'Done [0-9]* runs' "$work/$t.log" || echo '?'))"
  else
    echo "fuzz: $t FAILED"; tail -40 "$work/$t.log"; status=1
  fi
done
exit $status
