"""National-scale simulation of the readings analytics (`techvalley green national`).

KICOX's complexes hold tens of thousands of metered factories; a national installation would
store about 3.5 billion quarter-hour readings a year. This measures, on this machine, the steps a
year of readings goes through at a chosen number of meters (default 16,210: ten times the demo's
1,621) and writes down how they scale:

* **simulate**: one file a month (utilities deliver readings monthly);
* **ingest**: the twelve monthly files as twelve batches (validation, flags, readings, rollups);
* **report**: the annual report of every company, from the rollups (what pages and the API use)
  and from every reading (what a new indicator would scan);
* **anomalies**: the unusual days of every company from the daily rollups (the complex panel).

Each step runs in its own child process, so its peak memory (RSS) is its own. Work happens in a
temporary folder under ``workdir`` that is removed afterwards (``keep`` keeps it).
"""

from __future__ import annotations

import calendar
import datetime as dt
import multiprocessing as mp
import shutil
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from techvalley.green import analytics, simulate
from techvalley.green.bench import _peak_mb, _run_child
from techvalley.green.ingest import ingest
from techvalley.green.lake import Lake

#: DuckDB's memory limit for each monthly batch: the per-meter statistics of a batch (counts,
#: times, the 90th percentile for spikes) grow with its meters; 16,210 meters need more than the
#: 1 GB default of a complex's ingest.
INGEST_MEMORY = "4GB"
#: Quarter-hour readings a year at national scale (docs/energy.md).
NATIONAL_READINGS = 3_500_000_000


def _specs(meters: int):
    return simulate.meter_specs(meters, [f"company-{i:06d}" for i in range(max(1, meters * 6 // 7))])


def _meters_table(specs) -> pa.Table:
    return pa.table(
        {
            "meter_id": [s.meter_id for s in specs],
            "company": [s.company for s in specs],
            "kind": [s.kind for s in specs],
        }
    )


def _months(year: int, days: int) -> list[tuple[dt.date, int]]:
    out, left, month = [], days, 1
    while left > 0 and month <= 12:
        n = min(calendar.monthrange(year, month)[1], left)
        out.append((dt.date(year, month, 1), n))
        left -= n
        month += 1
    return out


def _simulate(root: str, meters: int, year: int, days: int) -> dict:
    started = time.perf_counter()
    specs = _specs(meters)
    rows, files = 0, []
    for start, n in _months(year, days):
        out = simulate.write(specs, start, n, Path(root) / "sim" / start.strftime("%Y-%m"))
        rows += out["rows"]
        files.append(out["readings"])
    return {"seconds": time.perf_counter() - started, "rows": rows, "files": files, "peak_rss_mb": _peak_mb()}


def _ingest(root: str, meters: int, files: list[str]) -> dict:
    specs = _specs(meters)
    lake = Lake(Path(root) / "lake")
    mmap = {s.meter_id: (s.kind, s.resolution) for s in specs}
    started = time.perf_counter()
    batches = []
    for f in files:
        r = ingest(lake, mmap, paths=[Path(f)], memory_limit=INGEST_MEMORY)
        batches.append({"file": Path(f).parent.name, "rows": r.rows, "accepted": r.accepted, "seconds": r.seconds})
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": sum(b["rows"] for b in batches),
        "accepted": sum(b["accepted"] for b in batches),
        "slowest_batch_s": max(b["seconds"] for b in batches),
        "peak_rss_mb": _peak_mb(),
    }


def _report(root: str, meters: int, year: int) -> dict:
    lake = Lake(Path(root) / "lake")
    eng = analytics.DuckDBEngine(lake, _meters_table(_specs(meters)), year, memory_limit="2GB")
    try:
        t = time.perf_counter()
        rollups = analytics.annual_report(eng, year)
        rollups_s = time.perf_counter() - t
        t = time.perf_counter()
        readings = analytics.annual_report(eng, year, source="readings")
        readings_s = time.perf_counter() - t
    finally:
        eng.close()
    same = abs(rollups["total"]["kwh"] - readings["total"]["kwh"]) <= 1e-9 * max(1.0, abs(readings["total"]["kwh"]))
    return {
        "seconds": rollups_s,
        "from_readings_s": readings_s,
        "companies": len(rollups["companies"]),
        "total_kwh": rollups["total"]["kwh"],
        "same_totals": same,
        "peak_rss_mb": _peak_mb(),
    }


def _anomalies(root: str, meters: int, year: int) -> dict:
    lake = Lake(Path(root) / "lake")
    eng = analytics.DuckDBEngine(lake, _meters_table(_specs(meters)), year, memory_limit="2GB")
    try:
        t = time.perf_counter()
        rows = eng.query(analytics.anomaly_sql(year, source="daily"))
        seconds = time.perf_counter() - t
    finally:
        eng.close()
    return {"seconds": seconds, "unusual_days": len(rows), "peak_rss_mb": _peak_mb()}


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def run(meters: int = 16_210, days: int = 365, year: int = 2025, workdir: Path | None = None, keep: bool = False,
        log=print) -> dict:  # fmt: skip
    """Measure every step; returns the figures and the scaling to ``NATIONAL_READINGS``."""
    ctx = mp.get_context("spawn")
    tmp = Path(tempfile.mkdtemp(prefix="techvalley-national-", dir=workdir))
    try:
        log(f"simulate: {meters:,} meters × {days} days")
        sim = _run_child(ctx, "simulate", _simulate, str(tmp), meters, year, days)
        log(f"ingest: {sim['rows']:,} readings in {len(sim['files'])} monthly batches")
        ing = _run_child(ctx, "ingest", _ingest, str(tmp), meters, sim["files"])
        log("report")
        rep = _run_child(ctx, "report", _report, str(tmp), meters, year)
        log("anomalies")
        ano = _run_child(ctx, "anomalies", _anomalies, str(tmp), meters, year)
        input_bytes = _size(tmp / "sim")
        readings_bytes = _size(tmp / "lake" / "readings")
        rollup_bytes = _size(tmp / "lake" / "rollups")
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    rows = sim["rows"]
    factor = NATIONAL_READINGS / rows
    steps = {
        "simulate": sim,
        "ingest": ing,
        "report": rep,
        "anomalies": ano,
    }
    return {
        "meters": meters,
        "days": days,
        "readings": rows,
        "steps": {
            name: {k: (round(v, 3) if isinstance(v, float) else v) for k, v in s.items() if k != "files"}
            for name, s in steps.items()
        },
        "ingest_rows_per_s": round(rows / ing["seconds"]),
        "bytes": {"input": input_bytes, "readings": readings_bytes, "rollups": rollup_bytes},
        "bytes_per_reading": round((readings_bytes + rollup_bytes) / rows, 2),
        "national": {
            "readings": NATIONAL_READINGS,
            "factor": round(factor, 2),
            # Linear in the readings for ingest (streaming, batch by batch) and storage; the
            # rollup report grows with meters × months, the readings scan with the readings.
            "ingest_hours_one_machine": round(ing["seconds"] * factor / 3600, 2),
            "lake_gb": round((readings_bytes + rollup_bytes) * factor / 1e9, 1),
            "report_from_rollups_s": round(rep["seconds"] * factor, 1),
            "report_from_readings_s": round(rep["from_readings_s"] * factor, 1),
            "anomalies_s": round(ano["seconds"] * factor, 1),
        },
        "machine": _machine(),
        "date": dt.date.today().isoformat(),
    }


def _machine() -> str:
    import os
    import platform

    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = 0
    return f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}"
