#!/usr/bin/env bash
# The webhook against bare Flask, same gunicorn settings, one run (bench/README.md):
#   bash bench/load.sh [seconds per step] [workers]
# For each app: peak requests/s with wrk for a fixed time, then p50/p99 with autocannon holding half of
# that peak. Every request carries the bearer token, a distinct id and one of 4,000 distinct comments;
# every answer is checked to be a 200 decision; the service commits each decision to its store before
# answering. Loopback only. The last lines are `RESULT app key value` for bench/run.py.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
workers=${2:-${WORKERS:-2}}
port=${PORT:-18750}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
command -v autocannon >/dev/null || { echo "autocannon is missing: npm install -g autocannon"; exit 1; }
export NODE_PATH=${NODE_PATH:-$(npm root -g)}
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
  CIVILITY_DATA_DIR=$tmp/data-$p CIVILITY_API_TOKEN=$BENCH_TOKEN CIVILITY_ALLOW_UNSIGNED=0 \
    gunicorn -b 127.0.0.1:$p -w "$workers" --threads 4 --log-level warning "$app" >"$tmp/log-$p" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do
    if curl -fs -o /dev/null -X POST -H "Authorization: Bearer $BENCH_TOKEN" -H 'Content-Type: application/json' \
      -d '{"text":"warm up"}' "http://127.0.0.1:$p/v1/moderate"; then return; fi
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "gunicorn failed to start:"; cat "$tmp/log-$p"; exit 1; }
    sleep 0.1
  done
  echo "gunicorn did not answer on $p"; exit 1
}

measure() {  # name port
  local name=$1 p=$2 out peak
  out=$(wrk -t2 -c16 -d"${seconds}s" --latency -s bench/webhook.lua "http://127.0.0.1:$p")
  echo "== $name: wrk, 2 threads, 16 connections, ${seconds} s"
  echo "$out" | grep -E "Requests/sec|Latency|50%|99%|CHECKED|Non-2xx|Socket errors" | sed 's/^/   /'
  peak=$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')
  echo "RESULT $name peak_rps $peak"
  echo "RESULT $name wrk_bad $(echo "$out" | awk '/CHECKED/ {print $4}')"
  echo "RESULT $name wrk_checked $(echo "$out" | awk '/CHECKED/ {print $2}')"
  out=$(node bench/rate.js "http://127.0.0.1:$p" $((peak / 2)) "$seconds")
  echo "== $name: autocannon holding $((peak / 2)) requests/s for ${seconds} s"
  echo "   $out"
  echo "$out" | awk -v n="$name" '{print "RESULT", n, "half_rps", $2; print "RESULT", n, "half_p50_ms", $4;
    print "RESULT", n, "half_p99_ms", $6; print "RESULT", n, "half_bad", $12; print "RESULT", n, "half_checked", $10}'
}

serve 'webhook:create_app()' "$port"
serve 'bench.bare_app:app' $((port + 1))
measure civility "$port"
measure bare_flask $((port + 1))
# every answered request is in the store (the warm-up call too)
stored=$(python -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from decisions').fetchone()[0])" "$tmp/data-$port/civility.sqlite3")
echo "== civility: $stored decisions in the store"
echo "RESULT civility stored $stored"
