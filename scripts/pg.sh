#!/usr/bin/env bash
# Start a throw-away PostgreSQL server in a temporary directory (unix socket only, no TCP).
# Usage: source scripts/pg.sh  → exports DATABASE_URL and PG_DIR; call pg_stop when done.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_DIR=$(mktemp -d /tmp/techvalley-pg.XXXXXX)
chmod 755 "$PG_DIR"
if [ "$(id -u)" -eq 0 ]; then
  PG_USER=postgres
  chown postgres "$PG_DIR"
  as_pg() { runuser -u postgres -- "$@"; }
else
  PG_USER=$(id -un)
  as_pg() { "$@"; }
fi
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PG_USER" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o "-k $PG_DIR -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
as_pg "$PG_BIN/createdb" -h "$PG_DIR" -U "$PG_USER" techvalley
export DATABASE_URL="postgres://${PG_USER}@$(python3 -c "import urllib.parse,sys;print(urllib.parse.quote(sys.argv[1],safe=''))" "$PG_DIR")/techvalley"
export PG_DIR
pg_stop() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$PG_DIR"; }
