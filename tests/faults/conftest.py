"""Sites for the fault tests: each test gets its own data directory and database (SQLite, or a
database of its own on the PostgreSQL server DATABASE_URL names), copied from one base made
once per session by ``tests.faults.worker setup``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DB_FILES = ("techvalley.sqlite3", "techvalley.sqlite3-wal", "techvalley.sqlite3-shm")


def _base_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["DJANGO_SETTINGS_MODULE"] = "techvalley.settings"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _pg_admin(url: str, sql: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    conn = psycopg.connect(
        dbname="postgres",
        user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None,
        host=cfg["HOST"] or None,
        port=cfg["PORT"] or None,
        autocommit=True,
    )
    try:
        conn.execute(sql)
    finally:
        conn.close()


def _pg_url(url: str, name: str) -> str:
    head, _, _db = url.rpartition("/")
    return f"{head}/{name}"


@dataclass
class Run:
    killed: bool
    returncode: int
    result: dict | None
    output: str
    seconds: float


@dataclass
class Site:
    """One installation: a data directory and a database."""

    data_dir: Path
    files: Path
    env: dict
    runs: list[Run] = field(default_factory=list)

    def run(self, command: str, *, kill_at_write: int | None = None, kill_after: float | None = None, seed=0) -> Run:
        """Run the worker; ``kill_after`` seconds after it is ready, SIGKILL it if still working."""
        args = [sys.executable, "-m", "tests.faults.worker", command, "--seed", str(seed), "--out", str(self.files)]
        if command == "registry":
            args += ["--file", str(self.files / "registry.csv")]
        if command == "energy":
            args += ["--file", str(self.files / "energy")]
        if kill_at_write is not None:
            args += ["--kill-at-write", str(kill_at_write)]
        proc = self.start(args)
        return self.finish(proc, kill_after)

    def start(self, args: list[str]) -> subprocess.Popen:
        proc = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        lines = []
        for line in proc.stdout:  # wait until Django is up: the kill clock starts with the work
            lines.append(line)
            if line.strip() == "ready":
                break
        proc.lines = lines
        proc.started = time.monotonic()
        return proc

    def finish(self, proc: subprocess.Popen, kill_after: float | None = None) -> Run:
        killed = False
        if kill_after is not None:
            try:
                proc.wait(timeout=kill_after)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)  # kill -9: no handler, no clean-up, no commit
                killed = True
        out, _ = proc.communicate(timeout=600)
        text = "".join(proc.lines) + (out or "")
        done = [line for line in text.splitlines() if line.startswith("done ")]
        run = Run(
            killed=killed or proc.returncode == -signal.SIGKILL,
            returncode=proc.returncode,
            result=json.loads(done[-1][5:]) if done else None,
            output=text[-4000:],
            seconds=time.monotonic() - proc.started,
        )
        self.runs.append(run)
        return run

    def cli(self, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(Path(sys.executable).parent / "techvalley"), *argv],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def state(self) -> dict:
        run = self.run("state")
        assert run.result is not None, run.output
        return run.result


@pytest.fixture(scope="session")
def fault_base(tmp_path_factory):
    """The base every site starts from: migrated, with the fault scenario's data and files."""
    base = tmp_path_factory.mktemp("fault-base")
    env = _base_env()
    env["TECHVALLEY_DATA_DIR"] = str(base)
    pg = os.environ.get("DATABASE_URL")
    template = None
    if pg:
        template = f"fault_tpl_{uuid.uuid4().hex[:8]}"
        _pg_admin(pg, f'CREATE DATABASE "{template}"')
        env["DATABASE_URL"] = _pg_url(pg, template)
    files = base / "files"
    files.mkdir()
    r = subprocess.run(
        [sys.executable, "-m", "tests.faults.worker", "setup", "--out", str(files)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    r = subprocess.run(
        [str(Path(sys.executable).parent / "techvalley"), "green", "simulate", "--meters", "20", "--days", "14"]
        + ["--out", str(files / "energy"), "--complex", "fault-energy", "--no-register"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    yield {"dir": base, "files": files, "template": template}
    if template:
        _pg_admin(pg, f'DROP DATABASE IF EXISTS "{template}"')


@pytest.fixture
def make_site(fault_base, tmp_path):
    """Make as many fresh sites as a test needs (a calibration run wants one of its own)."""
    pg = os.environ.get("DATABASE_URL")
    made: list[str] = []

    def make() -> Site:
        data = tmp_path / f"data{len(made)}"
        data.mkdir()
        shutil.copy2(fault_base["dir"] / "secret_key", data / "secret_key")
        env = _base_env()
        env["TECHVALLEY_DATA_DIR"] = str(data)
        name = f"fault_{uuid.uuid4().hex[:10]}"
        made.append(name)
        if pg:
            _pg_admin(pg, f'CREATE DATABASE "{name}" TEMPLATE "{fault_base["template"]}"')
            env["DATABASE_URL"] = _pg_url(pg, name)
        else:
            for f in DB_FILES:
                if (fault_base["dir"] / f).exists():
                    shutil.copy2(fault_base["dir"] / f, data / f)
        return Site(data_dir=data, files=fault_base["files"], env=env)

    yield make
    if pg:
        for name in made:
            _pg_admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
