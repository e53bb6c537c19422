# Origo: two commands for a newcomer on a fresh Debian 12 machine.
#   make run    installs dependencies, builds, starts origod on ./data with the demo data
#   make test   installs dependencies, builds, runs every test
# Helpers: make deps | build | bench | bench-full | test-sanitize | fuzz | fuzz-smoke | format-check | clean

BUILD_DIR     ?= build
BUILD_TYPE    ?= RelWithDebInfo
JOBS          ?= $(shell nproc)
SANITIZE_DIR  ?= build-sanitize
FUZZ_DIR      ?= build-fuzz
FUZZ_SECONDS  ?= 600
FUZZ_JOBS     ?= 1
FUZZ_SMOKE    ?= 1
GENERATOR     := $(if $(shell command -v ninja 2>/dev/null),-G Ninja,)

# Debian 12 packages needed to build and test. Keep deploy/Containerfile in step with this list.
DEBIAN_PACKAGES := build-essential cmake ninja-build ccache pkg-config git curl \
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
  librocksdb-dev libssl-dev libgtest-dev libgmock-dev libcli11-dev libcpp-httplib-dev \
  libabsl-dev clang libclang-rt-14-dev \
  postgresql libpq-dev jq libjemalloc-dev libsodium-dev
# origo label (libqrencode, libpng) and its test (zbarimg, rsvg-convert); the browser test drives
# Debian's chromium with playwright-core under Node.js (Debian's nodejs and npm unless a node and
# npm are already installed, e.g. NodeSource's, whose nodejs conflicts with Debian's npm).
DEBIAN_PACKAGES += libqrencode-dev libpng-dev zbar-tools librsvg2-bin chromium \
  $(if $(shell command -v node 2>/dev/null),,nodejs) $(if $(shell command -v npm 2>/dev/null),,npm)

.PHONY: all deps browser-deps configure build run test test-sanitize fuzz-build fuzz fuzz-smoke bench bench-capture bench-full format-check clean

all: build

# Installs only what is missing. As root: apt-get update once, then apt-get install -y.
deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; \
	  done); \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	echo "deps: missing Debian packages:" $$missing; \
	if [ "$$(id -u)" != "0" ]; then \
	  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else \
	    echo "deps: not root and no sudo; run as root: apt-get update && apt-get install -y $$missing" >&2; \
	    exit 1; fi; \
	fi; \
	$$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y $$missing

configure: deps
	@cmake -S . -B $(BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/origod --data ./data --demo

# After the suites, a fuzz smoke run (every fuzz target once over its seeds and regressions);
# FUZZ_SMOKE=0 skips it. It builds $(FUZZ_DIR) with clang: about 2 CPU-minutes with ccache cold.
test: build browser-deps
	cd $(BUILD_DIR) && ctest -j $(JOBS) --output-on-failure --timeout 600
	@if [ "$(FUZZ_SMOKE)" != 0 ]; then $(MAKE) --no-print-directory fuzz-smoke; fi

# playwright-core for tests/browser, from the npm registry at the version its package-lock.json pins.
browser-deps: deps
	@if [ ! -f tests/browser/node_modules/.package-lock.json ] || \
	    [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then \
	  cd tests/browser && npm ci --no-audit --no-fund; fi

test-sanitize: deps browser-deps
	cmake -S . -B $(SANITIZE_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DORIGO_SANITIZE=address,undefined >/dev/null
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	cd $(SANITIZE_DIR) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest -j $(JOBS) --output-on-failure --timeout 900

# libFuzzer targets (fuzz/README.md), built with clang into $(FUZZ_DIR). `make fuzz` runs every
# target for FUZZ_SECONDS (FUZZ_JOBS at a time); `make fuzz-smoke` runs each once over its seeds
# and regression inputs.
fuzz-build: deps
	cmake -S . -B $(FUZZ_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DORIGO_FUZZ=ON -DORIGO_BUILD_TESTS=OFF >/dev/null
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target origo_fuzzers

fuzz: fuzz-build
	FUZZ_JOBS=$(FUZZ_JOBS) fuzz/run.sh fuzz $(FUZZ_DIR) $(FUZZ_SECONDS)

fuzz-smoke: fuzz-build
	fuzz/run.sh smoke $(FUZZ_DIR)

# Origo against this machine's limits and a PostgreSQL 15 peer on the same synthetic
# wine/goji/halal chains (bench/run.sh, issue 9): `make bench` is the short run (~100k events,
# under 10 minutes on 2 cores), `make bench-full` the 10M-event run. Neither is part of
# `make test`. `make bench-capture` runs the capture micro-benchmark (bench/capture_bench.cc).
BENCH_TARGETS := origod origo_loadgen origo_limits pg_peer
bench: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target $(BENCH_TARGETS)
	bench/run.sh short $(BUILD_DIR)

bench-capture: build
	@mkdir -p bench/results
	$(BUILD_DIR)/bench/origo_bench --out bench/results

bench-full: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target $(BENCH_TARGETS)
	bench/run.sh full $(BUILD_DIR)

# kill -9 origod at random moments 20 times under capture load; every acknowledged event must be
# present and provable, and the tree consistent with every checkpoint signed before the crashes.
crash-drill: build
	ORIGO_CRASH_ROUNDS=20 $(BUILD_DIR)/tests/crash_e2e_test \
	  --gtest_filter=CrashE2ETest.Kill9DuringCaptureStreamLosesNothingAcknowledged

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR) $(FUZZ_DIR)
