#!/usr/bin/env bash
# `make bench`: every benchmark's figures. Each prints its figure beside a baseline measured in
# the same run. The database benchmarks run on SQLite and then on a throw-away PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"

# bench SCRIPT [ARGS…]: one benchmark in a fresh data directory
bench() {
  local script=$1; shift
  local dir; dir=$(mktemp -d /tmp/techvalley-bench.XXXXXX)
  if [ -n "${PG_DIR:-}" ] && [ -n "${DATABASE_URL:-}" ]; then
    # A fresh database per benchmark, as SQLite gets a fresh data directory: the registry bench
    # leaves 100,000 companies and 5,000 more in the default complex behind, which the pages
    # bench would otherwise time as part of the demo.
    as_pg "$PG_BIN/dropdb" -h "$PG_DIR" -U "$PG_USER" --if-exists techvalley
    as_pg "$PG_BIN/createdb" -h "$PG_DIR" -U "$PG_USER" techvalley
  fi
  TECHVALLEY_DATA_DIR=$dir $BIN/python "benchmarks/$script" "$@"
  rm -rf "$dir"
}

on_database() {
  local db=$1
  echo "== [$db] registry: resolver, 100,000-row import and re-import, directory"
  bench registry_bench.py
  echo "== [$db] pages: every page and API read as an officer and a company manager, on the demo"
  bench pages_bench.py | tail -n 120
  echo "== [$db] facilities: bookings/s with 32 clients over HTTP, double bookings, month calendar"
  bench facilities_bench.py
  echo "== [$db] tenancy: eligibility checks, tenant audit, funnel"
  bench tenancy_bench.py
}

on_database sqlite
source scripts/pg.sh
trap pg_stop EXIT
on_database postgresql
pg_stop; trap - EXIT; unset DATABASE_URL

# Benchmarks without a database engine of their own (plain modules, the lake, DuckDB, pandas).
echo "== cooperation: need queries over 20,000 documents on one core beside rank_bm25; eligibility; nDCG@10, recall@5"
bench collaboration_bench.py
echo "== surveys: analysis of 10,000 responses × 40 questions beside pandas"
bench surveys_bench.py
echo "== energy: 2,000 meters × 365 days of 15-minute readings (about 70 million rows)"
$BIN/techvalley green bench --meters 2000 --days 365
echo "== energy at a tenth of the size (for the scaling figure)"
$BIN/techvalley green bench --meters 200 --days 365
echo "== ops: backup and restore of the demo (a year of readings) beside cp -a"
TECHVALLEY_DATA_DIR=$(mktemp -d) $BIN/python -m techvalley.ops.bench
