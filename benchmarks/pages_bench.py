"""Page benchmark: every page and API read of the platform, as an officer and as a company manager.

Loads the demo (with its year of 15-minute readings unless ``--energy-days`` says otherwise),
then requests every GET entry of every app's access table — each URL pattern and API
operation — with a few objects each, and prints p50/p95 server time and the query count per
pattern and role. Server time is measured in-process around Django's handler (no network).
Figures, not a pass/fail test; the goal is p95 < 300 ms on every page.

    TECHVALLEY_DATA_DIR=$(mktemp -d) .venv/bin/python benchmarks/pages_bench.py [--energy-days 365]

For quick iterations on a few pages: ``--only portal: --only registry:complexes`` times only the
patterns starting with one of these prefixes, and ``--no-load`` reuses a data directory a
previous run loaded (its database and energy lake) instead of loading the demo again. The
figures to report are those of a full run with the defaults. As the platform's server entry points
do (``techvalley.wsgi``, ``techvalley.asgi``), the benchmark calls ``gc.freeze()`` once the
platform is imported, before anything is loaded; ``--no-gc-freeze`` shows the figures without it
(a full garbage collection, ~100 ms on the demo, then lands on one request in a few dozen).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techvalley.settings")
os.environ.setdefault("TECHVALLEY_DATA_DIR", tempfile.mkdtemp(prefix="techvalley-pages-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package: the access harness

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from techvalley.core import spine  # noqa: E402
from techvalley.core.models import ApiToken  # noqa: E402
from tests import access  # noqa: E402

ROLES = {"officer": "officer", "manager": "company-manager"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def demo_companies(manager) -> list[dict]:
    """The manager's own company first (real readings), then two others of the demo."""
    from django.apps import apps

    Company = apps.get_model("registry", "Company")
    own = Company.objects.filter(organisation__memberships__user=manager).values_list("pk", flat=True).first()
    others = list(
        Company.objects.filter(in_registry=True).exclude(pk=own).order_by("pk").values_list("pk", flat=True)[:2]
    )
    return [{"pk": pk, "company_id": pk} for pk in [own, *others] if pk]


def targets(entry: spine.Access, world: dict, companies: list[dict]) -> list[dict]:
    if entry.obj == "company":
        return [{**entry.params, **c} for c in companies]
    if entry.obj:
        found = world["objects"].get(entry.obj, {})
        return [{**entry.params, **found[side]} for side in ("a", "b") if side in found]
    return [dict(entry.params)]


def measure(entry, params: dict, user, rounds: int) -> tuple[list[float], int, int]:
    client = Client(raise_request_exception=False)
    headers = {}
    if entry.name.startswith(access.API_PREFIX):
        headers["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.objects.get_or_create(user=user, name='bench')[0].key}"
    else:
        client.force_login(user)
    url, query = access.url_for(entry, params)
    client.get(url, query, **headers)  # warm-up: caches, first DuckDB connection
    times = []
    status, queries = 0, 0
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get(url, query, **headers)
            times.append((time.perf_counter() - t) * 1000)
        status, queries = response.status_code, len(ctx.captured_queries)
    return times, status, queries


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--energy-days", type=int, default=365)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--only", action="append", default=[], help="time only patterns starting with this (repeatable)")
    ap.add_argument("--no-load", action="store_true", help="the data directory already holds a loaded demo")
    ap.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="do not freeze the imported libraries' objects (gc.freeze(), as techvalley.wsgi does after start-up)",
    )
    args = ap.parse_args()
    if not args.no_gc_freeze:  # as the server entry points do: the imported code, nothing loaded yet
        import gc

        gc.collect()
        gc.freeze()
    setup_test_environment()
    call_command("migrate", verbosity=0)
    from techvalley.demo import load_demo

    if not args.no_load:
        t = time.perf_counter()
        load_demo(energy_days=args.energy_days)
        print(f"demo loaded in {time.perf_counter() - t:.1f} s (energy days: {args.energy_days})", file=sys.stderr)
    world = access.build_world()
    users = {role: get_user_model().objects.get(username=name) for role, name in ROLES.items()}
    companies = demo_companies(users["manager"])
    rows = []
    for entry in spine.platform.all_access():
        if entry.method != "GET" or (args.only and not entry.name.startswith(tuple(args.only))):
            continue
        for role, user in users.items():
            if not entry.allows(role if role == "officer" else "manager"):
                continue
            for params in targets(entry, world, companies):
                times, status, queries = measure(entry, params, user, args.rounds)
                if status >= 400:
                    continue  # not this role's object (another company's): nothing to time
                rows.append(
                    {
                        "pattern": entry.name,
                        "role": role,
                        "params": {k: v for k, v in params.items() if k != "query"},
                        "status": status,
                        "p50_ms": round(statistics.median(times), 1),
                        "p95_ms": round(percentile(times, 0.95), 1),
                        "queries": queries,
                    }
                )
    worst = sorted(rows, key=lambda r: -r["p95_ms"])
    out = {
        "database": connection.vendor,
        "requests_per_pattern": args.rounds,
        "patterns": len({r["pattern"] for r in rows}),
        "over_300_ms": [r for r in worst if r["p95_ms"] >= 300],
        "rows": rows,
    }
    Path(os.environ["TECHVALLEY_DATA_DIR"], "pages_bench.json").write_text(json.dumps(out, ensure_ascii=False))
    print(f"{'pattern':48} {'role':8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7}")
    for r in sorted(rows, key=lambda r: (r["pattern"], r["role"])):
        print(f"{r['pattern'][:48]:48} {r['role']:8} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['queries']:7d}")
    print(
        f"[{out['database']}] pages: {len(rows)} pattern×role×object rows over {out['patterns']} patterns; "
        f"worst p95 {worst[0]['p95_ms'] if worst else 0} ms ({worst[0]['pattern'] if worst else '-'}); "
        f"over 300 ms: {len(out['over_300_ms'])}"
    )


if __name__ == "__main__":
    main()
