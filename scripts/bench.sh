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
