# Tala — the two commands a newcomer needs, and a few more. Each installs what it needs.
#   make demo   build everything, load the demo county, serve http://127.0.0.1:8080
#   make test   build with sanitizers and run every suite (unit, store, API on SQLite and
#               PostgreSQL, fuzz smoke runs, web unit tests, Chromium end-to-end)
#   make bench  the text, HTTP and SSE benchmarks → bench/results/latest.md (minutes)
.PHONY: all deps build demo test fuzz bench clean

all: build

deps:
	bash scripts/deps.sh

build: deps
	bash scripts/build.sh

demo: build
	bash scripts/demo.sh

test: deps
	bash scripts/test.sh

bench: deps
	bash bench/run.sh

fuzz: deps
	bash scripts/fuzz.sh 300

clean:
	rm -rf build build-test build-fuzz web/dist
