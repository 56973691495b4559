"""The ``techvalley`` command: demo, serve, admin accounts, registry and KSIC tools.

Every command that touches data sets Django up and applies pending migrations first, so a
fresh installation works without a separate set-up step.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

app = typer.Typer(
    help="Techno Valley platform (낙동강 테크노밸리 플랫폼).", no_args_is_help=True, pretty_exceptions_enable=False
)
registry_app = typer.Typer(help="Company registry: import and export factory registries.", no_args_is_help=True)
ksic_app = typer.Typer(help="Korean Standard Industrial Classification tools.", no_args_is_help=True)
card_app = typer.Typer(help="Pledge management cards (공약 관리카드): parse, import, render.", no_args_is_help=True)
green_app = typer.Typer(
    help="Low-carbon complex: meter readings, energy and greenhouse-gas accounting.", no_args_is_help=True
)
token_app = typer.Typer(help="API tokens for machine clients.", no_args_is_help=True)
app.add_typer(registry_app, name="registry")
app.add_typer(ksic_app, name="ksic")
app.add_typer(card_app, name="card")
app.add_typer(green_app, name="green")
app.add_typer(token_app, name="token")

console = Console(stderr=True)
out = Console()


def django_setup(migrate: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techvalley.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def progress_bar() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


@app.command()
def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load the scenario and exit.")] = False,
    energy_days: Annotated[int, typer.Option(help="days of simulated meter readings (0: none)")] = 365,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Load the demo scenario (the real Sinpyeong-Jangnim registry plus estimates) and serve it."""
    django_setup()
    from techvalley.demo import STEPS as steps
    from techvalley.demo import load_demo

    with progress_bar() as bar:
        task = bar.add_task("demo", total=len(steps))

        def note(step: str) -> None:
            bar.update(task, description=f"demo: {step}", completed=steps.index(step))

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


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, migrate: bool = True) -> None:
    """Serve the platform (Django's threaded server; put a WSGI server in front in production)."""
    django_setup(migrate=migrate)
    from django.core.management import call_command

    console.print(f"Serving on http://{host}:{port}/  (Ctrl+C to stop)")
    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)


@app.command()
def createadmin(
    username: Annotated[str, typer.Option(prompt=True)] = "admin",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
    email: str = "",
) -> None:
    """Create (or reset the password of) a superuser."""
    django_setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import ValidationError, validate_password

    User = get_user_model()
    user = User.objects.filter(username=username).first() or User(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        console.print("[red]" + " ".join(exc.messages))
        raise typer.Exit(2) from exc
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    console.print(f"[green]Superuser {username} ready.")


def _complex(slug: str | None):
    from django.conf import settings

    from techvalley.core.models import Complex

    slug = slug or settings.TECHVALLEY_DEFAULT_COMPLEX
    cx = Complex.objects.filter(slug=slug).first()
    if cx is None:
        known = ", ".join(Complex.objects.values_list("slug", flat=True)) or "none — run `techvalley demo`"
        console.print(f"[red]No complex '{slug}'. Known: {known}")
        raise typer.Exit(2)
    return cx


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

    cx = _complex(complex)
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

    n = export_companies(all_companies(_complex(complex)), output)
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


@card_app.command("parse")
def card_parse(
    file: Annotated[Path, typer.Argument(help="a card in the text layout (UTF-8)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the structure as JSON.")] = False,
) -> None:
    """Read a card; print its structure and every line that could not be placed."""
    from techvalley.projects.card import CardParseError, parse_card

    try:
        result = parse_card(file.read_text(encoding="utf-8-sig"))
    except (CardParseError, UnicodeDecodeError, OSError) as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=1) + "\n")
    else:
        c = result.card
        out.print(f"[bold]{c['management_no']}[/] {c['title']}")
        out.print(
            f"{c['progress']['state']} {c['progress']['percent']}% · {c['department']['name']} · "
            f"yearly plan {len(c['yearly_plan'])} · achievements {len(c['achievements'])} · "
            f"future plans {len(c['future_plans'])}"
        )
    for u in result.unplaced:
        console.print(f"[yellow]line {u['line']}[/]: {u['reason']} — {u['text']}")


@card_app.command("import")
def card_import(
    file: Path,
    complex: Annotated[str | None, typer.Option("--complex")] = None,
) -> None:
    """Store a card; a card with a known 관리번호 updates it (the earlier version is kept)."""
    django_setup()
    from techvalley.core.audit import acting_as
    from techvalley.projects.card import CardParseError
    from techvalley.projects.services import WorkflowError, import_card_file

    cx = _complex(complex)
    try:
        with acting_as(None, f"cli:{os.environ.get('USER', 'unknown')}"):
            project, created, parsed = import_card_file(file, cx)
    except (CardParseError, WorkflowError, UnicodeDecodeError, OSError) as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2) from exc
    for u in parsed.unplaced:
        console.print(f"[yellow]line {u['line']}[/]: {u['reason']} — {u['text']}")
    out.print(f"{'created' if created else 'updated'} {project.management_no} {project.title}")


@card_app.command("render")
def card_render(
    management_no: Annotated[str, typer.Argument(help="관리번호, e.g. 3-1")],
    fmt: Annotated[str, typer.Option("--format", help="text | html | pdf | hwpx | xlsx (xlsx: all pledges)")] = "pdf",
    output: Annotated[Path, typer.Option("-o", "--output")] = Path("card.pdf"),
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    public: Annotated[bool, typer.Option("--public", help="Leave out internal contacts.")] = False,
) -> None:
    """Produce a card as text, HTML, PDF (A4) or HWPX, or the Excel summary of all pledges."""
    django_setup()
    from techvalley.projects import documents, selectors
    from techvalley.projects.models import Project
    from techvalley.projects.services import card_of

    cx = _complex(complex)
    if fmt == "xlsx":
        documents.render_xlsx_summary(selectors.pledge_rows(cx), output)
    else:
        project = Project.objects.filter(complex=cx, management_no=management_no).first()
        if project is None:
            console.print(f"[red]No pledge {management_no} in {cx.slug}.")
            raise typer.Exit(2)
        if fmt not in ("text", "html", "pdf", "hwpx"):
            console.print(f"[red]Unknown format {fmt}: text, html, pdf, hwpx or xlsx.")
            raise typer.Exit(2)
        documents.write(card_of(project, public=public), fmt, output, public=public)
    console.print(f"[green]{output}")


@green_app.command("simulate")
def green_simulate(
    meters: Annotated[int, typer.Option("--meters", help="number of meters")] = 100,
    days: Annotated[int, typer.Option("--days")] = 365,
    start: Annotated[str, typer.Option("--start", help="YYYY-MM-DD")] = "2025-01-01",
    out: Annotated[Path, typer.Option("--out", help="output folder")] = Path("simulated"),
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv")] = "parquet",
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    seed: int = 7,
    register: Annotated[bool, typer.Option(help="register the meters (and companies) in the database")] = True,
) -> None:
    """Deterministic synthetic readings: DIR/meters.csv and DIR/readings.parquet|csv."""
    import datetime as dt

    from techvalley.green import simulate as sim

    companies = [f"시뮬레이션기업 {i:04d}" for i in range(max(1, meters * 2 // 3))]
    cx = None
    if register:
        django_setup()
        from techvalley.registry.models import Company

        cx = _complex(complex)
        known = list(
            Company.objects.filter(complex=cx, in_registry=True)
            .order_by("registry_key")
            .values_list("name", flat=True)[: len(companies)]
        )
        companies = known + companies[len(known) :]
    specs = sim.meter_specs(meters, companies, seed)
    with progress_bar() as bar:
        task = bar.add_task("simulate", total=meters * days * sim.INTERVALS_PER_DAY)
        result = sim.write(
            specs,
            dt.date.fromisoformat(start),
            days,
            out,
            fmt=fmt,
            seed=seed,
            progress=lambda rows: bar.update(task, completed=rows),
        )
    if register:
        from techvalley.core.audit import acting_as
        from techvalley.green import services

        with acting_as(None, "cli:simulate"):
            result["registered"] = services.register_meters(
                cx,
                [
                    {
                        "meter_id": s.meter_id,
                        "company": s.company,
                        "kind": s.kind,
                        "unit": s.unit,
                        "resolution": s.resolution,
                    }
                    for s in specs
                ],
            )
    out.joinpath("README.txt").write_text(
        "Synthetic readings made by `techvalley green simulate`: not real data.\n", encoding="utf-8"
    )
    console.print(f"[green]{result['rows']:,} readings of {result['meters']} meters → {out}")


@green_app.command("ingest")
def green_ingest(
    paths: Annotated[list[Path], typer.Argument(help="readings files (CSV/Parquet), or folders with meters.csv")],
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Ingest readings into the lake; prints rows accepted, duplicate, flagged, rejected."""
    django_setup()
    from techvalley.core.audit import acting_as
    from techvalley.green import services
    from techvalley.green.ingest import IngestError

    cx = _complex(complex)
    files: list[Path] = []
    with acting_as(None, f"cli:{os.environ.get('USER', 'unknown')}"):
        try:
            for p in paths:
                if p.is_dir():
                    if (p / "meters.csv").exists():
                        services.register_meters(cx, services.read_meters_csv(p / "meters.csv"))
                    files += sorted(
                        f for f in p.iterdir() if f.suffix in (".csv", ".parquet") and f.name != "meters.csv"
                    )
                else:
                    files.append(p)
            with progress_bar() as bar:
                task = bar.add_task("ingest", total=5)
                steps = ["stats", "stage", "check", "publish"]
                result = services.ingest_files(
                    cx,
                    files,
                    progress=lambda s: bar.update(task, description=f"ingest: {s}", completed=steps.index(s) + 1),
                )
        except IngestError as exc:
            console.print(f"[red]{exc}")
            raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, default=str) + "\n")
        return
    if result.skipped:
        out.print("already ingested: nothing changed")
        return
    f = result.flagged
    out.print(
        f"rows {result.rows:,} · accepted {result.accepted:,} · duplicate {result.duplicate:,} · "
        f"conflict {result.conflict:,} · rejected {result.rejected:,} · flagged negative {f['negative']:,}, "
        f"spike {f['spike']:,}, late {f['late']:,} · gaps {result.gaps:,} · {result.seconds:.1f} s"
    )
    if result.unknown_meters:
        console.print(f"[yellow]unknown meters: {', '.join(result.unknown_meters[:20])}")


@green_app.command("compact")
def green_compact(complex: Annotated[str | None, typer.Option("--complex")] = None, min_files: int = 4) -> None:
    """Merge small files of each lake partition and sweep what a crashed ingest left behind."""
    django_setup()
    from techvalley.green import services
    from techvalley.green.ingest import compact

    lake = services.lake_for(_complex(complex))
    swept = lake.vacuum()
    result = compact(lake, min_files)
    out.print(
        f"partitions merged {result['partitions']} (from {result['files_before']} files); orphan files removed {swept}"
    )


@green_app.command("report")
def green_report(
    year: Annotated[int, typer.Option("--year")],
    company: Annotated[int | None, typer.Option("--company", help="company id")] = None,
    engine: Annotated[str, typer.Option("--engine", help="duckdb or spark")] = "duckdb",
    factor_set: Annotated[str | None, typer.Option("--factors", help="emission factor version")] = None,
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Monthly energy (kWh, toe) and tCO2eq per company and in total, with the factor version."""
    django_setup()
    from techvalley.green import services
    from techvalley.green.factors import UnknownFactorSet
    from techvalley.registry.models import Company

    cx = _complex(complex)
    target = Company.objects.filter(complex=cx, pk=company).first() if company else None
    if company and target is None:
        console.print(f"[red]No company {company} in {cx.slug}.")
        raise typer.Exit(2)
    try:
        rep = services.report(cx, year, engine=engine, emission_set=factor_set, company=target)
    except (UnknownFactorSet, ValueError) as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps(rep, ensure_ascii=False, default=str) + "\n")
        return
    table = Table(
        title=f"{year} · {rep['factors']['emission_set']} ({rep['factors']['electricity_t_per_mwh']} "
        f"tCO2eq/MWh) · {engine}"
    )
    for col in ("company", "kWh", "toe", "tCO2eq"):
        table.add_column(col, justify="right" if col != "company" else "left")
    for c in rep["companies"]:
        table.add_row(
            c["company"], f"{c['total']['kwh']:,.0f}", f"{c['total']['toe']:,.1f}", f"{c['total']['tco2eq']:,.1f}"
        )
    t = rep["total"]
    table.add_row("[b]total", f"{t['kwh']:,.0f}", f"{t['toe']:,.1f}", f"{t['tco2eq']:,.1f}")
    out.print(table)


@green_app.command("bench")
def green_bench(
    meters: Annotated[int, typer.Option("--meters")] = 2000,
    days: Annotated[int, typer.Option("--days")] = 365,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The energy benchmark at any size: ingest rate, peak memory, report vs raw SQL and pandas."""
    from techvalley.green import bench

    result = bench.run(meters, days)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    for k, v in result.items():
        out.print(f"{k}: {v:,}" if isinstance(v, int) else f"{k}: {v}")


@token_app.command("create")
def token_create(username: str, name: str = "cli") -> None:
    """Create an API token for a user and print it (shown once)."""
    django_setup()
    from django.contrib.auth import get_user_model

    from techvalley.core.models import ApiToken

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        console.print(f"[red]No user {username}.")
        raise typer.Exit(2)
    out.print(ApiToken.objects.create(user=user, name=name).key)


def main() -> None:
    app()
