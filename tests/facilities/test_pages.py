"""Pages and API: the booking contract, scoping, calendars (query count flat in the number of
bookings), iCal feeds, panels, search and the demo step."""

import datetime as dt
import json
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from techvalley.core import spine
from techvalley.core.models import ApiToken
from techvalley.facilities import services
from techvalley.facilities.models import Booking, Resource
from tests.facilities.conftest import XSS, at

pytestmark = pytest.mark.django_db


def api(world, who):
    token = ApiToken.objects.create(user=world["users"][who], name="t").key
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_api_booking_contract(world, room, day):
    body = {"resource": room.pk, "start": f"{day}T10:00:00+09:00", "end": f"{day}T11:00:00+09:00", "purpose": "회의"}
    first = post(api(world, "member_a"), "/api/facilities/bookings", body)
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "confirmed" and isinstance(first.json()["id"], int)
    second = post(api(world, "manager_b"), "/api/facilities/bookings", {**body, "start": f"{day}T10:30"})
    assert second.status_code == 409
    assert second.json()["code"] == "slot_taken" and second.json()["message"]
    rule = post(
        api(world, "manager_b"), "/api/facilities/bookings", {**body, "start": f"{day}T07:00", "end": f"{day}T08:00"}
    )
    assert rule.status_code == 422 and rule.json()["code"] == "outside_hours"
    room.approval_required = True
    room.save()
    pending = post(
        api(world, "manager_b"), "/api/facilities/bookings", {**body, "start": f"{day}T13:00", "end": f"{day}T14:00"}
    )
    assert pending.status_code == 201 and pending.json()["status"] == "pending"
    assert post(Client(), "/api/facilities/bookings", body).status_code == 401


def test_api_mine_cancel_and_decision(world, room, day, centre):
    b = services.book(world["users"]["member_a"], room, at(day, 10), at(day, 11), "회의")
    mine = api(world, "manager_a").get("/api/facilities/bookings").json()
    assert [x["id"] for x in mine["items"]] == [b.pk]
    assert api(world, "manager_b").get("/api/facilities/bookings").json()["items"] == []
    assert api(world, "manager_b").get(f"/api/facilities/bookings/{b.pk}").status_code == 403
    assert post(api(world, "manager_b"), f"/api/facilities/bookings/{b.pk}/cancel", {}).status_code == 403
    assert (
        post(api(world, "manager_a"), f"/api/facilities/bookings/{b.pk}/decision", {"approve": True}).status_code == 403
    )
    done = post(api(world, "member_a"), f"/api/facilities/bookings/{b.pk}/cancel", {})
    assert done.status_code == 200 and done.json()["status"] == "cancelled"


def test_api_resources_and_slots_are_public(world, room, day):
    services.book(world["users"]["member_a"], room, at(day, 10), at(day, 11), "비밀 회의")
    rows = Client().get("/api/facilities/resources").json()
    assert [r["id"] for r in rows] == [room.pk]
    slots = Client().get(f"/api/facilities/resources/{room.pk}/slots", {"date": str(day)}).json()
    taken = [s for s in slots["slots"] if not s["free"]]
    assert len(taken) == 2 and "비밀" not in json.dumps(slots, ensure_ascii=False)


def test_booking_form_shows_rules_and_waitlist(world, room, day):
    c = Client()
    c.force_login(world["users"]["manager_b"])
    services.book(world["users"]["member_a"], room, at(day, 10), at(day, 11), "회의")
    url = reverse("facilities:booking_new", args=[room.pk])
    r = c.post(url, {"date": str(day), "start": "10:00", "end": "11:00", "purpose": "x"})
    assert r.status_code == 200 and "waitlist" in r.content.decode()
    r = c.post(url, {"date": str(day), "start": "10:00", "end": "11:00", "purpose": "x", "waitlist": "1"})
    assert r.status_code == 302
    r = c.post(url, {"date": str(day), "start": "12:00", "end": "13:00", "purpose": "x"})
    assert r.status_code == 302 and Booking.objects.filter(organisation_id=world["b"].organisation_id).count() == 1


def test_calendar_hides_who_from_others_and_query_count_is_flat(world, room, day):
    c = Client()
    c.force_login(world["users"]["manager_b"])
    url = reverse("facilities:calendar", args=[room.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(url, {"date": str(day)})
        assert r.status_code == 200
        return len(ctx), r.content.decode()

    services.book(world["users"]["member_a"], room, at(day, 10), at(day, 11), "비밀 회의")
    small, html = count()
    assert "비밀" not in html and XSS not in html
    rows = []
    for i in range(1, 25):
        d = day + dt.timedelta(days=i)  # one a day: no overlap (PostgreSQL's constraint refuses one)
        rows.append(
            Booking(
                complex=room.complex,
                resource=room,
                organisation_id=world["b"].organisation_id,
                start=at(d, 7 + i % 10),
                end=at(d, 7 + i % 10, 30),
                day=d,
                purpose=f"B {i}",
                status="confirmed",
                tier="tenant",
            )
        )
    Booking.objects.bulk_create(rows)
    large, html = count()
    assert large == small, (small, large)
    officer = Client()
    officer.force_login(world["users"]["officer"])
    assert "비밀 회의" in officer.get(url, {"date": str(day)}).content.decode()
    for view in ("week", "day"):
        assert c.get(url, {"date": str(day), "view": view}).status_code == 200
    # A busy day: the month cell shows six bookings and "+N more"; the day view shows them all.
    busy = [
        Booking(
            complex=room.complex,
            resource=room,
            organisation_id=world["b"].organisation_id,
            start=at(day, 12, 0) + dt.timedelta(minutes=30 * k),
            end=at(day, 12, 30) + dt.timedelta(minutes=30 * k),
            day=day,
            purpose=f"busy {k}",
            status="confirmed",
            tier="tenant",
        )
        for k in range(8)
    ]
    Booking.objects.bulk_create(busy)
    month = officer.get(url, {"date": str(day)}).content.decode()
    import re

    assert "+3" in month and "busy 5" not in month, re.findall(r"busy \d|\+\d+", month)
    assert "busy 7" in officer.get(url, {"date": str(day), "view": "day"}).content.decode()


def test_ical_feeds(world, room, day):
    services.book(world["users"]["member_a"], room, at(day, 10), at(day, 11), "비밀 회의")
    feed = Client().get(reverse("facilities:resource_ics", args=[room.ical_token]))
    assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.content and "비밀".encode() not in feed.content
    token = services.feed_token(world["a"].organisation_id).token
    own = Client().get(reverse("facilities:org_ics", args=[token]))
    assert "비밀 회의".encode() in own.content
    assert Client().get(reverse("facilities:org_ics", args=["wrong"])).status_code == 404


def test_pages_render_for_operator_and_company(world, room, day, centre):
    services.book(world["users"]["member_a"], room, at(day, 10), at(day, 11), "회의")
    staff, member = Client(), Client()
    staff.force_login(world["users"]["centre_staff"])
    member.force_login(world["users"]["member_a"])
    for name in (
        "facilities:approvals",
        "facilities:utilisation",
        "facilities:resource_list",
        "facilities:course_list",
    ):
        r = staff.get(reverse(name))
        assert r.status_code == 200, name
        assert XSS not in r.content.decode()
    assert member.get(reverse("facilities:approvals")).status_code == 403
    assert member.get(reverse("facilities:my_bookings")).status_code == 200
    assert member.get(reverse("facilities:resource_detail", args=[room.pk]), {"date": str(day)}).status_code == 200


def test_panels_search_and_linkable(world, room, day, centre):
    from techvalley.core.scoping import viewer_for

    services.book(world["users"]["member_a"], room, at(day, 10), at(day, 11), "회의")
    room.approval_required = True
    room.save()
    services.book(world["users"]["manager_b"], room, at(day, 13), at(day, 14), "회의")
    officer = viewer_for(world["users"]["officer"])
    panels = {p.key: figs for p, figs in spine.platform.panels_for(officer, world["cx"], "officer")}
    assert panels["facilities-operator"][0].value == 1
    member = viewer_for(world["users"]["member_a"])
    assert "facilities-operator" not in {p.key for p, _ in spine.platform.panels_for(member, world["cx"], "officer")}
    own = {p.key: figs for p, figs in spine.platform.panels_for(member, world["cx"], "company")}
    assert own["facilities-company"][0].value == 1
    hits = dict((p.key, h) for p, h in spine.platform.run_search(member, world["cx"], "회의실"))
    assert hits["facilities"][0].url == room.get_absolute_url()
    assert "facilities.course" in spine.platform.linkable_types


def test_demo_step_is_deterministic_and_quick(world):
    from techvalley.facilities.demo import load_facilities_demo

    began = time.monotonic()
    first = load_facilities_demo(world["cx"])
    assert time.monotonic() - began < 10
    assert first["resources"] == 19 and first["bookings"] > 50
    assert Resource.objects.filter(estimated=True).count() == 19
    again = load_facilities_demo(world["cx"])
    assert again["bookings"] == 0  # a second run adds nothing
