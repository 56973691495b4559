#!/usr/bin/env bash
# `make fuzz`: schemathesis over the served OpenAPI, as a district officer and as a company
# manager (their API tokens), against a throw-away copy of the demo on the loopback address.
# Bounded in time (FUZZ_SECONDS per role, default 120); prints the counts; exits non-zero on
# any server error (5xx).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT=${FUZZ_PORT:-8765}
SECONDS_PER_ROLE=${FUZZ_SECONDS:-120}
export TECHVALLEY_DATA_DIR=$(mktemp -d /tmp/techvalley-fuzz.XXXXXX)
OUT=$TECHVALLEY_DATA_DIR/reports
mkdir -p "$OUT"
echo "== fuzz: demo into $TECHVALLEY_DATA_DIR (2 days of readings)"
$BIN/techvalley demo --no-serve --energy-days 2 >/dev/null
officer=$($BIN/techvalley token create officer --name fuzz)
manager=$($BIN/techvalley token create company-manager --name fuzz)
$BIN/techvalley serve --host 127.0.0.1 --port "$PORT" --no-migrate >"$OUT/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$TECHVALLEY_DATA_DIR"' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/api/openapi.json" >/dev/null && break; sleep 0.5; done
status=0
for role in officer manager; do
  token=${!role}
  echo "== schemathesis as $role (at most ${SECONDS_PER_ROLE} s)"
  $BIN/schemathesis run "http://127.0.0.1:$PORT/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error --max-time "$SECONDS_PER_ROLE" --workers 2 --seed 7 \
    --generation-deterministic --max-examples 30 --suppress-health-check all \
    --report junit --report-junit-path "$OUT/$role.xml" >"$OUT/$role.txt" 2>&1
  rc=$?
  $BIN/python - "$OUT/$role.xml" "$role" "$OUT/server.log" <<'PY'
import sys, xml.etree.ElementTree as ET
path, role, log = sys.argv[1:4]
root = ET.parse(path).getroot()
cases = root.iter("testcase")
n = failed = 0
for case in cases:
    n += 1
    failed += bool(case.findall("failure") or case.findall("error"))
print(f"[{role}] operations tested {n}, operations with a server error {failed}")
PY
  [ $rc -eq 0 ] || { status=1; tail -40 "$OUT/$role.txt"; }
done
errors=$(grep -cE '" 5[0-9]{2} [0-9]+$' "$OUT/server.log")
requests=$(grep -cE '" [0-9]{3} [0-9]+$' "$OUT/server.log")
echo "fuzz: requests served $requests, server errors (5xx) $errors"
[ "$errors" -eq 0 ] || { grep -E '" 5[0-9]{2} [0-9]+$' "$OUT/server.log" | head; status=1; }
exit $status
