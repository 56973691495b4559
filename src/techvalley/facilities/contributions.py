"""What the facilities app contributes through the spine (see core/spine.py): its pages and API,
the "Facilities" and "Training" menu entries (public pages), the operators' "Operate" entry,
dashboard panels, courses and resources as linkable records, site search, its access table and
the demo's support-centre step."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine
from techvalley.core.spine import ANYONE, OFFICERS, ORG_MEMBERS, OWN_COMPANY, OWN_MANAGER, SIGNED_IN, Access
from techvalley.facilities import (
    panels,
    permissions,
    portal_parts,  # noqa: F401 - transition, datasets, map layer
)

spine.pages("facilities/", "techvalley.facilities.urls")
spine.api("/facilities", "techvalley.facilities.api.router")
spine.nav(
    spine.NavEntry("facilities", _("Facilities"), "facilities:resource_list", order=55),
    spine.NavEntry("training", _("Training"), "facilities:course_list", order=56),
    spine.NavEntry(
        "facilities-operate",
        _("Operate centres"),
        "facilities:approvals",
        permissions.operates_here,
        order=55,
        group="officer",
    ),
)
spine.panel(
    spine.Panel(
        "facilities-complex",
        _("Support facilities and training"),
        panels.complex_figures,
        panels.has_resources,
        order=50,
        audiences=frozenset({"complex"}),
    ),
    spine.Panel(
        "facilities-operator",
        _("Bookings awaiting approval"),
        panels.operator_figures,
        panels.operates,
        order=50,
        audiences=frozenset({"officer"}),
    ),
    spine.Panel(
        "facilities-satisfaction",
        _("Training evaluations"),
        panels.satisfaction_figures,
        panels.operates,
        order=51,
        audiences=frozenset({"officer"}),
    ),
    spine.Panel(
        "facilities-company",
        _("Our facility use and training"),
        panels.company_figures,
        panels.sees_own,
        order=50,
        audiences=frozenset({"company"}),
    ),
)


def _course_candidates(complex, query):
    from techvalley.facilities.models import Course

    qs = Course.objects.filter(complex=complex)
    return qs.filter(title__icontains=query) if query else qs


def _resource_candidates(complex, query):
    from techvalley.facilities.models import Resource

    qs = Resource.objects.filter(complex=complex).select_related("centre")
    return qs.filter(name__icontains=query) if query else qs


spine.linkable(
    spine.LinkableType(
        key="facilities.course",
        label=_("Training course"),
        model="facilities.Course",
        candidates=_course_candidates,
        url=lambda c: c.get_absolute_url(),
        is_public=lambda c: c.published,
        title=lambda c: c.title,
    ),
    spine.LinkableType(
        key="facilities.resource",
        label=_("Support facility or equipment"),
        model="facilities.Resource",
        candidates=_resource_candidates,
        url=lambda r: r.get_absolute_url(),
        is_public=lambda r: True,
        title=lambda r: f"{r.name} ({r.centre.name})",
    ),
)
spine.search(
    spine.SearchProvider("facilities", _("Facilities and equipment"), panels.search_resources, order=55),
    spine.SearchProvider("courses", _("Training courses"), panels.search_courses, order=56),
)

#: Operators: the district officers and the centre's operating organisation ("centre" in the tests).
OPERATORS = OFFICERS | {"centre"}
BOOKERS = ORG_MEMBERS
OWN_OR_OPERATORS = OPERATORS | OWN_COMPANY
ENROLLERS = OFFICERS | {"manager", "centre"}


def _workday(days: int = 5) -> dt.date:
    from django.utils import timezone

    from techvalley.facilities.services import holiday_name

    day = timezone.localdate() + dt.timedelta(days=days)
    while day.weekday() >= 5 or holiday_name(day):
        day += dt.timedelta(days=1)
    return day


def _booking_form(objects, side):
    return {"date": _workday().isoformat(), "start": "15:00", "end": "16:00", "purpose": "회의"}


def _booking_json(objects, side):
    day = _workday()
    return {
        "resource": objects["fac_resource"][side]["pk"],
        "start": f"{day}T16:00:00+09:00",
        "end": f"{day}T17:00:00+09:00",
        "purpose": "회의",
    }


def _invoice_form(objects, side):
    return {"centre": objects["fac_centre"][side]["pk"], "month": dt.date.today().strftime("%Y-%m")}


def _enrol_json(objects, side):
    return {"course": objects["fac_course"][side]["pk"], "trainee_name": "김민준"}


SATISFACTION = {"content": 4, "instructor": 5, "facility": 4, "overall": 5}


def _centre_form(objects, side):
    return {"name": "신평장림 혁신지원센터", "address": "부산 사하구 신평동", "floors": "5", "area_m2": "2844"}


def _resource_form(objects, side):
    return {
        "kind": "meeting",
        "name": "세미나실 2",
        "active": "on",
        "opens_at": "09:00",
        "closes_at": "18:00",
        **{k: str(v) for k, v in RESOURCE_DEFAULTS.items()},
    }


#: The rules a resource form sends when nobody changes them (the models' defaults).
RESOURCE_DEFAULTS = {
    "slot_minutes": 30,
    "min_minutes": 30,
    "max_minutes": 240,
    "horizon_days": 60,
    "lead_hours": 0,
    "max_per_day": 2,
    "max_per_month": 20,
    "max_future": 10,
    "fee_tenant": 0,
    "fee_university": 0,
    "fee_outside": 0,
    "cancel_hours": 24,
    "strike_limit": 3,
    "offer_hours": 12,
}


def _closure_form(objects, side):
    day = _workday(20)
    return {"first_day": day.isoformat(), "last_day": day.isoformat(), "reason": "정기 점검"}


def _course_form(objects, side):
    return {
        "title": "스마트공장 기초",
        "centre": objects["fac_centre"][side]["pk"],
        "audience": "employees",
        "capacity": "20",
        "fee_krw": "0",
        "pass_share": "0.8",
        "published": "on",
    }


def _session_form(objects, side):
    day = _workday(10)
    return {"start": f"{day}T14:00", "end": f"{day}T17:00", "topic": "실습"}


spine.access(
    "facilities",
    [
        Access("facilities:resource_list", ANYONE),
        Access("facilities:resource_detail", ANYONE, obj="fac_resource"),
        Access("facilities:calendar", ANYONE, obj="fac_resource", params={"query": {"view": "week"}}),
        Access("facilities:resource_ics", ANYONE, obj="fac_resource_feed", note="the secret token is the key"),
        Access("facilities:org_ics", ANYONE, obj="fac_org_feed", note="the secret token is the key"),
        Access("facilities:booking_new", BOOKERS, obj="fac_resource"),
        Access("facilities:booking_new", BOOKERS, obj="fac_resource", method="POST", body=_booking_form),
        Access("facilities:my_bookings", ORG_MEMBERS),
        Access("facilities:booking_detail", OWN_OR_OPERATORS, obj="fac_booking"),
        Access(
            "facilities:booking_action", OWN_OR_OPERATORS, obj="fac_booking", method="POST", body={"action": "cancel"}
        ),
        Access("facilities:approvals", OPERATORS),
        Access("facilities:invoice_issue", OPERATORS, obj="fac_centre", method="POST", body=_invoice_form),
        Access("facilities:utilisation", OPERATORS),
        Access("facilities:invoice_pdf", OWN_OR_OPERATORS, obj="fac_invoice"),
        Access("facilities:invoice_list", ORG_MEMBERS, note="officers: all; operators: their centres'; others: own"),
        Access("facilities:invoice_list", ORG_MEMBERS, params={"query": {"format": "xlsx", "since": "2026-01"}}),
        Access("facilities:satisfaction_summary", OPERATORS),
        Access("facilities:course_list", ANYONE),
        Access("facilities:course_detail", ANYONE, obj="fac_course"),
        Access("facilities:course_enrol", ENROLLERS, obj="fac_course", method="POST", body={"trainee_name": "김민준"}),
        Access("facilities:course_complete", OPERATORS, obj="fac_course", method="POST"),
        Access("facilities:session_attendance", OPERATORS, obj="fac_session", method="POST", body={"present": []}),
        Access("facilities:enrolment_cancel", OPERATORS | OWN_MANAGER, obj="fac_enrolment", method="POST"),
        Access("facilities:satisfaction", OWN_OR_OPERATORS, obj="fac_enrolment", method="POST", body=SATISFACTION),
        Access("facilities:certificate_pdf", OWN_OR_OPERATORS, obj="fac_enrolment"),
        Access("facilities:verify", ANYONE, params={"query": {"code": "ABCDEFGHJKMN"}}),
        # the operators' forms (GET shows the form, POST saves through the services)
        Access("facilities:centre_new", OFFICERS),
        Access("facilities:centre_new", OFFICERS, method="POST", body=_centre_form),
        Access("facilities:centre_edit", OPERATORS, obj="fac_centre"),
        Access("facilities:centre_edit", OPERATORS, obj="fac_centre", method="POST", body=_centre_form),
        Access("facilities:resource_new", OPERATORS, obj="fac_centre"),
        Access("facilities:resource_new", OPERATORS, obj="fac_centre", method="POST", body=_resource_form),
        Access("facilities:resource_edit", OPERATORS, obj="fac_resource"),
        Access("facilities:resource_edit", OPERATORS, obj="fac_resource", method="POST", body=_resource_form),
        Access("facilities:closure_new", OPERATORS, obj="fac_centre"),
        Access("facilities:closure_new", OPERATORS, obj="fac_centre", method="POST", body=_closure_form),
        Access("facilities:closure_edit", OPERATORS, obj="fac_closure"),
        Access("facilities:closure_edit", OPERATORS, obj="fac_closure", method="POST", body=_closure_form),
        Access("facilities:qualification_list", OPERATORS, obj="fac_resource"),
        Access(
            "facilities:qualification_list",
            OPERATORS,
            obj="fac_resource",
            method="POST",
            body={"person": "visitor", "note": "교육 이수"},
        ),
        Access("facilities:qualification_revoke", OPERATORS, obj="fac_qualification", method="POST"),
        Access("facilities:course_new", OPERATORS),
        Access("facilities:course_new", OPERATORS, method="POST", body=_course_form),
        Access("facilities:course_edit", OPERATORS, obj="fac_course"),
        Access("facilities:course_edit", OPERATORS, obj="fac_course", method="POST", body=_course_form),
        Access("facilities:session_new", OPERATORS, obj="fac_course"),
        Access("facilities:session_new", OPERATORS, obj="fac_course", method="POST", body=_session_form),
        Access("facilities:session_edit", OPERATORS, obj="fac_session"),
        Access("facilities:session_edit", OPERATORS, obj="fac_session", method="POST", body=_session_form),
        Access("api:GET /facilities/resources", ANYONE),
        Access(
            "api:GET /facilities/resources/{resource_id}/slots",
            ANYONE,
            obj="fac_resource",
            params={"query": {"date": "2026-03-03"}},
        ),
        Access("api:POST /facilities/bookings", BOOKERS, obj="fac_resource", method="POST", body=_booking_json),
        Access("api:GET /facilities/bookings", SIGNED_IN, note="the viewer's own organisations' bookings"),
        Access("api:GET /facilities/bookings/{booking_id}", OWN_OR_OPERATORS, obj="fac_booking"),
        Access("api:POST /facilities/bookings/{booking_id}/cancel", OWN_OR_OPERATORS, obj="fac_booking", method="POST"),
        Access(
            "api:POST /facilities/bookings/{booking_id}/decision",
            OPERATORS,
            obj="fac_booking",
            method="POST",
            body={"approve": True},
        ),
        Access("api:GET /facilities/courses", ANYONE),
        Access("api:POST /facilities/enrolments", ENROLLERS, obj="fac_course", method="POST", body=_enrol_json),
        Access(
            "api:POST /facilities/enrolments/{enrolment_id}/cancel",
            OPERATORS | OWN_MANAGER,
            obj="fac_enrolment",
            method="POST",
        ),
    ],
)


def _demo(summary: dict, options: dict) -> dict:
    from techvalley.core.models import Complex
    from techvalley.facilities.demo import load_facilities_demo

    return {"facilities": load_facilities_demo(Complex.objects.get(slug=summary["complex"]))}


spine.demo_step(spine.DemoStep("facilities", "support centre, rooms, equipment, bookings, a course", _demo, order=60))


def _personal_data():
    """Bookings and training hold personal data (개인정보): each records a consent with the key,
    items and period below; `techvalley privacy purge` erases the person when it runs out."""
    from techvalley.facilities import services

    return (
        spine.PersonalData(
            services.BOOKING_DATA_KEY,
            _("Facility bookings"),
            export=services.export_bookings,
            erase_consented=services.erase_booking_person,
            retention_days=services.BOOKING_KEPT_AFTER.days,
            items=services.BOOKING_ITEMS,
        ),
        spine.PersonalData(
            services.TRAINING_DATA_KEY,
            _("Training courses"),
            export=services.export_training,
            erase_consented=services.erase_trainee,
            retention_days=services.TRAINING_KEPT_AFTER.days,
            items=services.TRAINING_ITEMS,
        ),
    )


spine.personal_data(*_personal_data())
