"""32 parallel clients race for one slot: exactly one books it, the others are told slot_taken,
and no two live bookings overlap — on SQLite (write transaction) and PostgreSQL (exclusion
constraint)."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.utils import timezone

from techvalley.facilities import race

CLIENTS = 32


def test_32_clients_on_sqlite(tmp_path):
    """SQLite in a real file (threads cannot share the in-memory test database): a subprocess."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TECHVALLEY_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "techvalley.facilities.race", "--clients", str(CLIENTS), "--rounds", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["vendor"] == "sqlite"
    assert out["results"] == {"booked": 3, "slot_taken": 3 * (CLIENTS - 1)}, out
    assert out["double_bookings"] == 0


@pytest.mark.django_db(transaction=True)
def test_32_clients_on_postgresql():
    """In the test database itself when the suite runs on PostgreSQL (make test)."""
    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL)")
    room, users = race.build_world(CLIENTS)
    # 09:00 two days ahead: the ranges below (up to 20:30) stay inside opening hours at any time of day
    start = (timezone.localtime() + dt.timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    for r in range(3):
        s = start + dt.timedelta(hours=r)
        got = race.race(room, users, s, s + dt.timedelta(hours=1))
        assert got == {"booked": 1, "slot_taken": CLIENTS - 1}, got
    # Partly overlapping ranges race too: still at most one of each overlapping pair.
    got = race.race(room, users, start + dt.timedelta(hours=10), start + dt.timedelta(hours=11, minutes=30))
    assert got["booked"] == 1
    assert race.double_bookings(room) == 0


@pytest.mark.django_db(transaction=True)
def test_the_exclusion_constraint_itself_refuses_an_overlap():
    """Below the service: an insert that skips the check still fails on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from django.db import IntegrityError

    from techvalley.facilities.models import Booking

    room, users = race.build_world(2, prefix="raw")
    start = timezone.now() + dt.timedelta(days=1)
    common = {"complex_id": room.complex_id, "resource": room, "purpose": "x", "status": "confirmed", "tier": "outside"}
    Booking.objects.create(
        organisation_id=users[0].memberships.get().organisation_id,
        start=start,
        end=start + dt.timedelta(hours=1),
        **common,
    )
    with pytest.raises(IntegrityError):
        Booking.objects.create(
            organisation_id=users[1].memberships.get().organisation_id,
            start=start + dt.timedelta(minutes=30),
            end=start + dt.timedelta(hours=2),
            **common,
        )
    # A cancelled booking does not hold the slot.
    Booking.objects.create(
        organisation_id=users[1].memberships.get().organisation_id,
        start=start,
        end=start + dt.timedelta(hours=1),
        **{**common, "status": "cancelled"},
    )
