import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from techvalley.green import services
from techvalley.green.ingest import IngestError, compact
from tests.green.conftest import write_csv


def quarter_rows(meter, day="2025-03-03", n=96, value=1.0):
    start = dt.datetime.fromisoformat(day)
    return [(meter, (start + dt.timedelta(minutes=15 * i)).isoformat(sep=" "), value) for i in range(n)]


@pytest.mark.django_db
def test_layouts_give_the_same_readings(world, meters, tmp_path, lake):
    generic = write_csv(tmp_path / "g.csv", quarter_rows("A-electricity"))
    wide = tmp_path / "w.csv"
    header = ["meter_id", "date"] + [f"{(m // 60):02d}:{(m % 60):02d}" for m in range(15, 24 * 60 + 1, 15)]
    wide.write_text(",".join(header) + "\nB-electricity,2025-03-03," + ",".join(["1.0"] * 96) + "\n")
    offset = write_csv(
        tmp_path / "o.csv",
        [("A-city_gas", "2025-03-03T00:00:00+09:00", 2.0), ("A-city_gas", "2025-03-02T15:15:00Z", 2.0)],
    )  # = 03-03 00:15 KST
    parquet = tmp_path / "p.parquet"
    seoul = dt.datetime(2025, 3, 3, tzinfo=ZoneInfo("Asia/Seoul"))  # zone-aware Parquet, converted to local
    pq.write_table(
        pa.table(
            {"meter_id": ["A-lpg"], "timestamp": pa.array([seoul], pa.timestamp("s", tz="Asia/Seoul")), "value": [3.0]}
        ),
        parquet,
    )
    result = services.ingest_files(world["cx"], [generic, wide, offset, parquet])
    assert (result.rows, result.accepted, result.rejected, result.gaps) == (96 + 96 + 2 + 1, 195, 0, 0)
    import duckdb

    got = duckdb.sql(
        f"SELECT meter_id, min(ts), max(ts), count(*) FROM read_parquet({lake.files()}) GROUP BY meter_id ORDER BY 1"
    ).fetchall()
    day = dt.datetime(2025, 3, 3)
    assert got == [
        ("A-city_gas", day, day + dt.timedelta(minutes=15), 2),
        ("A-electricity", day, day + dt.timedelta(hours=23, minutes=45), 96),
        ("A-lpg", day, day, 1),
        ("B-electricity", day, day + dt.timedelta(hours=23, minutes=45), 96),
    ]


@pytest.mark.django_db
def test_validation_flags_and_rejects(world, meters, tmp_path, lake):
    rows = quarter_rows("A-electricity", n=40)
    rows[5] = ("A-electricity", rows[5][1], -3.0)  # negative
    rows[6] = ("A-electricity", rows[6][1], 900.0)  # spike
    del rows[20:24]  # a one-hour gap
    rows += [rows[10], ("A-electricity", rows[11][1], 7.5)]  # exact repeat, conflicting repeat
    rows += [("NOPE-1", rows[0][1], 1.0), ("A-electricity", "", 1.0)]  # unknown meter, no time
    result = services.ingest_files(world["cx"], [write_csv(tmp_path / "v.csv", rows)])
    assert result.flagged["negative"] == 1 and result.flagged["spike"] == 1 and result.flagged["conflict"] == 1
    assert result.duplicate == 2 and result.rejected == 2 and result.unknown_meters == ["NOPE-1"]
    assert result.gaps == 4
    assert result.accepted == 36
    rejects = pq.read_table(lake.root / lake.manifest()["batches"][result.batch]["rejects"]).to_pylist()
    assert sorted(r["reason"] for r in rejects) == ["no time or value", "unknown meter"]
    rep = services.report(world["cx"], 2025)
    assert rep["excluded_negative_rows"] == 1  # left out of the totals, and said so


@pytest.mark.django_db
def test_resending_changes_nothing_and_conflicts_are_rejected(world, meters, tmp_path, lake):
    first = write_csv(tmp_path / "a.csv", quarter_rows("A-electricity"))
    services.ingest_files(world["cx"], [first])
    before = lake.manifest()
    again = services.ingest_files(world["cx"], [first])
    assert again.skipped and lake.manifest() == before
    overlap = write_csv(tmp_path / "b.csv", quarter_rows("A-electricity", n=100))  # 96 known + 4 new
    result = services.ingest_files(world["cx"], [overlap])
    assert (result.duplicate, result.accepted, result.flagged["late"]) == (96, 4, 0)
    earlier = write_csv(tmp_path / "e.csv", quarter_rows("A-electricity", day="2025-03-01", n=8))
    assert services.ingest_files(world["cx"], [earlier]).flagged["late"] == 8  # arrived after later data
    changed = quarter_rows("A-electricity", n=2, value=5.0)
    result = services.ingest_files(world["cx"], [write_csv(tmp_path / "c.csv", changed)])
    assert (result.conflict, result.accepted, result.rejected) == (2, 0, 2)
    rep = services.report(world["cx"], 2025)
    assert rep["total"]["kwh"] == pytest.approx(108.0)  # nothing double-counted, stored values kept


@pytest.mark.django_db
def test_json_batch(world, meters, lake):
    records = [
        {"meter_id": "A-electricity", "timestamp": "2025-03-03T09:00:00+09:00", "value": 4},
        {"meter_id": "A-electricity", "timestamp": "2025-03-03T00:15:00Z", "value": 6},
    ]
    result = services.ingest_records(world["cx"], records)
    assert result.accepted == 2
    assert services.ingest_records(world["cx"], records).skipped
    with pytest.raises(IngestError):
        services.ingest_records(world["cx"], [{"meter_id": "A-electricity", "value": 1}])


@pytest.mark.django_db
def test_bad_files_get_clear_errors(world, meters, tmp_path):
    with pytest.raises(IngestError, match="layout"):
        services.ingest_files(world["cx"], [write_csv(tmp_path / "x.csv", [(1, 2)], header="a,b")])
    with pytest.raises(IngestError, match="no such file"):
        services.ingest_files(world["cx"], [tmp_path / "missing.csv"])


@pytest.mark.django_db
def test_compaction_keeps_the_numbers(world, meters, tmp_path, lake):
    for i in range(5):
        services.ingest_files(
            world["cx"], [write_csv(tmp_path / f"d{i}.csv", quarter_rows("A-electricity", day=f"2025-03-0{i + 1}"))]
        )
    before = services.report(world["cx"], 2025)["total"]
    assert len(lake.files()) == 5
    assert compact(lake)["partitions"] == 1
    assert len(lake.files()) == 1 and services.report(world["cx"], 2025)["total"] == before


CHILD = """
import sys, django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "techvalley.settings"
from pathlib import Path
from techvalley.green.lake import Lake
from techvalley.green.ingest import ingest
meters = {f"M{i:06d}": ("electricity", "15min") for i in range(1, 201)}
ingest(Lake(sys.argv[1]), meters, paths=[Path(sys.argv[2])])
"""


def test_kill_9_during_ingest_leaves_the_lake_as_it_was(tmp_path):
    """A real SIGKILL of an ingest process part-way: the published state does not change."""
    from techvalley.green import simulate
    from techvalley.green.ingest import ingest
    from techvalley.green.lake import Lake

    specs = [simulate.MeterSpec(f"M{i:06d}", "c", "electricity", "kWh") for i in range(1, 201)]
    small = simulate.write(specs[:2], dt.date(2024, 12, 1), 3, tmp_path / "small")
    big = simulate.write(specs, dt.date(2025, 1, 1), 120, tmp_path / "big")
    lake = Lake(tmp_path / "lake")
    ingest(lake, {s.meter_id: ("electricity", "15min") for s in specs}, paths=[tmp_path / "small/readings.parquet"])
    before = json.loads(lake.manifest_path.read_text())
    env = {**os.environ, "TECHVALLEY_DATA_DIR": str(tmp_path / "var")}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(lake.root), big["readings"]], env=env)
    deadline = time.time() + 120
    while time.time() < deadline and not list((lake.root / "_staging").glob("*/readings/*/*/*.parquet")):
        time.sleep(0.02)
    assert child.poll() is None, "the ingest finished before it could be killed; make the input larger"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert json.loads(lake.manifest_path.read_text()) == before
    assert small["rows"] == sum(f["rows"] for f in lake.manifest()["files"])
    lake.vacuum()  # sweeps the killed batch's staging files
    assert not (lake.root / "_staging").exists()
    assert all((lake.root / f["path"]).exists() for f in lake.manifest()["files"])
    result = ingest(
        lake, {s.meter_id: ("electricity", "15min") for s in specs}, paths=[tmp_path / "big/readings.parquet"]
    )
    assert result.accepted == big["rows"]


def _rollup_rows(lake, kind):
    import duckdb

    files = lake.rollup_files(kind=kind)
    listed = ", ".join(f"'{f}'" for f in files)
    return duckdb.sql(f"SELECT * FROM read_parquet([{listed}]) ORDER BY ALL").fetchall()


def test_rollups_from_the_first_scan_equal_rollups_from_the_files(tmp_path, monkeypatch):
    """The rollups come from the first scan of the input (with the spikes counted as the rows are
    written), or from the files just written (as after settling): both give the same daily and
    monthly rollups and flag counts; no second copy of the readings (the interval rollups of older
    lakes) is written."""
    from techvalley.green import ingest as ingest_mod
    from techvalley.green import simulate
    from techvalley.green.lake import Lake

    specs = simulate.meter_specs(12, [f"c{i}" for i in range(8)])
    sim = simulate.write(specs, dt.date(2025, 1, 30), 4, tmp_path / "sim")
    table = pq.read_table(sim["readings"])
    values = table["value"].to_pylist()
    values[5], values[17] = -3.0, 1e6  # a negative and a spike
    pq.write_table(table.set_column(2, "value", pa.array(values)), tmp_path / "r.parquet")
    meters = {s.meter_id: (s.kind, s.resolution) for s in specs}
    reference = Lake(tmp_path / "reference")
    monkeypatch.setattr(ingest_mod, "ROLLUPS_FROM_SCAN", False)
    expected = ingest_mod.ingest(reference, meters, paths=[tmp_path / "r.parquet"])
    monkeypatch.setattr(ingest_mod, "ROLLUPS_FROM_SCAN", True)
    lake = Lake(tmp_path / "lake")
    got = ingest_mod.ingest(lake, meters, paths=[tmp_path / "r.parquet"])
    assert got.flagged == expected.flagged and got.flagged["negative"] == 1 and got.flagged["spike"] >= 1
    assert got.accepted == expected.accepted == table.num_rows
    for kind in ("daily", "monthly"):
        assert _rollup_rows(lake, kind) == _rollup_rows(reference, kind) != []
    assert lake.rollup_files(kind="intervals") == [] and not (lake.root / "rollups" / "intervals").exists()


def test_a_batch_too_large_for_the_memory_limit_says_so(tmp_path):
    """Out of memory is not "unreadable input": it says what to do, and leaves nothing behind."""
    from techvalley.green import simulate
    from techvalley.green.ingest import ingest
    from techvalley.green.lake import Lake

    specs = simulate.meter_specs(400, [f"c{i}" for i in range(300)])
    sim = simulate.write(specs, dt.date(2025, 1, 1), 3, tmp_path / "sim")
    lake = Lake(tmp_path / "lake")
    with pytest.raises(IngestError) as err:
        ingest(lake, {s.meter_id: (s.kind, "15min") for s in specs}, paths=[sim["readings"]], memory_limit="2MB")
    assert err.value.code == "batch_too_large" and err.value.status == 413 and "2MB" in err.value.message
    assert lake.manifest()["files"] == [] and not (lake.root / "_staging").exists()


def _flags_by_value(lake) -> dict[float, int]:
    import duckdb

    rows = duckdb.sql(f"SELECT value, flags FROM read_parquet({lake.files()})").fetchall()
    return {float(v): int(f) for v, f in rows}


def test_spike_threshold_is_ten_times_the_90th_percentile_to_within_one_percent(tmp_path):
    """The 90th percentile comes from a log-scale histogram (1 % bins, deterministic): a meter
    reading 1 … 100 (and the two tested values) has quantile_disc's 90th percentile 92, so 920 is
    not a spike (not over 10 × 92) and 930 is (over 10 × 92 × 1.01); a meter reading mostly zero has
    a 90th percentile of 0 and flags nothing."""
    from techvalley.green.ingest import SPIKE, ingest
    from techvalley.green.lake import Lake

    start = dt.datetime(2025, 3, 3)
    at = [(start + dt.timedelta(minutes=15 * i)).isoformat() for i in range(200)]
    records = [{"meter_id": "A", "timestamp": at[i], "value": float(i + 1)} for i in range(100)]
    records += [{"meter_id": "A", "timestamp": at[100], "value": 920.0}]
    records += [{"meter_id": "A", "timestamp": at[101], "value": 930.0}]
    records += [{"meter_id": "Z", "timestamp": at[i], "value": 0.0} for i in range(95)]
    records += [{"meter_id": "Z", "timestamp": at[95], "value": 5000.0}]
    meters = {"A": ("electricity", "15min"), "Z": ("electricity", "15min")}
    # 102 readings of A: its 90th percentile (index ⌈0.9 × 101⌉ = 91 of 0 … 101) is 92.
    import duckdb

    a_values = [r["value"] for r in records if r["meter_id"] == "A"]
    assert duckdb.sql(f"SELECT quantile_disc(v, 0.9) FROM (SELECT unnest({a_values}) AS v)").fetchall()[0][0] == 92
    result = ingest(Lake(tmp_path / "one"), meters, records=records)
    flags = _flags_by_value(Lake(tmp_path / "one"))
    assert flags[930.0] & SPIKE and not flags[920.0] & SPIKE and not flags[100.0] & SPIKE
    assert not flags[5000.0] & SPIKE
    assert result.flagged["spike"] == 1
    # The same input gives the same flags in another lake, in another order.
    again = ingest(Lake(tmp_path / "two"), meters, records=list(reversed(records)))
    assert _flags_by_value(Lake(tmp_path / "two")) == flags and again.flagged == result.flagged
