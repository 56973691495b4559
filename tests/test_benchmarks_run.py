"""Each benchmark script runs to the end at a small size (a bench that no test runs broke once:
the tenancy bench's sample inquiries fell foul of the phone check added later). The figures are
`make bench`'s; here only that the script finishes. Run in the SQLite pass, each in a fresh data
directory of its own."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SMALL = {
    "tenancy_bench.py": ["--checks", "200", "--leases", "20", "--leads", "20"],
    "surveys_bench.py": ["--responses", "120"],
    "collaboration_bench.py": ["--docs", "300", "--queries", "20", "--baseline-queries", "5"],
    "registry_bench.py": ["--rows", "600", "--companies", "60", "--requests", "5"],
}


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="benchmark scripts: run in the SQLite pass")
@pytest.mark.parametrize("script", sorted(SMALL))
def test_the_benchmark_script_runs_at_a_small_size(script, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["TECHVALLEY_DATA_DIR"] = str(tmp_path)
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *SMALL[script]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, (run.stdout[-2000:], run.stderr[-4000:])
