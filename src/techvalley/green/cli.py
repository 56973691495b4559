"""The low-carbon complex's command-line tools: simulate, ingest, report, compact, bench."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from techvalley.core.cli import complex_or_exit, console, django_setup, out, progress_bar

green_app = typer.Typer(
    help="Low-carbon complex: meter readings, energy and greenhouse-gas accounting.", no_args_is_help=True
)


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

        cx = complex_or_exit(complex)
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

    cx = complex_or_exit(complex)
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

    lake = services.lake_for(complex_or_exit(complex))
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

    cx = complex_or_exit(complex)
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


GROUPS = {"green": green_app}
