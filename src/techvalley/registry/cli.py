"""The registry's command-line tools: registry import/export and KSIC look-ups."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from techvalley.core.cli import complex_or_exit, console, django_setup, out, progress_bar

registry_app = typer.Typer(help="Company registry: import and export factory registries.", no_args_is_help=True)
ksic_app = typer.Typer(help="Korean Standard Industrial Classification tools.", no_args_is_help=True)


@registry_app.command("import")
def registry_import(
    file: Annotated[Path, typer.Argument(help="CSV (CP949/UTF-8), KICOX JSON/CSV, or .xlsx")],
    complex: Annotated[str | None, typer.Option("--complex", help="complex slug")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Import the good rows, report bad.")] = False,
    partial: Annotated[
        bool, typer.Option("--partial", help="The file is not a full snapshot: do not mark absent companies as gone.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import a factory registry into a complex: validated whole, all-or-nothing, idempotent."""
    django_setup()
    from techvalley.core.audit import acting_as
    from techvalley.registry import services
    from techvalley.registry.parsers import RegistryFileError

    cx = complex_or_exit(complex)
    with progress_bar() as bar, acting_as(None, f"cli:{os.environ.get('USER', 'unknown')}"):
        task = bar.add_task("import", total=None)

        def note(stage: str, done: int, total: int) -> None:
            bar.update(task, description=f"import: {stage}", completed=done, total=total)

        try:
            result = services.import_registry(
                file, cx, dry_run=dry_run, skip_invalid=skip_invalid, snapshot=not partial, progress=note
            )
            rejected = False
        except services.ImportRejected as exc:
            result, rejected = exc.result, True
        except RegistryFileError as exc:
            if as_json:
                out.print_json(json.dumps({"error": str(exc)}, ensure_ascii=False))
            else:
                console.print(f"[red]{exc}")
            raise typer.Exit(2) from exc
    counts = result.counts
    if as_json:
        out.print_json(json.dumps({**result.as_dict(), "rejected": rejected}, ensure_ascii=False))
    else:
        for e in result.errors[:50]:
            console.print(f"[yellow]line {e.line}[/]: {e.reason}")
        if len(result.errors) > 50:
            console.print(f"… and {len(result.errors) - 50} more bad rows (use --json for all)")
        verdict = (
            "[red]rejected — nothing imported (fix the rows or use --skip-invalid)"
            if rejected
            else "[cyan]dry run — nothing written"
            if dry_run
            else "[green]imported"
        )
        console.print(verdict)
        out.print(
            " ".join(
                f"{k}={counts.get(k, 0)}"
                for k in ("created", "updated", "unchanged", "invalid", "review", "missing", "merged", "outside")
            )
        )
    if rejected or not result.ok:
        raise typer.Exit(1)


@registry_app.command("export")
def registry_export(
    output: Annotated[Path, typer.Option("-o", "--output", help=".csv (UTF-8 with BOM) or .xlsx")],
    complex: Annotated[str | None, typer.Option("--complex")] = None,
) -> None:
    """Export the complex's companies (contacts are masked: exports travel)."""
    django_setup()
    from techvalley.registry.exports import all_companies, export_companies

    n = export_companies(all_companies(complex_or_exit(complex)), output)
    console.print(f"[green]{n} companies written to {output}")


@ksic_app.command("resolve")
def ksic_resolve(
    names: Annotated[list[str] | None, typer.Argument(help="industry names as registries write them")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="one name a line (UTF-8 or CP949)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Resolve industry names to KSIC codes; unplaceable names are flagged for review."""
    from techvalley.registry import ksic
    from techvalley.registry.parsers import decode

    items = list(names or [])
    if file is not None:
        text, _ = decode(file.read_bytes())
        items += [line.strip() for line in text.splitlines() if line.strip()]
    if not items:
        console.print("[red]Give names or --file.")
        raise typer.Exit(2)
    results = [ksic.resolve(n) for n in items]
    if as_json:
        sys.stdout.write(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=1) + "\n")
        return
    table = Table()
    for col in ("input", "code", "name", "rev", "level", "method", "status", "confidence"):
        table.add_column(col)
    for r in results:
        table.add_row(
            r.input,
            r.code or "—",
            r.name or (f"? {r.suggestion}" if r.suggestion else "—"),
            str(r.revision or ""),
            ksic.LEVEL_NAMES.get(r.level, ""),
            r.method,
            r.status,
            f"{r.confidence:.2f}",
        )
    out.print(table)


GROUPS = {"registry": registry_app, "ksic": ksic_app}
