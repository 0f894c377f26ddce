#!/usr/bin/env bash
# Builds the server (build/tala, optimised, -Werror) and the web app (web/dist).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release -Dtests=false >/dev/null
fi
ninja -C build
if [ -f web/package.json ]; then
  (cd web && npm run --silent build)
fi
