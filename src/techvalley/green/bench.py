"""The energy benchmark (`techvalley green bench`), all figures from one run:

* ingest rate beside its floor: a plain pyarrow read of the same files and write of the same
  rows (zstd, as the lake), measured just before and just after the ingest (the faster of the
  two), each in a child process of its own;
* the annual report from the rollups, and from every reading against a hand-written DuckDB query
  over the same readings with the same result shape (like with like);
* the pandas baseline computing the same report from the same readings — its result is checked
  equal to ours before its time is reported;
* the company energy page's computations (DuckDB, rollups), p50/p95 over a sample of companies.

Ingest, floor and pandas run in child processes so that each one's peak memory is its own. A child that
fails is reported and the run ends; pandas missing gives a clear message instead of a hang.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
import multiprocessing as mp
import queue
import resource
import statistics
import tempfile
import time
import traceback
from pathlib import Path

import duckdb
import pyarrow as pa

from techvalley.green import analytics, simulate
from techvalley.green.ingest import ingest
from techvalley.green.lake import Lake

YEAR_START = dt.date(2025, 1, 1)
EXTRA = "pip install 'techvalley[bench]'  (or: pip install pandas)"


class BenchFailed(RuntimeError):
    """A benchmark child died or raised: the message says which and why."""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _guarded(target, out, *args) -> None:
    try:
        out.put(target(*args))
    except BaseException as exc:  # report it to the parent instead of leaving it waiting
        out.put({"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc(limit=5)})


def _floor_child(root: str, path: str) -> dict:
    """The floor: read the same file and write the same rows, plainly, as the lake does (zstd)."""
    import pyarrow.parquet as pq

    started = time.perf_counter()
    table = pq.read_table(path)
    pq.write_table(table, Path(root).parent / "floor.parquet", compression="zstd")
    seconds = time.perf_counter() - started
    (Path(root).parent / "floor.parquet").unlink()
    return {"seconds": seconds, "peak_rss_mb": _peak_mb()}


def _ingest_child(root: str, meters: dict, path: str) -> dict:
    result = ingest(Lake(root), meters, paths=[Path(path)])
    return {"rows": result.rows, "seconds": result.seconds, "peak_rss_mb": _peak_mb()}


def _ingest_beside_floor(ctx, root: str, meters: dict, path: str) -> dict:
    """The ingest and its floor, each in a child process of its own (so the ingest's peak memory
    is its own, not the floor's whole table): the floor just before and just after the ingest,
    the faster kept — on a shared machine the ratio is never flattered by a floor measured during
    someone else's burst."""
    before = _run_child(ctx, "floor", _floor_child, root, path)
    got = _run_child(ctx, "ingest", _ingest_child, root, meters, path)
    after = _run_child(ctx, "floor", _floor_child, root, path)
    got["floor_seconds"] = min(before["seconds"], after["seconds"])
    got["floor_peak_rss_mb"] = before["peak_rss_mb"]
    return got


def _pandas_child(files: list[str], company_of: dict, factor_rows: list[tuple]) -> dict:
    """The annual report per company and month (kWh, toe, tCO2eq) as a pandas user would write it."""
    import pandas as pd
    import pyarrow.parquet as pq

    started = time.perf_counter()
    frames = []
    for f in files:  # read like a pandas user would: every file, then one big frame
        t = pq.read_table(f, columns=["meter_id", "ts", "value", "flags"]).to_pandas()
        t["kind"] = Path(f).parent.parent.name[5:]
        t["month"] = Path(f).parent.name[6:]
        frames.append(t)
    df = pd.concat(frames, ignore_index=True)
    df = df[((df["flags"] & 1) == 0) & (df["kind"] != "solar")]
    f = pd.DataFrame(factor_rows, columns=["kind", "kwh_per_unit", "toe_per_unit", "tco2_per_unit"])
    df = df.merge(f, on="kind")
    df["company"] = df["meter_id"].map(company_of)
    df["kwh"] = df["value"] * df["kwh_per_unit"]
    df["toe"] = df["value"] * df["toe_per_unit"]
    df["tco2eq"] = df["value"] * df["tco2_per_unit"]
    out = df.groupby(["company", "month"])[["kwh", "toe", "tco2eq"]].sum()
    seconds = time.perf_counter() - started
    rows = {f"{c}|{m}": [float(v) for v in vals] for (c, m), vals in zip(out.index, out.to_numpy(), strict=True)}
    return {"seconds": seconds, "rows": rows, "peak_rss_mb": _peak_mb()}


def _run_child(ctx, name: str, target, *args) -> dict:
    q = ctx.Queue()
    p = ctx.Process(target=_guarded, args=(target, q, *args))
    p.start()
    while True:
        try:
            got = q.get(timeout=0.5)
            break
        except queue.Empty:
            if not p.is_alive():
                try:
                    got = q.get(timeout=0.5)
                    break
                except queue.Empty:
                    died = f"{name}: 하위 프로세스가 종료됨 / the child process died (exit {p.exitcode})"
                    raise BenchFailed(died) from None
    p.join()
    if "error" in got:
        raise BenchFailed(f"{name}: {got['error']}\n{got.get('trace', '')}")
    return got


RAW_SQL = """
SELECT m.company AS company, r.month AS month,
       sum(r.value * f.kwh_per_unit) AS kwh, sum(r.value * f.toe_per_unit) AS toe,
       sum(r.value * f.tco2_per_unit) AS tco2eq
FROM read_parquet('{glob}', hive_partitioning = true, hive_types = {{'kind': VARCHAR, 'month': VARCHAR}}) r
JOIN meters m ON r.meter_id = m.meter_id JOIN ({factors}) f ON r.kind = f.kind
WHERE (r.flags & 1) = 0 AND r.kind <> 'solar'
GROUP BY m.company, r.month"""


def _same(ours: dict, theirs: dict, rel: float = 1e-9) -> bool:
    if ours.keys() != theirs.keys():
        return False
    return all(
        math.isclose(a, b, rel_tol=rel, abs_tol=1e-6) for k in ours for a, b in zip(ours[k], theirs[k], strict=True)
    )


def _company_page(lake: Lake, meters: pa.Table, specs, year: int, sample: int = 20) -> list[float]:
    """The company energy page's DuckDB work (as services.company_energy: its own engine, the
    monthly report, its intervals, load, profile, unusual days, the peers' totals) for a sample."""
    by_company: dict[str, list[str]] = {}
    for s in specs:
        if s.kind == "electricity":
            by_company.setdefault(s.company, []).append(s.meter_id)
    companies = sorted(by_company)[:: max(1, len(by_company) // sample)][:sample]
    times = []
    for c in companies:
        t = time.perf_counter()
        eng = analytics.DuckDBEngine(lake, meters, year)
        key = [c]
        analytics.annual_report(eng, year, None, key)
        rel = eng.company_intervals(by_company[c], year)
        eng.query(analytics.load_sql(year, key, rel))
        eng.query(analytics.profile_sql(year, key, rel))
        eng.query(analytics.anomaly_sql(year, companies=key, relation=rel))
        eng.query(analytics.monthly_sql(year, None, sorted(by_company)[:50]))  # the peers' totals (≤ 50 peers)
        eng.close()
        times.append(time.perf_counter() - t)
    return times


def run(
    meters: int,
    days: int,
    workdir: Path | None = None,
    repeat: int = 3,
    log=print,
    cluster: bool = False,
    master: str | None = None,
) -> dict:
    from techvalley.green import factors

    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmp = Path(tmp)
        specs = simulate.meter_specs(meters, [f"company-{i:05d}" for i in range(max(1, meters * 2 // 3))])
        t = time.perf_counter()
        sim = simulate.write(specs, YEAR_START, days, tmp / "sim")
        sim_s = time.perf_counter() - t
        mmap = {s.meter_id: (s.kind, s.resolution) for s in specs}
        ingested = _ingest_beside_floor(ctx, str(tmp / "lake"), mmap, sim["readings"])
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
        # hand-written query over the same readings (which cannot use the rollups).
        readings_s = best(lambda: analytics.annual_report(eng, YEAR_START.year, source="readings"))
        ours = {
            f"{r['company']}|{r['month']}": [r["kwh"], r["toe"], r["tco2eq"]]
            for r in eng.query(analytics.monthly_sql(YEAR_START.year, source="readings"))
        }
        eng.close()
        _company_page(lake, table, specs, YEAR_START.year, sample=3)  # warm up (imports, caches)
        page = _company_page(lake, table, specs, YEAR_START.year)
        con = duckdb.connect()
        con.register("meters", table)
        raw = RAW_SQL.format(glob=f"{lake.root}/readings/*/*/*.parquet", factors=factors.values_sql())
        raw_s = best(lambda: con.execute(raw).fetchall())
        raw_rows = {f"{c}|{m}": [k, o, e] for c, m, k, o, e in con.execute(raw).fetchall()}
        con.close()
        if not _same(ours, raw_rows):
            raise BenchFailed("hand-written SQL: 결과가 보고서와 다릅니다 / its result differs from the report's")
        pandas = None
        if importlib.util.find_spec("pandas") is None:
            log(f"pandas가 설치되지 않아 pandas 비교를 건너뜁니다 / pandas is not installed: baseline skipped. {EXTRA}")
        else:
            factor_rows = [(f.kind, f.kwh_per_unit, f.toe_per_unit, f.tco2_per_unit) for f in factors.factor_rows()]
            pandas = _run_child(
                ctx, "pandas", _pandas_child, lake.files(), {s.meter_id: s.company for s in specs}, factor_rows
            )
            if not _same(ours, pandas["rows"]):
                raise BenchFailed("pandas: 결과가 보고서와 다릅니다 / its result differs from the report's")
        spark = None
        if cluster:
            from techvalley.green.cluster import StandaloneCluster

            with StandaloneCluster(workers=1, cores=2, memory="2g") as c:
                try:
                    spark = spark_run(lake, table, YEAR_START.year, master=c.master_url, repeat=repeat)
                finally:
                    analytics.stop_spark()
        elif master:
            spark = spark_run(lake, table, YEAR_START.year, master=master, repeat=repeat)
    rate = ingested["rows"] / ingested["seconds"]
    floor_rate = ingested["rows"] / ingested["floor_seconds"]
    page_ms = sorted(x * 1000 for x in page)
    result = {
        "meters": meters,
        "days": days,
        "rows": ingested["rows"],
        "simulate_s": round(sim_s, 2),
        "ingest_s": round(ingested["seconds"], 2),
        "ingest_rows_per_s": round(rate),
        "floor_s": round(ingested["floor_seconds"], 4),
        "floor_rows_per_s": round(floor_rate),
        "ingest_vs_floor": round(ingested["seconds"] / ingested["floor_seconds"], 2),
        "peak_rss_mb": round(ingested["peak_rss_mb"]),
        "floor_peak_rss_mb": round(ingested["floor_peak_rss_mb"]),
        "report_s": round(report_s, 3),
        "report_from_readings_s": round(readings_s, 3),
        "raw_sql_s": round(raw_s, 3),
        "readings_report_vs_raw_sql": round(readings_s / raw_s, 2),
        "company_page_p50_ms": round(statistics.median(page_ms), 1) if page_ms else None,
        "company_page_p95_ms": round(page_ms[max(0, math.ceil(0.95 * len(page_ms)) - 1)], 1) if page_ms else None,
    }
    if spark is not None:
        result.update({f"spark_{k}" if not k.startswith(("spark_", "duckdb_")) else k: v for k, v in spark.items()})
    if pandas is not None:
        result.update(
            pandas_s=round(pandas["seconds"], 2),
            pandas_peak_rss_mb=round(pandas["peak_rss_mb"]),
            pandas_vs_readings_report=round(pandas["seconds"] / readings_s, 1),
            pandas_result_checked=True,
        )
    return result


def spark_run(lake: Lake, meters: pa.Table, year: int, master: str | None = None, repeat: int = 2) -> dict:
    """The Spark engine on ``master`` (a standalone cluster's ``spark://…`` or local mode): the
    annual report from every reading, the load indicators and the unusual days, each checked
    equal to DuckDB's before its time is reported (best of ``repeat``)."""
    duck = analytics.DuckDBEngine(lake, meters, year)
    spark = analytics.SparkEngine(lake, meters, year, master=master)
    out: dict = {"master": spark.spark.sparkContext.master}
    try:
        for name, sql in (
            ("report_from_readings", analytics.monthly_sql(year, source="readings")),
            ("load", analytics.load_sql(year)),
            ("anomalies", analytics.anomaly_sql(year)),
        ):
            ours = sorted(duck.query(sql), key=_row_key)
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                theirs = spark.query(sql)
                times.append(time.perf_counter() - t)
            theirs = sorted(theirs, key=_row_key)
            if not _same_rows(ours, theirs):
                raise BenchFailed(f"Spark {name}: 결과가 DuckDB와 다릅니다 / its result differs from DuckDB's")
            t = time.perf_counter()
            duck.query(sql)
            out[f"{name}_rows"] = len(ours)
            out[f"spark_{name}_s"] = round(min(times), 3)
            out[f"duckdb_{name}_s"] = round(time.perf_counter() - t, 3)
    finally:
        duck.close()
    return out


def _row_key(row: dict) -> tuple:
    """Order rows by their non-float values (floats may differ in the last bits between engines)."""
    return tuple(str(v) for v in row.values() if not isinstance(v, float))


def _same_rows(a: list[dict], b: list[dict], rel: float = 1e-9) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x.keys() != y.keys():
            return False
        for k in x:
            if isinstance(x[k], float) or isinstance(y[k], float):
                if x[k] is None or y[k] is None or not math.isclose(x[k], y[k], rel_tol=rel, abs_tol=1e-9):
                    if x[k] != y[k]:
                        return False
            elif x[k] != y[k]:
                return False
    return True
