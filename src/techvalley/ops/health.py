"""Health and readiness checks for load balancers, systemd and monitoring.

``/healthz`` answers as long as the process serves requests: it touches no database or disk.
``/readyz`` answers 200 only when the platform can do its work: the database answers, every
migration this version ships is applied, the data directory is writable and the readings lake
is readable. Both are open to anyone and say nothing sensitive: check names and short states,
never paths, host names or error messages (those go to the log).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger("techvalley.ops.health")


@lru_cache(maxsize=1)
def shipped_migrations() -> frozenset[tuple[str, str]]:
    """The migrations this version ships (read from disk once per process: the code does not
    change under a running process)."""
    from django.db.migrations.loader import MigrationLoader

    return frozenset(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_migrations() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = {tuple(row) for row in cursor.fetchall()}
    missing = shipped_migrations() - applied
    if missing:
        raise NotReady(f"{len(missing)} unapplied")
    return "ok"


def check_data_dir() -> str:
    with tempfile.NamedTemporaryFile(dir=settings.DATA_DIR, prefix=".readyz-") as f:
        f.write(b"ok")
        f.flush()
    return "ok"


def check_lake() -> str:
    """Each complex's lake manifest parses and the files it lists are readable (at most a few
    are opened, so a big lake does not slow the check)."""
    root = Path(settings.TECHVALLEY_LAKE_DIR)
    if not root.exists():
        return "empty"
    if not os.access(root, os.R_OK | os.X_OK):
        raise NotReady("unreadable")
    lakes = 0
    for sub in root.iterdir():
        manifest = sub / "_manifest.json"
        if not manifest.exists():
            continue
        data = json.loads(manifest.read_text(encoding="utf-8"))
        for entry in data.get("files", [])[:3]:
            with open(sub / entry["path"], "rb") as f:
                f.read(4)
        lakes += 1
    return "ok" if lakes else "empty"


class NotReady(Exception):
    """A check's short, non-sensitive state ("3 unapplied")."""


CHECKS = {
    "database": check_database,
    "migrations": check_migrations,
    "data_dir": check_data_dir,
    "lake": check_lake,
}


def run_checks() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    ready = True
    for name, check in CHECKS.items():
        if name == "migrations" and results.get("database") != "ok":
            results[name] = "skipped"
            ready = False
            continue
        try:
            results[name] = check()
        except NotReady as exc:
            results[name] = str(exc)
            ready = False
            log.warning("readyz: %s not ready: %s", name, exc)
        except Exception:  # any failure is "not ready"; the detail goes to the log only
            results[name] = "failing"
            ready = False
            log.warning("readyz: %s failing", name, exc_info=True)
    return ready, results


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    started = time.perf_counter()
    ready, checks = run_checks()
    body = {
        "status": "ready" if ready else "not ready",
        "checks": checks,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if ready else 503)
