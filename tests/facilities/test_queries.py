"""What a booking costs the database: the resource and every fact its rules need in one query,
the INSERT guarded by the exclusion constraint (no overlap query repeating it on PostgreSQL) and
the notifications in one INSERT — with every rule still answered from that one query."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from techvalley.core.models import ApiToken
from techvalley.core.validation import BadInput
from techvalley.facilities import services
from techvalley.facilities.models import Booking, Closure, OutboxMessage, Qualification
from tests.facilities.conftest import at

pytestmark = pytest.mark.django_db


def _api(world, who):
    token = ApiToken.objects.create(user=world["users"][who], name="t").key
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get("/api/facilities/bookings")  # the token's last use is written once a minute: not the booking's cost
    return client


def _post(client, body):
    return client.post("/api/facilities/bookings", data=json.dumps(body), content_type="application/json")


def _work(ctx):
    """The queries that are not transaction control (BEGIN, COMMIT, SAVEPOINT …)."""
    return [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK"))
    ]


def test_an_api_booking_costs_the_token_the_viewer_one_read_and_the_inserts(world, room, day):
    world["users"]["member_a"].email = "member@example.com"
    world["users"]["member_a"].save()
    client = _api(world, "member_a")
    body = {"resource": room.pk, "start": f"{day}T10:00", "end": f"{day}T11:00", "purpose": "회의"}
    with CaptureQueriesContext(connection) as ctx:
        done = _post(client, body)
    assert done.status_code == 201, done.content
    work = _work(ctx)
    reads = [q for q in work if q.upper().startswith("SELECT")]
    inserts = [q for q in work if q.upper().startswith("INSERT")]
    # the token (with its user), the viewer's memberships, the resource with the rules' facts;
    # on SQLite the overlap check under the write lock as well
    assert len(reads) == (3 if connection.vendor == "postgresql" else 4), reads
    # the booking, its audit entry, the outbox (one INSERT for every message), the consent to the
    # booker's personal data and its audit entry
    assert len(inserts) == 5, inserts
    assert sum("core_consent" in q for q in inserts) == 1
    assert len(work) == len(reads) + len(inserts)
    assert OutboxMessage.objects.count() == 1


def test_approval_requests_and_the_confirmation_are_one_insert(world, room, day, centre):
    world["users"]["member_a"].email = "member@example.com"
    world["users"]["member_a"].save()
    room.approval_required = True
    room.save()
    with CaptureQueriesContext(connection) as ctx:
        services.book(world["users"]["member_a"], room.pk, at(day, 10), at(day, 11), "회의")
    outbox = [q["sql"] for q in ctx.captured_queries if "facilities_outboxmessage" in q["sql"]]
    assert len(outbox) == 1
    assert sorted(OutboxMessage.objects.values_list("to", flat=True)) == ["centre@example.com", "member@example.com"]


def test_a_taken_slot_is_refused_by_the_insert_itself(world, room, day):
    services.book(world["users"]["member_a"], room, at(day, 10), at(day, 11), "회의")
    with CaptureQueriesContext(connection) as ctx, pytest.raises(services.SlotTaken):
        services.book(world["users"]["manager_b"], room, at(day, 10, 30), at(day, 11, 30), "회의")
    overlap_checks = [q for q in _work(ctx) if q.upper().startswith("SELECT 1") and "facilities_booking" in q]
    assert len(overlap_checks) == (0 if connection.vendor == "postgresql" else 1)
    assert Booking.objects.count() == 1


def test_the_one_read_answers_closures_qualifications_quotas_and_strikes(world, room, day, centre):
    """Each fact of booking_facts, changed one at a time, flips its rule."""
    user = world["users"]["member_a"]
    facts = services.booking_facts(
        room.pk, world["a"].organisation_id, user, at(day, 10), at(day, 0) - dt.timedelta(days=1)
    )
    assert (facts.closure_reason, facts.qualified, facts.used_day, facts.strikes, facts.lapsed) == (
        None,
        False,
        0,
        0,
        0,
    )
    assert facts.org_kind == "company" and facts.in_registry is True

    closure = Closure.objects.create(centre=centre, resource=None, first_day=day, last_day=day, reason="정기 점검")
    with pytest.raises(BadInput) as exc:
        services.book(user, room, at(day, 10), at(day, 11), "회의")
    assert exc.value.code == "closed" and "정기 점검" in exc.value.message
    closure.delete()

    room.qualification_required = True
    room.save()
    with pytest.raises(BadInput) as exc:
        services.book(user, room, at(day, 10), at(day, 11), "회의")
    assert exc.value.code == "not_qualified"
    Qualification.objects.create(resource=room, user=user)
    services.book(user, room, at(day, 10), at(day, 11), "회의")

    room.max_per_day = 1
    room.save()
    with pytest.raises(BadInput) as exc:
        services.book(user, room, at(day, 12), at(day, 13), "회의")
    assert exc.value.code == "quota_day"


def test_an_unknown_or_absurd_resource_is_404_not_500(world, room, day):
    client = _api(world, "member_a")
    for rid in (room.pk + 1000, 10**20, -1):
        body = {"resource": rid, "start": f"{day}T10:00", "end": f"{day}T11:00", "purpose": "회의"}
        assert _post(client, body).status_code == 404
