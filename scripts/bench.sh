#!/usr/bin/env bash
# `make bench`: the benchmark figures on SQLite, then on a throw-away PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
run() {
  local dir; dir=$(mktemp -d /tmp/techvalley-bench.XXXXXX)
  TECHVALLEY_DATA_DIR=$dir $BIN/python benchmarks/registry_bench.py "$@"
  rm -rf "$dir"
}
echo "== registry benchmark on SQLite"
run "$@"
echo "== registry benchmark on PostgreSQL"
source scripts/pg.sh
trap pg_stop EXIT
run "$@"

echo "== pages: every page and API read as an officer and a company manager, on the demo (PostgreSQL)"
run_pages() {
  local dir; dir=$(mktemp -d /tmp/techvalley-bench.XXXXXX)
  TECHVALLEY_DATA_DIR=$dir $BIN/python benchmarks/pages_bench.py "$@" | tail -n 80
  rm -rf "$dir"
}
run_pages
pg_stop; trap - EXIT; unset DATABASE_URL
echo "== pages on SQLite (the demo's default)"
run_pages

# The energy benchmark does not touch the database: the lake, DuckDB and pandas only.
echo "== energy benchmark: 2,000 meters × 365 days of 15-minute readings (about 70 million rows)"
$BIN/techvalley green bench --meters 2000 --days 365
echo "== energy benchmark at a tenth of the size (for the scaling figure)"
$BIN/techvalley green bench --meters 200 --days 365
