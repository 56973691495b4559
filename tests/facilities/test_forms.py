"""The operators' forms: centres, resources with their rules, closures, qualifications, courses and
sessions — saved through the services (audited), bad input shown on the field in Korean first,
buttons only for those who may use them."""

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core.models import AuditEntry
from techvalley.facilities.models import Centre, Closure, Course, CourseSession, Qualification, Resource
from tests.facilities.conftest import XSS, next_workday

pytestmark = pytest.mark.django_db

RULES = {
    "slot_minutes": "30",
    "min_minutes": "30",
    "max_minutes": "240",
    "horizon_days": "60",
    "lead_hours": "0",
    "max_per_day": "2",
    "max_per_month": "20",
    "max_future": "10",
    "fee_tenant": "10000",
    "fee_university": "15000",
    "fee_outside": "30000",
    "cancel_hours": "24",
    "strike_limit": "3",
    "offer_hours": "12",
}


def client_for(world, who):
    c = Client()
    if who:
        c.force_login(world["users"][who])
    return c


def test_an_officer_adds_a_centre_and_its_operator_edits_it(world, centre):
    officer = client_for(world, "officer")
    page = officer.get(reverse("facilities:resource_list"))
    assert reverse("facilities:centre_new").encode() in page.content
    done = officer.post(
        reverse("facilities:centre_new"),
        {"name": f"기업지원센터 {XSS}", "floors": "3", "latitude": "35.083", "longitude": "128.972", "operator": ""},
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    made = Centre.objects.get(name__startswith="기업지원센터")
    assert (made.floors, made.latitude, made.longitude) == (3, 35.083, 128.972)
    assert AuditEntry.objects.filter(model="facilities.Centre", object_id=str(made.pk), action="create").exists()

    # centre staff edit their own centre, but may not choose who operates it
    staff = client_for(world, "centre_staff")
    form = staff.get(reverse("facilities:centre_edit", args=[centre.pk]))
    assert form.status_code == 200 and b'name="operator"' not in form.content
    assert staff.get(reverse("facilities:centre_new")).status_code == 403
    assert staff.get(reverse("facilities:centre_edit", args=[made.pk])).status_code == 403
    done = staff.post(
        reverse("facilities:centre_edit", args=[centre.pk]),
        {"name": centre.name, "floors": "5", "area_m2": "2844", "operator": str(world["a"].organisation_id)},
    )
    assert done.status_code == 302
    centre.refresh_from_db()
    assert centre.floors == 5 and centre.operator.name.startswith("부산경제진흥원")


def test_bad_centre_input_is_shown_on_the_form(world, centre):
    officer = client_for(world, "officer")
    bad = officer.post(reverse("facilities:centre_new"), {"name": "센터", "latitude": "35.1"})
    assert bad.status_code == 422
    assert "위도와 경도를 함께" in bad.content.decode()
    bad = officer.post(reverse("facilities:centre_new"), {"name": "센터", "latitude": "135.1", "longitude": "12"})
    assert bad.status_code == 422 and "위도" in bad.content.decode()
    bad = officer.post(reverse("facilities:centre_new"), {"name": "   "})
    assert bad.status_code == 422
    assert Centre.objects.count() == 1


def test_resource_form_rules_and_bad_input(world, centre, room):
    staff = client_for(world, "centre_staff")
    url = reverse("facilities:resource_new", args=[centre.pk])
    body = {"kind": "equipment", "name": f"3차원 측정기 {XSS}", "opens_at": "09:00", "closes_at": "00:00", **RULES}
    body.update(
        {"active": "on", "qualification_required": "on", "specs_text": "측정 범위: 700×1000×600 mm\n정밀도: 2.5 µm"}
    )
    done = staff.post(url, body)
    assert done.status_code == 302, done.content.decode()[:3000]
    cmm = Resource.objects.get(kind="equipment")
    assert (cmm.opens_minute, cmm.closes_minute, cmm.qualification_required) == (540, 1440, True)
    assert cmm.specs == {"측정 범위": "700×1000×600 mm", "정밀도": "2.5 µm"}
    assert done["Location"] == cmm.get_absolute_url()

    for change, message in (
        ({"opens_at": "18:00", "closes_at": "09:00"}, "문 닫는 시간이"),
        ({"min_minutes": "300", "max_minutes": "240"}, "최소 이용 시간이 최대보다"),
        ({"min_minutes": "45"}, "배수여야"),
        ({"strike_limit": "0"}, "1–100"),
        ({"specs_text": "그냥 한 줄"}, "name: value"),
    ):
        bad = staff.post(reverse("facilities:resource_edit", args=[cmm.pk]), {**body, **change})
        assert bad.status_code == 422, change
        assert message in bad.content.decode(), (change, bad.content.decode()[-3000:])
    cmm.refresh_from_db()
    assert cmm.min_minutes == 30 and cmm.strike_limit == 3

    # the resource page offers the forms to its operators only
    page = staff.get(cmm.get_absolute_url()).content.decode()
    assert reverse("facilities:resource_edit", args=[cmm.pk]) in page
    assert reverse("facilities:qualification_list", args=[cmm.pk]) in page
    page = client_for(world, "member_a").get(cmm.get_absolute_url()).content.decode()
    assert reverse("facilities:resource_edit", args=[cmm.pk]) not in page
    assert client_for(world, "member_a").get(reverse("facilities:resource_edit", args=[cmm.pk])).status_code == 403
    assert (
        client_for(world, "member_a").post(reverse("facilities:resource_edit", args=[cmm.pk]), body).status_code == 403
    )


def test_an_inactive_resource_stays_listed_for_its_operators(world, centre, room):
    room.active = False
    room.save()
    url = reverse("facilities:resource_list")
    assert room.name not in client_for(world, "member_a").get(url).content.decode()
    assert "회의실 1 &lt;script&gt;" in client_for(world, "centre_staff").get(url).content.decode()


def test_closures_are_added_and_edited_and_then_refuse_bookings(world, centre, room):
    from techvalley.core.validation import BadInput
    from techvalley.facilities import services
    from tests.facilities.conftest import at

    day = next_workday(5)
    staff = client_for(world, "centre_staff")
    bad = staff.post(
        reverse("facilities:closure_new", args=[centre.pk]),
        {"first_day": day.isoformat(), "last_day": "2000-01-01", "reason": "점검"},
    )
    assert bad.status_code == 422 and "끝 날짜가 시작 날짜보다 앞" in bad.content.decode()
    done = staff.post(
        reverse("facilities:closure_new", args=[centre.pk]),
        {"resource": str(room.pk), "first_day": day.isoformat(), "last_day": day.isoformat(), "reason": "공조기 점검"},
    )
    assert done.status_code == 302
    closure = Closure.objects.get()
    assert (
        reverse("facilities:closure_edit", args=[closure.pk])
        in staff.get(reverse("facilities:approvals")).content.decode()
    )
    with pytest.raises(BadInput) as exc:
        services.book(world["users"]["member_a"], room, at(day, 10), at(day, 11), "회의")
    assert exc.value.code == "closed"
    done = staff.post(
        reverse("facilities:closure_edit", args=[closure.pk]),
        {"resource": "", "first_day": day.isoformat(), "last_day": day.isoformat(), "reason": "전관 휴관"},
    )
    assert done.status_code == 302
    closure.refresh_from_db()
    assert closure.resource_id is None and closure.reason == "전관 휴관"


def test_qualifications_are_granted_by_user_name_and_withdrawn(world, centre, room):
    staff = client_for(world, "centre_staff")
    url = reverse("facilities:qualification_list", args=[room.pk])
    bad = staff.post(url, {"person": "nobody-here"})
    assert bad.status_code == 422 and "그런 사용자가 없거나" in bad.content.decode()
    assert staff.post(url, {"person": "member_a", "note": "CMM 교육 이수"}).status_code == 302
    q = Qualification.objects.get()
    assert q.user == world["users"]["member_a"] and q.note == "CMM 교육 이수"
    assert (
        client_for(world, "member_a").post(reverse("facilities:qualification_revoke", args=[q.pk])).status_code == 403
    )
    assert staff.post(reverse("facilities:qualification_revoke", args=[q.pk])).status_code == 302
    assert not Qualification.objects.exists()


def test_courses_and_sessions(world, centre, room):
    staff = client_for(world, "centre_staff")
    assert reverse("facilities:course_new") in staff.get(reverse("facilities:course_list")).content.decode()
    assert (
        reverse("facilities:course_new")
        not in client_for(world, "manager_a").get(reverse("facilities:course_list")).content.decode()
    )
    body = {
        "title": f"스마트공장 기초 {XSS}",
        "centre": str(centre.pk),
        "audience": "employees",
        "capacity": "2",
        "fee_krw": "0",
        "pass_share": "0.8",
        "published": "on",
    }
    bad = staff.post(reverse("facilities:course_new"), {**body, "pass_share": "5"})
    assert bad.status_code == 422 and "pass_share" in bad.content.decode()
    assert staff.post(reverse("facilities:course_new"), {**body, "centre": ""}).status_code == 422  # officers only
    done = staff.post(reverse("facilities:course_new"), body)
    assert done.status_code == 302
    course = Course.objects.get()
    assert done["Location"] == course.get_absolute_url()

    day = next_workday(10)
    url = reverse("facilities:session_new", args=[course.pk])
    bad = staff.post(url, {"start": f"{day}T14:00", "end": f"{day}T13:00"})
    assert bad.status_code == 422 and "끝나는 시간이" in bad.content.decode()
    assert (
        staff.post(
            url, {"start": f"{day}T14:00", "end": f"{day}T17:00", "topic": "실습", "room": str(room.pk)}
        ).status_code
        == 302
    )
    session = CourseSession.objects.get()
    assert session.hours == 3 and session.room == room
    page = staff.get(course.get_absolute_url()).content.decode()
    assert reverse("facilities:session_edit", args=[session.pk]) in page
    assert reverse("facilities:course_edit", args=[course.pk]) in page
    form = staff.get(reverse("facilities:session_edit", args=[session.pk])).content.decode()
    assert f'value="{day}T14:00"' in form  # shown in Korean time, as typed

    # raising the capacity promotes the waitlist
    from techvalley.facilities import services

    for name in ("가", "나", "다"):
        services.enrol(world["users"]["manager_a"], course, name)
    assert course.enrolments.filter(state="waitlisted").count() == 1
    assert staff.post(reverse("facilities:course_edit", args=[course.pk]), {**body, "capacity": "3"}).status_code == 302
    assert course.enrolments.filter(state="waitlisted").count() == 0

    # a company's people run no course
    member = client_for(world, "manager_a")
    assert member.get(reverse("facilities:course_edit", args=[course.pk])).status_code == 403
    assert member.post(reverse("facilities:session_new", args=[course.pk]), {}).status_code == 403
