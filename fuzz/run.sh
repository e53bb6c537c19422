#!/usr/bin/env bash
# Runs the libFuzzer targets built in BUILD_DIR/fuzz (see fuzz/README.md).
#
#   fuzz/run.sh smoke BUILD_DIR            every target once over its seeds and regressions
#   fuzz/run.sh fuzz  BUILD_DIR SECONDS    every target for SECONDS, FUZZ_JOBS at a time
#
# Environment: FUZZ_TARGETS (default: all), FUZZ_JOBS (default 1), FUZZ_NICE (default 10).
# Fuzzing keeps its growing corpus in BUILD_DIR/fuzz-corpus/<target> (the seeds in
# fuzz/corpus/<target> are read, never written), logs in BUILD_DIR/fuzz-logs/<target>.log and
# crashing inputs in BUILD_DIR/fuzz-artifacts/<target>/. Exit status 1 if any target failed.
set -u
cd "$(dirname "$0")/.."
mode=${1:-}
build=${2:-}
seconds=${3:-600}
if [ -z "$mode" ] || [ -z "$build" ]; then
  echo "usage: fuzz/run.sh smoke|fuzz BUILD_DIR [SECONDS]" >&2
  exit 2
fi
targets=${FUZZ_TARGETS:-"digital_link_fuzzer resolver_path_fuzzer event_fuzzer batch_fuzzer checkpoint_fuzzer config_fuzzer"}
jobs=${FUZZ_JOBS:-1}
niceness=${FUZZ_NICE:-10}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# libFuzzer flags of one target: input size limit and dictionary.
target_flags() {
  local max_len=4096 dict=""
  case $1 in
    digital_link_fuzzer | resolver_path_fuzzer) dict=gs1 ;;
    event_fuzzer) max_len=16384 dict=event ;;
    batch_fuzzer) max_len=16384 ;;
    checkpoint_fuzzer) dict=checkpoint ;;
    config_fuzzer) dict=config ;;
  esac
  echo "-max_len=$max_len -timeout=10 -rss_limit_mb=2048 ${dict:+-dict=fuzz/dict/$dict.dict}"
}

# Seed corpus and regression inputs of one target (directories that exist).
inputs() {
  local dir
  for dir in "fuzz/corpus/$1" "fuzz/regressions/$1"; do
    [ -d "$dir" ] && echo "$dir"
  done
}

run_smoke() {
  local t=$1 log="$build/fuzz-logs/$t.smoke.log"
  # shellcheck disable=SC2046
  if nice -n "$niceness" "$build/fuzz/$t" -runs=0 $(target_flags "$t") $(inputs "$t") >"$log" 2>&1; then
    echo "fuzz-smoke: $t ok ($(find $(inputs "$t") -type f | wc -l) inputs," \
         "$(grep -o 'cov: [0-9]*' "$log" | tail -1))"
  else
    echo "fuzz-smoke: $t FAILED; log: $log" >&2
    tail -40 "$log" >&2
    return 1
  fi
}

run_fuzz() {
  local t=$1 log="$build/fuzz-logs/$t.log" corpus="$build/fuzz-corpus/$t"
  mkdir -p "$corpus" "$build/fuzz-artifacts/$t"
  # shellcheck disable=SC2046
  nice -n "$niceness" "$build/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/$t/" $(target_flags "$t") "$corpus" $(inputs "$t") \
    >"$log" 2>&1
  local rc=$?
  local last runs rate
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  echo "fuzz: $t: ${runs:-?} executions, ${rate:-?} exec/s," \
       "$(echo "$last" | grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[^ ]*')," \
       "$( [ $rc -eq 0 ] && echo 'no findings' || echo "FAILED (exit $rc), see $log and $build/fuzz-artifacts/$t/")"
  return $rc
}

for t in $targets; do
  if [ ! -x "$build/fuzz/$t" ]; then
    echo "fuzz: $build/fuzz/$t is not built (make fuzz-build)" >&2
    exit 2
  fi
done
mkdir -p "$build/fuzz-logs"

status=0
case $mode in
  smoke)
    for t in $targets; do run_smoke "$t" || status=1; done
    ;;
  fuzz)
    running=0
    for t in $targets; do
      run_fuzz "$t" &
      running=$((running + 1))
      if [ "$running" -ge "$jobs" ]; then
        wait -n || status=1
        running=$((running - 1))
      fi
    done
    while [ "$running" -gt 0 ]; do
      wait -n || status=1
      running=$((running - 1))
    done
    ;;
  *)
    echo "fuzz/run.sh: unknown mode '$mode'" >&2
    exit 2
    ;;
esac
exit $status
