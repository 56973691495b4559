"""``techvalley backup`` and ``techvalley restore``: top-level commands (``COMMANDS``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from techvalley.core.cli import console, django_setup, fail, out, progress_bar

STEPS = {
    "database": "데이터베이스 / database",
    "files": "파일 복사 / copying files",
    "verify": "체크섬 확인 / checking checksums",
    "stage": "준비 / staging",
}


def _bar_progress(bar):
    tasks: dict[str, int] = {}

    def note(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = bar.add_task(STEPS.get(step, step), total=max(total, 1))
        bar.update(tasks[step], completed=done, total=max(total, 1))

    return note


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


def backup(
    output: Annotated[Path, typer.Option("-o", "--output", help="a new (or empty) folder for the backup")],
    as_json: Annotated[bool, typer.Option("--json", help="print the manifest's summary as JSON")] = False,
) -> None:
    """Back up the database, the readings lake, uploaded files and the secret key, with a
    manifest of SHA-256 checksums (백업). Safe while the platform runs."""
    django_setup(migrate=False)
    from techvalley.ops.backup import BackupError, Targets, create_backup

    try:
        with progress_bar() as bar:
            manifest = create_backup(Targets.from_settings(), output, _bar_progress(bar))
    except BackupError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"백업을 쓸 수 없습니다: {exc} / cannot write the backup: {exc}") from None
    data = manifest.data
    summary = {
        "output": str(output.resolve()),
        "database": data["database"]["engine"],
        "files": len(data["files"]),
        "bytes": data["total_bytes"],
        "records": sum(data["records"].values()),
        "migrations": sum(len(v) for v in data["migrations"].values()),
    }
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
        return
    console.print(
        f"[green]백업 완료 / backup written[/]: {summary['output']} — {summary['database']}, "
        f"{summary['records']:,} records, {summary['files']:,} files, {_size(summary['bytes'])}"
    )


def restore(
    source: Annotated[Path, typer.Argument(help="a folder written by `techvalley backup`")],
    force: Annotated[bool, typer.Option("--force", help="replace an installation that already holds data")] = False,
    check: Annotated[bool, typer.Option("--check", help="only verify the backup's checksums; change nothing")] = False,
) -> None:
    """Restore a backup into this installation (복원): checks every checksum first, refuses a
    target that holds data unless --force, and swaps everything in at once (all or nothing).
    Stop the web service first."""
    django_setup(migrate=False)
    from techvalley.ops.backup import BackupError, Targets, check_compatible, restore_backup, verify_backup

    targets = Targets.from_settings()
    try:
        with progress_bar() as bar:
            if check:
                manifest = verify_backup(source, _bar_progress(bar))
                check_compatible(manifest, targets)
            else:
                manifest = restore_backup(source, targets, force=force, progress=_bar_progress(bar))
    except BackupError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(
            f"복원하지 못했습니다 (바뀐 것은 없습니다): {exc} / restore failed (nothing changed): {exc}"
        ) from None
    data = manifest.data
    if check:
        out.print(
            f"백업 정상 / backup intact: {len(data['files']):,} files, {_size(data['total_bytes'])}, "
            f"made {data['created']} by techvalley {data['versions'].get('techvalley', '?')}"
        )
        return
    from django.db import connections

    connections.close_all()
    django_setup(migrate=True)  # a backup from an older version gets this version's migrations
    console.print(
        f"[green]복원 완료 / restored[/]: {source} ({data['created']}) — "
        f"{sum(data['records'].values()):,} records, {len(data['files']):,} files"
    )


COMMANDS = [backup, restore]
