"""Energy analytics written once, run on DuckDB (default) or Apache Spark.

Every computation is a SQL query in DuckDB's dialect over three views — ``readings`` (the lake),
``meters`` (meter → company, kind) and ``calendar`` (day → working / weekend / holiday, Korean
public holidays) — plus the factor table as a VALUES list. The Spark engine translates the same
text with SQLGlot; the test suite runs both engines on the same data and compares the results.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Iterable
from pathlib import Path

import holidays
import pyarrow as pa
import sqlglot

from techvalley.green import factors
from techvalley.green.lake import Lake

NEGATIVE = 1


@functools.lru_cache(maxsize=32)
def calendar_table(first_year: int, last_year: int) -> pa.Table:
    kr = holidays.country_holidays("KR", years=range(first_year, last_year + 1))
    day = dt.date(first_year, 1, 1)
    days, types = [], []
    while day.year <= last_year:
        days.append(day)
        types.append("holiday" if day in kr else "weekend" if day.weekday() >= 5 else "working")
        day += dt.timedelta(days=1)
    return pa.table({"day": pa.array(days, pa.date32()), "daytype": types})


def months_of(year: int) -> tuple[str, str]:
    return f"{year}-01", f"{year}-12"


# --- the queries (DuckDB dialect; SQLGlot writes them for Spark) -----------------------------


def _only(companies: Iterable[str] | None) -> str:
    if companies is None:
        return ""
    quoted = ", ".join("'" + c.replace("'", "''") + "'" for c in companies) or "NULL"
    return f"AND m.company IN ({quoted})"


def _per_meter(source: str, lo: str, hi: str) -> str:
    """Each meter's quantity per month: from the rollups written at ingest, or from the readings."""
    if source == "rollups":
        return f"""SELECT meter_id, kind, month, sum(qty) AS qty FROM monthly
    WHERE month >= '{lo}' AND month <= '{hi}' AND kind <> 'solar' GROUP BY meter_id, kind, month"""
    return f"""SELECT meter_id, kind, month, sum(value) AS qty FROM readings
    WHERE month >= '{lo}' AND month <= '{hi}' AND (flags & {NEGATIVE}) = 0 AND kind <> 'solar'
    GROUP BY meter_id, kind, month"""


def monthly_sql(
    year: int, emission_set: str | None = None, companies: Iterable[str] | None = None, source: str = "rollups"
) -> str:
    """Monthly final energy (kWh, MJ, toe) and tCO2eq (scope 1, 2) per company.

    ``source="rollups"`` (default) sums the per-meter monthly rollups the ingest writes;
    ``"readings"`` computes the same from every reading (the tests check they agree)."""
    lo, hi = months_of(year)
    only = _only(companies)
    return f"""
WITH f AS ({factors.values_sql(emission_set)}),
per_meter AS ({_per_meter(source, lo, hi)})
SELECT m.company AS company, p.month AS month,
       sum(p.qty * f.kwh_per_unit) AS kwh, sum(p.qty * f.mj_per_unit) AS mj, sum(p.qty * f.toe_per_unit) AS toe,
       sum(p.qty * f.tco2_per_unit) AS tco2eq,
       sum(CASE WHEN f.scope = 1 THEN p.qty * f.tco2_per_unit ELSE 0 END) AS scope1,
       sum(CASE WHEN f.scope = 2 THEN p.qty * f.tco2_per_unit ELSE 0 END) AS scope2
FROM per_meter p JOIN meters m ON p.meter_id = m.meter_id JOIN f ON p.kind = f.kind
WHERE 1 = 1 {only}
GROUP BY m.company, p.month
ORDER BY m.company, p.month"""


def excluded_sql(year: int, companies: Iterable[str] | None = None) -> str:
    """Negative readings left out of the year's totals (of the companies asked, or all)."""
    lo, hi = months_of(year)
    if companies is None:
        return f"""SELECT coalesce(sum(negatives), 0) AS negative_rows FROM monthly
WHERE month >= '{lo}' AND month <= '{hi}'"""
    return f"""SELECT coalesce(sum(p.negatives), 0) AS negative_rows FROM monthly p JOIN meters m
ON p.meter_id = m.meter_id WHERE p.month >= '{lo}' AND p.month <= '{hi}' {_only(companies)}"""


def _electricity_intervals(year: int, companies: Iterable[str] | None = None, relation: str | None = None) -> str:
    """Electricity per company and 15-minute interval (no negative readings): from the readings,
    or from ``relation`` — a company's intervals already gathered once
    (``DuckDBEngine.company_intervals``)."""
    if relation:
        return f"SELECT company, ts, kwh FROM {relation} m WHERE 1 = 1 {_only(companies)}"
    lo, hi = months_of(year)
    return f"""SELECT m.company AS company, r.ts AS ts, sum(r.value) AS kwh
    FROM readings r JOIN meters m ON r.meter_id = m.meter_id
    WHERE r.kind = 'electricity' AND r.month >= '{lo}' AND r.month <= '{hi}' AND (r.flags & {NEGATIVE}) = 0
    {_only(companies)}
    GROUP BY m.company, r.ts"""


def load_sql(year: int, companies: Iterable[str] | None = None, relation: str | None = None) -> str:
    """Per company: peak 15-minute demand, mean and base load, night and off-day (weekend,
    holiday) shares of electricity — the waste indicators.

    The base load is the 5th percentile of the 15-minute loads, taken by rank (the smallest
    value with at least 5% of the intervals at or below it): exact on both engines, where
    percentile functions differ (SQLGlot writes an approximate one for Spark).
    """
    return f"""
WITH e AS ({_electricity_intervals(year, companies, relation)}),
d AS (SELECT e.company, e.kwh, hour(e.ts) AS h, c.daytype
      FROM e JOIN calendar c ON CAST(e.ts AS DATE) = c.day),
ranked AS (SELECT company, kwh, row_number() OVER (PARTITION BY company ORDER BY kwh) AS rn,
                  count(*) OVER (PARTITION BY company) AS n FROM d),
base AS (SELECT company, min(kwh) AS base_kwh FROM ranked WHERE rn >= ceil(0.05 * n) GROUP BY company),
agg AS (SELECT company,
       max(kwh) * 4 AS peak_kw,
       avg(kwh) * 4 AS mean_kw,
       count(*) AS intervals,
       sum(kwh) AS kwh,
       sum(CASE WHEN h >= 22 OR h < 6 THEN kwh ELSE 0 END) / sum(kwh) AS night_share,
       sum(CASE WHEN daytype <> 'working' THEN kwh ELSE 0 END) / sum(kwh) AS offday_share,
       sum(CASE WHEN daytype = 'holiday' THEN kwh ELSE 0 END) / sum(kwh) AS holiday_share
       FROM d GROUP BY company)
SELECT a.company AS company, a.peak_kw AS peak_kw, a.mean_kw AS mean_kw, b.base_kwh * 4 AS base_kw, a.kwh AS kwh,
       b.base_kwh * a.intervals / a.kwh AS base_share,
       a.night_share AS night_share, a.offday_share AS offday_share, a.holiday_share AS holiday_share
FROM agg a JOIN base b ON a.company = b.company ORDER BY a.company"""


def profile_sql(year: int, companies: Iterable[str] | None = None, relation: str | None = None) -> str:
    """Average load (kW) by hour of day, on working days and on off days, per company."""
    return f"""
WITH e AS ({_electricity_intervals(year, companies, relation)})
SELECT e.company AS company, CASE WHEN c.daytype = 'working' THEN 'working' ELSE 'off' END AS daytype,
       hour(e.ts) AS h, avg(e.kwh) * 4 AS kw
FROM e JOIN calendar c ON CAST(e.ts AS DATE) = c.day
GROUP BY e.company, CASE WHEN c.daytype = 'working' THEN 'working' ELSE 'off' END, hour(e.ts)
ORDER BY company, daytype, h"""


MIN_DAYS = 5  # a baseline needs at least this many comparable days
MIN_RELATIVE = 0.15  # and a deviation that matters to an energy manager (15% of the usual day)


def anomaly_sql(
    year: int,
    threshold: float = 3.5,
    companies: Iterable[str] | None = None,
    relation: str | None = None,
    source: str = "intervals",
) -> str:
    """Days whose electricity use is far from the company's usual for that month and kind of day
    (working / weekend / holiday): a robust z-score on the median and the median absolute
    deviation (MAD), over at least MIN_DAYS comparable days and at least MIN_RELATIVE off.

    ``source="daily"`` takes each company's daily electricity from the daily rollups (the whole
    complex at once, for the officers' panel); the default sums the 15-minute intervals."""
    if source == "daily":
        daily = _daily_electricity(year, companies)
    else:
        daily = f"""SELECT company, CAST(ts AS DATE) AS day, sum(kwh) AS kwh
            FROM ({_electricity_intervals(year, companies, relation)}) e GROUP BY company, CAST(ts AS DATE)"""
    return f"""
WITH daily AS ({daily}),
typed AS (SELECT d.company, d.day, d.kwh, c.daytype, month(d.day) AS mon FROM daily d JOIN calendar c ON d.day = c.day),
base AS (SELECT company, daytype, mon, median(kwh) AS med, count(*) AS days FROM typed GROUP BY company, daytype, mon),
dev AS (SELECT t.company, t.daytype, t.mon, median(abs(t.kwh - b.med)) AS mad
        FROM typed t JOIN base b ON t.company = b.company AND t.daytype = b.daytype AND t.mon = b.mon
        GROUP BY t.company, t.daytype, t.mon)
SELECT t.company AS company, t.day AS day, t.daytype AS daytype, t.kwh AS kwh, b.med AS expected_kwh,
       (t.kwh - b.med) / (1.4826 * v.mad) AS score
FROM typed t JOIN base b ON t.company = b.company AND t.daytype = b.daytype AND t.mon = b.mon
JOIN dev v ON t.company = v.company AND t.daytype = v.daytype AND t.mon = v.mon
WHERE b.days >= {MIN_DAYS} AND v.mad > 0 AND abs(t.kwh - b.med) > {threshold} * 1.4826 * v.mad
  AND abs(t.kwh - b.med) > {MIN_RELATIVE} * b.med
ORDER BY company, day"""


def _daily_electricity(year: int | None, companies: Iterable[str] | None = None) -> str:
    """Electricity per company and day from the daily rollups (negative readings left out)."""
    span = f"AND d.day >= DATE '{year}-01-01' AND d.day <= DATE '{year}-12-31'" if year else ""
    return f"""SELECT m.company AS company, d.day AS day, sum(d.qty) AS kwh
    FROM daily d JOIN meters m ON d.meter_id = m.meter_id
    WHERE d.kind = 'electricity' {span} {_only(companies)} GROUP BY m.company, d.day"""


def daily_mean_sql(company: str, first: dt.date, last: dt.date, source: str = "readings") -> str:
    """Mean electricity per working day of one company between two dates (inclusive), from the
    readings or (``source="daily"``) the daily rollups."""
    if source == "daily":
        return f"""
WITH daily_e AS ({_daily_electricity(None, [company])})
SELECT avg(d.kwh) AS kwh FROM daily_e d JOIN calendar c ON d.day = c.day
WHERE c.daytype = 'working' AND d.day >= DATE '{first}' AND d.day <= DATE '{last}'"""
    return f"""
WITH daily AS (
    SELECT CAST(r.ts AS DATE) AS day, sum(r.value) AS kwh
    FROM readings r JOIN meters m ON r.meter_id = m.meter_id
    WHERE r.kind = 'electricity' AND m.company = '{company.replace("'", "''")}' AND (r.flags & {NEGATIVE}) = 0
      AND r.month >= '{first:%Y-%m}' AND r.month <= '{last:%Y-%m}'
      AND r.ts >= TIMESTAMP '{first} 00:00:00' AND r.ts < TIMESTAMP '{last + dt.timedelta(days=1)} 00:00:00'
    GROUP BY CAST(r.ts AS DATE))
SELECT avg(d.kwh) AS kwh FROM daily d JOIN calendar c ON d.day = c.day WHERE c.daytype = 'working'"""


# --- engines --------------------------------------------------------------------------------


class DuckDBEngine:
    name = "duckdb"

    def __init__(
        self,
        lake: Lake,
        meters: pa.Table,
        year: int | None = None,
        memory_limit: str = "1GB",
        calendar_years: tuple[int, int] | None = None,
    ):
        import duckdb

        self.con = duckdb.connect()
        self.con.execute(f"SET memory_limit='{memory_limit}'")
        self.con.register("meters_in", meters)
        self.con.execute("CREATE TEMP TABLE meters AS SELECT * FROM meters_in")
        first, last = (year, year) if year else calendar_years or (2000, dt.date.today().year + 1)
        self.con.register("calendar", calendar_table(first, last))
        self.year = year
        self._readings = False  # the readings view is made when a query needs it (it reads every file's footer)
        self.lake = lake
        manifest = lake.manifest()
        for kind, period in (("monthly", "NULL::VARCHAR AS month"), ("daily", "NULL::DATE AS day")):
            rollups = lake.rollup_files(manifest, kind)
            if rollups:
                listed = ", ".join("'" + f.replace("'", "''") + "'" for f in rollups)
                self.con.execute(f"CREATE VIEW {kind} AS SELECT * FROM read_parquet([{listed}])")
            else:
                self.con.execute(
                    f"CREATE VIEW {kind} AS SELECT NULL::VARCHAR AS meter_id, NULL::VARCHAR AS kind, "
                    f"{period}, NULL::DOUBLE AS qty, NULL::BIGINT AS n, NULL::BIGINT AS negatives WHERE false"
                )

    def company_intervals(self, meter_ids: list[str], year: int, name: str = "company_e") -> str:
        """Gather the electricity intervals of these meters (one company's) for the year into a temp
        table (company, ts, kwh) that ``load_sql``/``profile_sql``/``anomaly_sql`` take as
        ``relation``: one read of the year's electricity readings restricted to these meters —
        DuckDB skips every row group whose meter_id range misses them (files are clustered by
        meter: in the input's order at ingest, sorted at settling and compaction) — instead of
        one scan of the whole complex's readings per indicator."""
        files = self.lake.files(kinds=["electricity"], months=months_of(year))
        if files and meter_ids:
            listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            ids = ", ".join("'" + m.replace("'", "''") + "'" for m in meter_ids)
            self.con.execute(f"""CREATE OR REPLACE TEMP TABLE {name} AS
                SELECT m.company AS company, r.ts AS ts, sum(r.value) AS kwh
                FROM read_parquet([{listed}]) r JOIN meters m ON r.meter_id = m.meter_id
                WHERE r.meter_id IN ({ids}) AND (r.flags & {NEGATIVE}) = 0
                  AND r.ts >= TIMESTAMP '{year}-01-01 00:00:00' AND r.ts < TIMESTAMP '{year + 1}-01-01 00:00:00'
                GROUP BY m.company, r.ts""")
        else:
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT NULL::VARCHAR AS company, "
                "NULL::TIMESTAMP AS ts, NULL::DOUBLE AS kwh WHERE false"
            )
        return name

    def _ensure_readings(self) -> None:
        if self._readings:
            return
        self._readings = True
        files = self.lake.files(months=months_of(self.year) if self.year else None)
        if files:
            listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            self.con.execute(f"""CREATE VIEW readings AS SELECT meter_id, ts, value, flags, kind, month
                FROM read_parquet([{listed}], hive_partitioning = true,
                                  hive_types = {{'kind': VARCHAR, 'month': VARCHAR}})""")
        else:
            self.con.execute(
                "CREATE VIEW readings AS SELECT NULL::VARCHAR AS meter_id, NULL::TIMESTAMP AS ts, "
                "NULL::DOUBLE AS value, NULL::UTINYINT AS flags, NULL::VARCHAR AS kind, "
                "NULL::VARCHAR AS month WHERE false"
            )

    def query(self, sql: str) -> list[dict]:
        if re.search(r"\breadings\b", sql):
            self._ensure_readings()
        cur = self.con.execute(sql)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def close(self) -> None:
        self.con.close()


_SPARK = None


def spark_master(master: str | None = None) -> str:
    """The Spark master: the one asked, else ``TECHVALLEY_SPARK_MASTER``, else local mode on both
    cores. A standalone cluster is ``spark://host:7077`` (docs/energy.md, the Spark runbook)."""
    return master or os.environ.get("TECHVALLEY_SPARK_MASTER") or "local[2]"


#: Spark's shuffle partitions unless TECHVALLEY_SPARK_SHUFFLE_PARTITIONS says otherwise: right for
#: local mode and small clusters; a large cluster sets about two or three per executor core.
SHUFFLE_PARTITIONS = 4


def shuffle_partitions() -> int:
    """``TECHVALLEY_SPARK_SHUFFLE_PARTITIONS`` as a whole number from 1 to 100,000 (default 4);
    anything else is refused with a message naming the variable."""
    raw = os.environ.get("TECHVALLEY_SPARK_SHUFFLE_PARTITIONS", "").strip()
    if not raw:
        return SHUFFLE_PARTITIONS
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise ValueError(
            "TECHVALLEY_SPARK_SHUFFLE_PARTITIONS는 1에서 100000 사이의 정수여야 합니다 "
            f"/ TECHVALLEY_SPARK_SHUFFLE_PARTITIONS must be a whole number from 1 to 100000 (got {raw[:40]!r})"
        )
    return int(raw)


def spark_session(master: str | None = None):
    """One Spark session per process, on ``spark_master(master)``; asking for another master stops
    the current session and starts one there."""
    global _SPARK
    url = spark_master(master)
    if _SPARK is not None and _SPARK.sparkContext.master != url:
        _SPARK.stop()
        _SPARK = None
    if _SPARK is None:
        import sys

        from pyspark.sql import SparkSession

        builder = (
            SparkSession.builder.master(url)
            .appName("techvalley")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "Asia/Seoul")
            .config("spark.sql.shuffle.partitions", str(shuffle_partitions()))
            .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
            .config("spark.driver.memory", "1g")
            .config("spark.pyspark.python", sys.executable)
        )
        if not url.startswith("local"):
            # A cluster: executors read the lake by the same paths (a shared disk or object store);
            # the driver listens where the executors can reach it.
            builder = (
                builder.config("spark.executor.memory", os.environ.get("TECHVALLEY_SPARK_EXECUTOR_MEMORY", "512m"))
                .config("spark.driver.host", os.environ.get("TECHVALLEY_SPARK_DRIVER_HOST", "127.0.0.1"))
                .config("spark.driver.bindAddress", os.environ.get("TECHVALLEY_SPARK_DRIVER_BIND", "127.0.0.1"))
            )
        _SPARK = builder.getOrCreate()
        _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def stop_spark() -> None:
    """Stop this process's Spark session (before its cluster goes away)."""
    global _SPARK
    if _SPARK is not None:
        _SPARK.stop()
        _SPARK = None


class SparkEngine:
    """The same queries on Apache Spark: SQL translated from DuckDB's dialect by SQLGlot."""

    name = "spark"

    def __init__(self, lake: Lake, meters: pa.Table, year: int | None = None, master: str | None = None):
        spark = spark_session(master)
        self.spark = spark
        files = lake.files(months=months_of(year) if year else None)
        spark.createDataFrame(
            meters.to_pylist(), "meter_id string, company string, kind string"
        ).createOrReplaceTempView("meters")
        first, last = (year, year) if year else (2000, dt.date.today().year + 1)
        spark.createDataFrame(
            calendar_table(first, last).to_pylist(), "day date, daytype string"
        ).createOrReplaceTempView("calendar")
        schema = "meter_id string, ts timestamp_ntz, value double, flags int, kind string, month string"
        if files:
            df = spark.read.option("basePath", str(Path(lake.root) / "readings")).parquet(*files)
            df.selectExpr(
                "meter_id", "CAST(ts AS TIMESTAMP_NTZ) AS ts", "value", "CAST(flags AS INT) AS flags", "kind", "month"
            ).createOrReplaceTempView("readings")
        else:
            spark.createDataFrame([], schema).createOrReplaceTempView("readings")
        rollups = lake.rollup_files()
        if rollups:
            spark.read.parquet(*rollups).createOrReplaceTempView("monthly")
        else:
            spark.createDataFrame(
                [], "meter_id string, kind string, month string, qty double, n long, negatives long"
            ).createOrReplaceTempView("monthly")

    @staticmethod
    def translate(sql: str) -> str:
        return sqlglot.transpile(sql, read="duckdb", write="spark")[0]

    def query(self, sql: str) -> list[dict]:
        return [row.asDict() for row in self.spark.sql(self.translate(sql)).collect()]

    def close(self) -> None:
        pass


def engine(name: str, lake: Lake, meters: pa.Table, year: int | None = None, master: str | None = None):
    if name == "duckdb":
        return DuckDBEngine(lake, meters, year)
    if name == "spark":
        return SparkEngine(lake, meters, year, master)
    raise ValueError(f"unknown engine {name}: duckdb or spark")


def annual_report(
    eng, year: int, emission_set: str | None = None, companies: Iterable[str] | None = None, source: str = "rollups"
) -> dict:
    """The report of `techvalley green report --json` (documented in docs/energy.md)."""
    rows = eng.query(monthly_sql(year, emission_set, companies, source))
    out: dict[str, dict] = {}
    for r in rows:
        c = out.setdefault(
            r["company"],
            {
                "company": r["company"],
                "months": [],
                "total": {"kwh": 0.0, "toe": 0.0, "tco2eq": 0.0, "scope1": 0.0, "scope2": 0.0},
            },
        )
        c["months"].append(
            {
                "month": r["month"],
                "kwh": r["kwh"],
                "toe": r["toe"],
                "tco2eq": r["tco2eq"],
                "scope1": r["scope1"],
                "scope2": r["scope2"],
            }
        )
        for k in ("kwh", "toe", "tco2eq", "scope1", "scope2"):
            c["total"][k] += r[k]
    total = {k: sum(c["total"][k] for c in out.values()) for k in ("kwh", "toe", "tco2eq", "scope1", "scope2")}
    excluded = eng.query(excluded_sql(year, companies))[0]["negative_rows"]
    return {
        "year": year,
        "engine": eng.name,
        "factors": factors.describe(emission_set),
        "companies": list(out.values()),
        "total": total,
        "excluded_negative_rows": excluded,
    }
