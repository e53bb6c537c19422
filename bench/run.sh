#!/usr/bin/env bash
# Issue 9 benchmark: Origo against this machine's limits and a PostgreSQL peer, in one run.
#
#   bench/run.sh short [BUILD_DIR]   (make bench:      ~100k events, well under 10 minutes)
#   bench/run.sh medium [BUILD_DIR]  (300k events, 500 enterprises, 15k lots)
#   bench/run.sh full  [BUILD_DIR]   (make bench-full: 10M events, 5,000 enterprises, 200k lots;
#                                     the PostgreSQL peer stops its fill at 1M events)
#
# Sizes can be overridden from the environment: ENTERPRISES EVENTS LOTS STREAMS B1_EVENTS
# B16_EVENTS QUERIES PG_MAX_EVENTS SETTLE_MAX_S (longest wait for origod to go idle before the
# settled-store queries, default 900 s). Writes bench/results/bench-<mode>-<time>.json and prints a
# table. Needs origod, origo_loadgen, origo_limits and pg_peer built in BUILD_DIR, PostgreSQL 15
# server binaries (Debian postgresql) and jq.
set -euo pipefail

MODE=${1:-short}
BUILD=${2:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
case "$MODE" in
  short)
    : "${ENTERPRISES:=150}" "${EVENTS:=100000}" "${LOTS:=5000}" "${STREAMS:=8}"
    : "${B1_EVENTS:=3000}" "${B16_EVENTS:=20000}" "${QUERIES:=500}" "${PG_MAX_EVENTS:=0}" ;;
  medium)
    : "${ENTERPRISES:=500}" "${EVENTS:=300000}" "${LOTS:=15000}" "${STREAMS:=8}"
    : "${B1_EVENTS:=3000}" "${B16_EVENTS:=20000}" "${QUERIES:=500}" "${PG_MAX_EVENTS:=0}" ;;
  full)
    : "${ENTERPRISES:=5000}" "${EVENTS:=10000000}" "${LOTS:=200000}" "${STREAMS:=8}"
    : "${B1_EVENTS:=20000}" "${B16_EVENTS:=200000}" "${QUERIES:=5000}" "${PG_MAX_EVENTS:=1000000}" ;;
  *) echo "usage: $0 short|medium|full [BUILD_DIR]" >&2; exit 2 ;;
esac
: "${SETTLE_MAX_S:=900}"
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
for b in services/origod bench/origo_loadgen bench/origo_limits bench/pg_peer; do
  [ -x "$BUILD/$b" ] || { echo "bench: $BUILD/$b not built" >&2; exit 1; }
done
[ -x "$PG_BIN/initdb" ] || { echo "bench: no PostgreSQL 15 in $PG_BIN (apt-get install postgresql)" >&2; exit 1; }
command -v jq >/dev/null || { echo "bench: jq not installed" >&2; exit 1; }

# Everything lives on the disk a deployment would use (not tmpfs), and is removed at the end.
WORK=$(mktemp -d "${BENCH_TMP:-/var/tmp}/origo-bench.XXXXXX")
ORIGOD_PID= PG_STARTED=
cleanup() {
  [ -n "$ORIGOD_PID" ] && kill -9 "$ORIGOD_PID" 2>/dev/null || true
  if [ -n "$PG_STARTED" ]; then as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# initdb refuses to run as root: run PostgreSQL as the postgres user (or nobody) when root.
PG_USER=$(id -un)
if [ "$(id -u)" = 0 ]; then PG_USER=$(id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody); fi
as_pg() { if [ "$(id -un)" = "$PG_USER" ]; then "$@"; else runuser -u "$PG_USER" -- "$@"; fi; }

PORT=$((20000 + RANDOM % 20000))
GRPC=127.0.0.1:$PORT
HTTP=127.0.0.1:$((PORT + 1))
now() { echo "$EPOCHREALTIME"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== machine"
DISK_DEV=$(df --output=source "$WORK" | tail -1)
MACHINE=$(jq -n \
  --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
  --arg cores "$(nproc)" \
  --arg ram_gib "$(awk '/MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo)" \
  --arg kernel "$(uname -r)" \
  --arg disk "$DISK_DEV $(df --output=fstype "$WORK" | tail -1) rotational=$(cat /sys/block/$(basename "$DISK_DEV")/queue/rotational 2>/dev/null || echo '?')" \
  --arg commit "$(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo '-dirty')" \
  --arg load_start "$(load)" \
  '{cpu:$cpu, cores:($cores|tonumber), ram_gib:($ram_gib|tonumber), kernel:$kernel, disk:$disk,
    git_commit:$commit, load_average_start:$load_start}')
echo "$MACHINE" | jq -c .

echo "== limits (signature verification, synced RocksDB WriteBatch)"
"$BUILD/bench/origo_limits" --dir "$WORK/limits" --seconds 2 --enterprises "$ENTERPRISES" \
  --out "$WORK/limits.json"

echo "== Origo: origod on $GRPC, data in $WORK/origo"
# A benchmark on a trusted loopback measures throughput, not the per-caller budgets.
ORIGOD_CONFIG="$WORK/origod.json"
echo '{"limits": {"disable_rate_limits": true}}' >"$ORIGOD_CONFIG"
"$BUILD/services/origod" --config "$ORIGOD_CONFIG" --data "$WORK/origo" --grpc-listen "$GRPC" --http-listen "$HTTP" \
  >"$WORK/origod.log" 2>&1 &
ORIGOD_PID=$!
"$BUILD/bench/origo_loadgen" --mode wait --server "$GRPC" --timeout 60 >/dev/null
LOAD_ORIGO_BEFORE=$(load)
"$BUILD/bench/origo_loadgen" --server "$GRPC" --bootstrap-token "$WORK/origo/bootstrap-token" \
  --enterprises "$ENTERPRISES" --events "$EVENTS" --lots "$LOTS" --streams "$STREAMS" \
  --b1-events "$B1_EVENTS" --b1w-events "$B1_EVENTS" --b16-events "$B16_EVENTS" \
  --queries "$QUERIES" --http "$HTTP" --server-pid "$ORIGOD_PID" --out "$WORK/origo.json"
LOAD_ORIGO_AFTER=$(load)
RSS_KIB=$(awk '/VmHWM/ {print $2}' "/proc/$ORIGOD_PID/status")
DISK_BYTES=$(du -sb "$WORK/origo" | cut -f1)
echo "origod peak RSS $((RSS_KIB / 1024)) MiB; data directory $((DISK_BYTES / 1048576)) MiB"

echo "== restart after kill -9"
kill -9 "$ORIGOD_PID"; wait "$ORIGOD_PID" 2>/dev/null || true
T0=$(now)
"$BUILD/services/origod" --config "$ORIGOD_CONFIG" --data "$WORK/origo" --grpc-listen "$GRPC" --http-listen "$HTTP" \
  >>"$WORK/origod.log" 2>&1 &
ORIGOD_PID=$!
TREE_AFTER=$("$BUILD/bench/origo_loadgen" --mode wait --server "$GRPC" --timeout 600 | cut -d' ' -f2)
RESTART_S=$(echo "$(now) $T0" | awk '{printf "%.3f", $1 - $2}')
echo "restart: answering after ${RESTART_S} s with tree size $TREE_AFTER"

# The queries above ran while the fill's flushes and compactions were still going, sharing the
# cores with them. Once origod is idle (under 5% of a core over 2 s, at most SETTLE_MAX_S), the
# same query mix again: what a store answers between fills.
echo "== queries on the settled store"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
T0=$(now)
PREV=$(cpu_ticks "$ORIGOD_PID")
while sleep 2; do
  CUR=$(cpu_ticks "$ORIGOD_PID")
  [ $((CUR - PREV)) -lt $(($(getconf CLK_TCK) / 10)) ] && break
  PREV=$CUR
  if awk -v a="$(now)" -v b="$T0" -v m="$SETTLE_MAX_S" 'BEGIN {exit !(a - b > m)}'; then
    echo "still busy after $SETTLE_MAX_S s; querying anyway"
    break
  fi
done
SETTLE_S=$(echo "$(now) $T0" | awk '{printf "%.1f", $1 - $2}')
echo "origod idle after ${SETTLE_S} s"
"$BUILD/bench/origo_loadgen" --mode query --server "$GRPC" --bootstrap-token "$WORK/origo/bootstrap-token" \
  --enterprises "$ENTERPRISES" --events "$EVENTS" --lots "$LOTS" --queries "$QUERIES" \
  --http "$HTTP" --server-pid "$ORIGOD_PID" --out "$WORK/settled.json"
kill "$ORIGOD_PID"; wait "$ORIGOD_PID" 2>/dev/null || true
ORIGOD_PID=

echo "== PostgreSQL 15 peer ($PG_USER, unix socket in $WORK/pg)"
mkdir -p "$WORK/pg"
chmod 711 "$WORK"
chown "$PG_USER" "$WORK/pg" 2>/dev/null || true
as_pg "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust --no-instructions >"$WORK/initdb.log"
# Durable like Origo (fsync, synchronous_commit on); memory and WAL sized as a tuned deployment
# would be, so checkpoints do not dominate.
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w start -o \
  "-k $WORK/pg -c listen_addresses='' -c fsync=on -c synchronous_commit=on -c shared_buffers=512MB -c max_wal_size=4GB -c max_connections=50" >/dev/null
PG_STARTED=1
LOAD_PG_BEFORE=$(load)
"$BUILD/bench/pg_peer" --conninfo "host=$WORK/pg user=postgres dbname=postgres" \
  --enterprises "$ENTERPRISES" --events "$EVENTS" --lots "$LOTS" --streams "$STREAMS" \
  --b1-events "$B1_EVENTS" --b16-events "$B16_EVENTS" --max-events "$PG_MAX_EVENTS" \
  --queries "$QUERIES" --out "$WORK/pg.json"
LOAD_PG_AFTER=$(load)
PG_DISK=$(du -sb "$WORK/pg/data" | cut -f1)
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null
PG_STARTED=

mkdir -p bench/results
OUT=bench/results/bench-$MODE-$(date -u +%Y%m%dT%H%M%SZ).json
jq -n --argjson machine "$MACHINE" --slurpfile limits "$WORK/limits.json" \
  --slurpfile origo "$WORK/origo.json" --slurpfile pg "$WORK/pg.json" \
  --slurpfile settled "$WORK/settled.json" --arg settle "$SETTLE_S" \
  --arg mode "$MODE" --arg rss "$RSS_KIB" --arg disk "$DISK_BYTES" --arg restart "$RESTART_S" \
  --arg tree "$TREE_AFTER" --arg pgdisk "$PG_DISK" --arg lob "$LOAD_ORIGO_BEFORE" \
  --arg loa "$LOAD_ORIGO_AFTER" --arg lpb "$LOAD_PG_BEFORE" --arg lpa "$LOAD_PG_AFTER" \
  --arg le "$(load)" '
  ($limits[0] + $origo[0] + $pg[0]
   + ($settled[0] | with_entries(.key |= "settled." + .))) as $r |
  ($r["limits.verify.ed25519.all_cores_per_s"]) as $ed |
  ($r["limits.verify.p256.all_cores_per_s"]) as $p256 |
  # Three of four enterprises sign with Ed25519, one with P-256 (chains.h).
  (1 / (0.75 / $ed + 0.25 / $p256)) as $mix |
  def lim($b): ([$mix * $b, $r["limits.rocksdb.b\($b)"+".values_per_s"]] | min);
  {mode:$mode, machine:($machine + {load_average_origo:[$lob,$loa], load_average_pg:[$lpb,$lpa],
                                    load_average_end:$le}),
   results:$r,
   origo:{peak_rss_kib:($rss|tonumber), disk_bytes:($disk|tonumber),
          bytes_per_event:(($disk|tonumber) / $r["workload.events"]),
          restart_seconds:($restart|tonumber), tree_size_after_restart:($tree|tonumber),
          settle_seconds:($settle|tonumber)},
   pg:{disk_bytes:($pgdisk|tonumber)},
   derived:{
     signature_limit_mixed_per_s:$mix,
     # One verification per batch: batch B can at most reach B x the verify rate.
     capture_pct_of_signature_limit:{b1:(100 * $r["capture.b1.events_per_s"] / $mix),
                           b1w:(100 * $r["capture.b1w.events_per_s"] / $mix),
                           b16:(100 * $r["capture.b16.events_per_s"] / ($mix * 16)),
                           b256:(100 * $r["capture.b256.events_per_s"] / ($mix * 256))},
     # RocksDB figure: one writer, one synced WriteBatch per batch (no group commit across
     # streams, which Origo does), so batch 1 can exceed 100%.
     capture_pct_of_limit:{b1:(100 * $r["capture.b1.events_per_s"] / lim(1)),
                           b16:(100 * $r["capture.b16.events_per_s"] / lim(16)),
                           b256:(100 * $r["capture.b256.events_per_s"] / lim(256))},
     ratio_origo_over_pg:{
       capture_b1:($r["capture.b1.events_per_s"] / $r["pg.capture.b1.events_per_s"]),
       capture_b16:($r["capture.b16.events_per_s"] / $r["pg.capture.b16.events_per_s"]),
       capture_b256:($r["capture.b256.events_per_s"] / $r["pg.capture.b256.events_per_s"]),
       trace_back_p50:($r["pg.query.trace_back.p50_ms"] / $r["query.trace_back.p50_ms"]),
       trace_back_p99:($r["pg.query.trace_back.p99_ms"] / $r["query.trace_back.p99_ms"]),
       trace_forward_p50:($r["pg.query.trace_forward.p50_ms"] / $r["query.trace_forward.p50_ms"]),
       item_p50:($r["pg.query.item.p50_ms"] / $r["query.item.p50_ms"]),
       # CPU per captured event (origod; PG: ingest service + backends). Less sensitive to the
       # load of the machine than events/s.
       cpu_per_event_pg_over_origo_b1:($r["pg.capture.b1.cpu_us_per_event"] / $r["capture.b1.server_cpu_us_per_event"]),
       cpu_per_event_pg_over_origo_b16:($r["pg.capture.b16.cpu_us_per_event"] / $r["capture.b16.server_cpu_us_per_event"]),
       cpu_per_event_pg_over_origo_b256:($r["pg.capture.b256.cpu_us_per_event"] / $r["capture.b256.server_cpu_us_per_event"])}}}' >"$OUT"

jq -r '
  def f($x): if $x >= 100 then ($x | floor | tostring) else (($x * 100 | floor) / 100 | tostring) end;
  .results as $r | .derived as $d |
  "",
  "Origo benchmark (\(.mode)): \($r["workload.events"]) events, \($r["workload.enterprises"]) enterprises, \($r["workload.lots"]) lots, \($r["workload.streams"]) streams",
  "machine: \(.machine.cpu), \(.machine.cores) cores, \(.machine.ram_gib) GiB, kernel \(.machine.kernel), \(.machine.disk)",
  "load average (1/5/15 min): start \(.machine.load_average_start); Origo \(.machine.load_average_origo | join(" -> ")); PG \(.machine.load_average_pg | join(" -> "))",
  "",
  "| figure | Origo | PostgreSQL 15 peer | Origo / PG |",
  "|---|---|---|---|",
  "| capture, batch 1 (events/s) | \(f($r["capture.b1.events_per_s"])) | \(f($r["pg.capture.b1.events_per_s"])) | \(f($d.ratio_origo_over_pg.capture_b1))x |",
  "| capture, batch 1, 16 batches in flight per stream as `origo sync` sends (events/s; CPU per event) | \(f($r["capture.b1w.events_per_s"])); \(f($r["capture.b1w.server_cpu_us_per_event"])) us | | |",
  "| capture, batch 16 (events/s) | \(f($r["capture.b16.events_per_s"])) | \(f($r["pg.capture.b16.events_per_s"])) | \(f($d.ratio_origo_over_pg.capture_b16))x |",
  "| capture, batch 256 (events/s) | \(f($r["capture.b256.events_per_s"])) | \(f($r["pg.capture.b256.events_per_s"])) | \(f($d.ratio_origo_over_pg.capture_b256))x |",
  "| CPU per captured event, batch 1 / 16 / 256 (us; PG: ingest + backends) | \(f($r["capture.b1.server_cpu_us_per_event"])) / \(f($r["capture.b16.server_cpu_us_per_event"])) / \(f($r["capture.b256.server_cpu_us_per_event"])) | \(f($r["pg.capture.b1.cpu_us_per_event"])) / \(f($r["pg.capture.b16.cpu_us_per_event"])) / \(f($r["pg.capture.b256.cpu_us_per_event"])) | \(f($d.ratio_origo_over_pg.cpu_per_event_pg_over_origo_b1))x / \(f($d.ratio_origo_over_pg.cpu_per_event_pg_over_origo_b16))x / \(f($d.ratio_origo_over_pg.cpu_per_event_pg_over_origo_b256))x (PG CPU / Origo CPU) |",
  "| ack latency at half the b16 rate, p50 / p99 (ms) | \(f($r["capture.paced.ack_p50_ms"])) / \(f($r["capture.paced.ack_p99_ms"])) | | |",
  "| trace back from an item, p50 / p99 (ms) | \(f($r["query.trace_back.p50_ms"])) / \(f($r["query.trace_back.p99_ms"])) | \(f($r["pg.query.trace_back.p50_ms"])) / \(f($r["pg.query.trace_back.p99_ms"])) | \(f($d.ratio_origo_over_pg.trace_back_p50))x / \(f($d.ratio_origo_over_pg.trace_back_p99))x |",
  "| trace forward from origin lot, p50 / p99 (ms, <= 1000 nodes) | \(f($r["query.trace_forward.p50_ms"])) / \(f($r["query.trace_forward.p99_ms"])) | \(f($r["pg.query.trace_forward.p50_ms"])) / \(f($r["pg.query.trace_forward.p99_ms"])) | \(f($d.ratio_origo_over_pg.trace_forward_p50))x |",
  "| item lookup (GetItem; consumer page data), p50 / p99 (ms) | \(f($r["query.item.p50_ms"])) / \(f($r["query.item.p99_ms"])) | \(f($r["pg.query.item.p50_ms"])) / \(f($r["pg.query.item.p99_ms"])) | \(f($d.ratio_origo_over_pg.item_p50))x |",
  "| consumer page over HTTP (HTML of the item, incl. loopback round trip), p50 / p99 (ms) | \(f($r["query.page.p50_ms"] // 0)) / \(f($r["query.page.p99_ms"] // 0)) | n/a | |",
  "| inclusion proof, p50 / p99 (ms) | \(f($r["query.proof.p50_ms"])) / \(f($r["query.proof.p99_ms"])) | n/a | |",
  "| settled store (idle after \(.origo.settle_seconds) s): trace back / GetItem / page / proof, p50 / p99 (ms) | \(f($r["settled.query.trace_back.p50_ms"])) / \(f($r["settled.query.trace_back.p99_ms"])); \(f($r["settled.query.item.p50_ms"])) / \(f($r["settled.query.item.p99_ms"])); \(f($r["settled.query.page.p50_ms"] // 0)) / \(f($r["settled.query.page.p99_ms"] // 0)); \(f($r["settled.query.proof.p50_ms"])) / \(f($r["settled.query.proof.p99_ms"])) | | |",
  "| bytes on disk per event (PG: tables + indexes; with WAL) | \(f(.origo.bytes_per_event)) | \(f($r["pg.bytes_per_event"])) (\(f(.pg.disk_bytes / $r["pg.workload.events"]))) | |",
  "| restart after kill -9 (s) | \(.origo.restart_seconds) (tree \(.origo.tree_size_after_restart)) | | |",
  "| peak RSS of origod (MiB) | \(f(.origo.peak_rss_kib / 1024)) | | |",
  "",
  "| limit on this machine | value |",
  "|---|---|",
  "| Ed25519 verify, 1 thread / all cores (/s) | \(f($r["limits.verify.ed25519.one_thread_per_s"])) / \(f($r["limits.verify.ed25519.all_cores_per_s"])) |",
  "| P-256 verify, 1 thread / all cores (/s) | \(f($r["limits.verify.p256.one_thread_per_s"])) / \(f($r["limits.verify.p256.all_cores_per_s"])) |",
  "| RocksDB synced WriteBatch of 1 / 16 / 256 leaves of \($r["limits.leaf_bytes"]) B (values/s) | \(f($r["limits.rocksdb.b1.values_per_s"])) / \(f($r["limits.rocksdb.b16.values_per_s"])) / \(f($r["limits.rocksdb.b256.values_per_s"])) |",
  "| signature limit, 3/4 Ed25519 + 1/4 P-256, all cores (verifies/s) | \(f($d.signature_limit_mixed_per_s)) |",
  "| capture as % of the signature limit, batch 1 with 16 in flight per stream | \(f($d.capture_pct_of_signature_limit.b1w))% |",
  "| capture as % of the signature limit, batch 1 / 16 / 256 | \(f($d.capture_pct_of_signature_limit.b1))% / \(f($d.capture_pct_of_signature_limit.b16))% / \(f($d.capture_pct_of_signature_limit.b256))% |",
  "| capture as % of min(signature, RocksDB) limit, batch 1 / 16 / 256 | \(f($d.capture_pct_of_limit.b1))% / \(f($d.capture_pct_of_limit.b16))% / \(f($d.capture_pct_of_limit.b256))% |"
' "$OUT"
echo
echo "results: $OUT"
