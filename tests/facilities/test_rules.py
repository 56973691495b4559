"""Each booking rule, fees, waitlist offers, no-show limits, approvals, invoices and the outbox."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from techvalley.core.validation import BadInput
from techvalley.facilities import services
from techvalley.facilities.models import Booking, Closure, OutboxMessage, Qualification, Status, WaitlistEntry
from tests.facilities.conftest import at, next_workday

pytestmark = pytest.mark.django_db


def book(world, room, start, end, who="member_a", **kw):
    return services.book(world["users"][who], room, start, end, kw.pop("purpose", "회의"), **kw)


def refused(code, fn, *args, **kwargs):
    with pytest.raises(BadInput) as exc:
        fn(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value


def test_a_booking_is_confirmed_and_charged_by_tier(world, room, day):
    b = book(world, room, at(day, 10), at(day, 12))
    assert b.status == Status.CONFIRMED and b.tier == "tenant" and b.fee_krw == 20_000
    assert b.organisation_id == world["a"].organisation_id


def test_university_and_outside_tiers(world, room, day):
    from techvalley.core.models import Organisation

    assert services.tier_of(world["users"]["university"].memberships.get().organisation, room) == "university"
    outsider = Organisation.objects.create(complex=world["cx"], kind="company", name="등록 안 된 회사")
    assert services.tier_of(outsider, room) == "outside"
    assert services.fee_for(room, "outside", at(day, 10), at(day, 11, 30)) == 45_000


def test_overlap_is_slot_taken_and_adjacent_is_fine(world, room, day):
    book(world, room, at(day, 10), at(day, 11))
    refused("slot_taken", book, world, room, at(day, 10, 30), at(day, 11, 30), who="manager_b")
    assert book(world, room, at(day, 11), at(day, 12), who="manager_b").status == Status.CONFIRMED


def test_opening_hours(world, room, day):
    refused("outside_hours", book, world, room, at(day, 8), at(day, 9))
    refused("outside_hours", book, world, room, at(day, 17), at(day, 19))


def test_slot_grid_min_and_max_duration(world, room, day):
    refused("off_grid", book, world, room, at(day, 10, 10), at(day, 11))
    room.min_minutes = 60
    room.save()
    refused("too_short", book, world, room, at(day, 10), at(day, 10, 30))
    refused("too_long", book, world, room, at(day, 9), at(day, 14))


def test_past_horizon_and_lead_time(world, room):
    today = timezone.localdate()
    refused("in_past", book, world, room, at(today - dt.timedelta(days=1), 10), at(today - dt.timedelta(days=1), 11))
    far = next_workday(room.horizon_days + 2)
    refused("too_far_ahead", book, world, room, at(far, 10), at(far, 11))
    room.lead_hours = 24 * 10
    room.save()
    soon = next_workday(2)
    refused("too_soon", book, world, room, at(soon, 10), at(soon, 11))


def test_weekends_holidays_and_closures(world, room, day):
    sat = day + dt.timedelta(days=(5 - day.weekday()) % 7 or 7)
    refused("weekend", book, world, room, at(sat, 10), at(sat, 11))
    room.open_weekends = True
    room.save()
    assert book(world, room, at(sat, 10), at(sat, 11)).pk
    year = timezone.localdate().year + 1
    chuseok = [d for d, name in services._kr_holidays(year).items() if d.weekday() < 5][0]
    room.horizon_days = 800
    room.save()
    refused("holiday", book, world, room, at(chuseok, 10), at(chuseok, 11))
    Closure.objects.create(centre=room.centre, resource=room, first_day=day, last_day=day, reason="정기 점검")
    e = refused("closed", book, world, room, at(day, 10), at(day, 11))
    assert "정기 점검" in e.message


def test_quotas_per_day_month_and_future(world, room, day):
    room.max_per_day = 1
    room.save()
    book(world, room, at(day, 10), at(day, 11))
    refused("quota_day", book, world, room, at(day, 13), at(day, 14), who="manager_a")
    assert book(world, room, at(day, 13), at(day, 14), who="manager_b").pk  # another company's own quota
    room.max_per_day, room.max_future = 5, 2
    room.save()
    book(world, room, at(day, 15), at(day, 16))
    refused("quota_future", book, world, room, at(day, 16), at(day, 17))
    room.max_future, room.max_per_month = 20, 2
    room.save()
    refused("quota_month", book, world, room, at(day, 16), at(day, 17))


def test_qualification_gating(world, room, day):
    room.qualification_required = True
    room.kind = "equipment"
    room.save()
    refused("not_qualified", book, world, room, at(day, 10), at(day, 11))
    Qualification.objects.create(resource=room, user=world["users"]["member_a"])
    assert book(world, room, at(day, 10), at(day, 11)).pk


def test_approval_required_then_approved_or_rejected(world, room, day, centre):
    room.approval_required = True
    room.save()
    b = book(world, room, at(day, 10), at(day, 11))
    assert b.status == Status.PENDING
    refused("slot_taken", book, world, room, at(day, 10), at(day, 11), who="manager_b")  # pending holds the slot
    with pytest.raises(PermissionDenied):
        services.decide(world["users"]["manager_b"], b, True)
    assert services.decide(world["users"]["centre_staff"], b, True).status == Status.CONFIRMED
    c = book(world, room, at(day, 13), at(day, 14))
    assert services.decide(world["users"]["officer"], c, False, "점검").status == Status.REJECTED
    assert book(world, room, at(day, 13), at(day, 14), who="manager_b").status == Status.PENDING


def test_late_cancellation_and_no_shows_limit_bookings(world, room, day):
    room.strike_limit, room.cancel_hours = 2, 24 * 30
    room.save()
    b = book(world, room, at(day, 10), at(day, 11))
    assert services.cancel(world["users"]["member_a"], b).late_cancel is True
    past = book(world, room, at(day, 12), at(day, 13))
    later = timezone.now() + dt.timedelta(days=30)
    with pytest.raises(BadInput):
        services.mark_no_show(world["users"]["centre_staff"], past)  # not started yet
    services.mark_no_show(world["users"]["centre_staff"], past, now=later)
    refused("too_many_strikes", book, world, room, at(day, 14), at(day, 15))
    assert book(world, room, at(day, 14), at(day, 15), who="manager_b").pk  # only company A is limited


def test_free_cancellation_before_the_deadline(world, room, day):
    room.cancel_hours = 1
    room.save()
    b = book(world, room, at(day, 10), at(day, 11))
    assert services.cancel(world["users"]["manager_a"], b).late_cancel is False
    with pytest.raises(PermissionDenied):
        services.cancel(world["users"]["manager_b"], book(world, room, at(day, 10), at(day, 11)))


def test_waitlist_offers_freed_slot_and_offer_expires_to_next(world, room, day):
    first = book(world, room, at(day, 10), at(day, 11))
    w1 = services.join_waitlist(world["users"]["manager_b"], room, at(day, 10), at(day, 11), "대기")
    w2 = services.join_waitlist(world["users"]["university"], room, at(day, 10), at(day, 11), "대기 2")
    refused("slot_free", services.join_waitlist, world["users"]["manager_b"], room, at(day, 13), at(day, 14), "x")
    services.cancel(world["users"]["member_a"], first)
    w1.refresh_from_db()
    assert w1.state == WaitlistEntry.State.OFFERED and w1.offer.status == Status.OFFERED
    refused("slot_taken", book, world, room, at(day, 10), at(day, 11))  # the offer holds it
    # Not accepted in time: expires, and the next in line gets the offer.
    services.expire_offers(now=w1.offer.offer_expires_at + dt.timedelta(minutes=1))
    w2.refresh_from_db()
    assert w2.state == WaitlistEntry.State.OFFERED
    assert services.accept_offer(world["users"]["university"], w2.offer).status == Status.CONFIRMED
    with pytest.raises(PermissionDenied):
        services.accept_offer(world["users"]["manager_b"], w2.offer)


def test_recurring_series_all_or_nothing(world, room, day):
    made = services.book_series(world["users"]["member_a"], room, at(day, 10), at(day, 11), "주간회의", weeks=3)
    assert len(made) == 3 and len({b.series for b in made}) == 1
    blocker = day + dt.timedelta(weeks=1)
    e = refused(
        "slot_taken",
        services.book_series,
        world["users"]["manager_b"],
        room,
        at(day, 10),
        at(day, 11),
        "주간",
        weeks=2,
    )
    assert f"{day:%Y-%m-%d}" in e.message or f"{blocker:%Y-%m-%d}" in e.message
    assert not Booking.objects.filter(organisation_id=world["b"].organisation_id).exists()


def test_staff_override_needs_an_operator_and_skips_rules_not_overlap(world, room, day):
    with pytest.raises(PermissionDenied):
        book(world, room, at(day, 7), at(day, 8), override_reason="행사")
    b = book(world, room, at(day, 7), at(day, 8), who="centre_staff", override_reason="개소식 준비")
    assert b.status == Status.CONFIRMED and b.override_reason == "개소식 준비"
    refused("slot_taken", book, world, room, at(day, 7), at(day, 8), who="officer", override_reason="행사")


def test_visitor_without_organisation_cannot_book(world, room, day):
    with pytest.raises(PermissionDenied):
        book(world, room, at(day, 10), at(day, 11), who="visitor")


def test_invoices_collect_confirmed_and_late_cancelled(world, room, day, centre):
    room.cancel_hours = 24 * 30
    room.save()
    book(world, room, at(day, 10), at(day, 12))
    late = book(world, room, at(day, 13), at(day, 14))
    services.cancel(world["users"]["member_a"], late)
    book(world, room, at(day, 14), at(day, 15), who="manager_b")
    with pytest.raises(PermissionDenied):
        services.issue_invoices(world["users"]["manager_a"], centre, day)
    invoices = services.issue_invoices(world["users"]["centre_staff"], centre, day)
    by_org = {i.organisation_id: i for i in invoices}
    assert by_org[world["a"].organisation_id].total_krw == 30_000
    assert by_org[world["b"].organisation_id].total_krw == 10_000
    assert services.issue_invoices(world["users"]["centre_staff"], centre, day) == []  # nothing twice
    from techvalley.facilities.documents import invoice_pdf

    assert invoice_pdf(by_org[world["a"].organisation_id]).startswith(b"%PDF")


def test_notifications_go_through_the_outbox(world, room, day):
    world["users"]["member_a"].email = "a@example.com"
    world["users"]["member_a"].save()
    room.approval_required = True
    room.save()
    book(world, room, at(day, 10), at(day, 11))
    assert OutboxMessage.objects.filter(to="a@example.com").count() == 1
    assert OutboxMessage.objects.filter(to="centre@example.com").count() == 1  # the centre is asked to approve
    assert services.send_outbox() == {"sent": 2, "failed": 0}
    assert len(mail.outbox) == 2 and not OutboxMessage.objects.filter(sent_at=None).exists()


def test_times_without_offset_are_seoul_and_bad_times_refused(world, room, day):
    b = book(world, room, f"{day}T10:00", f"{day}T11:00")
    assert timezone.localtime(b.start).hour == 10
    refused("bad_input", book, world, room, "tomorrow", f"{day}T11:00")
