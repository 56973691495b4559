#!/usr/bin/env bash
# `make load`: locust with 50 simulated users of mixed roles (benchmarks/locustfile.py) for 5
# minutes against gunicorn on a throw-away PostgreSQL server holding the demo; everything on the
# loopback address (gunicorn on 127.0.0.1, PostgreSQL on a unix socket). Prints requests, errors
# and p50/p95/p99 per page (benchmarks/load_bench.py); exits non-zero on any error.
#
#   bash scripts/load.sh            # 50 users, 300 s
#   bash scripts/load.sh --short    # 50 users, 60 s
#   LOAD_USERS=100 LOAD_SECONDS=600 LOAD_WORKERS=8 LOAD_PORT=8280 bash scripts/load.sh
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
USERS=${LOAD_USERS:-50}
SECONDS_RUN=${LOAD_SECONDS:-300}
[ "${1:-}" = "--short" ] && SECONDS_RUN=${LOAD_SECONDS:-60}
PORT=${LOAD_PORT:-8280}
WORKERS=${LOAD_WORKERS:-4}
ENERGY_DAYS=${LOAD_ENERGY_DAYS:-365}
export TECHVALLEY_DATA_DIR=$(mktemp -d /tmp/techvalley-load.XXXXXX)
OUT=${LOAD_OUT:-$TECHVALLEY_DATA_DIR/reports}
mkdir -p "$OUT"
source scripts/pg.sh
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  pg_stop
  [ -z "${LOAD_KEEP:-}" ] && rm -rf "$TECHVALLEY_DATA_DIR"
}
trap cleanup EXIT

echo "== load: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"
echo "== load: demo into PostgreSQL ($ENERGY_DAYS days of readings)"
$BIN/techvalley demo --no-serve --energy-days "$ENERGY_DAYS" >"$OUT/demo.log" 2>&1 || { tail -30 "$OUT/demo.log"; exit 1; }
$BIN/python -m django collectstatic --noinput -v 0 --settings techvalley.settings

echo "== gunicorn on 127.0.0.1:$PORT ($WORKERS workers)"
$BIN/gunicorn techvalley.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" --preload \
  --access-logfile "$OUT/access.log" --error-logfile "$OUT/gunicorn.log" --timeout 60 &
server=$!
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$PORT/" >/dev/null || { echo "gunicorn did not start"; tail -30 "$OUT/gunicorn.log"; exit 1; }

# The baseline: as many users as workers, for BASELINE seconds — each page's time without
# queueing, and every worker warm (imports done, the energy figures computed once per process).
BASELINE=${LOAD_BASELINE_SECONDS:-45}
if [ "$BASELINE" -gt 0 ]; then
  echo "== baseline: $WORKERS users for $BASELINE s"
  $BIN/locust -f benchmarks/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
    --users "$WORKERS" --spawn-rate "$WORKERS" --run-time "${BASELINE}s" --stop-timeout 10 \
    --csv "$OUT/baseline" --only-summary --loglevel WARNING >"$OUT/baseline.log" 2>&1
  $BIN/python benchmarks/load_bench.py "$OUT/baseline" --users "$WORKERS" --seconds "$BASELINE" --brief || true
fi

echo "== locust: $USERS users for $SECONDS_RUN s"
$BIN/locust -f benchmarks/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
  --users "$USERS" --spawn-rate 10 --run-time "${SECONDS_RUN}s" --stop-timeout 10 \
  --csv "$OUT/load" --only-summary --loglevel WARNING >"$OUT/locust.log" 2>&1
$BIN/python benchmarks/load_bench.py "$OUT/load" --users "$USERS" --seconds "$SECONDS_RUN" --json "$OUT/load.json"
status=$?
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (other work on the machine slows every figure)"
errors=$(grep -cE '" 5[0-9]{2} ' "$OUT/access.log")
echo "server errors (5xx) in the access log: $errors"
[ "$errors" -eq 0 ] || { grep -E '" 5[0-9]{2} ' "$OUT/access.log" | head; tail -40 "$OUT/gunicorn.log"; status=1; }
exit $status
