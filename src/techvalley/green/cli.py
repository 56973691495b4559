"""The low-carbon complex's command-line tools: simulate, ingest, report, compact, bench."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
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


#: One line per non-zero counter of an ingest: what it means and what to do (Korean / English).
EXPLAIN = {
    "accepted": "저장됨 / stored",
    "duplicate": "이미 저장된 값과 같거나 파일 안에서 반복: 다시 저장하지 않음 "
    "/ already stored or repeated: not stored again",
    "conflict": "같은 계량기·시각에 저장된 값과 다름: 저장된 값을 유지하고 새 값은 거부 "
    "/ differs from the stored reading: the stored value was kept, the new one rejected",
    "rejected": "저장하지 못한 행 (_rejects/<batch>.parquet에 사유와 함께) / rows not stored (kept with the reason)",
    "negative": "음수: 저장했지만 합계에서 제외 / negative: stored, left out of totals",
    "spike": "급증 (계량기 평소값의 10배 초과): 저장, 표시함 / spike (over 10 × the meter's usual): stored, flagged",
    "late": "늦게 도착 (저장된 마지막 값보다 이전 시각): 저장, 표시함 "
    "/ late (before the latest stored): stored, flagged",
    "gaps": "빠진 구간 (계량기의 첫·마지막 값 사이) / missing intervals between each meter's first and last reading",
}
REASONS_KO = {
    "unknown meter": "등록되지 않은 계량기",
    "no time or value": "시각 또는 값 없음",
    "not a finite number": "유한한 숫자가 아님 (NaN·무한대)",
    "time out of range": "시각이 1900~2100년 범위 밖",
    "time off the meter's interval grid": "계량기 주기(15분·1시간 등)에 맞지 않는 시각",
    "differs from the stored reading": "저장된 값과 다름",
}


def explain_ingest(result) -> list[str]:
    """The ingest's counters, one line each (only the non-zero ones), Korean first."""
    lines = []
    for key in ("accepted", "duplicate", "conflict", "rejected"):
        n = getattr(result, key)
        if n:
            lines.append(f"{key} {n:,}: {EXPLAIN[key]}")
    for reason, n in sorted(result.reasons.items()):
        extra = f" ({', '.join(result.unknown_meters[:10])})" if reason == "unknown meter" else ""
        lines.append(f"  - {REASONS_KO.get(reason, reason)} / {reason}: {n:,}{extra}")
    for key, n in result.flagged.items():
        if n and key != "conflict":
            lines.append(f"{key} {n:,}: {EXPLAIN[key]}")
    if result.flagged.get("conflict"):
        lines.append(
            f"conflict in the files {result.flagged['conflict']:,}: 파일 안에서 값이 엇갈려 큰 값을 저장하고 표시함 "
            "/ the files disagreed: the larger value was stored, flagged"
        )
    if result.gaps:
        lines.append(f"gaps {result.gaps:,}: {EXPLAIN['gaps']}")
    return lines


@green_app.command("ingest")
def green_ingest(
    paths: Annotated[list[Path], typer.Argument(help="readings files (CSV/Parquet), or folders with meters.csv")],
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Ingest readings into the lake; explains every count (accepted, duplicate, flagged, rejected).

    Everything is checked first — meters.csv and the readings — and nothing (no company, no meter,
    no reading) is kept when something cannot be read. Exits 2 on unreadable input, 1 when no
    reading was accepted."""
    django_setup()
    from techvalley.core.audit import acting_as
    from techvalley.core.validation import BadInput
    from techvalley.green import services

    cx = complex_or_exit(complex)
    files: list[Path] = []
    meter_rows: list[tuple[Path, list[dict]]] = []
    with acting_as(None, f"cli:{os.environ.get('USER', 'unknown')}"):
        try:
            for p in paths:
                if p.is_dir():
                    if (p / "meters.csv").exists():
                        rows = services.read_meters_csv(p / "meters.csv")
                        services.validate_meter_rows(cx, rows, source=str(p / "meters.csv"))
                        meter_rows.append((p / "meters.csv", rows))
                    files += sorted(
                        f for f in p.iterdir() if f.suffix in (".csv", ".parquet") and f.name != "meters.csv"
                    )
                elif not p.exists():
                    raise BadInput(f"파일이 없습니다 / no such file: {p}")
                else:
                    files.append(p)
            if not files:
                raise BadInput("검침 파일이 없습니다 (.csv, .parquet) / no readings files given")
            # Meters, companies and the ingest log are committed together with the lake's batch
            # (services._ingest): nothing is kept when something cannot be read.
            with progress_bar() as bar:
                task = bar.add_task("ingest", total=5)
                steps = ["stats", "stage", "check", "publish"]
                result = services.ingest_files(
                    cx,
                    files,
                    progress=lambda s: bar.update(task, description=f"ingest: {s}", completed=steps.index(s) + 1),
                    meter_rows=[rows for _path, rows in meter_rows],
                )
        except BadInput as exc:  # IngestError included
            console.print(f"[red]{exc.message}", highlight=False)
            raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, default=str) + "\n")
    elif result.skipped:
        out.print("이미 넣은 파일입니다: 바뀐 것이 없습니다 / already ingested: nothing changed")
    else:
        out.print(f"rows {result.rows:,} · {result.seconds:.1f} s", highlight=False)
        for line in explain_ingest(result):
            out.print(line, highlight=False)
    if not result.skipped and not result.accepted:
        console.print("[yellow]저장된 검침값이 없습니다 / no reading was accepted")
        raise typer.Exit(1)


@green_app.command("compact")
def green_compact(complex: Annotated[str | None, typer.Option("--complex")] = None, min_files: int = 4) -> None:
    """Merge small files of each lake partition and sweep what a crashed ingest left behind."""
    django_setup()
    from techvalley.green import services
    from techvalley.green.ingest import compact

    cx = complex_or_exit(complex)
    lake = services.lake_for(cx)
    swept = lake.vacuum()
    result = compact(lake, min_files)
    services.after_lake_change(cx)  # the officers' Excel file for the new state
    out.print(
        f"partitions merged {result['partitions']} (from {result['files_before']} files); orphan files removed {swept}"
        + ("; daily and interval rollups built" if result.get("rollups_rebuilt") else "")
    )


@green_app.command("report")
def green_report(
    year: Annotated[str, typer.Option("--year", help="1900–2100")],
    company: Annotated[int | None, typer.Option("--company", help="company id")] = None,
    engine: Annotated[str, typer.Option("--engine", help="duckdb or spark")] = "duckdb",
    master: Annotated[
        str | None, typer.Option("--master", help="Spark master, e.g. spark://host:7077 (default: local mode)")
    ] = None,
    factor_set: Annotated[str | None, typer.Option("--factors", help="emission factor version")] = None,
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Monthly energy (kWh, toe) and tCO2eq per company and in total, with the factor version.
    The table is sorted by company name and shows each company's id (names repeat)."""
    from techvalley.core.validation import BadInput, year_param

    try:
        year_n = year_param(year, "--year")
    except BadInput as exc:
        console.print(f"[red]{exc.message}", highlight=False)
        raise typer.Exit(2) from exc
    django_setup()
    from techvalley.green import services
    from techvalley.green.factors import UnknownFactorSet
    from techvalley.registry.models import Company

    cx = complex_or_exit(complex)
    target = Company.objects.filter(complex=cx, pk=company).first() if company else None
    if company and target is None:
        console.print(f"[red]{cx.slug}에 기업 {company}이(가) 없습니다 / No company {company} in {cx.slug}.")
        raise typer.Exit(2)
    try:
        rep = services.report(cx, year_n, engine=engine, emission_set=factor_set, company=target, master=master)
    except (UnknownFactorSet, ValueError) as exc:
        console.print(f"[red]{exc}", highlight=False)
        raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps(rep, ensure_ascii=False, default=str) + "\n")
        return
    if not rep["companies"]:
        who = f"기업 {company}" if company else cx.slug
        console.print(f"[yellow]{year_n}년 검침 자료가 없습니다 ({who}) / no readings for {year_n}")
        raise typer.Exit(1)
    table = Table(
        title=f"{year_n} · {rep['factors']['emission_set']} ({rep['factors']['electricity_t_per_mwh']} "
        f"tCO2eq/MWh) · {engine}"
    )
    for col in ("id", "company", "kWh", "toe", "tCO2eq"):
        table.add_column(col, justify="left" if col == "company" else "right")
    for c in sorted(rep["companies"], key=lambda c: (c["company"], c["company_id"])):
        table.add_row(
            str(c["company_id"]),
            c["company"],
            f"{c['total']['kwh']:,.0f}",
            f"{c['total']['toe']:,.1f}",
            f"{c['total']['tco2eq']:,.1f}",
        )
    t = rep["total"]
    table.add_row("", "[b]total", f"{t['kwh']:,.0f}", f"{t['toe']:,.1f}", f"{t['tco2eq']:,.1f}")
    out.print(table)


@green_app.command("bench")
def green_bench(
    meters: Annotated[int, typer.Option("--meters")] = 2000,
    days: Annotated[int, typer.Option("--days")] = 365,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    cluster: Annotated[
        bool, typer.Option("--cluster", help="also on a Spark standalone cluster started on this machine")
    ] = False,
    master: Annotated[
        str | None, typer.Option("--master", help="also on this Spark master (spark://host:7077)")
    ] = None,
) -> None:
    """The energy benchmark at any size: ingest rate, peak memory, report vs raw SQL and pandas;
    with --cluster or --master, the Spark engine's report, load and anomalies, checked equal to DuckDB."""
    from techvalley.green import bench

    try:
        result = bench.run(
            meters, days, log=lambda msg: console.print(f"[yellow]{msg}", highlight=False), cluster=cluster,
            master=master,
        )  # fmt: skip
    except bench.BenchFailed as exc:
        console.print(f"[red]{exc}", highlight=False)
        raise typer.Exit(1) from exc
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    for k, v in result.items():
        out.print(f"{k}: {v:,}" if isinstance(v, int) and not isinstance(v, bool) else f"{k}: {v}")


GROUPS = {"green": green_app}


@green_app.command("national")
def green_national(
    meters: Annotated[int, typer.Option("--meters", help="10× the demo: 16210")] = 16_210,
    days: Annotated[int, typer.Option("--days")] = 365,
    workdir: Annotated[Path | None, typer.Option("--workdir", help="where the temporary lake goes")] = None,
    keep: Annotated[bool, typer.Option("--keep", help="keep the simulated files and the lake")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """National-scale simulation: time and peak memory of simulate, ingest, report and anomalies
    at this many meters, and their scaling to 3.5 billion readings a year (docs/energy.md).
    Needs about 0.45 GB of free disk per 1,000 meters for a year; removed afterwards."""
    from techvalley.green import bench, national

    if meters < 1 or not 1 <= days <= 366:
        console.print("[red]--meters는 1 이상, --days는 1~366 / --meters ≥ 1 and --days 1–366")
        raise typer.Exit(2)
    free = shutil.disk_usage(workdir or tempfile.gettempdir()).free
    need = int(meters * days * 96 * 16)  # input, readings and rollups: about 16 bytes a reading
    if free < need:
        console.print(
            f"[red]디스크가 부족합니다 / not enough disk: {free / 1e9:.1f} GB free, about {need / 1e9:.1f} GB needed"
        )
        raise typer.Exit(2)
    try:
        result = national.run(meters, days, workdir=workdir, keep=keep, log=lambda m: console.print(f"[dim]{m}"))
    except bench.BenchFailed as exc:
        console.print(f"[red]{exc}", highlight=False)
        raise typer.Exit(1) from exc
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    table = Table(title=f"{result['meters']:,} meters × {result['days']} days = {result['readings']:,} readings")
    for col in ("step", "seconds", "peak RSS (MB)", "note"):
        table.add_column(col, justify="left" if col in ("step", "note") else "right")
    notes = {
        "ingest": f"{result['ingest_rows_per_s']:,} rows/s",
        "report": f"from every reading {result['steps']['report']['from_readings_s']} s",
        "anomalies": f"{result['steps']['anomalies']['unusual_days']:,} unusual days",
    }
    for name, s in result["steps"].items():
        table.add_row(name, f"{s['seconds']:,.1f}", f"{s['peak_rss_mb']:,.0f}", notes.get(name, ""))
    out.print(table)
    n = result["national"]
    out.print(
        f"lake {result['bytes_per_reading']} bytes/reading; at {n['readings']:,} readings (×{n['factor']}): "
        f"ingest {n['ingest_hours_one_machine']} h on this machine, lake {n['lake_gb']} GB, report from rollups "
        f"{n['report_from_rollups_s']} s, from every reading {n['report_from_readings_s']} s, anomalies "
        f"{n['anomalies_s']} s  ({result['machine']}, {result['date']})"
    )
