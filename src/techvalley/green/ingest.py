"""Ingesting meter readings into the lake: parse, validate, stage, publish (no Django here).

Layouts (docs/energy.md):

* generic CSV or Parquet: ``meter_id,timestamp,value``; timestamps in Korean local time, or with
  an explicit offset (``+09:00``, ``Z``) which is converted to Korean local time;
* wide CSV as utility portals export it: ``meter_id,date`` and 96 quarter-hour columns
  (``00:15`` … ``24:00``, each the interval *ending* then, or ``q01`` … ``q96``);
* a JSON batch through the API: a list of ``{"meter_id", "timestamp", "value"}``.

Korea has had no daylight saving since 1988, so a plain local timestamp is unambiguous; it is
stored as such (TIMESTAMP without zone) with the month as the partition key, which keeps
bucketing cheap. The stored timestamp is the start of the interval.

Validation flags rows and reports counts; nothing is silently dropped or double-counted:

==========  =====================================================================
flag bit    meaning
==========  =====================================================================
1           negative value (kept, flagged; reports leave it out and say how many)
2           spike: more than 10 × the meter's 90th percentile in the batch
4           late: at or before the meter's latest stored reading (out of order)
8           conflict: the batch had two different values for this meter and time
==========  =====================================================================

Rows for unknown meters, without a time or value, or that contradict a stored reading go to
``_rejects/<batch>.parquet`` with the reason. Exact repeats of stored readings are counted as
duplicates and not stored again, and a file already ingested is recognised by its SHA-256.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from techvalley.core.validation import BadInput
from techvalley.green.lake import Lake

KST = ZoneInfo("Asia/Seoul")
NEGATIVE, SPIKE, LATE, CONFLICT = 1, 2, 4, 8
OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
#: The day rollups come from the first scan of the input (False: from the files written, as after
#: a batch is settled against stored readings; the tests compare the two).
ROLLUPS_FROM_SCAN = True
#: The spike flag's 90th percentile comes from a per-meter histogram of ln(value) in bins of
#: 1/HIST_BINS_PER_E (1 %): deterministic, exact to a bin, and its memory grows with the meters and
#: bins, not with the readings. Zero and negative values share the lowest bin (a 90th percentile of
#: 0 flags no spike).
HIST_BINS_PER_E = 100
HIST_NONPOSITIVE = -(2**31)
#: The quarter-hour of the day from the epoch (every stored time is a multiple of 15 minutes; times
#: before 1970 give a negative remainder, hence the + 96), and the number of distinct ones in a
#: group: fewer slots than rows means a repeated time.
_SLOT = "CAST(((epoch_us({ts}) // 900000000) % 96 + 96) % 96 AS UBIGINT)"
_SLOTS = (
    "coalesce(bit_count(bit_or(CAST(1 AS UBIGINT) << (slot & 63)) FILTER (WHERE slot < 64)), 0)"
    " + coalesce(bit_count(bit_or(CAST(1 AS UBIGINT) << (slot & 63)) FILTER (WHERE slot >= 64)), 0)"
)
#: Rows per Parquet row group of files rewritten sorted by meter and time (settling, compaction): a
#: month of 15-minute readings is 2,976 rows, so a row group holds about 11 meter-months and a
#: company's page reads one or two per meter and month.
ROW_GROUP = 32_768
#: Rows per row group as an ingest writes them (in the input's order, where two threads' rows
#: interleave): about 11 meter-months each, so one meter's rows of a month sit in two or three of them.
STAGE_ROW_GROUP = 32_768
QUARTER_COLUMNS = [f"{(m // 60):02d}:{(m % 60):02d}" for m in range(15, 24 * 60 + 1, 15)]


class IngestError(BadInput):
    """The input cannot be read at all (layout, columns, a value or time that is not one); the
    message says why, with the file and line. The API answers it 422."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "bad_readings", status: int = 422):
        super().__init__(message, field=field, code=code, status=status)


@dataclass
class IngestResult:
    batch: str = ""
    skipped: bool = False  # the same input was ingested before: nothing changed
    rows: int = 0
    accepted: int = 0
    duplicate: int = 0
    conflict: int = 0
    rejected: int = 0
    flagged: dict = field(default_factory=lambda: {"negative": 0, "spike": 0, "late": 0, "conflict": 0})
    gaps: int = 0
    unknown_meters: list = field(default_factory=list)
    #: Rejected rows by reason ("unknown meter", "not a finite number", …).
    reasons: dict = field(default_factory=dict)
    partitions: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def fingerprint_files(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths, key=str):
        with open(p, "rb") as f:
            while chunk := f.read(1 << 22):
                h.update(chunk)
    return h.hexdigest()


def fingerprint_records(records: list[dict]) -> str:
    return hashlib.sha256(json.dumps(records, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def records_table(records: list[dict]) -> pa.Table:
    """A JSON batch → (meter_id, ts, value); offsets converted to Korean local time.

    A record without a meter, a time or a value that can be read, or with a time outside
    1900–2100, refuses the batch (IngestError, naming the record); non-finite values and times
    off the meter's grid are rejected row by row by the ingest."""
    ids, stamps, values = [], [], []
    for i, r in enumerate(records, start=1):
        try:
            if not isinstance(r, dict) or not isinstance(r.get("meter_id"), str) or not r["meter_id"]:
                raise ValueError("meter_id")
            ts = dt.datetime.fromisoformat(str(r["timestamp"]).replace("Z", "+00:00"))
            if ts.tzinfo is not None:
                ts = ts.astimezone(KST).replace(tzinfo=None)
            value = r.get("value")
            if isinstance(value, bool):
                raise ValueError("value")
            values.append(None if value is None else float(value))
        except OverflowError:
            raise IngestError(
                f"{i}번째 기록: 시각이 1900~2100년 범위를 벗어납니다 / record {i}: time out of range",
                field="timestamp",
            ) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise IngestError(
                f"{i}번째 기록을 읽을 수 없습니다: {str(exc)[:80]} / record {i} is not {{meter_id, timestamp, value}}"
            ) from exc
        if not 1900 <= ts.year <= 2100:
            raise IngestError(
                f"{i}번째 기록: 시각이 1900~2100년 범위를 벗어납니다 / record {i}: time out of range ({ts.year})",
                field="timestamp",
            )
        ids.append(r["meter_id"])
        stamps.append(ts)
    return pa.table(
        {
            "meter_id": pa.array(ids, pa.string()),
            "ts": pa.array(stamps, pa.timestamp("us")),
            "value": pa.array(values, pa.float64()),
        }
    )


def _csv_header(path: Path) -> tuple[list[str], str]:
    with open(path, encoding="utf-8-sig") as f:
        header = [h.strip().strip('"') for h in f.readline().strip().split(",")]
        first = f.readline()
    return header, first


def _source_sql(path: Path) -> str:
    """A SELECT giving (meter_id, ts, value) for one input file."""
    p = str(path).replace("'", "''")
    if path.suffix.lower() == ".parquet":
        try:
            schema = pq.read_schema(path)
        except (pa.ArrowException, OSError) as exc:
            raise IngestError(
                f"{path.name}: Parquet 파일을 읽을 수 없습니다 (손상되었거나 형식이 다름) "
                f"/ not a readable Parquet file: {str(exc)[:120]}"
            ) from exc
        names = set(schema.names)
        if not {"meter_id", "timestamp", "value"} <= names:
            raise IngestError(
                f"{path.name}: meter_id, timestamp, value 열이 필요합니다 / needs meter_id, "
                f"timestamp, value columns (found {', '.join(schema.names)})"
            )
        tz = getattr(schema.field("timestamp").type, "tz", None)
        ts = "timezone('Asia/Seoul', \"timestamp\")" if tz else 'CAST("timestamp" AS TIMESTAMP)'
        return (
            f"SELECT CAST(meter_id AS VARCHAR) AS meter_id, {ts} AS ts, CAST(value AS DOUBLE) AS value "
            f"FROM read_parquet('{p}')"
        )
    if path.suffix.lower() != ".csv":
        raise IngestError(f"{path.name}: CSV 또는 Parquet만 읽습니다 / only .csv and .parquet files")
    header, first = _csv_header(path)
    if header[:3] == ["meter_id", "timestamp", "value"]:
        stamp = first.split(",")[1].strip().strip('"') if first else ""
        if OFFSET.search(stamp):
            ts = "timezone('Asia/Seoul', CAST(\"timestamp\" AS TIMESTAMPTZ))"
            types = "{'meter_id': 'VARCHAR', 'timestamp': 'VARCHAR', 'value': 'DOUBLE'}"
        else:
            ts = '"timestamp"'
            types = "{'meter_id': 'VARCHAR', 'timestamp': 'TIMESTAMP', 'value': 'DOUBLE'}"
        return f"SELECT meter_id, {ts} AS ts, value FROM read_csv('{p}', header=true, types={types})"
    if header[:2] == ["meter_id", "date"] and len(header) == 98:
        quarters = header[2:]
        if quarters == QUARTER_COLUMNS:
            offset = -15  # the column names the end of the interval
        elif quarters == [f"q{i:02d}" for i in range(1, 97)]:
            offset = -15  # q01 is the quarter ending 00:15
        else:
            raise IngestError(
                f"{path.name}: 96개 15분 열 이름이 올바르지 않습니다 / the 96 quarter-hour columns "
                "must be 00:15 … 24:00 or q01 … q96"
            )
        cols = ", ".join(f'"{c}"' for c in quarters)
        index = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(quarters, start=1))
        return (
            f'SELECT meter_id, CAST("date" AS TIMESTAMP) + INTERVAL 15 MINUTE * (CASE slot {index} END) '
            f"+ INTERVAL ({offset}) MINUTE AS ts, CAST(value AS DOUBLE) AS value FROM "
            f"(UNPIVOT (SELECT * FROM read_csv('{p}', header=true, all_varchar=true)) ON {cols} "
            f"INTO NAME slot VALUE value)"
        )
    raise IngestError(
        f"{path.name}: 알 수 없는 열 구성 / unknown layout; expected meter_id,timestamp,value or "
        "meter_id,date + 96 quarter-hour columns"
    )


#: Stored timestamps must fall in these years (the platform's year range).
TS_MIN, TS_MAX = "1900-01-01 00:00:00", "2101-01-01 00:00:00"
#: Each resolution's grid: a reading's time must sit on it (Korean local time).
GRID_SQL = """CASE m.resolution
    WHEN '15min' THEN epoch_us(r.ts) % 900000000 <> 0
    WHEN 'hourly' THEN epoch_us(r.ts) % 3600000000 <> 0
    WHEN 'daily' THEN r.ts <> date_trunc('day', r.ts)
    WHEN 'monthly' THEN r.ts <> date_trunc('month', r.ts)
    ELSE false END"""
REASONS = (
    "unknown meter",
    "no time or value",
    "not a finite number",
    "time out of range",
    "time off the meter's interval grid",
    "differs from the stored reading",
)


def _months_table(con) -> None:
    """The month partition key of every month the batch spans, as a small join table (faster than
    formatting a string for every reading)."""
    lo, hi = con.execute("SELECT min(min_ts), max(max_ts) FROM stats").fetchall()[0]
    keys = []
    if lo is not None:
        y, m = lo.year, lo.month
        while (y, m) <= (hi.year, hi.month):
            keys.append((y * 100 + m, f"{y:04d}-{m:02d}"))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    con.register("months_in", pa.table({"ym": [k for k, _ in keys], "month": [v for _, v in keys]}, schema=_MONTHS))
    con.execute("CREATE TEMP TABLE months AS SELECT * FROM months_in")


_MONTHS = pa.schema([("ym", pa.int64()), ("month", pa.string())])


def ingest(
    lake: Lake,
    meters: dict[str, tuple[str, str]],
    *,
    paths: list[Path] | None = None,
    records: list[dict] | None = None,
    progress: Callable[[str], None] | None = None,
    memory_limit: str = "1GB",
    crash_after_stage: bool = False,
    commit: Callable[[IngestResult], None] | None = None,
) -> IngestResult:
    """Ingest files or a JSON batch. ``meters``: meter_id → (kind, resolution).

    ``commit(result)``, when given, records the batch in the database (meters, companies, the
    ingest log with ``result.batch``) and commits; it is called while the lake is locked, after
    the batch is prepared (``Lake.publish(prepare_only=True)``) and before it is published, so a
    crash anywhere leaves the lake and the database agreeing (see ``lake.py``). It is called for
    a skipped (already ingested) input too. If it raises, the batch is discarded.

    Input that cannot be read at all (layout, a non-numeric value, an unreadable time, a corrupt
    file) raises ``IngestError`` naming the file and line; nothing is published and the batch's
    staging folder is removed. Rows that can be read but not stored are rejected with a reason.

    ``crash_after_stage`` exists for the crash-safety test: it stops after the files are written
    but before the manifest is switched, as a kill would.
    """
    started = time.perf_counter()
    note = progress or (lambda _s: None)
    paths = [Path(p) for p in (paths or [])]
    for p in paths:
        if not p.is_file():
            raise IngestError(f"파일이 없습니다 / no such file: {p}")
    sources = [_source_sql(p) for p in paths]  # layout errors before anything is written
    table = None if paths else records_table(records or [])
    fingerprint = fingerprint_files(paths) if paths else fingerprint_records(records or [])
    result = IngestResult()
    with lake.writer():
        manifest = lake.manifest()
        if fingerprint in {b.get("fingerprint") for b in manifest["batches"].values()}:
            result.skipped = True
            result.seconds = time.perf_counter() - started
            if commit is not None:
                commit(result)
            return result
        batch, staged = lake.new_batch_dir()
        result.batch = batch
        try:
            _ingest_batch(
                lake, manifest, meters, paths, sources, table, batch, staged, result, note, memory_limit,
                crash_after_stage, fingerprint, two_phase=commit is not None,
            )  # fmt: skip
            result.seconds = time.perf_counter() - started
            if commit is not None:
                try:
                    commit(result)
                except BaseException:
                    lake.discard_pending()
                    raise
        except duckdb.OutOfMemoryException as exc:
            _cleanup(lake, staged, batch)
            raise IngestError(
                f"한 번에 넣기에 너무 큰 묶음입니다 (메모리 한도 {memory_limit}): "
                "파일을 나누어 넣거나 한도를 올리십시오 "
                f"/ the batch is too large for the memory limit of {memory_limit}: split the file (e.g. by month) "
                "or raise the limit",
                code="batch_too_large",
                status=413,
            ) from exc
        except duckdb.Error as exc:
            _cleanup(lake, staged, batch)
            raise _read_error(paths, exc) from exc
        except Exception:
            _cleanup(lake, staged, batch)
            raise
        if commit is not None:  # the database has the batch: publish it (a crash here is rolled forward)
            lake.commit_pending()
    result.seconds = time.perf_counter() - started
    return result


def _cleanup(lake: Lake, staged: Path, batch: str) -> None:
    """A failed batch leaves nothing behind: its staging folder and rejects file go."""
    shutil.rmtree(staged, ignore_errors=True)
    with contextlib.suppress(OSError):
        staged.parent.rmdir()  # _staging itself, when empty
    with contextlib.suppress(FileNotFoundError):
        (lake.root / "_rejects" / f"{batch}.parquet").unlink()


def _ingest_batch(
    lake, manifest, meters, paths, sources, table, batch, staged, result, note, memory_limit, crash_after_stage,
    fingerprint, two_phase=False,
) -> None:  # fmt: skip
    con = duckdb.connect()
    tmp = lake.root / "_tmp"
    tmp.mkdir(exist_ok=True)
    con.execute(f"SET memory_limit='{memory_limit}'; SET temp_directory='{tmp}'; SET preserve_insertion_order=false")
    con.register(
        "meters_in",
        pa.table(
            {
                "meter_id": pa.array(list(meters), pa.string()),
                "kind": pa.array([k for k, _ in meters.values()], pa.string()),
                "resolution": pa.array([r for _, r in meters.values()], pa.string()),
            }
        ),
    )
    con.execute("CREATE TEMP TABLE meters AS SELECT * FROM meters_in")
    wm = manifest["watermarks"]
    con.register(
        "wm_in",
        pa.table(
            {
                "meter_id": pa.array(list(wm), pa.string()),
                "ts": pa.array([dt.datetime.fromisoformat(v) for v in wm.values()], pa.timestamp("us")),
            }
        ),
    )
    con.execute("CREATE TEMP TABLE wm AS SELECT * FROM wm_in")
    if paths:
        con.execute("CREATE VIEW raw AS " + " UNION ALL ".join(sources))
    else:
        con.register("records_in", table)
        con.execute("CREATE VIEW raw AS SELECT meter_id, ts, value FROM records_in")
    # Every row with the reason it cannot be stored (NULL: it can).
    con.execute(f"""CREATE VIEW checked AS SELECT r.meter_id, r.ts, r.value, m.kind,
        CASE WHEN m.meter_id IS NULL THEN 'unknown meter'
             WHEN r.ts IS NULL OR r.value IS NULL THEN 'no time or value'
             WHEN NOT isfinite(r.value) THEN 'not a finite number'
             WHEN r.ts < TIMESTAMP '{TS_MIN}' OR r.ts >= TIMESTAMP '{TS_MAX}' THEN 'time out of range'
             WHEN {GRID_SQL} THEN 'time off the meter''s interval grid'
        END AS reason
        FROM raw r LEFT JOIN meters m USING (meter_id)""")

    note("stats")
    # One scan of the input gives everything but the written files: per meter, reason and day the
    # counts, sums, flags and distinct quarter-hour slots (the day rollups of the valid rows, and
    # the repeats and late rows per partition, before anything is written), and per meter a
    # log-scale histogram of the valid values for the spike flag's 90th percentile.
    con.execute(f"""CREATE TEMP TABLE scan AS SELECT meter_id, reason, day, hb, grouping(hb) = 1 AS by_day,
            count(*) AS n, min(ts) AS min_ts, max(ts) AS max_ts,
            coalesce(sum(value) FILTER (WHERE value >= 0), 0) AS qty,
            count(*) FILTER (WHERE value < 0) AS negatives,
            count(*) FILTER (WHERE ts <= wm_ts) AS lates, {_SLOTS} AS slots
        FROM (SELECT c.meter_id, c.ts, c.value, c.reason, w.ts AS wm_ts, {_SLOT.format(ts="c.ts")} AS slot,
                     CASE WHEN c.reason IS NULL THEN CAST(c.ts AS DATE) END AS day,
                     CASE WHEN c.reason IS NULL THEN (CASE WHEN c.value > 0
                          THEN CAST(floor(ln(c.value) * {HIST_BINS_PER_E}) AS INTEGER)
                          ELSE {HIST_NONPOSITIVE} END) END AS hb
              FROM checked c LEFT JOIN wm w USING (meter_id))
        GROUP BY GROUPING SETS ((meter_id, reason, day), (meter_id, hb))""")
    # The 90th percentile to within one bin (1 %, from above): the value at index ⌈0.9 (n − 1)⌉ of
    # the sorted values, as quantile_disc takes it (in integers: no rounding at exact multiples).
    con.execute(f"""CREATE TEMP TABLE stats AS
        WITH h AS (SELECT meter_id, hb, sum(n) OVER (PARTITION BY meter_id ORDER BY hb) AS cum,
                          sum(n) OVER (PARTITION BY meter_id) AS total
                   FROM scan WHERE NOT by_day AND hb IS NOT NULL),
             q AS (SELECT meter_id, min(hb) AS hb FROM h WHERE cum > (9 * (total - 1) + 9) // 10 GROUP BY meter_id)
        SELECT s.meter_id, s.n, s.min_ts, s.max_ts,
               CASE WHEN q.hb = {HIST_NONPOSITIVE} THEN 0.0 ELSE exp((q.hb + 1) / {HIST_BINS_PER_E}.0) END AS p90
        FROM (SELECT meter_id, sum(n) AS n, min(min_ts) AS min_ts, max(max_ts) AS max_ts FROM scan
              WHERE by_day AND reason IS NULL GROUP BY meter_id) s JOIN q USING (meter_id)""")
    counts = dict(con.execute("SELECT coalesce(reason, ''), sum(n) FROM scan WHERE by_day GROUP BY 1").fetchall())
    result.rows = int(sum(counts.values()))
    result.reasons = {k: int(v) for k, v in counts.items() if k}
    result.unknown_meters = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT meter_id FROM scan WHERE by_day AND reason = 'unknown meter' ORDER BY 1 LIMIT 100"
        ).fetchall()
    ]
    _months_table(con)

    note("stage")
    # Everything the flags need per meter in one small table, so each reading is joined once (the
    # conditions below are those under which ``checked`` gives no reason).
    # The meter ids, kinds and months leave DuckDB as dictionaries (ENUM types): no string is copied
    # per reading on the way to the Parquet writer, which writes them dictionary-encoded anyway.
    con.execute("""CREATE TEMP TABLE per_meter AS SELECT m.meter_id, m.kind, m.resolution, s.p90,
                   w.ts AS wm_ts FROM meters m JOIN stats s USING (meter_id) LEFT JOIN wm w USING (meter_id)""")
    if con.execute("SELECT count(*) FROM per_meter").fetchone()[0]:
        con.execute("CREATE TYPE meter_e AS ENUM (SELECT DISTINCT meter_id FROM per_meter)")
        con.execute("CREATE TYPE kind_e AS ENUM (SELECT DISTINCT kind FROM per_meter)")
        con.execute("CREATE TYPE month_e AS ENUM (SELECT month FROM months)")
        con.execute("""ALTER TABLE per_meter ADD COLUMN meter_key meter_e;
                       ALTER TABLE per_meter ADD COLUMN kind_key kind_e;
                       UPDATE per_meter SET meter_key = meter_id, kind_key = kind;
                       ALTER TABLE months ADD COLUMN month_key month_e; UPDATE months SET month_key = month""")
    else:
        con.execute("""ALTER TABLE per_meter ADD COLUMN meter_key VARCHAR; ALTER TABLE per_meter ADD COLUMN kind_key
                       VARCHAR; ALTER TABLE months ADD COLUMN month_key VARCHAR""")
    reader = con.sql(f"""
        SELECT m.meter_key AS meter_id, r.ts, r.value,
               CAST((CASE WHEN r.value < 0 THEN {NEGATIVE} ELSE 0 END)
                  + (CASE WHEN m.p90 > 0 AND r.value > 10 * m.p90 THEN {SPIKE} ELSE 0 END)
                  + (CASE WHEN m.wm_ts IS NOT NULL AND r.ts <= m.wm_ts THEN {LATE} ELSE 0 END) AS UTINYINT) AS flags,
               m.kind_key AS kind, mo.month_key AS month
        FROM raw r JOIN per_meter m USING (meter_id)
        JOIN months mo ON mo.ym = year(r.ts) * 100 + month(r.ts)
        WHERE r.ts IS NOT NULL AND r.value IS NOT NULL AND isfinite(r.value)
          AND r.ts >= TIMESTAMP '{TS_MIN}' AND r.ts < TIMESTAMP '{TS_MAX}' AND NOT ({GRID_SQL})""").to_arrow_reader(
        500_000
    )
    # The flagged rows are written once (zstd, by kind and month), in the order they come: an input
    # meter by meter (utility exports, the simulator) gives row groups of a few meters each, which
    # readers of one company's meters skip by their meter_id statistics; settling and compaction
    # sort by meter and time. The spikes are counted as they stream past (the first scan could not
    # know them: their threshold came out of it).
    spikes = 0
    spike_bit = pa.scalar(SPIKE, pa.uint8())

    def tee():
        nonlocal spikes
        for b in reader:
            spikes += pc.sum(pc.not_equal(pc.bit_wise_and(b.column("flags"), spike_bit), 0)).as_py() or 0
            yield b

    ds.write_dataset(
        pa.RecordBatchReader.from_batches(reader.schema, tee()),
        staged / "readings",
        format="parquet",
        partitioning=ds.partitioning(pa.schema([reader.schema.field(c) for c in ("kind", "month")]), flavor="hive"),
        basename_template=f"part-{batch}-{{i}}.parquet",
        existing_data_behavior="error",
        # Whole row groups although each streamed batch spreads over every partition: half the size
        # and less encoding work than a row group per batch and partition.
        min_rows_per_group=STAGE_ROW_GROUP,
        max_rows_per_group=STAGE_ROW_GROUP,
        # No Arrow schema in the files: readers see plain strings, as in every other file of the lake.
        # Dictionaries only where values repeat (meter, flags): tried on the times and values of a
        # 32,768-row group they never outgrow the page limit, so every row group built one for
        # nothing. Times are delta-encoded (sorted within a meter): 30 % smaller files, a 16 %
        # faster write and faster scans than dictionary-encoded ones (docs/energy.md).
        file_options=ds.ParquetFileFormat().make_write_options(
            compression="zstd",
            store_schema=False,
            use_dictionary=["meter_id", "flags"],
            column_encoding={"ts": "DELTA_BINARY_PACKED"},
        ),
    )
    rejects = ["SELECT meter_id, ts, value, reason FROM checked WHERE reason IS NOT NULL"]

    note("check")
    stored_files = (
        f"read_parquet('{staged}/readings/*/*/*.parquet', hive_partitioning = true, "
        "hive_types = {'kind': VARCHAR, 'month': VARCHAR})"
    )
    parts = sorted((staged / "readings").glob("kind=*/month=*"))
    if not parts:
        checks = {}
    elif ROLLUPS_FROM_SCAN:  # the stored rows are the valid rows of the input: the scan has their days
        checks = _day_aggregate_from_scan(con)
    else:
        checks = _day_aggregate(con, stored_files)
    repeats = 0  # repeated (meter, time) pairs inside this batch
    settled = False
    for part in parts:
        kind, month = part.parent.name[5:], part.name[6:]
        dups, late = checks.get((kind, month), (0, 0))
        existing = [str(lake.root / f["path"]) for f in lake.partitions(manifest).get((kind, month), [])]
        if dups or (late and existing):
            new = "read_parquet([" + ", ".join(f"'{f}'" for f in sorted(part.glob("*.parquet"))) + "])"
            _n, again = _settle_partition(con, new, existing, part, batch, result, rejects)
            repeats += again
            settled = True
    if settled:  # the staged rows changed: what follows reads the files
        if any((staged / "readings").glob("*/*/*.parquet")):
            _day_aggregate(con, stored_files)
    added = []
    for part in parts:
        kind, month = part.parent.name[5:], part.name[6:]
        for f in sorted(part.glob("*.parquet")):
            rows = pq.ParquetFile(f).metadata.num_rows
            added.append(
                {
                    "path": f"readings/kind={kind}/month={month}/{f.name}",
                    "kind": kind,
                    "month": month,
                    "rows": rows,
                    "batch": batch,
                }
            )
            result.accepted += rows
    result.partitions = len({(a["kind"], a["month"]) for a in added})
    rollups = _write_rollups(con, staged, batch, result) if added else []
    if added and ROLLUPS_FROM_SCAN and not settled:
        result.flagged["spike"] = int(spikes)
    # Missing intervals between each meter's first and last reading of the batch.
    expected, present = con.execute("""SELECT coalesce(sum((epoch(max_ts) - epoch(min_ts))
             / (CASE m.resolution WHEN 'hourly' THEN 3600 ELSE 900 END) + 1), 0), coalesce(sum(n), 0)
             FROM stats JOIN meters m USING (meter_id) WHERE m.resolution IN ('15min', 'hourly')""").fetchone()
    result.gaps = max(int(expected) - (int(present) - repeats), 0)
    reject_sql = " UNION ALL ".join(rejects)
    result.rejected = sum(result.reasons.values()) + result.conflict
    if result.conflict:
        result.reasons["differs from the stored reading"] = result.conflict
    reject_path = None
    if result.rejected:
        # Rejects sit beside the lake, outside what readers see; vacuum sweeps those of batches
        # that never got published.
        reject_path = f"_rejects/{batch}.parquet"
        (lake.root / "_rejects").mkdir(exist_ok=True)
        con.execute(f"COPY ({reject_sql}) TO '{lake.root / reject_path}' (FORMAT parquet)")
    marks = {m: ts.isoformat(sep=" ") for m, ts in con.execute("SELECT meter_id, max_ts FROM stats").fetchall()}
    con.close()
    if crash_after_stage:
        raise SystemExit("simulated crash before publishing")
    note("publish")
    record = {
        "id": batch,
        "fingerprint": fingerprint,
        "rows": result.rows,
        "accepted": result.accepted,
        "duplicate": result.duplicate,
        "conflict": result.conflict,
        "rejected": result.rejected,
        "rejects": reject_path,
        "at": dt.datetime.now(KST).isoformat(timespec="seconds"),
    }
    kinds = {k: lake.has_rollups(k, manifest) for k in ("daily",)}
    lake.publish(
        staged, added, batch=record, watermarks=marks, rollups=rollups, rollup_kinds=kinds, prepare_only=two_phase
    )


def _day_aggregate(con, stored: str) -> dict[tuple[str, str], tuple[int, int]]:
    """Aggregate the staged readings per meter and day into ``day_agg`` (sums, counts, flags and
    the number of distinct quarter-hour slots: every stored time sits on the 15-minute grid, so
    fewer slots than rows means a repeated time). Returns per (kind, month) partition the
    repeated rows and the late rows."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE day_agg AS SELECT meter_id, kind, month, day,
            coalesce(sum(value) FILTER (WHERE flags & {NEGATIVE} = 0), 0) AS qty, count(*) AS n,
            count(*) FILTER (WHERE flags & {NEGATIVE} <> 0) AS negatives,
            count(*) FILTER (WHERE flags & {SPIKE} <> 0) AS spikes,
            count(*) FILTER (WHERE flags & {LATE} <> 0) AS lates,
            count(*) FILTER (WHERE flags & {CONFLICT} <> 0) AS conflicts, {_SLOTS} AS slots
        FROM (SELECT meter_id, kind, month, CAST(ts AS DATE) AS day, value, flags, {_SLOT.format(ts="ts")} AS slot
              FROM {stored})
        GROUP BY ALL""")
    return _partition_checks(con)


def _day_aggregate_from_scan(con) -> dict[tuple[str, str], tuple[int, int]]:
    """``day_agg`` from the first scan's per-day groups of the valid rows (the rows the batch
    stores, before settling): the same figures as ``_day_aggregate`` of the staged files, except the
    spikes, which the stream counts."""
    con.execute("""CREATE OR REPLACE TEMP TABLE day_agg AS SELECT s.meter_id, m.kind,
            strftime(s.day, '%Y-%m') AS month, s.day, s.qty, s.n, s.negatives, CAST(0 AS BIGINT) AS spikes,
            s.lates, CAST(0 AS BIGINT) AS conflicts, s.slots
        FROM scan s JOIN meters m USING (meter_id) WHERE s.by_day AND s.reason IS NULL""")
    return _partition_checks(con)


def _partition_checks(con) -> dict[tuple[str, str], tuple[int, int]]:
    rows = con.execute("SELECT kind, month, sum(n) - sum(slots), sum(lates) FROM day_agg GROUP BY ALL").fetchall()
    return {(k, m): (int(d), int(late)) for k, m, d, late in rows}


def _write_rollups(con, staged: Path, batch: str, result: IngestResult | None = None) -> list[dict]:
    """Per meter and day, and per meter and month, of what this batch stored (negative readings
    are counted, not summed), from ``day_agg`` (``_day_aggregate``); the flag counts come with it.
    Reports, measures and panels read these instead of every reading; the company page's 15-minute
    indicators read the company's meters' row groups of the readings themselves."""
    out = []
    for kind, select in (
        ("daily", "SELECT meter_id, kind, day, qty, n, negatives FROM day_agg"),
        (
            "monthly",
            "SELECT meter_id, kind, month, sum(qty) AS qty, sum(n) AS n, sum(negatives) AS negatives "
            "FROM day_agg GROUP BY meter_id, kind, month",
        ),
    ):
        rel = f"rollups/{kind}/part-{batch}.parquet"
        (staged / rel).parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY ({select}) TO '{staged / rel}' (FORMAT parquet)")
        out.append({"path": rel, "batch": batch, "kind": kind})
    if result is not None:
        flags = con.execute(
            "SELECT coalesce(sum(negatives), 0), coalesce(sum(spikes), 0), coalesce(sum(lates), 0), "
            "coalesce(sum(conflicts), 0) FROM day_agg"
        ).fetchall()[0]
        result.flagged = dict(zip(("negative", "spike", "late", "conflict"), map(int, flags), strict=True))
    return out


def _read_error(paths: list[Path], exc: Exception) -> IngestError:
    """A reading DuckDB could not convert, explained with its file and line."""
    for path in paths:
        found = _first_bad_line(path)
        if found:
            return IngestError(found)
    names = ", ".join(p.name for p in paths) or "JSON"
    first = str(exc).splitlines()[0][:300]
    return IngestError(f"{names}: 읽을 수 없는 값이 있습니다 / unreadable input: {first}")


def _parse_time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _first_bad_line(path: Path) -> str | None:
    """The first line of a CSV whose value is not a number or whose time is not a time."""
    if path.suffix.lower() != ".csv":
        return None
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        wide = header[:2] == ["meter_id", "date"]
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            stamp = row[1].strip() if len(row) > 1 else ""
            values = row[2:] if wide else row[2:3]
            if stamp and _parse_time(stamp) is None:
                return (
                    f"{path.name} {line}행: 시각 '{stamp[:40]}'을(를) 읽을 수 없습니다 "
                    f"/ line {line}: '{stamp[:40]}' is not a time (YYYY-MM-DD HH:MM[:SS][+09:00])"
                )
            for v in values:
                v = v.strip()
                if v:
                    try:
                        float(v)
                    except ValueError:
                        return (
                            f"{path.name} {line}행: 값 '{v[:40]}'은(는) 숫자가 아닙니다 "
                            f"/ line {line}: the value '{v[:40]}' is not a number"
                        )
    return None


def _settle_partition(
    con, new: str, existing: list[str], part: Path, batch: str, result: IngestResult, rejects: list[str]
) -> tuple[int, int]:
    """Repeats inside the batch and against stored readings: drop exact repeats, flag conflicts.

    Inside the batch, differing values for one meter and time keep the largest and get the
    CONFLICT flag; against stored readings, the stored value stays and the new one is rejected.
    """
    deduped = f"""SELECT meter_id, ts, max(value) AS value,
                  CAST(bit_or(flags) | (CASE WHEN min(value) <> max(value) THEN {CONFLICT} ELSE 0 END)
                       AS UTINYINT) AS flags,
                  count(*) - 1 AS repeats
                  FROM {new} GROUP BY meter_id, ts"""
    con.execute(f"CREATE OR REPLACE TEMP TABLE settle AS {deduped}")
    repeats = con.execute("SELECT coalesce(sum(repeats), 0) FROM settle").fetchone()[0]
    result.duplicate += repeats
    if existing:
        old = "read_parquet([" + ", ".join(f"'{f}'" for f in existing) + "])"
        same, differ = (
            con.execute(f"""SELECT count(*) FILTER (WHERE s.value = o.value), count(*) FILTER (WHERE s.value <> o.value)
                                       FROM settle s JOIN {old} o USING (meter_id, ts)""").fetchone()
        )
        result.duplicate += same
        result.conflict += differ
        if differ:
            con.execute(f"""CREATE TEMP TABLE conflict_{len(rejects)} AS SELECT s.meter_id, s.ts, s.value,
                            'differs from the stored reading' AS reason FROM settle s JOIN {old} o USING (meter_id, ts)
                            WHERE s.value <> o.value""")
            rejects.append(f"SELECT * FROM conflict_{len(rejects)}")
        con.execute(f"DELETE FROM settle WHERE (meter_id, ts) IN (SELECT meter_id, ts FROM {old})")
    for f in part.glob("*.parquet"):
        f.unlink()
    n = con.execute("SELECT count(*) FROM settle").fetchone()[0]
    if n:
        con.execute(
            f"COPY (SELECT meter_id, ts, value, flags FROM settle ORDER BY meter_id, ts) "
            f"TO '{part}/part-{batch}-0.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP})"
        )
    return n, repeats


def _rebuild_rollups(lake: Lake) -> bool:
    """Daily rollups for a lake ingested before they existed, from every stored reading; the
    electricity interval rollups of older lakes (a second copy of the readings by meter bucket,
    no longer read: the company page reads its meters' row groups of the readings) are dropped.
    Call inside ``writer()``."""
    manifest = lake.manifest()
    intervals = [f["path"] for f in manifest["rollups"] if f.get("kind") == "intervals"]
    if lake.has_rollups("daily", manifest) and not intervals:
        return False
    if lake.has_rollups("daily", manifest):
        lake.publish(lake.new_batch_dir()[1], [], removed_rollups=intervals)
        return True
    batch, staged = lake.new_batch_dir()
    try:
        link = staged / "readings"
        for f in lake.files(manifest=manifest):  # the rollup writer reads a staged layout: link the files
            rel = Path(f).relative_to(lake.root / "readings")
            (link / rel).parent.mkdir(parents=True, exist_ok=True)
            os.link(f, link / rel)
        stored = (
            f"read_parquet('{link}/*/*/*.parquet', hive_partitioning = true, "
            "hive_types = {'kind': VARCHAR, 'month': VARCHAR})"
        )
        con = duckdb.connect()
        _day_aggregate(con, stored)
        rollups = [r for r in _write_rollups(con, staged, batch) if r["kind"] != "monthly"]
        con.close()
        old = [f["path"] for f in manifest["rollups"] if f.get("kind", "monthly") != "monthly"]
        lake.publish(staged, [], rollups=rollups, removed_rollups=old, rollup_kinds={"daily": True})
    except Exception:
        _cleanup(lake, staged, batch)
        raise
    return True


def compact(lake: Lake, min_files: int = 4) -> dict:
    """Merge each partition of ``min_files`` or more files into one file sorted by meter and time,
    and the rollups likewise; published atomically. Builds the daily rollups of a lake that
    predates them and drops the interval rollups older lakes carry (no longer read).

    Small files come from frequent small batches (an API posting every 15 minutes); readers are
    faster on fewer, larger files. Content does not change, so reports before and after agree.
    """
    merged = files_before = 0
    with lake.writer():
        manifest = lake.manifest()
        for (kind, month), files in sorted(lake.partitions(manifest).items()):
            if len(files) < min_files:
                continue
            batch, staged = lake.new_batch_dir()
            rel = f"readings/kind={kind}/month={month}/part-{batch}-compact.parquet"
            (staged / rel).parent.mkdir(parents=True)
            listed = ", ".join(f"'{lake.root / f['path']}'" for f in files)
            con = duckdb.connect()
            con.execute(
                f"COPY (SELECT meter_id, ts, value, flags FROM read_parquet([{listed}]) ORDER BY meter_id, ts) "
                f"TO '{staged / rel}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP})"
            )
            con.close()
            rows = pq.ParquetFile(staged / rel).metadata.num_rows
            lake.publish(
                staged,
                [{"path": rel, "kind": kind, "month": month, "rows": rows, "batch": batch}],
                removed=[f["path"] for f in files],
            )
            merged += 1
            files_before += len(files)
        rebuilt = _rebuild_rollups(lake)
        manifest = lake.manifest()
        groups: dict[tuple, list[dict]] = {}
        for f in manifest["rollups"]:
            groups.setdefault(f.get("kind", "monthly"), []).append(f)
        for kind, files in sorted(groups.items()):
            if len(files) < min_files:
                continue
            batch, staged = lake.new_batch_dir()
            rel = f"rollups/{kind}/part-{batch}-compact.parquet"
            (staged / rel).parent.mkdir(parents=True)
            listed = ", ".join(f"'{lake.root / f['path']}'" for f in files)
            period = "month" if kind == "monthly" else "day"
            select = (
                f"SELECT meter_id, kind, {period}, sum(qty) AS qty, sum(n) AS n, sum(negatives) AS negatives "
                f"FROM read_parquet([{listed}]) GROUP BY meter_id, kind, {period}"
            )
            con = duckdb.connect()
            con.execute(f"COPY ({select}) TO '{staged / rel}' (FORMAT parquet, COMPRESSION zstd)")
            con.close()
            lake.publish(staged, [], rollups=[{"path": rel, "batch": batch, "kind": kind}],
                         removed_rollups=[f["path"] for f in files])  # fmt: skip
    return {"partitions": merged, "files_before": files_before, "rollups_rebuilt": rebuilt}
