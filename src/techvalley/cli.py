"""The ``techvalley`` command: the demo, and every app's command group.

Each installed app of the platform may have a ``cli.py`` with ``GROUPS`` (name → Typer app)
and ``COMMANDS`` (top-level commands); they are added here without naming any app, and
without setting Django up, so that tools such as ``ksic resolve`` start fast.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from typing import Annotated

import typer
from rich.table import Table

from techvalley.core.cli import console, django_setup, out, progress_bar, serve

app = typer.Typer(
    help="Techno Valley platform (낙동강 테크노밸리 플랫폼).", no_args_is_help=True, pretty_exceptions_enable=False
)


def _installed_apps() -> list[str]:
    try:
        settings = importlib.import_module(os.environ.get("DJANGO_SETTINGS_MODULE", "techvalley.settings"))
    except OSError as exc:  # e.g. TECHVALLEY_DATA_DIR names a file or an unwritable place
        console.print(f"[red]설정을 읽을 수 없습니다 / cannot start: {exc}")
        raise SystemExit(2) from exc
    return [a for a in settings.INSTALLED_APPS if a.startswith("techvalley.")]


def _add_app_commands(root: typer.Typer) -> None:
    for name in _installed_apps():
        if importlib.util.find_spec(f"{name}.cli") is None:
            continue
        module = importlib.import_module(f"{name}.cli")
        for command in getattr(module, "COMMANDS", []):
            root.command()(command)
        for group, typer_app in getattr(module, "GROUPS", {}).items():
            root.add_typer(typer_app, name=group)


@app.command()
def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load the scenario and exit.")] = False,
    energy_days: Annotated[int, typer.Option(help="days of simulated meter readings (0: none)")] = 365,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Load the demo scenario (the real Sinpyeong-Jangnim registry plus estimates) and serve it."""
    django_setup()
    from techvalley.demo import load_demo, steps

    keys = [s.key for s in steps()]
    with progress_bar() as bar:
        task = bar.add_task("demo", total=len(keys))

        def note(step: str) -> None:
            bar.update(task, description=f"demo: {step}", completed=keys.index(step))

        summary = load_demo(note, energy_days=energy_days)
    counts = summary["import"]
    console.print(
        f"[green]Demo ready[/]: {summary['complex']} — companies created {counts['created']}, "
        f"unchanged {counts['unchanged']}, located {summary['located']}, estimated {summary['estimated']}"
    )
    table = Table(title="Demo logins (데모 계정)")
    for col in ("username", "password", "role"):
        table.add_column(col)
    for row in summary["logins"]:
        table.add_row(*row)
    out.print(table)
    if not no_serve:
        serve(host=host, port=port, migrate=False)


_add_app_commands(app)


def main() -> None:
    app()
