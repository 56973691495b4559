"""Registry benchmarks: resolver throughput, a 100,000-row import and its re-import, directory server time.

Prints figures; it is not a pass/fail test. Each figure comes with a baseline measured in the
same run (a plain dict look-up, a bare CSV parse), since absolute times on a shared machine
vary. Run through `make bench` (SQLite, then PostgreSQL) or directly:

    TECHVALLEY_DATA_DIR=$(mktemp -d) .venv/bin/python benchmarks/registry_bench.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techvalley.settings")
os.environ.setdefault("TECHVALLEY_DATA_DIR", tempfile.mkdtemp(prefix="techvalley-bench-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

from techvalley.core.models import Complex  # noqa: E402
from techvalley.registry import ksic, services  # noqa: E402
from techvalley.registry.demo import demo_file  # noqa: E402
from techvalley.registry.models import Company  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared/data/registry/busan_factory_registry_2025-12-31.cp949.csv"


def real_rows() -> list[dict]:
    path = SHARED if SHARED.exists() else demo_file("saha_factory_registry_2025-12-31.cp949.csv")
    with open(path, encoding="cp949", newline="") as f:
        return list(csv.DictReader(f))


def bench_resolver(rows: list[dict]) -> dict:
    names = [r["업종명"] for r in rows]
    ksic.resolve.cache_clear()
    t = time.perf_counter()
    for n in names:
        ksic.resolve(n)
    cold = len(names) / (time.perf_counter() - t)
    rounds = max(1, 200_000 // len(names))
    t = time.perf_counter()
    for _ in range(rounds):
        for n in names:
            ksic.resolve(n)
    warm = rounds * len(names) / (time.perf_counter() - t)
    # Without the result cache: every name normalised and looked up (fuzzy for the misses).
    unique = sorted(set(names))
    t = time.perf_counter()
    for n in unique:
        ksic.resolve.__wrapped__(n)
    uncached = len(unique) / (time.perf_counter() - t)
    exact = {i.name: i.code for i in ksic.table(10).values()}
    t = time.perf_counter()
    for _ in range(rounds):
        for n in names:
            exact.get(n)
    baseline = rounds * len(names) / (time.perf_counter() - t)
    return {
        "names": len(names),
        "cold_names_per_s": round(cold),
        "warm_names_per_s": round(warm),
        "uncached_unique_names_per_s": round(uncached),
        "baseline_dict_get_per_s": round(baseline),
    }


def synthetic_registry(rows: list[dict], n: int, path: Path, seed: int = 7) -> None:
    """n rows in the Busan layout, CP949, built from real rows with distinct names and numbers."""
    rng = random.Random(seed)
    with open(path, "w", encoding="cp949", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["순번", "회사명", "공장대표주소", "업종명", "전화번호"])
        for i in range(n):
            r = rows[rng.randrange(len(rows))]
            addr = r["공장대표주소"].split("(")[0].strip().rstrip(",")
            w.writerow([i + 1, f"{r['회사명']} {i}", f"{addr} {i}번지 (장림동)", r["업종명"], ""])


def bench_import(rows: list[dict], n: int) -> dict:
    """A first import of n rows, the re-import of the same file, and two baselines measured on
    the same file in the same run: a bare CSV parse, and our parse + plan (no database)."""
    from techvalley.registry.parsers import read_registry

    cx, _ = Complex.objects.get_or_create(slug="bench-busan", defaults={"name": "부산 전체 (bench)"})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "registry.csv"
        synthetic_registry(rows, n, path)
        t = time.perf_counter()
        with open(path, encoding="cp949", newline="") as f:
            parsed = sum(1 for _ in csv.reader(f))
        baseline = time.perf_counter() - t
        t = time.perf_counter()
        services.plan_rows(read_registry(path), cx, "busan")
        plan_s = time.perf_counter() - t
        ksic.resolve.cache_clear()
        t, cpu = time.perf_counter(), time.process_time()
        first = services.import_registry(path, cx)
        first_s, first_cpu = time.perf_counter() - t, time.process_time() - cpu
        t, cpu = time.perf_counter(), time.process_time()
        again = services.import_registry(path, cx)
        again_s, again_cpu = time.perf_counter() - t, time.process_time() - cpu
    return {
        "rows": parsed - 1,
        "first_import_s": round(first_s, 2),
        "first_import_cpu_s": round(first_cpu, 2),
        "created": first.counts["created"],
        "reimport_s": round(again_s, 2),
        "reimport_cpu_s": round(again_cpu, 2),
        "reimport_unchanged": again.counts["unchanged"],
        "baseline_csv_parse_s": round(baseline, 3),
        "parse_and_plan_s": round(plan_s, 2),
        "goal": "first import < 5 s, re-import < 2 s (issue 8)",
    }


def bench_directory(n_companies: int, requests: int) -> dict:
    cx = Complex.objects.get(slug=settings.TECHVALLEY_DEFAULT_COMPLEX)
    have = Company.objects.filter(complex=cx).count()
    rng = random.Random(3)
    intensities = ["high", "medium_high", "medium_low", "low", "knowledge_services"]
    dongs = cx.legal_dongs or ["장림동"]
    Company.objects.bulk_create(
        [
            Company(
                complex=cx,
                registry_key=f"bench-{i}",
                name=f"벤치기업 {i}",
                name_key=f"벤치기업{i}",
                address=f"부산광역시 사하구 다산로 {i} ({dongs[i % len(dongs)]})",
                legal_dong=dongs[i % len(dongs)],
                industry_name="도금업",
                ksic_code=rng.choice(["25922", "29133", "26110", "10211"]),
                ksic_status="resolved",
                tech_intensity=rng.choice(intensities),
                employees=rng.randint(1, 300),
            )
            for i in range(max(0, n_companies - have))
        ],
        batch_size=2000,
    )
    total = Company.objects.filter(complex=cx).count()
    settings.ALLOWED_HOSTS.append("testserver")
    client = Client()
    queries = [
        {},
        {"q": "벤치"},
        {"intensity": "high"},
        {"dong": dongs[0]},
        {"division": "25"},
        {"page": "20"},
        {"q": "도금", "page": "3"},
    ]
    times = []
    for i in range(requests):
        t = time.perf_counter()
        r = client.get("/registry/companies/", queries[i % len(queries)])
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    counts = {}
    settings.DEBUG = True  # record queries
    for size in (10, 50, 200):
        settings.TECHVALLEY_PAGE_SIZE = size
        reset_queries()
        client.get("/registry/companies/")
        counts[size] = len(connection.queries)
    settings.DEBUG = False
    times.sort()
    return {
        "companies": total,
        "requests": requests,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
        "queries_by_page_size": counts,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--companies", type=int, default=5_000)
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()
    call_command("migrate", verbosity=0)
    from techvalley.demo import load_demo

    load_demo(energy_days=0)  # the registry figures need no meter readings
    rows = real_rows()
    out = {
        "database": connection.vendor,
        "resolver": bench_resolver(rows),
        "import": bench_import(rows, args.rows),
        "directory": bench_directory(args.companies, args.requests),
    }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    print()
    r, i, d = out["resolver"], out["import"], out["directory"]
    print(
        f"[{out['database']}] resolver warm {r['warm_names_per_s']:,}/s (dict.get baseline "
        f"{r['baseline_dict_get_per_s']:,}/s; cold {r['cold_names_per_s']:,}/s; uncached unique "
        f"{r['uncached_unique_names_per_s']:,}/s)"
    )
    print(
        f"[{out['database']}] import {i['rows']:,} rows: {i['first_import_s']} s, re-import unchanged "
        f"{i['reimport_s']} s (goal < 5 s and < 2 s); bare CSV parse {i['baseline_csv_parse_s']} s, "
        f"our parse + plan without the database {i['parse_and_plan_s']} s"
    )
    print(
        f"[{out['database']}] directory {d['companies']:,} companies: p50 {d['p50_ms']} ms, p95 {d['p95_ms']} ms; "
        f"queries by page size {d['queries_by_page_size']}"
    )


if __name__ == "__main__":
    main()
