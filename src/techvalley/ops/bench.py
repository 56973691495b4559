"""Backup and restore benchmark: ``python -m techvalley.ops.bench [--energy-days N]``.

Loads the demo (with N days of readings) into a fresh data directory, then times, each in its
own process as an operator runs them: ``techvalley backup``, ``restore --check`` and a restore
into an empty data directory, beside a plain copy of the same data directory (``cp -a``, the
baseline: what the disk alone takes). Prints sizes, times and throughput; the restore itself
checks every checksum and the restored record counts against the manifest.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(data_dir: Path, *args: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TECHVALLEY_") and k != "DATABASE_URL"}
    env.update(TECHVALLEY_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="techvalley.settings")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "techvalley", *args], env=env, cwd=data_dir, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"techvalley {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - started


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--energy-days", type=int, default=365)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="techvalley-ops-bench."))
    try:
        source, target, copy, out = root / "source", root / "target", root / "copy", root / "backup"
        for d in (source, target):
            d.mkdir()
        demo = _run(source, "demo", "--no-serve", "--energy-days", str(args.energy_days))
        print(f"demo with {args.energy_days} days of readings: {demo:.1f} s")
        started = time.perf_counter()
        subprocess.run(["cp", "-a", str(source), str(copy)], check=True)
        baseline = time.perf_counter() - started
        backup = _run(source, "backup", "-o", str(out))
        check = _run(target, "restore", str(out), "--check")
        restore = _run(target, "restore", str(out))
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        size = manifest["total_bytes"]
        mb = size / 1e6
        print(
            f"backup: {len(manifest['files'])} files, {mb:,.1f} MB, {sum(manifest['records'].values()):,} records "
            f"in {len(manifest['records'])} models"
        )
        print(f"  baseline cp -a of the data directory ({_size(copy) / 1e6:,.1f} MB): {baseline:.2f} s")
        for name, seconds in (("backup", backup), ("restore --check", check), ("restore (empty target)", restore)):
            print(f"  {name:24} {seconds:6.2f} s  {mb / seconds:7.1f} MB/s (process start included)")
        empty = _run(target, "restore", "--help")
        print(f"  command start alone      {empty:6.2f} s")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
