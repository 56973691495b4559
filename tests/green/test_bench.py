"""The energy benchmark ends and says why when a child fails or pandas is missing (no hang)."""

import multiprocessing as mp
import os

import pytest

from techvalley.green import bench


def _dies():
    os._exit(3)  # as a child killed by a missing import or the OOM killer would


def _raises():
    import pandas_that_does_not_exist  # noqa: F401


def test_a_child_that_dies_is_reported_not_waited_for():
    ctx = mp.get_context("spawn")
    with pytest.raises(bench.BenchFailed, match="exit 3"):
        bench._run_child(ctx, "pandas", _dies)
    with pytest.raises(bench.BenchFailed, match="ModuleNotFoundError"):
        bench._run_child(ctx, "pandas", _raises)


def test_without_pandas_the_baseline_is_skipped_with_the_extra_to_install(monkeypatch, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pandas" else real(name, *a))
    said = []
    result = bench.run(12, 3, workdir=tmp_path, repeat=1, log=said.append)
    assert any("techvalley[bench]" in s for s in said) and "pandas_s" not in result
    assert result["rows"] == 12 * 3 * 96 and result["floor_s"] > 0 and result["ingest_vs_floor"] > 0
    assert result["company_page_p95_ms"] >= result["company_page_p50_ms"] > 0


def test_the_pandas_baseline_is_checked_equal_before_its_time_is_reported(tmp_path):
    pytest.importorskip("pandas")
    result = bench.run(12, 3, workdir=tmp_path, repeat=1, log=lambda s: None)
    assert result["pandas_result_checked"] is True and result["pandas_s"] > 0
