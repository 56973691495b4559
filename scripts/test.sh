#!/usr/bin/env bash
# The whole suite: on SQLite (with the real-browser tests), then on a real PostgreSQL server.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export TECHVALLEY_DATA_DIR=$(mktemp -d /tmp/techvalley-test.XXXXXX)
status=0

echo "== ruff"
$BIN/ruff check src tests benchmarks scripts || status=1

echo "== tests on SQLite (with browser and Spark tests)"
$BIN/pytest -q -p no:cacheprovider || status=1

echo "== tests on PostgreSQL"
source scripts/pg.sh
trap pg_stop EXIT
# Browser and Spark tests do not depend on the database engine: they ran in the first pass.
$BIN/pytest -q -p no:cacheprovider -m "not browser and not spark" || status=1

rm -rf "$TECHVALLEY_DATA_DIR"
exit $status
