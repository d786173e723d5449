#!/usr/bin/env bash
# The webhook against bare Flask, same gunicorn settings, one run (bench/README.md):
#   bash bench/load.sh [seconds per step] [workers] [rounds]
# Each round: peak requests/s with wrk for a fixed time, civility then bare Flask; then p50/p99 with
# bench/rate.js holding half of each one's peak (an open loop: latency from each request's due time).
# Every request carries the bearer token, a distinct id and one of 4,000 distinct comments; every answer
# is checked to be a 200 decision; the service commits each decision to its store before answering (every
# 50th decision of the held rate is read back as soon as it is answered; at the end the store must hold
# at least as many decisions as were answered). Loopback only. The last lines are `RESULT app key value`
# for bench/run.py (the last round's; the ratios of every round are printed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
workers=${2:-${WORKERS:-2}}
rounds=${3:-${ROUNDS:-1}}
threads=${THREADS:-4}
port=${PORT:-18750}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
command -v node >/dev/null || { echo "node is missing: apt-get install nodejs"; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
export BENCH_TOKEN=bench-$RANDOM$RANDOM
export BENCH_BODIES=$tmp/bodies.txt
python bench/engine.py --write-bodies "$BENCH_BODIES" --n 4000

serve() {  # app port -> starts gunicorn, waits until it answers
  local app=$1 p=$2
  # the service as docs/service.md runs it in production: the policy from files, polled for edits
  CIVILITY_POLICY_DIR=$PWD/policies CIVILITY_DATA_DIR=$tmp/data-$p \
    CIVILITY_API_TOKEN=$BENCH_TOKEN CIVILITY_ALLOW_UNSIGNED=0 \
    gunicorn -b 127.0.0.1:$p -w "$workers" -k gthread --threads "$threads" --log-level warning "$app" \
    >"$tmp/log-$p" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do
    if curl -fs -o /dev/null -X POST -H "Authorization: Bearer $BENCH_TOKEN" -H 'Content-Type: application/json' \
      -d '{"text":"warm up"}' "http://127.0.0.1:$p/v1/moderate"; then return; fi
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "gunicorn failed to start:"; cat "$tmp/log-$p"; exit 1; }
    sleep 0.1
  done
  echo "gunicorn did not answer on $p"; exit 1
}

declare -A peak answered
peak_step() {  # name port
  local name=$1 p=$2 out
  out=$(BENCH_RUN=wrk-$round wrk -t2 -c16 -d"${seconds}s" --latency -s bench/webhook.lua "http://127.0.0.1:$p")
  echo "== $name: wrk, 2 threads, 16 connections, ${seconds} s"
  echo "$out" | grep -E "Requests/sec|Latency|50%|99%|CHECKED|Non-2xx|Socket errors" | sed 's/^/   /'
  peak[$name]=$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')
  echo "RESULT $name peak_rps ${peak[$name]}"
  echo "$out" | awk -v n="$name" '/CHECKED/ {print "RESULT", n, "wrk_checked", $2; print "RESULT", n, "wrk_bad", $4;
    print "RESULT", n, "wrk_closed", $6}'
  answered[$name]=$(( ${answered[$name]:-0} + $(echo "$out" | awk '/CHECKED/ {print $2 - $4}') ))
}

field() {  # line key -> the value after key in a line of KEY value pairs
  echo "$1" | awk -v k="$2" '{for (i = 1; i < NF; i += 2) if ($i == k) print $(i + 1)}'
}

held_step() {  # name port read-back
  local name=$1 p=$2 out half=$((peak[$1] / 2)) key read
  out=$(BENCH_RUN=rate-$round BENCH_READ_BACK=$3 node bench/rate.js "http://127.0.0.1:$p" "$half" "$seconds")
  echo "== $name: bench/rate.js holding $half requests/s for ${seconds} s (open loop)"
  echo "   $out"
  for key in RATE:half_rps P50:half_p50_ms P99:half_p99_ms CHECKED:half_checked BAD:half_bad CLOSED:half_closed \
    LATE:half_late_ms; do
    echo "RESULT $name ${key#*:} $(field "$out" "${key%%:*}")"
  done
  answered[$name]=$(( ${answered[$name]} + $(field "$out" CHECKED) - $(field "$out" BAD) ))
  p99[$name]=$(field "$out" P99)
  if [ "$3" = 1 ]; then
    read=$(field "$out" READ_BACK)
    echo "RESULT $name read_back_found ${read%/*}"
    echo "RESULT $name read_back_asked ${read#*/}"
    if [ "${read%/*}" != "${read#*/}" ]; then echo "FAIL: a decision answered was not yet in the store"; exit 1; fi
  fi
}

serve 'webhook:create_app()' "$port"
serve 'bench.bare_app:app' $((port + 1))
declare -A p99
ratios=()
for round in $(seq "$rounds"); do
  [ "$rounds" -gt 1 ] && echo "== round $round of $rounds"
  # the two peaks side by side in time, then the two held rates: a burst of load from elsewhere on the
  # machine hits both of a pair more often than not
  peak_step civility "$port"
  peak_step bare_flask $((port + 1))
  held_step civility "$port" 1
  held_step bare_flask $((port + 1)) 0
  ratios+=("$(awk -v c="${peak[civility]}" -v b="${peak[bare_flask]}" 'BEGIN {printf "%.1f%%", 100 * c / b}')")
  echo "== round $round: civility ${peak[civility]} / bare Flask ${peak[bare_flask]} requests/s = ${ratios[-1]};" \
    "p99 at half the peak: civility ${p99[civility]} ms, bare Flask ${p99[bare_flask]} ms"
done
[ "$rounds" -gt 1 ] && echo "== share of bare Flask's requests/s, round by round: ${ratios[*]}"
# every answered decision is in the store (the warm-up call too)
stored=$(python -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from decisions').fetchone()[0])" "$tmp/data-$port/civility.sqlite3")
echo "== civility: $stored decisions in the store, ${answered[civility]} answered 200 decisions (+1 warm-up)"
echo "RESULT civility stored $stored"
echo "RESULT civility answered $((answered[civility] + 1))"
if [ "$stored" -lt $((answered[civility] + 1)) ]; then echo "FAIL: fewer decisions stored than answered"; exit 1; fi
