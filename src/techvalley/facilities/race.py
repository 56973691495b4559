"""Many clients racing for one slot: the proof that the database refuses a double booking.

``race(resource, users, start, end)`` starts one thread per user (each with its own database
connection), lines them up on a barrier and lets them all book the same slot at once. Exactly
one may win; the others must be told ``slot_taken``. ``double_bookings(resource)`` counts
overlapping live bookings afterwards (it must be 0).

Run on its own (``python -m techvalley.facilities.race --clients 32``) it builds a small world
in the configured database (a fresh data directory or a throw-away PostgreSQL) and prints the
result as JSON: the test suite uses this for SQLite, whose in-memory test database cannot be
shared by threads.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter


def race(resource, users, start, end, purpose: str = "race") -> Counter:
    from django.core.exceptions import PermissionDenied
    from django.db import connection

    from techvalley.facilities import services

    barrier = threading.Barrier(len(users))
    results: Counter = Counter()
    lock = threading.Lock()

    def client(user):
        outcome = "error"
        try:
            barrier.wait(timeout=60)
            services.book(user, resource, start, end, purpose)
            outcome = "booked"
        except services.SlotTaken:
            outcome = "slot_taken"
        except PermissionDenied:
            outcome = "denied"
        except Exception as exc:  # noqa: BLE001 - reported, the caller fails on it
            outcome = f"error: {type(exc).__name__}: {exc}"[:200]
        finally:
            connection.close()
        with lock:
            results[outcome] += 1

    threads = [threading.Thread(target=client, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def double_bookings(resource) -> int:
    """Pairs of live bookings of the resource that overlap (0 when the guarantee holds)."""
    from techvalley.facilities.models import LIVE, Booking

    rows = list(
        Booking.objects.filter(resource=resource, status__in=LIVE).order_by("start").values_list("start", "end")
    )
    overlaps, latest_end = 0, None
    for start, end in rows:
        if latest_end is not None and start < latest_end:
            overlaps += 1
        latest_end = end if latest_end is None else max(latest_end, end)
    return overlaps


def build_world(clients: int, prefix: str = "race"):
    """A complex, a centre with a room open every day, and one company user per client."""
    from django.contrib.auth import get_user_model

    from techvalley.core.models import Complex, Membership, Organisation
    from techvalley.facilities.models import Centre, Resource

    cx, _ = Complex.objects.get_or_create(slug="sinpyeong-jangnim", defaults={"name": "신평·장림일반산업단지"})
    centre = Centre.objects.create(complex=cx, name=f"{prefix} centre")
    room = Resource.objects.create(
        complex=cx,
        centre=centre,
        kind="meeting",
        name=f"{prefix} room",
        open_weekends=True,
        open_holidays=True,
        opens_minute=0,
        closes_minute=1440,
        max_per_day=1000,
        max_per_month=30000,
        max_future=30000,
        horizon_days=3650,
    )
    User = get_user_model()
    users = []
    for i in range(clients):
        org = Organisation.objects.create(complex=cx, kind="company", name=f"{prefix} company {i:03d}")
        user = User.objects.create_user(f"{prefix}-{i:03d}", password=None)
        Membership.objects.create(user=user, organisation=org, role="manager")
        users.append(user)
    return room, users


def main() -> None:
    import argparse
    import os

    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techvalley.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    room, users = build_world(args.clients)
    total: Counter = Counter()
    base = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
    for r in range(args.rounds):
        start = base + dt.timedelta(hours=r)
        total.update(race(room, users, start, start + dt.timedelta(hours=1)))
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "rounds": args.rounds,
                "results": total,
                "double_bookings": double_bookings(room),
            }
        )
    )


if __name__ == "__main__":
    main()
