"""The figures of a load run (`make load`): requests, errors and p50/p95/p99 per page, read from
locust's CSV files, with the pages over the 300 ms p95 goal marked. Exits 1 on any error.

    .venv/bin/python benchmarks/load_bench.py PREFIX [--users 50 --seconds 300 --json OUT]

PREFIX is what ``locust --csv PREFIX`` wrote (PREFIX_stats.csv, PREFIX_failures.csv).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

GOAL_P95_MS = 300


def _num(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def read_stats(prefix: str) -> tuple[list[dict], dict | None]:
    pages, total = [], None
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            item = {
                "method": row["Type"],
                "page": row["Name"],
                "requests": int(_num(row["Request Count"])),
                "failures": int(_num(row["Failure Count"])),
                "p50_ms": _num(row["50%"]),
                "p95_ms": _num(row["95%"]),
                "p99_ms": _num(row["99%"]),
                "max_ms": _num(row["Max Response Time"]),
                "rps": _num(row["Requests/s"]),
            }
            if row["Name"] == "Aggregated":
                total = item
            else:
                pages.append(item)
    return pages, total


def read_failures(prefix: str) -> list[dict]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def report(prefix: str, users: int, seconds: int, brief: bool = False) -> dict:
    pages, total = read_stats(prefix)
    failures = read_failures(prefix)
    pages.sort(key=lambda p: -p["p95_ms"])
    print(f"load: {users} users for {seconds} s (gunicorn, PostgreSQL, 127.0.0.1)")
    if brief:
        pages = pages[:10]
    print(f"{'page':<58} {'method':<6} {'requests':>8} {'errors':>6} {'p50':>6} {'p95':>6} {'p99':>6}")
    for p in pages:
        mark = "  > goal" if p["p95_ms"] > GOAL_P95_MS and p["method"] == "GET" else ""
        print(
            f"{p['page'][:58]:<58} {p['method']:<6} {p['requests']:>8} {p['failures']:>6} "
            f"{p['p50_ms']:>6.0f} {p['p95_ms']:>6.0f} {p['p99_ms']:>6.0f}{mark}"
        )
    if total:
        print(
            f"total: {total['requests']:,} requests, {total['rps']:.1f}/s, errors {total['failures']}, "
            f"p50 {total['p50_ms']:.0f} ms, p95 {total['p95_ms']:.0f} ms, p99 {total['p99_ms']:.0f} ms "
            f"(goal: every page p95 < {GOAL_P95_MS} ms)"
        )
    over = [p["page"] for p in pages if p["p95_ms"] > GOAL_P95_MS and p["method"] == "GET"]
    print(f"pages over the goal: {len(over)} of {len(pages)}")
    for f in failures[:20]:
        print(f"error: {f.get('Method')} {f.get('Name')}: {f.get('Error')} × {f.get('Occurrences')}")
    return {"users": users, "seconds": seconds, "total": total, "pages": pages, "failures": failures, "over": over}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("prefix")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=300)
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--brief", action="store_true", help="only the ten slowest pages")
    args = ap.parse_args()
    out = report(args.prefix, args.users, args.seconds, args.brief)
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    errors = (out["total"] or {}).get("failures", 0) or len(out["failures"])
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
