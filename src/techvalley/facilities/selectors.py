"""Reads, scoped to the viewer: resources and free slots (public), calendars (who booked only for
operators and the booking's own organisation), bookings, approvals, utilisation, courses and
training hours. A calendar costs the same few queries whatever the number of bookings."""

from __future__ import annotations

import calendar as pycal
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from techvalley.core.scoping import Viewer, officer_q, private_q
from techvalley.core.validation import BadInput
from techvalley.facilities import permissions, services
from techvalley.facilities.models import LIVE, Booking, Centre, Course, Enrolment, Invoice, Resource, Status


def _tz():
    return timezone.get_default_timezone()


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), _tz())


def resources(complex, kind: str = "", query: str = "", include_inactive: bool = False):
    """The complex's bookable resources (and, for its operators, those not bookable now)."""
    qs = Resource.objects.filter(complex=complex).select_related("centre")
    if not include_inactive:
        qs = qs.filter(active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(description__icontains=query) | Q(centre__name__icontains=query))
    return qs


def resource(pk: int) -> Resource:
    found = Resource.objects.select_related("centre", "centre__operator").filter(pk=pk).first()
    if found is None:
        raise Http404("자원을 찾을 수 없습니다. / No such resource.")
    return found


def centres(complex):
    return Centre.objects.filter(complex=complex).select_related("operator").annotate(n=Count("resources"))


@dataclass
class Slot:
    start: dt.datetime
    end: dt.datetime
    free: bool
    mine: bool = False
    #: Where the booking its link offers ends (the shortest length the rules allow), when the
    #: viewer may book from this slot; None: no link.
    book_end: dt.datetime | None = None


def slots(viewer: Viewer, resource: Resource, day: dt.date, now=None) -> dict:
    """The day's slots on the resource's grid within opening hours, each free or taken; and
    why the day is closed (weekend, holiday, closure), if it is.

    For a viewer who may book, a free slot offers a booking of the shortest length the rules
    allow (``services.booking_length``) when that booking passes the booking service's own time
    rules (``services.check_time``) and is free all along; a rule about the booker
    (qualification, strikes, quotas: ``services.check_booker``) is returned as ``blocked``
    (with ``course``, one that gives the qualification, when that is the rule) and then no slot
    offers a booking, except to the centre's operators (who may override). The facts the rules
    need are one query (``services.booking_facts``, which also reads the day's closure): the
    page's query count does not grow with the slots."""
    now = now or timezone.now()
    facts, blocked, course = None, None, None
    org_id = permissions.booking_org_id(viewer)
    if permissions.can_book(viewer, resource) and org_id is not None:
        facts = services.booking_facts(resource.pk, org_id, viewer.user_id, day_start(day), now)
    closed = ""
    if day.weekday() >= 5 and not resource.open_weekends:
        closed = "weekend"
    elif services.holiday_name(day) and not resource.open_holidays:
        closed = services.holiday_name(day)
    elif facts is not None:
        closed = facts.closure_reason or ""
    else:
        closure = services.closure_on(resource, day)
        if closure is not None:
            closed = closure.reason
    if facts is not None:
        try:
            services.check_booker(facts, viewer.user_id)
        except BadInput as exc:
            blocked = exc
            if exc.code == "not_qualified":
                course = (
                    Course.objects.filter(qualifies_for_id=resource.pk, published=True)
                    .only("id", "title")
                    .order_by("-created_at", "id")
                    .first()
                )
    out = {"closed": closed, "slots": [], "blocked": blocked, "course": course, "length": None}
    if closed:
        return out
    base = day_start(day)
    opens = base + dt.timedelta(minutes=resource.opens_minute)
    closes = base + dt.timedelta(minutes=resource.closes_minute)
    busy = list(
        Booking.objects.filter(resource=resource, status__in=LIVE, start__lt=closes, end__gt=opens).values_list(
            "start", "end", "organisation_id"
        )
    )
    minutes = services.booking_length(resource)
    offers = facts is not None and minutes is not None
    offers = offers and (blocked is None or permissions.can_override(viewer, resource))
    length = dt.timedelta(minutes=minutes or 0)
    out["length"] = minutes
    step = dt.timedelta(minutes=resource.slot_minutes or 30)
    t = opens
    while t + step <= closes:
        hit = [b for b in busy if b[0] < t + step and b[1] > t]
        slot = Slot(t, t + step, not hit and t >= now, any(b[2] in viewer.org_ids for b in hit))
        if slot.free and offers and not any(b[0] < t + length and b[1] > t for b in busy):
            try:
                services.check_time(facts, t, t + length, now, facts.closure_reason)
            except BadInput:
                pass
            else:
                slot.book_end = t + length
        out["slots"].append(slot)
        t += step
    return out


#: A month cell lists this many bookings, then "+N more" linking to the day (as calendar apps do).
MONTH_CELL_LIMIT = 6


@dataclass
class CalendarEntry:
    pk: int
    start: str
    end: str
    label: str
    mine: bool
    pending: bool


@dataclass
class CalendarDay:
    day: dt.date
    entries: list
    more: int
    inside: bool
    holiday: str


def calendar(viewer: Viewer, resource: Resource, view: str, day: dt.date) -> dict:
    """Bookings of the resource for a month, week or day, in one query (rows, not model
    instances). Operators see who booked; an organisation sees its own bookings' purposes;
    others only "booked". A month cell shows at most ``MONTH_CELL_LIMIT`` bookings."""
    if view == "day":
        first, last = day, day + dt.timedelta(days=1)
    elif view == "week":
        first = day - dt.timedelta(days=day.weekday())
        last = first + dt.timedelta(days=7)
    else:
        view = "month"
        first = day.replace(day=1)
        last = first + dt.timedelta(days=pycal.monthrange(first.year, first.month)[1])
    operator = permissions.can_see_who(viewer, resource.centre)
    limit = MONTH_CELL_LIMIT if view == "month" else None
    base = Booking.objects.filter(resource=resource, status__in=LIVE, day__gte=first, day__lt=last)
    fields = ("id", "day", "start", "end", "status", "purpose", "organisation_id", "organisation__name")
    if limit:
        # Per day: how many, and the first few (a window over the day, in SQL): the work does
        # not grow with the number of bookings.
        counts = dict(base.order_by().values_list("day").annotate(n=Count("id")))
        ranked = base.annotate(
            rank=Window(RowNumber(), partition_by=[F("day")], order_by=[F("start").asc(), F("id").asc()])
        )
        rows = ranked.filter(rank__lte=limit).order_by("start", "id").values_list(*fields)
    else:
        counts = None
        rows = base.order_by("start", "id").values_list(*fields)
    tz = _tz()
    by_day: dict[dt.date, list[CalendarEntry]] = defaultdict(list)
    for pk, d, start, end, status, purpose, org_id, org_name in rows:
        s, e = start.astimezone(tz), end.astimezone(tz)
        mine = org_id in viewer.org_ids
        label = f"{org_name} · {purpose}" if operator else (purpose if mine else "")
        by_day[d].append(CalendarEntry(pk, f"{s:%H:%M}", f"{e:%H:%M}", label, mine, status == Status.PENDING))
    if counts is None:
        counts = {d: len(v) for d, v in by_day.items()}
    count = sum(counts.values())
    if view == "month":
        weeks = pycal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    else:
        weeks = [[first + dt.timedelta(days=i) for i in range((last - first).days)]]
    grid = []
    for week in weeks:
        row = []
        for d in week:
            shown = by_day.get(d, [])
            row.append(
                CalendarDay(
                    d,
                    shown,
                    counts.get(d, 0) - len(shown),
                    view != "month" or d.month == first.month,
                    services.holiday_name(d) or "",
                )
            )
        grid.append(row)
    step = {"day": dt.timedelta(days=1), "week": dt.timedelta(days=7)}.get(view)
    if step:
        prev, nxt = first - step, first + step
    else:
        prev = (first - dt.timedelta(days=1)).replace(day=1)
        nxt = last
    return {
        "view": view,
        "first": first,
        "last": last - dt.timedelta(days=1),
        "grid": grid,
        "prev": prev,
        "next": nxt,
        "count": count,
        "operator": operator,
    }


def bookings_for(viewer: Viewer, complex=None, upcoming: bool | None = None):
    """The bookings the viewer may see: their organisations' and, for operators, their centres'."""
    if not viewer.is_authenticated:
        return Booking.objects.none()
    q = Q(organisation_id__in=viewer.org_ids) | officer_q(viewer)
    if viewer.org_ids:
        q |= Q(resource__centre__operator_id__in=viewer.org_ids)
    qs = Booking.objects.filter(q).select_related("resource__centre", "organisation", "booked_by")
    if complex is not None:
        qs = qs.filter(complex=complex)
    if upcoming is True:
        qs = qs.filter(end__gte=timezone.now())
    elif upcoming is False:
        qs = qs.filter(end__lt=timezone.now())
    return qs


def my_bookings(viewer: Viewer, complex=None):
    """The bookings of the viewer's own organisations (not everything an operator sees)."""
    qs = Booking.objects.filter(organisation_id__in=viewer.org_ids).select_related("resource__centre", "organisation")
    if complex is not None:
        qs = qs.filter(complex=complex)
    return qs


def booking(viewer: Viewer, pk: int) -> Booking:
    found = Booking.objects.select_related("resource__centre", "organisation", "booked_by").filter(pk=pk).first()
    if found is None:
        raise Http404("예약을 찾을 수 없습니다. / No such booking.")
    if not permissions.can_see_booking(viewer, found):
        raise PermissionDenied("다른 기관의 예약입니다. / Another organisation's booking.")
    return found


def operated_centres(viewer: Viewer, complex):
    qs = Centre.objects.filter(complex=complex)
    if viewer.is_officer_of(complex.pk):
        return qs
    return qs.filter(operator_id__in=viewer.org_ids)


def awaiting_approval(viewer: Viewer, complex):
    return (
        Booking.objects.filter(resource__centre__in=operated_centres(viewer, complex), status=Status.PENDING)
        .select_related("resource__centre", "organisation", "booked_by")
        .order_by("start")
    )


def utilisation(viewer: Viewer, complex, first: dt.date, last: dt.date, centre=None) -> dict:
    """Booked hours over open hours by resource; a weekday × hour heatmap; revenue; no-show
    rate; users by industry and size class. Operators only."""
    if not permissions.operates_any(viewer, complex):
        raise PermissionDenied("운영자만 볼 수 있습니다. / Operators only.")
    centres_qs = operated_centres(viewer, complex)
    if centre is not None:
        centres_qs = centres_qs.filter(pk=centre.pk)
    res = list(Resource.objects.filter(centre__in=centres_qs, active=True).select_related("centre"))
    rows = list(
        Booking.objects.filter(
            resource__in=res, start__gte=day_start(first), start__lt=day_start(last + dt.timedelta(days=1))
        )
        .filter(Q(status=Status.CONFIRMED) | Q(status=Status.CANCELLED, late_cancel=True))
        .values("resource_id", "start", "end", "status", "fee_krw", "no_show", "organisation_id")
    )
    heat = [[0.0] * 24 for _ in range(7)]
    hours_by_res: dict[int, float] = defaultdict(float)
    confirmed = no_shows = revenue = 0
    org_hours: dict[int, float] = defaultdict(float)
    for r in rows:
        revenue += r["fee_krw"]
        if r["status"] != Status.CONFIRMED:
            continue
        confirmed += 1
        no_shows += r["no_show"]
        s, e = timezone.localtime(r["start"]), timezone.localtime(r["end"])
        hours = (e - s).total_seconds() / 3600
        hours_by_res[r["resource_id"]] += hours
        org_hours[r["organisation_id"]] += hours
        t = s.replace(minute=0, second=0, microsecond=0)
        while t < e:
            part = (min(e, t + dt.timedelta(hours=1)) - max(s, t)).total_seconds() / 3600
            heat[t.weekday()][t.hour] += part
            t += dt.timedelta(hours=1)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    by_resource = []
    for r in res:
        open_days = [
            d
            for d in days
            if (d.weekday() < 5 or r.open_weekends) and (r.open_holidays or not services.holiday_name(d))
        ]
        per_day = (r.closes_minute - r.opens_minute) / 60
        capacity = per_day * len(open_days)
        booked = hours_by_res.get(r.pk, 0.0)
        by_resource.append(
            {"resource": r, "hours": booked, "open_hours": capacity, "share": booked / capacity if capacity else 0}
        )
    peak = max((v for row in heat for v in row), default=0) or 1
    return {
        "first": first,
        "last": last,
        "by_resource": by_resource,
        "heat": [[(v, v / peak) for v in row] for row in heat],
        "revenue": revenue,
        "bookings": confirmed,
        "no_show_rate": no_shows / confirmed if confirmed else 0,
        "by_industry": _users_by(org_hours),
        "hours": sum(hours_by_res.values()),
        "open_hours": sum(r["open_hours"] for r in by_resource),
    }


def _users_by(org_hours: dict[int, float]) -> dict:
    """Booked hours by the users' industry (KSIC section letter) and size class."""
    from techvalley.registry.models import Company

    companies = {
        c.organisation_id: c
        for c in Company.objects.filter(organisation_id__in=org_hours.keys()).only(
            "organisation_id", "ksic_code", "industry_name", "size_class"
        )
    }
    industry: dict[str, float] = defaultdict(float)
    size: dict[str, float] = defaultdict(float)
    for org_id, hours in org_hours.items():
        c = companies.get(org_id)
        industry[(c.ksic_code[:2] if c and c.ksic_code else "—")] += hours
        size[(c.get_size_class_display() if c else "—")] += hours
    return {
        "industry": sorted(industry.items(), key=lambda kv: -kv[1]),
        "size": sorted(size.items(), key=lambda kv: -kv[1]),
    }


def support_history(viewer: Viewer, organisation_id: int, complex) -> dict:
    """An organisation's support history: bookings, equipment hours, training hours."""
    if not (organisation_id in viewer.org_ids or viewer.is_officer_of(complex.pk)):
        raise PermissionDenied("다른 기관의 기록입니다. / Another organisation's record.")
    done = Booking.objects.filter(organisation_id=organisation_id, complex=complex, status=Status.CONFIRMED)
    equipment = [b.hours for b in done.filter(resource__kind="equipment").only("start", "end")]
    training = Enrolment.objects.filter(organisation_id=organisation_id, complex=complex).aggregate(
        h=Sum("hours_attended"), n=Count("id", filter=Q(state="completed"))
    )
    return {
        "bookings": done.count(),
        "equipment_hours": round(sum(equipment), 1),
        "training_hours": round(training["h"] or 0, 1),
        "trained": training["n"] or 0,
    }


# --- training ------------------------------------------------------------------------------


def courses(viewer: Viewer, complex):
    qs = Course.objects.filter(complex=complex).select_related("centre")
    if not permissions.operates_any(viewer, complex):
        qs = qs.filter(published=True)
    return qs.annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__state__in=["enrolled", "completed", "not_completed"])),
        waiting=Count("enrolments", filter=Q(enrolments__state="waitlisted")),
    )


def course(viewer: Viewer, pk: int) -> Course:
    found = Course.objects.select_related("centre", "qualifies_for").filter(pk=pk).first()
    if found is None or (not found.published and not permissions.can_run_course(viewer, found)):
        raise Http404("과정을 찾을 수 없습니다. / No such course.")
    return found


def enrolments_for(viewer: Viewer, course: Course):
    qs = Enrolment.objects.filter(course=course).select_related("organisation").order_by("created_at", "id")
    if permissions.can_run_course(viewer, course):
        return qs
    return qs.filter(organisation_id__in=viewer.org_ids)


def enrolment(viewer: Viewer, pk: int) -> Enrolment:
    found = Enrolment.objects.select_related("course__centre", "organisation").filter(pk=pk).first()
    if found is None:
        raise Http404("수강 신청을 찾을 수 없습니다. / No such enrolment.")
    if not permissions.can_see_enrolment(viewer, found):
        raise PermissionDenied("다른 기관의 수강 신청입니다. / Another organisation's enrolment.")
    return found


def training_hours(viewer: Viewer, complex) -> dict:
    """Training hours by organisation (officers: all; others: their own) and by industry."""
    seen = private_q(viewer)
    if viewer.org_ids:  # a centre's operators: the enrolments of their centres' courses
        seen |= Q(course__centre__operator_id__in=viewer.org_ids)
    qs = Enrolment.objects.filter(complex=complex).filter(seen)
    by_org = list(
        qs.values("organisation_id", "organisation__name")
        .annotate(h=Sum("hours_attended"), n=Count("id", filter=Q(state="completed")))
        .order_by("-h")
    )
    from techvalley.registry.models import Company

    ksic = dict(
        Company.objects.filter(organisation_id__in=[r["organisation_id"] for r in by_org]).values_list(
            "organisation_id", "ksic_code"
        )
    )
    industry: dict[str, float] = defaultdict(float)
    for r in by_org:
        industry[(ksic.get(r["organisation_id"]) or "—")[:2]] += r["h"] or 0
    return {"by_org": by_org, "by_industry": sorted(industry.items(), key=lambda kv: -kv[1])}


def verify(code: str) -> Enrolment | None:
    code = (code or "").strip().upper()[:12]
    if not code:
        return None
    return (
        Enrolment.objects.select_related("course", "organisation")
        .filter(certificate_code=code, state="completed")
        .first()
    )


# --- invoices and satisfaction -------------------------------------------------------------------


def _month(value, name: str) -> dt.date | None:
    """``YYYY-MM`` (or a date) → the month's first day; empty → None."""
    from techvalley.core.validation import BadInput

    text = str(value or "").strip()[:10]
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text[:7] + "-01")
    except ValueError:
        raise BadInput(f"{name}: YYYY-MM (예: 2026-03)", field=name) from None
    if not 2000 <= day.year <= 2100:
        raise BadInput(f"{name}: 2000–2100", field=name)
    return day


@dataclass
class InvoiceFilters:
    centre: int | None = None
    organisation: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def from_params(cls, params) -> InvoiceFilters:
        from techvalley.core.validation import clean_text, int_param

        centre = params.get("centre") or None
        return cls(
            centre=int_param(centre, "centre", lo=1) if centre else None,
            organisation=clean_text(params.get("organisation", ""), "organisation", max_length=100).strip(),
            since=_month(params.get("since"), "since"),
            until=_month(params.get("until"), "until"),
        )


def invoices_for(viewer: Viewer, complex, filters: InvoiceFilters | None = None):
    """The complex's invoices the viewer may see: all of them for its officers, their centres'
    for a centre's operators, their own for an organisation's members."""
    if not viewer.is_authenticated:
        return Invoice.objects.none()
    q = officer_q(viewer) | Q(organisation_id__in=viewer.org_ids) | Q(centre__operator_id__in=viewer.org_ids)
    qs = (
        Invoice.objects.filter(complex=complex)
        .filter(q)
        .select_related("centre", "organisation")
        .annotate(n_bookings=Count("bookings"))
        .order_by("-month", "number")
    )
    f = filters or InvoiceFilters()
    if f.centre:
        qs = qs.filter(centre_id=f.centre)
    if f.organisation:
        qs = qs.filter(organisation__name__icontains=f.organisation)
    if f.since:
        qs = qs.filter(month__gte=f.since)
    if f.until:
        qs = qs.filter(month__lte=f.until)
    return qs


def satisfaction(viewer: Viewer, complex) -> dict:
    """Course evaluations of the courses the viewer runs: per course the number of answers, of
    trainees, and the average of each question (1–5); and the same over all of them. One query
    for the courses, one for the answers, whatever their number."""
    courses = [
        c
        for c in Course.objects.filter(complex=complex).select_related("centre").order_by("-created_at", "id")
        if permissions.can_run_course(viewer, c)
    ]
    ids = [c.pk for c in courses]
    answers: dict[int, list[dict]] = defaultdict(list)
    trainees: dict[int, int] = defaultdict(int)
    for course_id, state, given in Enrolment.objects.filter(course_id__in=ids).values_list(
        "course_id", "state", "satisfaction"
    ):
        if state in ("enrolled", "completed", "not_completed"):
            trainees[course_id] += 1
        if isinstance(given, dict) and given:
            answers[course_id].append(given)
    keys = list(services.QUESTIONS)

    def averages(rows: list[dict]) -> dict:
        out = {}
        for k in keys:
            values = [r[k] for r in rows if isinstance(r.get(k), int | float)]
            out[k] = round(sum(values) / len(values), 2) if values else None
        return out

    every = [a for c in ids for a in answers[c]]
    rows = [
        {
            "course": c,
            "answers": len(answers[c.pk]),
            "trainees": trainees[c.pk],
            "rate": round(100 * len(answers[c.pk]) / trainees[c.pk]) if trainees[c.pk] else None,
            "avg": averages(answers[c.pk]),
        }
        for c in courses
    ]
    return {
        "questions": [(k, *services.QUESTIONS[k]) for k in keys],
        "rows": rows,
        "total": {"answers": len(every), "trainees": sum(trainees.values()), "avg": averages(every)},
    }
