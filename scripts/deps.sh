#!/usr/bin/env bash
# Installs what Tala needs to build, test and run: Debian packages and the web app's npm
# packages. Idempotent: packages already present are skipped, so a second run is quick.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

apt_pkgs=(
  build-essential pkg-config meson ninja-build clang libclang-rt-14-dev
  libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev libsodium-dev libssl-dev
  liboath-dev libcmocka-dev libxlsxwriter-dev libzip-dev libxml2-dev
  libutf8proc-dev libopencc-dev opencc libxxhash-dev python3-jieba
  libqrencode-dev libcairo2-dev libpango1.0-dev poppler-utils
  postgresql postgresql-contrib
  curl nodejs npm chromium fonts-noto-cjk
)

missing=()
for p in "${apt_pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# node and npm may come from outside Debian's packages on a developer machine; keep them.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  tmp=()
  for p in "${missing[@]}"; do
    case "$p" in nodejs|npm) ;; *) tmp+=("$p") ;; esac
  done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "${TALA_SKIP_NPM:-0}" != 1 ]; then
  for dir in web tests/e2e; do
    [ -f "$top/$dir/package.json" ] || continue
    lock="$top/$dir/package-lock.json"
    stamp="$top/$dir/node_modules/.tala-stamp"
    if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ] || [ "$top/$dir/package.json" -nt "$stamp" ]; then
      echo "deps: npm install in $dir"
      if [ -f "$lock" ]; then
        (cd "$top/$dir" && npm ci --no-audit --no-fund --loglevel=error)
      else
        (cd "$top/$dir" && npm install --no-audit --no-fund --loglevel=error)
      fi
      touch "$stamp"
    fi
  done
fi
