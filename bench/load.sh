#!/usr/bin/env bash
# Load test of the webhook service: gunicorn on loopback, a bounded load of POST /v1/moderate for a fixed
# time, then requests/s and latency percentiles. Usage: bash bench/load.sh [seconds] [client threads] [workers]
set -euo pipefail
seconds=${1:-10}
threads=${2:-8}
workers=${3:-${WORKERS:-2}}
port=${PORT:-18750}
data=$(mktemp -d)
log=$(mktemp)
CIVILITY_DATA_DIR=$data gunicorn -b 127.0.0.1:$port -w "$workers" --threads 4 --log-level warning 'webhook:create_app()' \
  >"$log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data" "$log"; }
trap cleanup EXIT
for _ in $(seq 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && break
  kill -0 "$pid" 2>/dev/null || { echo "gunicorn failed to start:"; cat "$log"; exit 1; }
  sleep 0.1
done
python - "$port" "$seconds" "$threads" "$workers" <<'PY'
import statistics, sys, threading, time
import httpx

port, seconds, threads, workers = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
texts = [
    "You are a complete idiot.",
    "The report is thin on sources, I think the denial deserves scrutiny.",
    "<p>Great article, but the chart on page 2 <b>mislabels</b> the axis.</p>",
    "Buy cheap pills at bit.ly/x now!!!",
    "Nobody is calling you stupid; I just disagree with the premise of the third paragraph. " * 4,
]
url = f"http://127.0.0.1:{port}/v1/moderate"
lat: list[float] = []
errors = [0]
lock = threading.Lock()
stop = time.monotonic() + seconds

def run(n: int) -> None:
    mine, bad = [], 0
    with httpx.Client(timeout=5) as c:
        i = n
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            r = c.post(url, json={"id": f"b-{n}-{i}", "text": texts[i % len(texts)]})
            mine.append(time.perf_counter() - t0)
            bad += r.status_code != 200
            i += 1
    with lock:
        lat.extend(mine)
        errors[0] += bad

start = time.monotonic()
ts = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
for t in ts: t.start()
for t in ts: t.join()
elapsed = time.monotonic() - start
lat.sort()
q = statistics.quantiles(lat, n=100)
print(f"{len(lat)} requests in {elapsed:.1f} s, {threads} client threads, {workers} gunicorn workers x 4 threads")
print(f"requests/s: {len(lat) / elapsed:.0f}")
print(f"p50: {q[49] * 1000:.1f} ms   p99: {q[98] * 1000:.1f} ms   max: {lat[-1] * 1000:.1f} ms   errors: {errors[0]}")
PY
