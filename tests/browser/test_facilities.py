"""Facilities in a real browser: a company member finds a free slot and books it, the slot is
then taken for another company; the operator approves a booking; the month calendar; a course
and the public certificate check. Screenshots in tests/browser/artifacts/facilities-*.png."""

import datetime as dt
import re

import pytest

from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "techvalley-demo")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/"))


def free_workday(resource, from_days: int = 8) -> dt.date:
    from django.utils import timezone

    from techvalley.facilities.services import holiday_name, overlapping

    def taken(day):
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(16)))
        return overlapping(resource.pk, start, start + dt.timedelta(hours=1)).exists()

    day = timezone.localdate() + dt.timedelta(days=from_days)
    while day.weekday() >= 5 or holiday_name(day) or taken(day):
        day += dt.timedelta(days=1)
    return day


def test_member_books_a_free_slot_and_another_company_finds_it_taken(page, live_server, demo):
    from techvalley.facilities.models import Booking, Resource

    room = Resource.objects.get(name="소회의실 B")
    day = free_workday(room)
    page.goto(f"{live_server.url}/facilities/")
    assert "신평장림 혁신지원센터" in page.content() and "2,844" in page.content()
    shot(page, "facilities-resources")

    login(page, live_server.url, "company-member")
    page.goto(f"{live_server.url}/facilities/resources/{room.pk}/?date={day}")
    shot(page, "facilities-resource-slots")
    page.click("text=예약하기")
    page.fill("input[name=start]", "16:00")
    page.fill("input[name=end]", "17:00")
    page.fill("input[name=purpose]", "브라우저 예약 회의")
    page.click("main form button:not([name=waitlist])")
    page.wait_for_load_state()
    shot(page, "facilities-booking-submitted")
    errors = page.locator(".errorlist").all_inner_texts()
    assert not errors, errors
    page.wait_for_url(re.compile(r"/facilities/bookings/\d+/"))
    assert "확정" in page.content()
    shot(page, "facilities-booking")
    assert Booking.objects.filter(resource=room, purpose="브라우저 예약 회의", status="confirmed").count() == 1

    page.goto(f"{live_server.url}/facilities/bookings/")
    assert "브라우저 예약 회의" in page.content()
    shot(page, "facilities-my-bookings")

    page.context.clear_cookies()
    login(page, live_server.url, "other-company")
    page.goto(f"{live_server.url}/facilities/resources/{room.pk}/book/?date={day}&start=16:00&end=17:00")
    page.fill("input[name=purpose]", "상담")
    page.click("main form button:not([name=waitlist])")
    assert "이미 예약된 시간" in page.content()
    assert page.locator("button[name=waitlist]").count() == 1
    shot(page, "facilities-slot-taken")
    assert page.external_requests == []


def test_operator_approves_and_sees_the_calendar_and_utilisation(page, live_server, demo):
    from techvalley.facilities.models import Booking

    pending = Booking.objects.filter(status="pending").order_by("start").first()
    assert pending is not None
    login(page, live_server.url, "centre")
    page.goto(f"{live_server.url}/facilities/operate/")
    assert "승인 대기" in page.content()
    shot(page, "facilities-approvals")
    page.locator(f"form[action='/facilities/bookings/{pending.pk}/action/'] button[value=approve]").click()
    page.wait_for_url(re.compile(r"/facilities/operate/"))
    pending.refresh_from_db()
    assert pending.status == "confirmed"

    page.goto(f"{live_server.url}/facilities/resources/{pending.resource_id}/calendar/?date={pending.day}")
    assert page.locator(".cal .ev").count() > 0
    shot(page, "facilities-calendar-month")
    page.goto(f"{live_server.url}/facilities/operate/utilisation/")
    assert "요일·시간대별" in page.content()
    shot(page, "facilities-utilisation")


def test_course_and_public_certificate_check(page, live_server, demo):
    from techvalley.facilities.models import Enrolment

    done = Enrolment.objects.filter(state="completed").first()
    page.goto(f"{live_server.url}/facilities/training/")
    assert "3차원 측정기" in page.content()
    shot(page, "facilities-courses")
    page.goto(f"{live_server.url}/facilities/training/{done.course_id}/")
    shot(page, "facilities-course")
    page.goto(f"{live_server.url}/facilities/verify/")
    page.fill("input[name=code]", done.certificate_code)
    page.click("main form button")
    assert "진본" in page.content() and done.trainee_name not in page.content()
    shot(page, "facilities-verify")


def test_centre_staff_add_equipment_through_the_form_and_see_a_bad_rule_explained(page, live_server, demo):
    from techvalley.facilities.models import Centre, Resource

    centre = Centre.objects.get(name__startswith="신평장림 혁신지원센터")
    login(page, live_server.url, "centre")
    page.goto(f"{live_server.url}/facilities/")
    page.click(f"a[href='/facilities/operate/centres/{centre.pk}/resources/new/']")
    page.wait_for_url(re.compile(r"/resources/new/"))
    page.select_option("select[name=kind]", "equipment")
    page.fill("input[name=name]", "브라우저 표면조도계")
    page.fill("input[name=opens_at]", "18:00")
    page.fill("input[name=closes_at]", "09:00")
    page.fill("textarea[name=specs_text]", "측정 범위: Ra 0.02–16 µm")
    page.check("input[name=qualification_required]")
    page.click("main form button")
    page.wait_for_load_state()
    assert "문 닫는 시간이 여는 시간보다 뒤여야 합니다" in page.locator(".errorlist").all_inner_texts()[-1]
    shot(page, "facilities-resource-form-error")
    page.fill("input[name=opens_at]", "09:00")
    page.fill("input[name=closes_at]", "18:00")
    page.click("main form button")
    page.wait_for_url(re.compile(r"/facilities/resources/\d+/$"))
    made = Resource.objects.get(name="브라우저 표면조도계")
    assert made.qualification_required and made.specs == {"측정 범위": "Ra 0.02–16 µm"}
    assert "Ra 0.02–16 µm" in page.content()
    shot(page, "facilities-resource-made")
