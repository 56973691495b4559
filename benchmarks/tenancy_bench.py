"""Tenancy benchmarks: eligibility checks per second (plain evaluator, mixed tenant and support
applications over every 세세분류 of KSIC revision 11), the tenant audit over a complex with N
leases, and the officers' funnel over M leads.

Prints figures (``--json`` for a machine). Run through ``make bench`` or:

    TECHVALLEY_DATA_DIR=$(mktemp -d) .venv/bin/python benchmarks/tenancy_bench.py [--leases 2000 --leads 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techvalley.settings")
os.environ.setdefault("TECHVALLEY_DATA_DIR", tempfile.mkdtemp(prefix="techvalley-bench-"))

LOCATIONS = ("industrial_facility_zone", "mixed_zone", "outside_capital", "inside_capital")


def bench_evaluator(n: int, seed: int = 7) -> dict:
    from techvalley.tenancy.eligibility import check
    from techvalley.tenancy.rules import leaves, shipped_rules

    rules = shipped_rules()
    codes = sorted(leaves(11))
    rng = random.Random(seed)
    apps = []
    for _ in range(n):
        code = rng.choice(codes)
        apps.append(
            {
                "ksic": code,
                "venture": rng.random() < 0.1,
                "use": "support" if rng.random() < 0.4 else "tenant",
                "area_m2": rng.choice([50, 120, 400]),
                "centre": {
                    "location": rng.choice(LOCATIONS),
                    "gross_floor_area_m2": 50_000,
                    "support_area_m2": 6_000,
                    "support_area_by_ksic": {code: 1_000},
                    "daycare": {"area_m2": 300, "capacity": rng.choice([10, 15, 30, 60])},
                },
            }
        )
    check(apps[0], rules=rules)  # warm the caches (KSIC tables, expanded rules)
    verdicts: dict[str, int] = {}
    start = time.perf_counter()
    for a in apps:
        v = check(a, rules=rules)["verdict"]
        verdicts[v] = verdicts.get(v, 0) + 1
    elapsed = time.perf_counter() - start
    return {"applications": n, "per_second": round(n / elapsed), "verdicts": verdicts}


def bench_database(leases: int, leads: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from techvalley.core.models import Complex
    from techvalley.core.scoping import Viewer
    from techvalley.tenancy import selectors, services
    from techvalley.tenancy.models import Centre, Lead, Lease, Tenant, Unit

    cx, _ = Complex.objects.get_or_create(slug="bench-tenancy", defaults={"name": "bench"})
    rng = random.Random(11)
    officer = Viewer(user_id=1, username="bench", is_superuser=True)
    if not Centre.objects.filter(complex=cx).exists():
        codes = ["62010", "29171", "56221", "56111", "52101", "68221", "56211", "70121", "25934", "47121"]
        per_centre = 500
        for c in range(max(1, leases // per_centre)):
            centre = Centre.objects.create(
                complex=cx,
                slug=f"c{c}",
                name=f"C{c}",
                location=LOCATIONS[c % 4],
                gross_floor_area_m2=200_000,
                floors_above=20,
            )
            units = Unit.objects.bulk_create(
                Unit(
                    centre=centre,
                    number=str(i),
                    floor=1 + i // 25,
                    area_m2=100,
                    use="support" if i % 5 == 0 else "knowledge_ict",
                    status="occupied",
                )
                for i in range(per_centre)
            )
            tenants = Tenant.objects.bulk_create(
                Tenant(complex=cx, name=f"T{c}-{i}", ksic=rng.choice(codes)) for i in range(per_centre)
            )
            Lease.objects.bulk_create(
                Lease(unit=u, tenant=t, use="support" if u.use == "support" else "tenant", start=dt.date(2025, 1, 1))
                for u, t in zip(units, tenants, strict=True)
            )
        now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        for i in range(leads):
            services.submit_inquiry(
                cx,
                {
                    "company_name": f"L{i}",
                    "contact_name": "x",
                    "phone": f"051-200-{i % 10000:04d}",
                    "ksic": rng.choice(codes),
                },
                consent=True,
                now=now,
            )
        for lead in Lead.objects.filter(complex=cx)[: leads // 3]:
            services.advance_lead(lead, "visit", now=now + dt.timedelta(days=3))
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        rows = selectors.tenant_audit(officer, cx)
        runs.append(time.perf_counter() - start)
    funnel_runs = []
    for _ in range(3):
        start = time.perf_counter()
        selectors.funnel(officer, cx)
        funnel_runs.append(time.perf_counter() - start)
    return {
        "leases": Lease.objects.filter(unit__centre__complex=cx, end__isnull=True).count(),
        "audit_seconds": round(statistics.median(runs), 3),
        "audit_findings": sum(1 for r in rows if r.finding != "ok"),
        "leads": Lead.objects.filter(complex=cx).count(),
        "funnel_seconds": round(statistics.median(funnel_runs), 3),
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checks", type=int, default=20_000)
    p.add_argument("--leases", type=int, default=2_000)
    p.add_argument("--leads", type=int, default=2_000)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    result = {"evaluator": bench_evaluator(args.checks), "database": bench_database(args.leases, args.leads)}
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    e, d = result["evaluator"], result["database"]
    print(f"tenancy eligibility: {e['per_second']:,} checks/s over {e['applications']:,} applications {e['verdicts']}")
    print(f"tenancy audit: {d['leases']:,} leases in {d['audit_seconds']} s ({d['audit_findings']:,} findings)")
    print(f"tenancy funnel: {d['leads']:,} leads in {d['funnel_seconds']} s")


if __name__ == "__main__":
    main()
