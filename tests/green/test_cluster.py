"""The energy analytics on a real Spark standalone cluster: a master and a worker started as
separate processes from the pyspark package, on this machine (docs/energy.md, Spark runbook).

Run alone: ``.venv/bin/pytest tests/green/test_cluster.py -m cluster -p no:cacheprovider``.
"""

import datetime as dt
import os
import signal

import pyarrow as pa
import pytest

from techvalley.green import analytics, bench, simulate
from techvalley.green.cluster import StandaloneCluster
from techvalley.green.ingest import ingest
from techvalley.green.lake import Lake

pytestmark = [pytest.mark.cluster, pytest.mark.spark]


def _jvms_of(pids: list[int]) -> list[int]:
    """Cluster processes still running (by process group)."""
    alive = []
    for pid in pids:
        try:
            os.killpg(pid, 0)
            alive.append(pid)
        except ProcessLookupError:
            pass
    return alive


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster-lake")
    specs = simulate.meter_specs(10, [f"c{i}" for i in range(6)])
    simulate.write(specs, dt.date(2025, 1, 1), 60, root / "sim")
    # An unusual day (four times the usual use of one company's electricity) for the anomalies.
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    readings = pq.read_table(root / "sim/readings.parquet")
    day = pc.equal(pc.cast(readings["timestamp"], pa.date32()), pa.scalar(dt.date(2025, 2, 12)))
    odd = pc.and_(pc.equal(readings["meter_id"], specs[0].meter_id), day)
    values = pc.if_else(odd, pc.multiply(readings["value"], 4.0), readings["value"])
    pq.write_table(readings.set_column(2, "value", values), root / "sim/readings.parquet")
    lake = Lake(root / "lake")
    meters = {s.meter_id: (s.kind, "15min") for s in specs}
    ingest(lake, meters, paths=[root / "sim/readings.parquet"])
    table = pa.table(
        {
            "meter_id": [s.meter_id for s in specs],
            "company": [s.company for s in specs],
            "kind": [s.kind for s in specs],
        }
    )
    return lake, table


@pytest.fixture(scope="module")
def cluster():
    c = StandaloneCluster(workers=1, cores=1, memory="1g")
    try:
        c.start()
        yield c
    finally:
        analytics.stop_spark()  # the driver first, then the cluster under it
        pids = [p.pid for p in c.processes]
        c.stop()
        assert _jvms_of(pids) == [], "a cluster JVM outlived the test"


def test_the_cluster_runs_separate_processes(cluster):
    assert cluster.master_url.startswith("spark://127.0.0.1:")
    assert len(cluster.alive()) == 2 and os.getpid() not in cluster.alive()
    assert "Successfully registered with master" in cluster.processes[1].log_path.read_text()


def test_report_anomalies_and_benchmark_equal_duckdb_on_the_cluster(cluster, lake):
    lake, table = lake
    spark = analytics.SparkEngine(lake, table, 2025, master=cluster.master_url)
    assert spark.spark.sparkContext.master == cluster.master_url
    # Work ran on the cluster's executor, not in the driver.
    executors = spark.spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size()
    assert executors >= 2  # the driver's block manager and the worker's executor
    duck = analytics.DuckDBEngine(lake, table, 2025)
    try:
        for emission_set in (None, "kr-2014-2016"):
            a = analytics.annual_report(duck, 2025, emission_set, source="readings")
            b = analytics.annual_report(spark, 2025, emission_set, source="readings")
            assert [c["company"] for c in a["companies"]] == [c["company"] for c in b["companies"]]
            assert a["total"] == pytest.approx(b["total"], rel=1e-9) and a["total"]["kwh"] > 0
        anomalies = sorted(duck.query(analytics.anomaly_sql(2025)), key=bench._row_key)
        assert any(str(a["day"]) == "2025-02-12" for a in anomalies), anomalies
        assert bench._same_rows(anomalies, sorted(spark.query(analytics.anomaly_sql(2025)), key=bench._row_key))
    finally:
        duck.close()
    figures = bench.spark_run(lake, table, 2025, master=cluster.master_url, repeat=1)
    assert figures["master"] == cluster.master_url
    assert figures["report_from_readings_rows"] > 0 and figures["spark_report_from_readings_s"] > 0
    assert figures["anomalies_rows"] >= 1 and figures["load_rows"] == 6
    print("\ncluster benchmark:", figures)


def test_a_failed_start_leaves_no_process(monkeypatch):
    c = StandaloneCluster(workers=1, start_timeout=60)
    real = c._wait_for

    def fail_on_worker(proc, needle):
        real(proc, needle)
        if "worker" in proc.args[1].lower():
            raise RuntimeError("simulated failure after the worker started")

    monkeypatch.setattr(c, "_wait_for", fail_on_worker)
    with pytest.raises(RuntimeError, match="simulated"):
        c.start()
    assert c.processes and _jvms_of([p.pid for p in c.processes]) == []
    assert c.dir is None


def test_stop_kills_a_process_that_ignores_term(tmp_path):
    import subprocess
    import sys
    import time

    c = StandaloneCluster()
    c.dir = tmp_path / "cluster"
    (c.dir / "logs").mkdir(parents=True)
    log_path = c.dir / "logs" / "stubborn.log"
    log = open(log_path, "wb")  # noqa: SIM115
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); "
    code += "time.sleep(600)"
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True, stdout=log)
    while b"ready" not in log_path.read_bytes():
        time.sleep(0.05)
    proc.log_file = log
    c.processes.append(proc)
    c.stop(timeout=1)
    assert proc.poll() == -signal.SIGKILL
