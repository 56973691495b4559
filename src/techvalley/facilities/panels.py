"""Dashboard panels and site search of the facilities module (registered in ``contributions.py``).

Each figure says its unit, its source and as of when, and links to the page behind it. The
complex's panel (utilisation, courses, trained workers) holds aggregate figures only; the
operators' panel lists what awaits them; a company's panel its own bookings and training.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from techvalley.core import spine
from techvalley.facilities import permissions, selectors
from techvalley.facilities.models import LIVE, Booking, Course, Enrolment, Resource, Status


def has_resources(viewer, complex) -> bool:
    return complex is not None and Resource.objects.filter(complex=complex).exists()


def operates(viewer, complex) -> bool:
    return complex is not None and permissions.operates_any(viewer, complex)


def sees_own(viewer, complex) -> bool:
    return complex is not None and bool(viewer.company_org_ids)


def _last_30(complex):
    today = timezone.localdate()
    return today - dt.timedelta(days=29), today


def complex_figures(viewer, complex) -> list[spine.Figure]:
    first, last = _last_30(complex)
    start, end = selectors.day_start(first), selectors.day_start(last + dt.timedelta(days=1))
    rows = Booking.objects.filter(complex=complex, status=Status.CONFIRMED, start__gte=start, start__lt=end)
    hours = sum((b.end - b.start).total_seconds() / 3600 for b in rows.only("start", "end"))
    res = list(Resource.objects.filter(complex=complex, active=True).only("opens_minute", "closes_minute"))
    workdays = sum(1 for i in range(30) if (first + dt.timedelta(days=i)).weekday() < 5)
    open_hours = sum((r.closes_minute - r.opens_minute) / 60 for r in res) * workdays
    courses = Course.objects.filter(complex=complex, published=True).count()
    trained = Enrolment.objects.filter(complex=complex, state="completed").count()
    source = _("bookings and enrolments of the support centres")
    url = reverse("facilities:resource_list")
    return [
        spine.Figure(
            "facilities-use",
            _("Facility use, last 30 days"),
            round(100 * hours / open_hours) if open_hours else 0,
            "%",
            source,
            last,
            url,
            _("%(h)s booked hours of %(o)s open hours (working days)")
            % {"h": f"{hours:,.0f}", "o": f"{open_hours:,.0f}"},
        ),
        spine.Figure(
            "facilities-courses",
            _("Training courses"),
            courses,
            _("courses"),
            source,
            last,
            reverse("facilities:course_list"),
        ),
        spine.Figure(
            "facilities-trained",
            _("Trained workers"),
            trained,
            _("certificates"),
            source,
            last,
            reverse("facilities:course_list"),
        ),
    ]


def operator_figures(viewer, complex) -> list[spine.Figure]:
    pending = selectors.awaiting_approval(viewer, complex).count()
    now = timezone.now()
    return [
        spine.Figure(
            "facilities-pending",
            _("Bookings awaiting approval"),
            pending,
            _("bookings"),
            _("support centres you operate"),
            timezone.localdate(),
            reverse("facilities:approvals"),
        ),
        spine.Figure(
            "facilities-offers",
            _("Waitlist offers open"),
            Booking.objects.filter(
                resource__centre__in=selectors.operated_centres(viewer, complex), status=Status.OFFERED, end__gte=now
            ).count(),
            _("bookings"),
            _("support centres you operate"),
            timezone.localdate(),
            reverse("facilities:approvals"),
        ),
    ]


def company_figures(viewer, complex) -> list[spine.Figure]:
    orgs = viewer.company_org_ids
    now = timezone.now()
    upcoming = Booking.objects.filter(organisation_id__in=orgs, status__in=LIVE, end__gte=now).count()
    training = Enrolment.objects.filter(organisation_id__in=orgs).aggregate(
        h=Sum("hours_attended"), n=Count("id", filter=Q(state="completed"))
    )
    url = reverse("facilities:my_bookings")
    source = _("our bookings and enrolments")
    return [
        spine.Figure(
            "facilities-own-upcoming",
            _("Our upcoming bookings"),
            upcoming,
            _("bookings"),
            source,
            timezone.localdate(),
            url,
        ),
        spine.Figure(
            "facilities-own-training",
            _("Our training hours"),
            round(training["h"] or 0, 1),
            _("hours"),
            source,
            timezone.localdate(),
            url,
            _("%(n)s certificates") % {"n": training["n"] or 0},
        ),
    ]


def search_resources(viewer, complex, query: str, limit: int = 10) -> list[spine.SearchHit]:
    """Rooms and equipment (public) whose name, description, specifications or centre match."""
    query = (query or "").strip()
    if not query or complex is None:
        return []
    qs = (
        Resource.objects.filter(complex=complex, active=True)
        .filter(
            Q(name__icontains=query)
            | Q(description__icontains=query)
            | Q(centre__name__icontains=query)
            | Q(consumables__icontains=query)
        )
        .select_related("centre")
    )
    return [
        spine.SearchHit(
            title=f"{r.name} · {r.centre.name}",
            url=reverse("facilities:resource_detail", args=[r.pk]),
            kind=r.get_kind_display(),
            snippet=r.description[:200],
        )
        for r in qs[:limit]
    ]


def search_courses(viewer, complex, query: str, limit: int = 10) -> list[spine.SearchHit]:
    query = (query or "").strip()
    if not query or complex is None:
        return []
    qs = Course.objects.filter(complex=complex, published=True).filter(
        Q(title__icontains=query) | Q(description__icontains=query) | Q(partner__icontains=query)
    )
    return [
        spine.SearchHit(title=c.title, url=c.get_absolute_url(), kind=_("Training course"), snippet=c.description[:200])
        for c in qs[:limit]
    ]


def satisfaction_figures(viewer, complex) -> list[spine.Figure]:
    """Course evaluations of the courses the viewer runs: the overall average and the answers."""
    s = selectors.satisfaction(viewer, complex)
    total = s["total"]
    url = reverse("facilities:satisfaction_summary")
    source = _("course evaluations of the trainees")
    overall = total["avg"].get("overall")
    return [
        spine.Figure(
            "facilities-satisfaction",
            _("Overall satisfaction with training"),
            f"{overall:.2f}" if overall is not None else "—",
            _("of 5"),
            source,
            timezone.localdate(),
            url,
            _("%(n)s courses") % {"n": sum(1 for r in s["rows"] if r["answers"])},
        ),
        spine.Figure(
            "facilities-satisfaction-answers",
            _("Evaluations answered"),
            total["answers"],
            pgettext("count of", "answers"),
            source,
            timezone.localdate(),
            url,
            _("of %(n)s trainees") % {"n": total["trainees"]},
        ),
    ]
