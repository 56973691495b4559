"""Backup and restore on PostgreSQL (pg_dump in the counts' snapshot; restore in one transaction).

Runs in ``make test``'s PostgreSQL pass: it makes two throw-away databases on the test server
(the one ``DATABASE_URL`` names), one to back up and one to restore into.
"""

import os
import uuid
from pathlib import Path

import pytest

from tests.ops.test_backup import counts, ok, techvalley

URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith(("postgres://", "postgresql://")), reason="needs PostgreSQL")


def _url_for(name: str) -> str:
    base, _, _ = URL.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture
def databases():
    import psycopg

    names = [f"ops_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with psycopg.connect(URL, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    yield [_url_for(n) for n in names]
    with psycopg.connect(URL, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_run(url: str, data_dir: Path, *args: str):
    return techvalley(data_dir, *args, database_url=url)


def pg_counts(url: str, data_dir: Path) -> dict:
    return counts(data_dir, database_url=url)


def test_postgres_round_trip_and_forced_replace(databases, tmp_path):
    source, target = databases
    src_dir, dst_dir = tmp_path / "src", tmp_path / "dst"
    src_dir.mkdir()
    dst_dir.mkdir()
    ok(pg_run(source, src_dir, "complex", "add", "pgtest", "--name", "PG 단지", "--sigungu", "사하구"))
    ok(pg_run(source, src_dir, "org", "add", "--complex", "pgtest", "--kind", "district", "사하구청"))
    (src_dir / "media" / "a").mkdir(parents=True)
    (src_dir / "media" / "a" / "f.txt").write_text("uploaded")
    ok(pg_run(source, src_dir, "backup", "-o", str(tmp_path / "bk")))
    assert (tmp_path / "bk" / "database.pgdump").exists()

    ok(pg_run(target, dst_dir, "restore", str(tmp_path / "bk")))
    expected = pg_counts(source, src_dir)
    assert expected["core.Complex"] == 1 and expected["core.Organisation"] == 1
    assert pg_counts(target, dst_dir) == expected
    assert (dst_dir / "media" / "a" / "f.txt").read_text() == "uploaded"

    ok(pg_run(target, dst_dir, "complex", "add", "noksan", "--name", "녹산", "--sigungu", "강서구"))
    refused = pg_run(target, dst_dir, "restore", str(tmp_path / "bk"))
    assert refused.returncode == 2 and "--force" in refused.stderr
    ok(pg_run(target, dst_dir, "restore", str(tmp_path / "bk"), "--force"))
    assert pg_counts(target, dst_dir) == expected


def test_postgres_restore_that_fails_changes_nothing(databases, tmp_path):
    """A dump the server rejects mid-way: the transaction rolls back and the files are put back."""
    source, target = databases
    src_dir, dst_dir = tmp_path / "src", tmp_path / "dst"
    src_dir.mkdir()
    dst_dir.mkdir()
    ok(pg_run(source, src_dir, "complex", "add", "pgtest", "--name", "PG 단지", "--sigungu", "사하구"))
    import psycopg

    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE TABLE zz_restore_probe (x int)")
    ok(pg_run(source, src_dir, "backup", "-o", str(tmp_path / "bk")))
    ok(pg_run(target, dst_dir, "complex", "add", "noksan", "--name", "녹산", "--sigungu", "강서구"))
    (dst_dir / "media").mkdir(exist_ok=True)
    (dst_dir / "media" / "mine.txt").write_text("mine")
    before = pg_counts(target, dst_dir)
    # The source has a table the target has a composite type's name for: the clearing step
    # leaves types alone, so the script fails half-way, after it dropped and created tables.
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("CREATE TYPE zz_restore_probe AS (x int)")
    failed = pg_run(target, dst_dir, "restore", str(tmp_path / "bk"), "--force")
    assert failed.returncode == 2, failed.stderr
    assert "database is unchanged" in failed.stderr and "Traceback" not in failed.stderr
    assert pg_counts(target, dst_dir) == before
    assert (dst_dir / "media" / "mine.txt").read_text() == "mine"
    assert not [p for p in dst_dir.iterdir() if ".restore-" in p.name or ".old-" in p.name]
