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
    allow_removals: Annotated[
        bool,
        typer.Option(
            "--allow-removals",
            help="Confirm that the companies missing from a full file left the registry, even when they are "
            "more than TECHVALLEY_REGISTRY_MAX_REMOVAL_SHARE (10%) or TECHVALLEY_REGISTRY_MAX_REMOVALS (50).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import a factory registry into a complex: validated whole, all-or-nothing, idempotent."""
    django_setup()
    from techvalley.core.audit import acting_as
    from techvalley.core.validation import BadInput
    from techvalley.registry import labels, services
    from techvalley.registry.parsers import RegistryFileError

    cx = complex_or_exit(complex)
    outcome = "imported"
    with progress_bar() as bar, acting_as(None, f"cli:{os.environ.get('USER', 'unknown')}"):
        task = bar.add_task("import", total=None)

        def note(stage: str, done: int, total: int) -> None:
            bar.update(task, description=f"import: {stage}", completed=done, total=total)

        try:
            result = services.import_registry(
                file,
                cx,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                snapshot=not partial,
                allow_removals=allow_removals,
                progress=note,
            )
            if result.needs_confirmation:
                outcome = "confirm"
            elif dry_run:
                outcome = "dry_run"
        except services.ImportRejected as exc:
            result, outcome = exc.result, "rejected"
        except services.RemovalsNotConfirmed as exc:
            result, outcome = exc.result, "confirm"
        except (RegistryFileError, BadInput) as exc:
            if as_json:
                out.print_json(json.dumps({"error": str(exc)}, ensure_ascii=False))
            else:
                console.print(str(exc), style="red", markup=False)
            raise typer.Exit(2) from exc
    if as_json:
        out.print_json(
            json.dumps({**result.as_dict(), "rejected": outcome == "rejected", "outcome": outcome}, ensure_ascii=False)
        )
    else:
        for e in result.errors[:50]:
            console.print(f"{e.line}행 / line {e.line}: {e.reason}", markup=False, highlight=False)
        if len(result.errors) > 50:
            console.print(f"… 그 밖에 잘못된 행 {len(result.errors) - 50}개 (--json으로 전부 보기) / and more")
        if outcome == "confirm":
            for g in result.gone[:50]:
                console.print(f"  - {g['name']} ({g['address']})", markup=False, highlight=False)
            if len(result.gone) > 50:
                console.print(f"  … 그 밖에 {len(result.gone) - 50}곳 / and {len(result.gone) - 50} more")
        verdict = {
            "rejected": "[red]거부됨 — 아무것도 가져오지 않았습니다 (행을 고치거나 --skip-invalid). "
            "/ rejected: nothing imported (fix the rows or use --skip-invalid)",
            "confirm": f"[red]중단 — 등록에서 빠질 기업이 {result.counts['missing']}곳으로 너무 많습니다. 파일이 "
            "일부라면 --partial, 실제로 빠졌다면 --allow-removals로 다시 실행하세요. 아무것도 쓰지 않았습니다. "
            "/ stopped: too many companies would be marked as gone; use --partial or --allow-removals",
            "dry_run": "[cyan]시험 실행 — 아무것도 쓰지 않았습니다 / dry run: nothing written",
            "imported": "[green]가져왔습니다 / imported",
        }[outcome]
        console.print(verdict)
        out.print(" · ".join(f"{label} {value}" for _key, label, value in labels.import_summary(result.counts)))
    if outcome in ("rejected", "confirm") or not result.ok:
        raise typer.Exit(1)


@registry_app.command("export")
def registry_export(
    output: Annotated[Path, typer.Option("-o", "--output", help=".csv (UTF-8 with BOM) or .xlsx")],
    complex: Annotated[str | None, typer.Option("--complex")] = None,
) -> None:
    """Export the complex's companies (contacts are masked: exports travel; formulas neutralised)."""
    django_setup()
    from techvalley.core.validation import BadInput
    from techvalley.registry.exports import all_companies, check_format, export_companies

    try:
        check_format(output)
    except BadInput as exc:
        console.print(exc.message, style="red", markup=False)
        raise typer.Exit(2) from exc
    n = export_companies(all_companies(complex_or_exit(complex)), output)
    console.print(f"[green]기업 {n}곳을 {output}에 썼습니다 / {n} companies written to {output}")


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
