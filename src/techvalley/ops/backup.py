"""Backups of a whole installation, and restoring one: the database, the readings lake, the
uploaded files, the mail folder and the secret key, with a manifest of checksums.

A backup folder::

    manifest.json        what is in it: versions, migration state, record counts per model,
                         every file with its size and SHA-256
    database.sqlite3     SQLite's online backup (consistent while the platform runs), or
    database.pgdump      pg_dump's custom format, taken in the snapshot the counts were read in
    lake/<complex>/...   the readings lake, copied while each complex's lake lock is held
    media/...            uploaded files (evidence, photos)
    mail/...             messages written to files when no mail relay is set
    secret_key           the generated key (signed survey links and sessions stay valid)

A backup is written to a hidden sibling folder and renamed into place when complete, so a
folder with a ``manifest.json`` is always a whole backup. A restore checks every checksum
first, refuses a target that holds data unless forced, stages everything next to its place,
checks the staged database (integrity, record counts per model), then swaps the parts in by
renames — undone in reverse if any step fails. PostgreSQL is restored in one transaction.

This module works on files and the database only; it imports no domain app.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = "techvalley-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1 << 20

#: Files and folders of a live lake that are not part of its published state (``_exports``:
#: documents derived from it, rebuilt on first download). A prepared ``_pending.json`` is kept:
#: the lake settles it against the restored database when it is next opened.
LAKE_SKIP_DIRS = {"_staging", "_exports"}
LAKE_SKIP_FILES = {".lock"}

#: (step, done, total) — the command line draws a progress bar from it.
Progress = Callable[[str, int, int], None]


def _no_progress(_step: str, _done: int, _total: int) -> None:
    pass


class BackupError(Exception):
    """Something the operator must fix; the message is Korean first, then English."""


@dataclass(frozen=True)
class Targets:
    """Where an installation keeps its data (from the settings, or given by a test)."""

    data_dir: Path
    database: dict
    lake_dir: Path
    media_dir: Path
    mail_dir: Path | None = None
    #: The generated secret key's file; None when the key comes from the environment.
    secret_key: Path | None = None

    @property
    def engine(self) -> str:
        engine = self.database["ENGINE"]
        if engine.endswith("sqlite3"):
            return "sqlite"
        if "postgresql" in engine:
            return "postgresql"
        raise BackupError(f"지원하지 않는 데이터베이스입니다: {engine} / unsupported database engine: {engine}")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database["NAME"])

    def file_parts(self) -> dict[str, Path]:
        """The folders a backup copies, by the name they take in the backup."""
        parts = {"lake": self.lake_dir, "media": self.media_dir}
        if self.mail_dir is not None:
            parts["mail"] = self.mail_dir
        return parts

    @classmethod
    def from_settings(cls) -> Targets:
        from django.conf import settings

        secret = None if os.environ.get("TECHVALLEY_SECRET_KEY") else Path(settings.DATA_DIR) / "secret_key"
        mail = getattr(settings, "EMAIL_FILE_PATH", None)
        return cls(
            data_dir=Path(settings.DATA_DIR),
            database=dict(settings.DATABASES["default"]),
            lake_dir=Path(settings.TECHVALLEY_LAKE_DIR),
            media_dir=Path(settings.MEDIA_ROOT),
            mail_dir=Path(mail) if mail else None,
            secret_key=secret,
        )


@dataclass
class Manifest:
    data: dict = field(default_factory=dict)

    @property
    def files(self) -> list[dict]:
        return self.data["files"]

    @property
    def records(self) -> dict[str, int]:
        return self.data["records"]

    @property
    def migrations(self) -> dict[str, list[str]]:
        return self.data["migrations"]


# --- helpers ---------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def copy_hashed(src: Path, dst: Path) -> tuple[int, str]:
    """Copy a file and hash what was read, in one pass; the copy is flushed to disk."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    size = 0
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(CHUNK):
            h.update(chunk)
            fout.write(chunk)
            size += len(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    shutil.copystat(src, dst)
    return size, h.hexdigest()


def _walk(root: Path, lake: bool = False) -> list[Path]:
    """Files under ``root`` (sorted), without a live lake's staging area, lock and temp files."""
    if not root.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        if lake:
            dirnames[:] = [d for d in dirnames if d not in LAKE_SKIP_DIRS]
        for name in filenames:
            if lake and (name in LAKE_SKIP_FILES or (name.startswith("_manifest.") and name.endswith(".tmp"))):
                continue
            found.append(Path(dirpath) / name)
    return sorted(found)


def has_files(root: Path) -> bool:
    if not root.is_dir():
        return False
    return any(True for p in root.rglob("*") if p.is_file() and p.name not in LAKE_SKIP_FILES)


@contextlib.contextmanager
def lake_locks(lake_dir: Path) -> Iterator[int]:
    """Hold the write lock of every complex's lake (the one an ingest or compaction holds), so
    the copy sees each lake as one published state. Yields the number of lakes locked."""
    held = []
    try:
        if lake_dir.is_dir():
            for sub in sorted(p for p in lake_dir.iterdir() if p.is_dir()):
                if not (sub / "_manifest.json").exists() and not (sub / "readings").is_dir():
                    continue
                f = open(sub / ".lock", "a")  # noqa: SIM115 — closed below
                fcntl.flock(f, fcntl.LOCK_EX)
                held.append(f)
        yield len(held)
    finally:
        for f in held:
            fcntl.flock(f, fcntl.LOCK_UN)
            f.close()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- what the database holds -----------------------------------------------------------------


def model_tables() -> dict[str, str]:
    """``{"app_label.Model": db_table}`` for every concrete model Django knows (with m2m tables)."""
    from django.apps import apps

    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        tables[meta.label] = meta.db_table
    return dict(sorted(tables.items()))


def known_migrations() -> dict[str, set[str]]:
    """The migrations this version of the platform ships, by app."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    out: dict[str, set[str]] = {}
    for app, name in loader.disk_migrations:
        out.setdefault(app, set()).add(name)
    return out


def _group_migrations(rows) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for app, name in rows:
        out.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(out.items())}


def _sqlite_state(conn: sqlite3.Connection) -> tuple[dict[str, int], dict[str, list[str]]]:
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    counts = {}
    for label, table in model_tables().items():
        if table in present:
            counts[label] = conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    migrations = {}
    if "django_migrations" in present:
        migrations = _group_migrations(conn.execute("SELECT app, name FROM django_migrations"))
    return counts, migrations


def _cursor_state(cursor) -> tuple[dict[str, int], dict[str, list[str]]]:
    from django.db import connection

    present = set(connection.introspection.table_names(cursor))
    counts = {}
    for label, table in model_tables().items():
        if table in present:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[label] = cursor.fetchone()[0]
    migrations = {}
    if "django_migrations" in present:
        cursor.execute("SELECT app, name FROM django_migrations")
        migrations = _group_migrations(cursor.fetchall())
    return counts, migrations


def database_state(targets: Targets) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Record counts per model and applied migrations of the target's database as it is now."""
    if targets.engine == "sqlite":
        if not targets.sqlite_path.exists():
            return {}, {}
        conn = sqlite3.connect(f"file:{targets.sqlite_path}?mode=ro", uri=True)
        try:
            return _sqlite_state(conn)
        finally:
            conn.close()
    from django.db import connection

    with connection.cursor() as cursor:
        return _cursor_state(cursor)


#: Models whose rows mean an installation is in use (migrations alone create none of them).
IN_USE_MODELS = ("core.Complex", "auth.User", "core.Organisation")


def holds_data(targets: Targets) -> list[str]:
    """What makes the target non-empty: complexes or accounts in the database, files in the lake,
    uploads or mail. An empty list: safe to restore into."""
    reasons = []
    counts, _ = database_state(targets)
    for label in IN_USE_MODELS:
        if counts.get(label):
            reasons.append(f"database: {counts[label]} × {label}")
    for name, root in targets.file_parts().items():
        if has_files(root):
            reasons.append(f"{name}: {root}")
    return reasons


# --- PostgreSQL ----------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """``pg_dump``, ``pg_restore`` or ``psql``: on the PATH, else the newest Debian server's."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name or 0))
    for bindir in reversed(versions):
        if (bindir / name).exists():
            return str(bindir / name)
    raise BackupError(
        f"{name}을(를) 찾을 수 없습니다 (Debian: postgresql-client 설치) / {name} not found (install postgresql-client)"
    )


def pg_env(database: dict) -> dict[str, str]:
    """libpq's environment for the database (the password never appears in the process list)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if database.get(key):
            env[var] = str(database[key])
    env["PGDATABASE"] = database["NAME"]
    for key, value in (database.get("OPTIONS") or {}).items():
        if key == "sslmode":
            env["PGSSLMODE"] = str(value)
    return env


def _run(cmd: list[str], env: dict, what: str, stdin=None) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, env=env, stdin=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        tail = " | ".join(detail[-3:]) if detail else f"exit {result.returncode}"
        raise BackupError(f"{what}에 실패했습니다: {tail} / {what} failed: {tail}")
    return result


def _pg_dump(targets: Targets, out: Path) -> tuple[dict[str, int], dict[str, list[str]], str]:
    """Dump in the snapshot the counts are read in, so the manifest describes the dump exactly."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server = cursor.fetchone()
        _run(
            [pg_tool("pg_dump"), "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(out)],
            pg_env(targets.database),
            "pg_dump",
        )
        counts, migrations = _cursor_state(cursor)
    return counts, migrations, server


#: Empties the target schema before the dump's SQL runs (in the same transaction).
PG_CLEAR = """
SET client_min_messages = warning;
DO $$DECLARE r record; BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
           ORDER BY c.relkind = 'S', c.relname LOOP  -- tables first: they take their identity sequences
    EXECUTE format(CASE r.relkind WHEN 'v' THEN 'DROP VIEW IF EXISTS %I CASCADE'
                                  WHEN 'm' THEN 'DROP MATERIALIZED VIEW IF EXISTS %I CASCADE'
                                  WHEN 'S' THEN 'DROP SEQUENCE IF EXISTS %I CASCADE'
                                  WHEN 'f' THEN 'DROP FOREIGN TABLE IF EXISTS %I CASCADE'
                                  ELSE 'DROP TABLE IF EXISTS %I CASCADE' END, r.relname);
  END LOOP;
END$$;
"""


def _pg_restore(targets: Targets, dump: Path) -> None:
    """Replace the database's tables with the dump's, in one transaction (all or nothing)."""
    env = pg_env(targets.database)
    sql = _run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "-f", "-", str(dump)], env, "pg_restore").stdout
    # The dump's preamble clears search_path; the clearing block must run before it, in the schema
    # the platform uses. psql runs the whole script in one transaction and stops at the first error.
    script = PG_CLEAR + sql
    result = subprocess.run(
        [pg_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-"],
        env=env,
        input=script,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        tail = " | ".join(detail[-3:]) if detail else f"exit {result.returncode}"
        raise BackupError(
            f"PostgreSQL 복원에 실패했습니다 (데이터베이스는 그대로입니다): {tail} "
            f"/ PostgreSQL restore failed (the database is unchanged): {tail}"
        )


# --- backup ----------------------------------------------------------------------------------------


def _versions(extra: dict) -> dict:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for dist in ("techvalley", "django", "duckdb", "pyarrow"):
        with contextlib.suppress(md.PackageNotFoundError):
            out[dist] = md.version(dist)
    out.update(extra)
    return out


def create_backup(targets: Targets, out: Path, progress: Progress = _no_progress) -> Manifest:
    """Write a whole backup of ``targets`` to ``out`` (which must not exist or be empty)."""
    out = Path(out).resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(
            f"백업 폴더가 비어 있지 않습니다: {out} (새 폴더를 지정하세요) / the backup folder is not empty: {out} "
            f"(name a new folder)"
        )
    for name, root in targets.file_parts().items():
        if root.resolve() == out or out.is_relative_to(root.resolve()):
            raise BackupError(
                f"백업 폴더가 백업할 폴더({name}) 안에 있습니다: {out} / the backup folder is inside the {name} "
                f"folder it would copy: {out}"
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    work.mkdir(mode=0o700)
    try:
        manifest = _write_backup(targets, work, progress)
        if out.exists():
            out.rmdir()
        os.replace(work, out)
        _fsync_dir(out.parent)
        return manifest
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _write_backup(targets: Targets, work: Path, progress: Progress) -> Manifest:
    engine = targets.engine
    files: list[dict] = []
    with lake_locks(targets.lake_dir) as lakes:
        # The database first, while the lakes are locked: no ingest can publish readings the
        # database copy does not know of, or the other way round.
        if engine == "sqlite":
            db_file = "database.sqlite3"
            counts, migrations, server = _sqlite_backup(targets.sqlite_path, work / db_file, progress)
        else:
            db_file = "database.pgdump"
            progress("database", 0, 1)
            counts, migrations, server = _pg_dump(targets, work / db_file)
            progress("database", 1, 1)
        files.append({"path": db_file, "size": (work / db_file).stat().st_size, "sha256": sha256_file(work / db_file)})
        plan = []
        for name, root in targets.file_parts().items():
            for src in _walk(root, lake=name == "lake"):
                plan.append((name, root, src))
        total = sum(src.stat().st_size for _, _, src in plan) or 1
        done = 0
        progress("files", 0, total)
        for name, root, src in plan:
            rel = Path(name) / src.relative_to(root)
            size, digest = copy_hashed(src, work / rel)
            files.append({"path": rel.as_posix(), "size": size, "sha256": digest})
            done += size
            progress("files", done, total)
    if targets.secret_key is not None and targets.secret_key.exists():
        size, digest = copy_hashed(targets.secret_key, work / "secret_key")
        os.chmod(work / "secret_key", 0o600)
        files.append({"path": "secret_key", "size": size, "sha256": digest})
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "versions": _versions({engine: server}),
        "database": {"engine": engine, "file": db_file},
        "parts": {name: any(f["path"].startswith(f"{name}/") for f in files) for name in targets.file_parts()}
        | {"secret_key": any(f["path"] == "secret_key" for f in files)},
        "lakes_locked": lakes,
        "migrations": migrations,
        "records": counts,
        "total_bytes": sum(f["size"] for f in files),
        "files": files,
    }
    (work / MANIFEST).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return Manifest(data)


def _sqlite_backup(src: Path, dst: Path, progress: Progress) -> tuple[dict[str, int], dict[str, list[str]], str]:
    """SQLite's online backup API: a consistent copy while others read and write."""
    if not src.exists():
        raise BackupError(
            f"데이터베이스 파일이 없습니다: {src} (techvalley migrate 먼저) / no database file: {src} "
            f"(run techvalley migrate first)"
        )
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=20)
    target = sqlite3.connect(dst)
    try:
        source.backup(
            target, pages=256, progress=lambda _status, remaining, total: progress("database", total - remaining, total)
        )
        target.execute("PRAGMA journal_mode=DELETE")
        counts, migrations = _sqlite_state(target)
        version = sqlite3.sqlite_version
    finally:
        target.close()
        source.close()
    return counts, migrations, version


# --- restore ---------------------------------------------------------------------------------------


def read_manifest(src: Path) -> Manifest:
    path = Path(src) / MANIFEST
    if not path.exists():
        raise BackupError(f"백업이 아닙니다 ({MANIFEST} 없음): {src} / not a backup (no {MANIFEST}): {src}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{MANIFEST}를 읽을 수 없습니다: {exc} / unreadable {MANIFEST}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"이 플랫폼의 백업이 아닙니다: {src} / not a Techno Valley backup: {src}")
    if data.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError(
            f"더 새로운 버전의 백업 형식입니다 ({data.get('format_version')}) / the backup's format is newer "
            f"({data.get('format_version')}) than this version reads ({FORMAT_VERSION})"
        )
    for key in ("files", "records", "migrations", "database"):
        if key not in data:
            raise BackupError(f"{MANIFEST}에 {key} 항목이 없습니다 / {MANIFEST} lacks {key!r}")
    return Manifest(data)


def _damaged(problems: list[str]) -> BackupError:
    shown = "; ".join(problems[:5]) + (f" (+{len(problems) - 5})" if len(problems) > 5 else "")
    return BackupError(
        f"백업이 손상되었습니다 — 아무것도 바꾸지 않았습니다: {shown} "
        f"/ the backup is damaged — nothing was changed: {shown}"
    )


def verify_backup(src: Path, progress: Progress = _no_progress, hashes: bool = True) -> Manifest:
    """Check every file the manifest lists (size, then SHA-256) and that it lists every file.
    ``hashes=False`` checks presence and sizes only (the restore hashes while it copies)."""
    src = Path(src)
    manifest = read_manifest(src)
    problems = []
    listed = set()
    total = sum(int(f["size"]) for f in manifest.files) or 1
    done = 0
    for f in manifest.files:
        rel = Path(f["path"])
        if rel.is_absolute() or ".." in rel.parts:
            raise BackupError(f"잘못된 경로가 목록에 있습니다: {rel} / the manifest names an unsafe path: {rel}")
        listed.add(rel.as_posix())
        path = src / rel
        if not path.is_file():
            problems.append(f"{rel}: 없음 / missing")
        elif path.stat().st_size != f["size"]:
            problems.append(f"{rel}: 크기 {path.stat().st_size} ≠ {f['size']} / size differs")
        elif hashes and sha256_file(path) != f["sha256"]:
            problems.append(f"{rel}: 체크섬 불일치 / checksum differs")
        done += int(f["size"])
        progress("verify", done, total)
    for path in _walk(src):
        rel = path.relative_to(src).as_posix()
        if rel != MANIFEST and rel not in listed:
            problems.append(f"{rel}: 목록에 없는 파일 / not in the manifest")
    if problems:
        raise _damaged(problems)
    return manifest


def check_compatible(manifest: Manifest, targets: Targets) -> None:
    """The backup's engine is the target's, and this version knows every migration it applied."""
    engine = manifest.data["database"]["engine"]
    if engine != targets.engine:
        raise BackupError(
            f"백업은 {engine}, 이 설치는 {targets.engine}입니다 (같은 종류의 데이터베이스로만 복원할 수 있습니다) "
            f"/ the backup is of {engine}, this installation uses {targets.engine}: restore into the same kind"
        )
    known = known_migrations()
    unknown = sorted(
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if name not in known.get(app, ())
    )
    if unknown:
        shown = ", ".join(unknown[:5])
        raise BackupError(
            f"더 새로운 버전에서 만든 백업입니다 (모르는 마이그레이션: {shown}) — 플랫폼을 먼저 올리세요 / the backup "
            f"comes from a newer version (unknown migrations: {shown}) — upgrade the platform first"
        )


@dataclass
class _Swap:
    """Renames done so far, to undo in reverse when a later step fails."""

    done: list[tuple[Path, Path]] = field(default_factory=list)

    def move(self, src: Path, dst: Path) -> None:
        os.replace(src, dst)
        self.done.append((src, dst))

    def undo(self) -> None:
        for src, dst in reversed(self.done):
            with contextlib.suppress(OSError):
                os.replace(dst, src)
        self.done.clear()


def _staging_for(place: Path, tag: str) -> Path:
    """A hidden sibling of ``place``: on the same file system, so the swap is a rename."""
    place.parent.mkdir(parents=True, exist_ok=True)
    return place.parent / f".{place.name}.restore-{tag}"


def restore_backup(
    src: Path,
    targets: Targets,
    force: bool = False,
    progress: Progress = _no_progress,
    fail_after: str | None = None,
) -> Manifest:
    """Restore the backup at ``src`` into ``targets``; all or nothing. ``fail_after`` (tests
    only) raises right after that step, to prove the undo."""
    src = Path(src).resolve()
    # Every file is there with its size; the checksums are checked while the files are copied to
    # the staging folders (one read instead of two), all before anything is swapped in.
    manifest = verify_backup(src, progress, hashes=False)
    check_compatible(manifest, targets)
    if not force:
        reasons = holds_data(targets)
        if reasons:
            raise BackupError(
                "복원할 곳에 이미 데이터가 있습니다 (" + "; ".join(reasons) + ") — 덮어쓰려면 --force "
                "/ the target already holds data (" + "; ".join(reasons) + ") — use --force to replace it"
            )
    tag = uuid.uuid4().hex[:8]
    staged: dict[str, tuple[Path, Path]] = {}  # part → (staging folder, final place)
    cleanup: list[Path] = []
    try:
        # 1. Stage every part next to its place, and check the staged database.
        total = sum(int(f["size"]) for f in manifest.files) or 1
        done = 0
        parts = targets.file_parts()
        for name, place in parts.items():
            stage = _staging_for(place, tag)
            stage.mkdir()
            cleanup.append(stage)
            staged[name] = (stage, place)
        db_file = manifest.data["database"]["file"]
        db_stage = None
        if targets.engine == "sqlite":
            db_stage = _staging_for(targets.sqlite_path, tag)
            db_stage.mkdir()
            cleanup.append(db_stage)
        damaged = []
        for f in manifest.files:
            rel = Path(f["path"])
            head = rel.parts[0]
            if head in staged:
                _size, digest = copy_hashed(src / rel, staged[head][0] / Path(*rel.parts[1:]))
            elif rel.as_posix() == db_file and db_stage is not None:
                _size, digest = copy_hashed(src / rel, db_stage / targets.sqlite_path.name)
            else:  # read in place later (the PostgreSQL dump, the key)
                digest = sha256_file(src / rel)
            if digest != f["sha256"]:
                damaged.append(f"{rel}: 체크섬 불일치 / checksum differs")
            done += int(f["size"])
            progress("stage", done, total)
        if damaged:
            raise _damaged(damaged)
        if db_stage is not None:
            _check_sqlite(db_stage / targets.sqlite_path.name, manifest)
        _maybe_fail(fail_after, "stage")

        # 2. Swap: each part's old folder aside, the staged one in (renames, undone on failure).
        swap = _Swap()
        olds: list[Path] = []
        try:
            for name, (stage, place) in staged.items():
                if place.exists():
                    old = place.parent / f".{place.name}.old-{tag}"
                    swap.move(place, old)
                    olds.append(old)
                swap.move(stage, place)
                _maybe_fail(fail_after, f"swap:{name}")
            if db_stage is not None:
                db = targets.sqlite_path
                for suffix in ("-wal", "-shm", "-journal", ""):
                    p = db.with_name(db.name + suffix)
                    if p.exists():
                        old = db.parent / f".{p.name}.old-{tag}"
                        swap.move(p, old)
                        olds.append(old)
                swap.move(db_stage / db.name, db)
                _maybe_fail(fail_after, "swap:database")
            if targets.secret_key is not None and (src / "secret_key").exists():
                key_tmp = targets.secret_key.with_name(f".secret_key.restore-{tag}")
                copy_hashed(src / "secret_key", key_tmp)
                os.chmod(key_tmp, 0o600)
                cleanup.append(key_tmp)
                if targets.secret_key.exists():
                    old = targets.secret_key.with_name(f".secret_key.old-{tag}")
                    swap.move(targets.secret_key, old)
                    olds.append(old)
                swap.move(key_tmp, targets.secret_key)
            if targets.engine == "postgresql":
                # Last: one transaction; if it fails, the file swaps above are undone.
                progress("database", 0, 1)
                _pg_restore(targets, src / db_file)
                progress("database", 1, 1)
                _maybe_fail(fail_after, "swap:database")
        except BaseException:
            swap.undo()  # what could not be put back stays in its hidden ".old-" folder, never deleted
            raise
        for old in olds:
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    old.unlink()
        for path in {p.parent for p in [targets.sqlite_path] if targets.engine == "sqlite"} | {
            p.parent for _, p in staged.values()
        }:
            _fsync_dir(path)
    finally:
        for path in cleanup:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists():
                path.unlink()
    return manifest


def _maybe_fail(fail_after: str | None, step: str) -> None:
    if fail_after == step:
        raise BackupError(f"test failure after {step}")


def _check_sqlite(path: Path, manifest: Manifest) -> None:
    conn = sqlite3.connect(path)
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"백업의 데이터베이스가 손상되었습니다: {ok} / the backup's database is damaged: {ok}")
        counts, _ = _sqlite_state(conn)
    finally:
        conn.close()
    differ = compare_counts(manifest.records, counts)
    if differ:
        raise BackupError(
            f"복원한 데이터베이스의 건수가 목록과 다릅니다: {differ} / the restored database's record counts differ "
            f"from the manifest: {differ}"
        )


def compare_counts(expected: dict[str, int], actual: dict[str, int]) -> str:
    """The models whose counts differ ("" when all agree). Only models both sides know are
    compared: a newer version may add models (their tables come with its migrations)."""
    bad = [
        f"{label} {expected.get(label)}→{actual.get(label)}"
        for label in sorted(set(expected) & set(actual))
        if expected.get(label) != actual.get(label)
    ]
    return ", ".join(bad[:5]) + (f" (+{len(bad) - 5})" if len(bad) > 5 else "")
