#!/usr/bin/env bash
# Loads the demo county into data/demo.db (once) and serves it on http://127.0.0.1:8080.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
db=${TALA_DEMO_DB:-sqlite:data/demo.db}
listen=${TALA_DEMO_LISTEN:-127.0.0.1:8080}
build/tala demo --db "$db"
echo
echo "Serving http://$listen/ (staff console) and http://$listen/m/ (phone pages); Ctrl-C stops."
exec build/tala serve --db "$db" --listen "$listen" --web web/dist
