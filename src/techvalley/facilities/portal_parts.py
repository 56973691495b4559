"""The facilities app's part of the portal, registered through the spine (decision 0007).

- ``spine.transition("facilities")``: each company's support history as timeline events —
  courses its workers completed (per course and day) and shared equipment it used (per piece
  and month) — shown to its own people and the complex's officers only (bookings and
  enrolments are the company's private data). Signals ``training_hours`` (hours of sessions its
  workers attended) and ``equipment_hours`` (hours of confirmed equipment bookings, no-shows
  excluded), as of a day, for many companies in two queries.
- ``spine.dataset``: ``facilities.courses`` (the courses offered: no instructor or trainee
  names) and ``facilities.utilisation`` (booked over open hours per resource and month:
  aggregates only, no organisation).
- ``spine.map_layer("facilities.centres")``: the support centres that have coordinates; an
  estimated location has its own legend entry.
"""

from __future__ import annotations

import calendar as pycal
import datetime as dt
from collections import defaultdict

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techvalley.core import spine

#: Months the utilisation dataset covers (the current one included).
UTILISATION_MONTHS = 24


def _hours(value) -> float:
    """A summed duration (a timedelta, or microseconds on some backends) in hours."""
    if value is None:
        return 0.0
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 3600
    return float(value) / 3_600_000_000


def _duration(start: str = "start", end: str = "end"):
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


# --- the transition record ---------------------------------------------------------------


def events(company, viewer) -> list[spine.TimelineEvent]:
    """Courses completed by the company's workers and equipment it used (its own people and the
    complex's officers only)."""
    from django.urls import reverse

    from techvalley.facilities.models import Booking, Enrolment, Status

    org_id = company.organisation_id
    if org_id is None or not viewer.can_see_private(org_id, company.complex_id):
        return []
    source = _("support centres' training and bookings")
    out: list[spine.TimelineEvent] = []
    completed = (
        Enrolment.objects.filter(organisation_id=org_id, state="completed", completed_on__isnull=False)
        .values("course_id", "course__title", "completed_on")
        .annotate(n=Count("id"), h=Sum("hours_attended"))
        .order_by("completed_on", "course_id")
    )
    for row in completed:
        out.append(
            spine.TimelineEvent(
                row["completed_on"],
                "facilities.course_completed",
                _("Workers completed a course"),
                _("%(course)s: %(n)d workers, %(h)s hours")
                % {"course": row["course__title"], "n": row["n"], "h": f"{row['h'] or 0:.0f}"},
                reverse("facilities:course_detail", args=[row["course_id"]]),
                source,
            )
        )
    from django.db.models.functions import TruncMonth

    used = (
        Booking.objects.filter(
            organisation_id=org_id,
            resource__kind="equipment",
            status=Status.CONFIRMED,
            no_show=False,
            end__lte=timezone.now(),
        )
        .annotate(month=TruncMonth("day"))
        .values("month", "resource_id", "resource__name")
        .annotate(n=Count("id"), d=Sum(_duration()), last=Max("day"))
        .order_by("month", "resource_id")
    )
    for row in used:
        out.append(
            spine.TimelineEvent(
                row["last"],
                "facilities.equipment_used",
                _("Used shared equipment"),
                _("%(resource)s: %(n)d bookings, %(h)s hours in %(month)s")
                % {
                    "resource": row["resource__name"],
                    "n": row["n"],
                    "h": f"{_hours(row['d']):.1f}",
                    "month": f"{row['month']:%Y-%m}",
                },
                reverse("facilities:resource_detail", args=[row["resource_id"]]),
                source,
            )
        )
    return out


def signals(companies, as_of: dt.date | None = None) -> dict[int, list[spine.CompanySignal]]:
    """``training_hours`` and ``equipment_hours`` per company, now or as of a day: two queries,
    whatever the number of companies."""
    from techvalley.facilities.models import Attendance, Booking, Status

    by_org = {c.organisation_id: c.pk for c in companies if c.organisation_id is not None}
    if not by_org:
        return {}
    day = as_of or timezone.localdate()
    until = min(_end_of(day), timezone.now())
    trained = dict(
        Attendance.objects.filter(present=True, enrolment__organisation_id__in=by_org, session__end__lte=until)
        .values_list("enrolment__organisation_id")
        .annotate(d=Sum(_duration("session__start", "session__end")))
        .values_list("enrolment__organisation_id", "d")
    )
    used = dict(
        Booking.objects.filter(
            organisation_id__in=by_org,
            resource__kind="equipment",
            status=Status.CONFIRMED,
            no_show=False,
            end__lte=until,
        )
        .values_list("organisation_id")
        .annotate(d=Sum(_duration()))
        .values_list("organisation_id", "d")
    )
    source = _("support centres' attendance and bookings")
    out = {}
    for org_id, company_id in by_org.items():
        out[company_id] = [
            spine.CompanySignal(
                "training_hours",
                _("workers' training hours (sessions attended)"),
                round(_hours(trained.get(org_id)), 1),
                day,
                source,
            ),
            spine.CompanySignal(
                "equipment_hours",
                _("shared-equipment hours used"),
                round(_hours(used.get(org_id)), 1),
                day,
                source,
            ),
        ]
    return out


# --- open data ---------------------------------------------------------------------------

COURSE_COLUMNS = (
    spine.Column("course_id", "integer", _("the platform's number of the course")),
    spine.Column("title", "string", _("title of the course")),
    spine.Column("centre", "string", _("support centre that runs it (empty: the district)")),
    spine.Column("audience", "string", _("audience: employees, job_seekers, both")),
    spine.Column("partner", "string", _("partner organisation (e.g. a university)")),
    spine.Column("first_day", "date", _("day of the first session")),
    spine.Column("last_day", "date", _("day of the last session")),
    spine.Column("sessions", "integer", _("number of sessions")),
    spine.Column("hours", "number", _("hours of all sessions"), "h"),
    spine.Column("capacity", "integer", _("places")),
    spine.Column("fee_krw", "integer", _("fee per trainee"), "KRW"),
    spine.Column("enrolled", "integer", _("trainees enrolled (completed and not completed included)")),
    spine.Column("completed", "integer", _("trainees who completed it (certificates)")),
    spine.Column("estimated", "boolean", _("true: an estimate for the demonstration, not published data")),
)


def course_rows(cx):
    from techvalley.facilities.models import Course, CourseSession

    courses = (
        Course.objects.filter(complex=cx, published=True)
        .select_related("centre")
        .annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__state__in=["enrolled", "completed", "not_completed"])),
            completed=Count("enrolments", filter=Q(enrolments__state="completed")),
        )
        .order_by("id")
    )
    ids = [c.pk for c in courses]
    sessions = {
        row["course_id"]: row
        for row in CourseSession.objects.filter(course_id__in=ids)
        .values("course_id")
        .annotate(first=Min("start"), last=Max("start"), n=Count("id"), d=Sum(_duration()))
    }
    for c in courses:
        s = sessions.get(c.pk, {})
        first, last = s.get("first"), s.get("last")
        yield (
            c.pk,
            c.title,
            c.centre.name if c.centre else "",
            c.audience,
            c.partner,
            timezone.localdate(first) if first else None,
            timezone.localdate(last) if last else None,
            s.get("n", 0),
            round(_hours(s.get("d")), 1),
            c.capacity,
            c.fee_krw,
            c.enrolled,
            c.completed,
            c.estimated,
        )


def courses_updated(cx) -> dt.date | None:
    from techvalley.facilities.models import Course

    last = Course.objects.filter(complex=cx, published=True).aggregate(m=Max("created_at"))["m"]
    return timezone.localdate(last) if last else None


UTILISATION_COLUMNS = (
    spine.Column("month", "string", _("month (YYYY-MM)")),
    spine.Column("centre", "string", _("support centre")),
    spine.Column("resource_id", "integer", _("the platform's number of the room or equipment")),
    spine.Column("resource", "string", _("room or equipment")),
    spine.Column("kind", "string", _("kind: meeting, seminar, lab, office, education, convenience, equipment")),
    spine.Column("bookings", "integer", _("confirmed bookings starting that month")),
    spine.Column("booked_hours", "number", _("hours of confirmed bookings"), "h"),
    spine.Column("open_hours", "number", _("opening hours that month (weekends and holidays as its rules say)"), "h"),
    spine.Column("utilisation", "number", _("booked hours over open hours"), "%"),
)


def _open_hours(resource, month: dt.date) -> float:
    from techvalley.facilities.services import holiday_name

    days = pycal.monthrange(month.year, month.month)[1]
    open_days = 0
    for d in range(1, days + 1):
        day = month.replace(day=d)
        if day.weekday() >= 5 and not resource.open_weekends:
            continue
        if not resource.open_holidays and holiday_name(day):
            continue
        open_days += 1
    return open_days * (resource.closes_minute - resource.opens_minute) / 60


def _months(today: dt.date, n: int) -> list[dt.date]:
    first = today.replace(day=1)
    out = []
    for _i in range(n):
        out.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return sorted(out)


def utilisation_rows(cx):
    """Per resource and month of the last two years: confirmed bookings and their hours over the
    opening hours. Two queries (the resources; the bookings grouped by resource and month)."""
    from django.db.models.functions import TruncMonth

    from techvalley.facilities.models import Booking, Resource, Status

    months = _months(timezone.localdate(), UTILISATION_MONTHS)
    resources = list(Resource.objects.filter(complex=cx).select_related("centre").order_by("centre__name", "id"))
    booked: dict[tuple[int, dt.date], tuple[int, float]] = defaultdict(lambda: (0, 0.0))
    rows = (
        Booking.objects.filter(complex=cx, status=Status.CONFIRMED, day__gte=months[0])
        .annotate(month=TruncMonth("day"))
        .values("resource_id", "month")
        .annotate(n=Count("id"), d=Sum(_duration()))
    )
    for row in rows:
        month = row["month"] if isinstance(row["month"], dt.date) else dt.date.fromisoformat(str(row["month"])[:10])
        booked[(row["resource_id"], month)] = (row["n"], _hours(row["d"]))
    for month in months:
        for r in resources:
            n, hours = booked[(r.pk, month)]
            if not n and not r.active:
                continue
            open_hours = _open_hours(r, month)
            yield (
                f"{month:%Y-%m}",
                r.centre.name,
                r.pk,
                r.name,
                r.kind,
                n,
                round(hours, 1),
                round(open_hours, 1),
                round(100 * hours / open_hours, 1) if open_hours else None,
            )


def utilisation_updated(cx) -> dt.date | None:
    from techvalley.facilities.models import Booking

    last = Booking.objects.filter(complex=cx).aggregate(m=Max("created_at"))["m"]
    return timezone.localdate(last) if last else None


# --- the map -------------------------------------------------------------------------------

CENTRE_COLOURS = {"centre": "#d95f02", "centre_estimated": "#fdae6b"}


def centre_points(viewer, cx) -> list[spine.MapPoint]:
    """Support centres with coordinates (public: name, address, number of rooms and equipment)."""
    from django.urls import reverse

    from techvalley.facilities.models import Centre

    url = reverse("facilities:resource_list")
    rows = (
        Centre.objects.filter(complex=cx, latitude__isnull=False, longitude__isnull=False)
        .annotate(n=Count("resources", filter=Q(resources__active=True)))
        .order_by("name", "id")
    )
    return [
        spine.MapPoint(
            c.latitude,
            c.longitude,
            c.name,
            "centre_estimated" if c.location_estimated else "centre",
            f"{url}#centre-{c.pk}",
            " · ".join(
                x
                for x in (
                    c.address,
                    str(_("%(n)d rooms and equipment") % {"n": c.n}),
                    str(_("location estimated")) if c.location_estimated else "",
                )
                if x
            ),
        )
        for c in rows
    ]


spine.transition(spine.Transition("facilities", _("Support facilities and training"), events, signals, order=40))
spine.dataset(
    spine.Dataset(
        "facilities.courses",
        _("Training courses offered"),
        _(
            "The published training courses of the complex's support centres: audience, partner, dates, hours, "
            "places, fee, and how many enrolled and completed. No instructor or trainee names."
        ),
        COURSE_COLUMNS,
        course_rows,
        courses_updated,
        source=_("support centres of the complex (the platform's course records)"),
        order=40,
    ),
    spine.Dataset(
        "facilities.utilisation",
        _("Support facility utilisation by month"),
        _(
            "For each room and piece of shared equipment and each month of the last two years: confirmed "
            "bookings, their hours, the opening hours and the share booked. Aggregates only: no organisation."
        ),
        UTILISATION_COLUMNS,
        utilisation_rows,
        utilisation_updated,
        source=_("support centres of the complex (the platform's bookings)"),
        order=41,
    ),
)
spine.map_layer(
    spine.MapLayer(
        "facilities.centres",
        _("Support centres"),
        centre_points,
        (
            ("centre", _("Support centre"), CENTRE_COLOURS["centre"]),
            ("centre_estimated", _("Support centre (location estimated)"), CENTRE_COLOURS["centre_estimated"]),
        ),
        order=40,
    )
)
