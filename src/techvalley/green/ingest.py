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

import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from techvalley.green.lake import Lake

KST = ZoneInfo("Asia/Seoul")
NEGATIVE, SPIKE, LATE, CONFLICT = 1, 2, 4, 8
OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
QUARTER_COLUMNS = [f"{(m // 60):02d}:{(m % 60):02d}" for m in range(15, 24 * 60 + 1, 15)]


class IngestError(ValueError):
    """The input cannot be read at all (layout, columns); the message says why."""


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
    """A JSON batch → (meter_id, ts, value); offsets converted to Korean local time."""
    ids, stamps, values = [], [], []
    for i, r in enumerate(records, start=1):
        try:
            ts = dt.datetime.fromisoformat(str(r["timestamp"]).replace("Z", "+00:00"))
            if ts.tzinfo is not None:
                ts = ts.astimezone(KST).replace(tzinfo=None)
            ids.append(str(r["meter_id"]))
            stamps.append(ts)
            values.append(None if r.get("value") is None else float(r["value"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise IngestError(
                f"{i}번째 기록을 읽을 수 없습니다: {exc} / record {i} is not {{meter_id, timestamp, value}}"
            ) from exc
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
        schema = pq.read_schema(path)
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


def ingest(
    lake: Lake,
    meters: dict[str, tuple[str, str]],
    *,
    paths: list[Path] | None = None,
    records: list[dict] | None = None,
    progress: Callable[[str], None] | None = None,
    memory_limit: str = "1GB",
    crash_after_stage: bool = False,
) -> IngestResult:
    """Ingest files or a JSON batch. ``meters``: meter_id → (kind, resolution).

    ``crash_after_stage`` exists for the crash-safety test: it stops after the files are written
    but before the manifest is switched, as a kill would.
    """
    started = time.perf_counter()
    note = progress or (lambda _s: None)
    paths = [Path(p) for p in (paths or [])]
    for p in paths:
        if not p.is_file():
            raise IngestError(f"파일이 없습니다 / no such file: {p}")
    fingerprint = fingerprint_files(paths) if paths else fingerprint_records(records or [])
    result = IngestResult()
    with lake.writer():
        manifest = lake.manifest()
        if fingerprint in {b.get("fingerprint") for b in manifest["batches"].values()}:
            result.skipped = True
            result.seconds = time.perf_counter() - started
            return result
        batch, staged = lake.new_batch_dir()
        result.batch = batch
        con = duckdb.connect()
        tmp = lake.root / "_tmp"
        tmp.mkdir(exist_ok=True)
        con.execute(
            f"SET memory_limit='{memory_limit}'; SET temp_directory='{tmp}'; SET preserve_insertion_order=false"
        )
        con.register(
            "meters_in",
            pa.table(
                {
                    "meter_id": list(meters),
                    "kind": [k for k, _ in meters.values()],
                    "resolution": [r for _, r in meters.values()],
                }
            ),
        )
        con.execute("CREATE TEMP TABLE meters AS SELECT * FROM meters_in")
        wm = manifest["watermarks"]
        con.register(
            "wm_in",
            pa.table(
                {
                    "meter_id": list(wm),
                    "ts": pa.array([dt.datetime.fromisoformat(v) for v in wm.values()], pa.timestamp("us")),
                }
            ),
        )
        con.execute("CREATE TEMP TABLE wm AS SELECT * FROM wm_in")
        if paths:
            con.execute("CREATE VIEW raw AS " + " UNION ALL ".join(_source_sql(p) for p in paths))
        else:
            con.register("records_in", records_table(records or []))
            con.execute("CREATE VIEW raw AS SELECT meter_id, ts, value FROM records_in")

        note("stats")
        con.execute("""CREATE TEMP TABLE stats AS SELECT meter_id, count(*) AS n, min(ts) AS min_ts, max(ts) AS max_ts,
                       approx_quantile(value, 0.9) AS p90 FROM raw WHERE ts IS NOT NULL AND value IS NOT NULL
                       GROUP BY meter_id""")
        result.rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
        result.unknown_meters = [
            r[0]
            for r in con.execute(
                "SELECT meter_id FROM stats ANTI JOIN meters USING (meter_id) ORDER BY 1 LIMIT 100"
            ).fetchall()
        ]

        note("stage")
        reader = con.sql(f"""
            SELECT r.meter_id, r.ts, r.value,
                   CAST((CASE WHEN r.value < 0 THEN {NEGATIVE} ELSE 0 END)
                      + (CASE WHEN s.p90 > 0 AND r.value > 10 * s.p90 THEN {SPIKE} ELSE 0 END)
                      + (CASE WHEN w.ts IS NOT NULL AND r.ts <= w.ts THEN {LATE} ELSE 0 END) AS UTINYINT) AS flags,
                   m.kind, strftime(r.ts, '%Y-%m') AS month
            FROM raw r JOIN meters m USING (meter_id) JOIN stats s USING (meter_id) LEFT JOIN wm w USING (meter_id)
            WHERE r.ts IS NOT NULL AND r.value IS NOT NULL""").to_arrow_reader(500_000)
        ds.write_dataset(
            reader,
            staged / "readings",
            format="parquet",
            partitioning=ds.partitioning(pa.schema([("kind", pa.string()), ("month", pa.string())]), flavor="hive"),
            basename_template=f"part-{batch}-{{i}}.parquet",
            existing_data_behavior="error",
            max_rows_per_group=1_000_000,
            file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"),
        )
        rejects = [
            "SELECT meter_id, ts, value, 'unknown meter' AS reason FROM raw ANTI JOIN meters USING (meter_id)",
            "SELECT meter_id, ts, value, 'no time or value' AS reason FROM raw WHERE ts IS NULL OR value IS NULL",
        ]

        note("check")
        added = []
        repeats = 0  # repeated (meter, time) pairs inside this batch
        for part in sorted((staged / "readings").glob("kind=*/month=*")):
            kind, month = part.parent.name[5:], part.name[6:]
            files = sorted(part.glob("*.parquet"))
            new = "read_parquet([" + ", ".join(f"'{f}'" for f in files) + "])"
            n, distinct, late = con.execute(
                f"SELECT count(*), count(DISTINCT (meter_id, ts)), count(*) FILTER (WHERE flags & {LATE} > 0) "
                f"FROM {new}"
            ).fetchone()
            existing = [str(lake.root / f["path"]) for f in lake.partitions(manifest).get((kind, month), [])]
            if n != distinct or (late and existing):
                n, again = _settle_partition(con, new, existing, part, batch, result, rejects)
                repeats += again
                files = sorted(part.glob("*.parquet"))
            for f in files:
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
        flags = (
            con.execute(f"""SELECT count(*) FILTER (WHERE flags & {NEGATIVE} > 0),
               count(*) FILTER (WHERE flags & {SPIKE} > 0), count(*) FILTER (WHERE flags & {LATE} > 0),
               count(*) FILTER (WHERE flags & {CONFLICT} > 0)
               FROM read_parquet('{staged}/readings/*/*/*.parquet')""").fetchone()
            if added
            else (0, 0, 0, 0)
        )
        result.flagged = dict(zip(("negative", "spike", "late", "conflict"), flags, strict=True))
        rollups = []
        if added:
            # Per meter and month, the sum of what this batch stored: annual reports read these
            # instead of every reading (negative readings are counted, not summed).
            rel = f"rollups/monthly/part-{batch}.parquet"
            (staged / rel).parent.mkdir(parents=True)
            con.execute(f"""COPY (SELECT meter_id, kind, month,
                    coalesce(sum(value) FILTER (WHERE flags & {NEGATIVE} = 0), 0) AS qty, count(*) AS n,
                    count(*) FILTER (WHERE flags & {NEGATIVE} <> 0) AS negatives
                FROM read_parquet('{staged}/readings/*/*/*.parquet', hive_partitioning = true,
                                  hive_types = {{'kind': VARCHAR, 'month': VARCHAR}})
                GROUP BY meter_id, kind, month) TO '{staged / rel}' (FORMAT parquet)""")
            rollups.append({"path": rel, "batch": batch})
        # Missing intervals between each meter's first and last reading of the batch.
        expected, present = con.execute("""SELECT coalesce(sum((epoch(max_ts) - epoch(min_ts))
                 / (CASE m.resolution WHEN 'hourly' THEN 3600 ELSE 900 END) + 1), 0), coalesce(sum(n), 0)
                 FROM stats JOIN meters m USING (meter_id) WHERE m.resolution IN ('15min', 'hourly')""").fetchone()
        result.gaps = max(int(expected) - (int(present) - repeats), 0)
        reject_sql = " UNION ALL ".join(rejects)
        result.rejected = con.execute(f"SELECT count(*) FROM ({reject_sql})").fetchone()[0]
        reject_path = None
        if result.rejected:
            # Rejects sit beside the lake, outside what readers see; vacuum sweeps those of batches
            # that never got published.
            reject_path = f"_rejects/{batch}.parquet"
            (lake.root / "_rejects").mkdir(exist_ok=True)
            con.execute(f"COPY ({reject_sql}) TO '{lake.root / reject_path}' (FORMAT parquet)")
        marks = {
            m: ts.isoformat(sep=" ")
            for m, ts in con.execute("SELECT meter_id, max_ts FROM stats SEMI JOIN meters USING (meter_id)").fetchall()
        }
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
        lake.publish(staged, added, batch=record, watermarks=marks, rollups=rollups)
    result.seconds = time.perf_counter() - started
    return result


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
            f"COPY (SELECT meter_id, ts, value, flags FROM settle) TO '{part}/part-{batch}-0.parquet' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
    return n, repeats


def compact(lake: Lake, min_files: int = 4) -> dict:
    """Merge each partition of ``min_files`` or more files into one file, published atomically.

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
                f"TO '{staged / rel}' (FORMAT parquet, COMPRESSION zstd)"
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
        manifest = lake.manifest()
        if len(manifest["rollups"]) >= min_files:
            batch, staged = lake.new_batch_dir()
            rel = f"rollups/monthly/part-{batch}-compact.parquet"
            (staged / rel).parent.mkdir(parents=True)
            listed = ", ".join(f"'{lake.root / f['path']}'" for f in manifest["rollups"])
            con = duckdb.connect()
            con.execute(
                f"COPY (SELECT meter_id, kind, month, sum(qty) AS qty, sum(n) AS n, sum(negatives) AS negatives "
                f"FROM read_parquet([{listed}]) GROUP BY meter_id, kind, month) TO '{staged / rel}' "
                "(FORMAT parquet)"
            )
            con.close()
            lake.publish(
                staged,
                [],
                rollups=[{"path": rel, "batch": batch}],
                removed_rollups=[f["path"] for f in manifest["rollups"]],
            )
    return {"partitions": merged, "files_before": files_before}
