"""The energy benchmark (`techvalley green bench`): ingest rate and peak memory, the annual report
on DuckDB against a hand-written DuckDB query and a pandas implementation, all in one run.

Ingest and pandas run in child processes so that each one's peak memory is its own.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import resource
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa

from techvalley.green import analytics, simulate
from techvalley.green.ingest import ingest
from techvalley.green.lake import Lake

YEAR_START = dt.date(2025, 1, 1)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ingest_child(root: str, meters: dict, path: str, out) -> None:
    result = ingest(Lake(root), meters, paths=[Path(path)])
    out.put({"rows": result.rows, "seconds": result.seconds, "peak_rss_mb": _peak_mb()})


def _pandas_child(files: list[str], meters: dict, out) -> None:
    import pandas as pd
    import pyarrow.parquet as pq

    started = time.perf_counter()
    company = {m: c for m, (c, _) in meters.items()}
    frames = []
    for f in files:  # read like a pandas user would: every file, then one big frame
        t = pq.read_table(f, columns=["meter_id", "ts", "value", "flags"]).to_pandas()
        t["kind"] = Path(f).parent.parent.name[5:]
        frames.append(t)
    df = pd.concat(frames, ignore_index=True)
    df = df[(df["flags"] & 1) == 0]
    df["company"] = df["meter_id"].map(company)
    df["month"] = df["ts"].dt.strftime("%Y-%m")
    out.put(
        {
            "seconds": time.perf_counter() - started,
            "groups": len(df.groupby(["company", "kind", "month"])["value"].sum()),
            "peak_rss_mb": _peak_mb(),
        }
    )


RAW_SQL = """
SELECT m.company, r.month,
       sum(r.value * f.kwh_per_unit) AS kwh, sum(r.value * f.toe_per_unit) AS toe,
       sum(r.value * f.tco2_per_unit) AS tco2eq
FROM read_parquet('{glob}', hive_partitioning = true) r
JOIN meters m ON r.meter_id = m.meter_id JOIN ({factors}) f ON r.kind = f.kind
WHERE (r.flags & 1) = 0 AND r.kind <> 'solar'
GROUP BY m.company, r.month"""


def run(meters: int, days: int, workdir: Path | None = None, repeat: int = 3) -> dict:
    from techvalley.green import factors

    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmp = Path(tmp)
        specs = simulate.meter_specs(meters, [f"company-{i:05d}" for i in range(max(1, meters * 2 // 3))])
        t = time.perf_counter()
        sim = simulate.write(specs, YEAR_START, days, tmp / "sim")
        sim_s = time.perf_counter() - t
        mmap = {s.meter_id: (s.kind, s.resolution) for s in specs}
        q = ctx.Queue()
        p = ctx.Process(target=_ingest_child, args=(str(tmp / "lake"), mmap, sim["readings"], q))
        p.start()
        ingested = q.get()
        p.join()
        lake = Lake(tmp / "lake")
        table = pa.table(
            {
                "meter_id": [s.meter_id for s in specs],
                "company": [s.company for s in specs],
                "kind": [s.kind for s in specs],
            }
        )

        def best(fn) -> float:
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t)
            return min(times)

        eng = analytics.DuckDBEngine(lake, table, YEAR_START.year)
        report_s = best(lambda: analytics.annual_report(eng, YEAR_START.year))
        # The same report computed from every reading, for a like-for-like comparison with the
        # hand-written query (which cannot use the rollups).
        readings_s = best(lambda: analytics.annual_report(eng, YEAR_START.year, source="readings"))
        eng.close()
        con = duckdb.connect()
        con.register("meters", table)
        raw = RAW_SQL.format(glob=f"{lake.root}/readings/*/*/*.parquet", factors=factors.values_sql())
        raw_s = best(lambda: con.execute(raw).fetchall())
        con.close()
        p = ctx.Process(target=_pandas_child, args=(lake.files(), {s.meter_id: (s.company, s.kind) for s in specs}, q))
        p.start()
        pandas = q.get()
        p.join()
    return {
        "meters": meters,
        "days": days,
        "rows": ingested["rows"],
        "simulate_s": round(sim_s, 2),
        "ingest_s": round(ingested["seconds"], 2),
        "ingest_rows_per_s": round(ingested["rows"] / ingested["seconds"]),
        "peak_rss_mb": round(ingested["peak_rss_mb"]),
        "report_s": round(report_s, 3),
        "report_from_readings_s": round(readings_s, 3),
        "raw_sql_s": round(raw_s, 3),
        "pandas_s": round(pandas["seconds"], 2),
        "pandas_peak_rss_mb": round(pandas["peak_rss_mb"]),
        "report_vs_raw_sql": round(report_s / raw_s, 3),
        "readings_report_vs_raw_sql": round(readings_s / raw_s, 2),
        "pandas_vs_report": round(pandas["seconds"] / report_s, 1),
        "pandas_vs_readings_report": round(pandas["seconds"] / readings_s, 1),
    }
