# Origo: two commands for a newcomer on a fresh Debian 12 machine.
#   make run    installs dependencies, builds, starts origod on ./data
#   make test   installs dependencies, builds, runs every test
# Helpers: make deps | build | bench | test-sanitize | format-check | clean

BUILD_DIR     ?= build
BUILD_TYPE    ?= RelWithDebInfo
JOBS          ?= $(shell nproc)
SANITIZE_DIR  ?= build-sanitize
GENERATOR     := $(if $(shell command -v ninja 2>/dev/null),-G Ninja,)

# Debian 12 packages needed to build and test. Keep deploy/Containerfile in step with this list.
DEBIAN_PACKAGES := build-essential cmake ninja-build ccache pkg-config git curl \
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
  librocksdb-dev libssl-dev libgtest-dev libgmock-dev libcli11-dev libcpp-httplib-dev \
  libabsl-dev

.PHONY: all deps configure build run test test-sanitize bench format-check clean

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
	$(BUILD_DIR)/origod --data ./data

test: build
	cd $(BUILD_DIR) && ctest -j $(JOBS) --output-on-failure --timeout 600

test-sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DORIGO_SANITIZE=address,undefined >/dev/null
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	cd $(SANITIZE_DIR) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest -j $(JOBS) --output-on-failure --timeout 900

bench: build
	@mkdir -p bench/results
	@if [ -x $(BUILD_DIR)/bench/origo_bench ]; then $(BUILD_DIR)/bench/origo_bench --out bench/results; \
	else echo "bench: no benchmarks built yet"; fi

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR)
