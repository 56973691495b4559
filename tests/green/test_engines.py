"""The same computations on DuckDB and on Spark (local mode) give the same results."""

import datetime as dt
import math

import pyarrow as pa
import pytest

from techvalley.green import analytics, simulate
from techvalley.green.ingest import ingest
from techvalley.green.lake import Lake

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    root = tmp_path_factory.mktemp("lake")
    specs = simulate.meter_specs(14, [f"c{i}" for i in range(8)])
    simulate.write(specs, dt.date(2025, 1, 1), 75, root / "sim")
    lake = Lake(root / "lake")
    # Two batches (the second overlapping the first) so duplicates, late data and rollups meet.
    ingest(lake, {s.meter_id: (s.kind, "15min") for s in specs}, paths=[root / "sim/readings.parquet"])
    extra = simulate.write(specs[:3], dt.date(2025, 3, 10), 10, root / "sim2", seed=99)
    ingest(lake, {s.meter_id: (s.kind, "15min") for s in specs}, paths=[root / "sim2/readings.parquet"])
    table = pa.table(
        {
            "meter_id": [s.meter_id for s in specs],
            "company": [s.company for s in specs],
            "kind": [s.kind for s in specs],
        }
    )
    duck = analytics.DuckDBEngine(lake, table, 2025)
    spark = analytics.SparkEngine(lake, table, 2025)
    yield duck, spark, extra
    duck.close()


def same(a, b, rel=1e-9):
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.keys() == y.keys()
        for k in x:
            if isinstance(x[k], float) or isinstance(y[k], float):
                assert math.isclose(x[k], y[k], rel_tol=rel, abs_tol=1e-9), (k, x[k], y[k])
            else:
                assert x[k] == y[k], (k, x[k], y[k])


@pytest.mark.parametrize("emission_set", [None, "kr-2014-2016"])
def test_annual_report(engines, emission_set):
    duck, spark, _ = engines
    a, b = analytics.annual_report(duck, 2025, emission_set), analytics.annual_report(spark, 2025, emission_set)
    same(a["companies"][0]["months"], b["companies"][0]["months"])
    assert a["total"] == pytest.approx(b["total"]) and a["factors"] == b["factors"]


def test_rollups_equal_the_readings(engines):
    duck, spark, _ = engines
    same(duck.query(analytics.monthly_sql(2025)), duck.query(analytics.monthly_sql(2025, source="readings")))
    same(spark.query(analytics.monthly_sql(2025)), spark.query(analytics.monthly_sql(2025, source="readings")))


@pytest.mark.parametrize("query", [analytics.load_sql, analytics.profile_sql, analytics.anomaly_sql])
def test_indicators(engines, query):
    duck, spark, _ = engines
    same(duck.query(query(2025)), spark.query(query(2025)))


def test_translation_is_spark_sql(engines):
    sql = analytics.SparkEngine.translate(analytics.load_sql(2025))
    assert "PERCENTILE" not in sql.upper() and "ROW_NUMBER" in sql.upper()


@pytest.mark.parametrize(
    ("value", "expected"), [("", 4), ("72", 72), (" 8 ", 8), ("0", None), ("-3", None), ("1e3", None), ("٣", None)]
)
def test_spark_shuffle_partitions_from_the_environment(monkeypatch, value, expected):
    """TECHVALLEY_SPARK_SHUFFLE_PARTITIONS: a whole number from 1 to 100000, else a message naming
    the variable (the CLI prints it and exits 2)."""
    from techvalley.green.analytics import shuffle_partitions

    monkeypatch.setenv("TECHVALLEY_SPARK_SHUFFLE_PARTITIONS", value)
    if expected is None:
        with pytest.raises(ValueError, match="TECHVALLEY_SPARK_SHUFFLE_PARTITIONS"):
            shuffle_partitions()
    else:
        assert shuffle_partitions() == expected
