"""Every change to centres, bookings and courses: the booking rules, the no-double-booking
guarantee, waitlist offers, approvals, no-shows, fees and invoices, notifications through the
outbox, enrolment with waitlist promotion, attendance and certificates.

No double booking: on PostgreSQL the exclusion constraint ``booking_no_overlap`` (migration 0002)
refuses a second live booking over the same time; an exclusion violation or a deadlock between
two writers is answered as ``SlotTaken``. On SQLite the transaction starts with BEGIN IMMEDIATE
(the settings' ``transaction_mode``), so the overlap check and the insert run under the write
lock and a second writer waits, then sees the slot taken.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from techvalley.core import privacy
from techvalley.core.models import Organisation
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput, clean_text, finite, int_param
from techvalley.facilities import permissions
from techvalley.facilities.models import (
    LIVE,
    Attendance,
    Booking,
    Centre,
    Closure,
    Course,
    CourseSession,
    Enrolment,
    FeedToken,
    Invoice,
    OutboxMessage,
    Qualification,
    Resource,
    Status,
    Tier,
    WaitlistEntry,
    new_code,
)

#: How far back late cancellations and no-shows count against an organisation.
STRIKE_WINDOW = dt.timedelta(days=90)
#: The longest recurring series one request may book.
MAX_SERIES = 26


class SlotTaken(BadInput):
    """The slot is gone: another live booking overlaps it (409, ``slot_taken``)."""

    def __init__(self, message: str = ""):
        super().__init__(
            message
            or "이미 예약된 시간입니다. 다른 시간을 고르거나 대기 신청하세요. "
            "/ The slot is taken: choose another time or join the waitlist.",
            code="slot_taken",
            status=409,
        )


def rule(code: str, ko: str, en: str, field: str | None = None) -> BadInput:
    """A booking rule the request breaks (422, the rule's code)."""
    return BadInput(f"{ko} / {en}", code=code, field=field, status=422)


# --- time -------------------------------------------------------------------------------


def aware(value: dt.datetime) -> dt.datetime:
    """A datetime in Asia/Seoul: naive values are read as Seoul local time."""
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


def parse_time(value, field: str) -> dt.datetime:
    """ISO 8601 (``2026-03-02T10:00``, ``2026-03-02T10:00:00+09:00``), read in Asia/Seoul."""
    if isinstance(value, dt.datetime):
        return aware(value)
    text = clean_text(value, field, max_length=40, required=True)
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(
            f"{field}: 날짜·시간을 ISO 8601로 적으세요 (예: 2026-03-02T10:00). / use ISO 8601, e.g. 2026-03-02T10:00.",
            field=field,
            status=422,
        ) from None
    if not 2000 <= parsed.year <= 2100:
        raise BadInput(f"{field}: 2000–2100년 사이여야 합니다. / must be within 2000–2100.", field=field, status=422)
    return aware(parsed)


def local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


@functools.lru_cache(maxsize=64)
def _kr_holidays(year: int, language: str = "ko") -> dict:
    import holidays

    return dict(holidays.KR(years=year, language=language))


def holiday_name(day: dt.date) -> str | None:
    """The Korean public holiday on that day (대체공휴일 included), named in the page's language."""
    from django.utils.translation import get_language

    language = "en_US" if (get_language() or "ko").startswith("en") else "ko"
    return _kr_holidays(day.year, language).get(day)


# --- booking rules ----------------------------------------------------------------------


def closure_on(resource: Resource, day: dt.date) -> Closure | None:
    return (
        Closure.objects.filter(centre_id=resource.centre_id, first_day__lte=day, last_day__gte=day)
        .filter(Q(resource__isnull=True) | Q(resource=resource))
        .first()
    )


def tier_of(organisation: Organisation, resource: Resource) -> str:
    """The fee tier: universities; complex tenants (a company of the complex's registry, or the
    complex's district office, agencies and centres); everyone else pays the outside rate."""
    if organisation.kind == Organisation.Kind.UNIVERSITY:
        return Tier.UNIVERSITY
    if organisation.complex_id != resource.complex_id:
        return Tier.OUTSIDE
    if organisation.kind != Organisation.Kind.COMPANY:
        return Tier.TENANT
    found = getattr(organisation, "in_registry", None)  # annotated by booking_facts
    if found is None:
        from techvalley.registry.models import Company

        found = Company.objects.filter(organisation=organisation, complex_id=resource.complex_id).exists()
    return Tier.TENANT if found else Tier.OUTSIDE


def fee_for(resource: Resource, tier: str, start: dt.datetime, end: dt.datetime) -> int:
    rate = {Tier.TENANT: resource.fee_tenant, Tier.UNIVERSITY: resource.fee_university}.get(tier, resource.fee_outside)
    return round(rate * (end - start).total_seconds() / 3600)


def strikes(organisation_id: int, centre_id: int, now: dt.datetime) -> int:
    """Late cancellations and no-shows of the organisation at the centre in the last 90 days."""
    return (
        Booking.objects.filter(
            organisation_id=organisation_id, resource__centre_id=centre_id, start__gte=now - STRIKE_WINDOW
        )
        .filter(Q(late_cancel=True) | Q(no_show=True))
        .count()
    )


@functools.lru_cache(maxsize=4)
def _facts_sql(vendor: str) -> str:
    """The SQL of ``booking_facts``, written once (the ORM's version of it cost more CPU to build
    and compile than the whole booking otherwise: it is the hot path of every booking)."""
    from techvalley.registry.models import Company

    q = connection.ops.quote_name

    def t(model) -> str:
        return q(model._meta.db_table)

    cols = ", ".join(f"r.{q(f.column)}" for f in Resource._meta.concrete_fields)
    booking, res = t(Booking), t(Resource)
    own_here = (
        f"b.{q('organisation_id')} = %s AND b.{q('resource_id')} = r.{q('id')} AND b.{q('status')} IN (%s, %s, %s)"
    )
    start = f"b.{q('start')}"
    return f"""
SELECT {cols},
  c.{q("operator_id")} AS centre_operator_id, c.{q("complex_id")} AS centre_complex_id,
  c.{q("name")} AS centre_name, c.{q("email")} AS centre_email,
  o.{q("kind")} AS org_kind, o.{q("complex_id")} AS org_complex_id, o.{q("name")} AS org_name,
  EXISTS (SELECT 1 FROM {t(Company)} rc WHERE rc.{q("organisation_id")} = o.{q("id")}
          AND rc.{q("complex_id")} = r.{q("complex_id")}) AS in_registry,
  (SELECT cl.{q("reason")} FROM {t(Closure)} cl WHERE cl.{q("centre_id")} = r.{q("centre_id")}
     AND cl.{q("first_day")} <= %s AND cl.{q("last_day")} >= %s
     AND (cl.{q("resource_id")} IS NULL OR cl.{q("resource_id")} = r.{q("id")})
   ORDER BY cl.{q("id")} LIMIT 1) AS closure_reason,
  EXISTS (SELECT 1 FROM {t(Qualification)} qu WHERE qu.{q("resource_id")} = r.{q("id")}
          AND qu.{q("user_id")} = %s) AS qualified,
  (SELECT COUNT(*) FROM {booking} b WHERE {own_here} AND {start} >= %s AND {start} < %s) AS used_day,
  (SELECT COUNT(*) FROM {booking} b WHERE {own_here} AND {start} >= %s AND {start} < %s) AS used_month,
  (SELECT COUNT(*) FROM {booking} b WHERE {own_here} AND {start} >= %s) AS used_future,
  (SELECT COUNT(*) FROM {booking} b JOIN {res} br ON br.{q("id")} = b.{q("resource_id")}
    WHERE b.{q("organisation_id")} = %s AND br.{q("centre_id")} = r.{q("centre_id")} AND {start} >= %s
      AND (b.{q("late_cancel")} OR b.{q("no_show")})) AS strikes,
  (SELECT COUNT(*) FROM {booking} b WHERE b.{q("resource_id")} = r.{q("id")} AND b.{q("status")} = %s
      AND b.{q("offer_expires_at")} < %s) AS lapsed
FROM {res} r
JOIN {t(Centre)} c ON c.{q("id")} = r.{q("centre_id")}
LEFT JOIN {t(Organisation)} o ON o.{q("id")} = %s
WHERE r.{q("id")} = %s
""".strip()


def booking_facts(resource_id: int, organisation_id: int, user, start: dt.datetime, now: dt.datetime) -> Resource:
    """Everything the rules and the fee need about a request, in ONE query: the resource and its
    centre, the booking organisation (kind, complex, name, in the complex's registry), the
    closure that day, the user's qualification, the organisation's quotas used (day, month,
    future), its strikes at the centre (90 days) and the resource's lapsed waitlist offers.

    ``user`` is a user or a user's id. Returns the resource annotated with them (``Http404`` when
    there is none)."""
    if not 0 < resource_id < 2**31:  # an id no row can have (and no integer overflow in SQL)
        raise Http404("자원을 찾을 수 없습니다. / No such resource.")
    tz = timezone.get_default_timezone()
    day = local(start).date()
    day_start = timezone.make_aware(dt.datetime.combine(day, dt.time()), tz)
    month_start = day_start.replace(day=1)
    next_month = timezone.make_aware(
        dt.datetime.combine((month_start + dt.timedelta(days=32)).replace(day=1), dt.time()), tz
    )
    ops = connection.ops
    d, ts = ops.adapt_datefield_value, ops.adapt_datetimefield_value
    live = [str(s) for s in LIVE]
    own = [organisation_id, *live]
    params = [
        d(day),
        d(day),
        user if isinstance(user, int) else getattr(user, "pk", None),
        *own,
        ts(day_start),
        ts(day_start + dt.timedelta(days=1)),
        *own,
        ts(month_start),
        ts(next_month),
        *own,
        ts(now),
        organisation_id,
        ts(now - STRIKE_WINDOW),
        str(Status.OFFERED),
        ts(now),
        organisation_id,
        resource_id,
    ]
    found = next(iter(Resource.objects.raw(_facts_sql(connection.vendor), params)), None)
    if found is None:
        raise Http404("자원을 찾을 수 없습니다. / No such resource.")
    found.centre = Centre(
        pk=found.centre_id,
        operator_id=found.centre_operator_id,
        complex_id=found.centre_complex_id,
        name=found.centre_name,
        email=found.centre_email or "",
    )
    found.in_registry, found.qualified = bool(found.in_registry), bool(found.qualified)
    return found


def check_rules(resource: Resource, organisation_id: int, user, start: dt.datetime, end: dt.datetime, now=None) -> dict:
    """Raise the first booking rule the request breaks (each with its own code); else return
    what the organisation used (and ``lapsed``: waitlist offers of the resource to expire).

    ``resource`` may come from ``booking_facts`` (for this organisation, user, day and ``now``);
    otherwise the facts are read here, in one query."""
    now = now or timezone.now()
    if getattr(resource, "used_day", None) is None:
        resource = booking_facts(resource.pk, organisation_id, user, start, now)
    check_time(resource, start, end, now, resource.closure_reason)
    check_booker(resource, user)
    return {
        "day": resource.used_day,
        "month": resource.used_month,
        "future": resource.used_future,
        "strikes": resource.strikes,
        "lapsed": resource.lapsed,
    }


def booking_length(resource: Resource) -> int | None:
    """The shortest booking the rules allow, in minutes: the minimum rounded up to the grid; None
    when no length on the grid fits between the minimum and the maximum."""
    step = resource.slot_minutes or 1
    length = max(-(-resource.min_minutes // step) * step, step)
    return length if length <= resource.max_minutes else None


def check_time(resource: Resource, start: dt.datetime, end: dt.datetime, now: dt.datetime, closure_reason=None) -> None:
    """Raise the first rule about the time asked for that it breaks: bookable at all, the range,
    the grid, the length, how far ahead, opening hours, weekends, holidays and the day's closure
    (``closure_reason``, as ``booking_facts`` reads it). No query: the slot page asks it of
    every slot it offers."""
    s, e = local(start), local(end)
    minutes = (end - start).total_seconds() / 60
    if not resource.active:
        raise rule("not_bookable", "지금은 예약을 받지 않는 자원입니다.", "this resource takes no bookings now.")
    if end <= start:
        raise rule("bad_range", "끝나는 시간이 시작 시간보다 뒤여야 합니다.", "end must be after start.", "end")
    if start < now:
        raise rule("in_past", "지난 시간은 예약할 수 없습니다.", "the time has passed.", "start")
    step = resource.slot_minutes or 1
    if (s.hour * 60 + s.minute) % step or (e.hour * 60 + e.minute) % step or s.second or e.second:
        raise rule("off_grid", f"{step}분 단위로 예약하세요.", f"book in steps of {step} minutes.", "start")
    if minutes < resource.min_minutes:
        raise rule(
            "too_short", f"최소 {resource.min_minutes}분입니다.", f"at least {resource.min_minutes} minutes.", "end"
        )
    if minutes > resource.max_minutes:
        raise rule(
            "too_long", f"최대 {resource.max_minutes}분입니다.", f"at most {resource.max_minutes} minutes.", "end"
        )
    if start > now + dt.timedelta(days=resource.horizon_days):
        raise rule(
            "too_far_ahead",
            f"{resource.horizon_days}일 앞까지만 예약할 수 있습니다.",
            f"bookable up to {resource.horizon_days} days ahead.",
            "start",
        )
    if start < now + dt.timedelta(hours=resource.lead_hours):
        raise rule(
            "too_soon",
            f"시작 {resource.lead_hours}시간 전까지 예약하세요.",
            f"book at least {resource.lead_hours} hours ahead.",
            "start",
        )
    midnight = s.replace(hour=0, minute=0, second=0, microsecond=0)
    start_min = (s - midnight).total_seconds() / 60
    end_min = (e - midnight).total_seconds() / 60
    if end_min > 24 * 60:
        raise rule("spans_days", "하루 안에서 예약하세요.", "a booking stays within one day.", "end")
    opens, closes = resource.opens_minute, resource.closes_minute
    if start_min < opens or end_min > closes:
        raise rule(
            "outside_hours",
            f"운영 시간({resource.opens_at:%H:%M}–{resource.closes_at:%H:%M}) 안에서 예약하세요.",
            f"within opening hours ({resource.opens_at:%H:%M}–{resource.closes_at:%H:%M}).",
            "start",
        )
    day = s.date()
    if day.weekday() >= 5 and not resource.open_weekends:
        raise rule("weekend", "주말에는 운영하지 않습니다.", "closed on weekends.", "start")
    holiday = holiday_name(day)
    if holiday and not resource.open_holidays:
        raise rule(
            "holiday", f"공휴일({holiday})에는 운영하지 않습니다.", f"closed on public holidays ({holiday}).", "start"
        )
    if closure_reason is not None:
        raise rule("closed", f"휴관일입니다: {closure_reason}", f"closed that day: {closure_reason}", "start")


def check_booker(resource: Resource, user) -> None:
    """Raise the first rule about who books that it breaks: the qualification, strikes and the
    organisation's quotas. ``resource`` comes from ``booking_facts`` (for the user, organisation
    and day); no query."""
    if resource.qualification_required and not (user is not None and resource.qualified):
        raise rule(
            "not_qualified",
            "이 장비는 사용 교육을 받은 사람만 예약할 수 있습니다.",
            "only people trained on this equipment may book it.",
        )
    if resource.strikes >= resource.strike_limit:
        raise rule(
            "too_many_strikes",
            f"최근 90일 늦은 취소·불참이 {resource.strike_limit}회에 이르러 새 예약이 제한됩니다.",
            f"{resource.strike_limit} late cancellations or no-shows in 90 days: new bookings are paused.",
        )
    if resource.used_day >= resource.max_per_day:
        raise rule("quota_day", f"하루 {resource.max_per_day}건까지입니다.", f"at most {resource.max_per_day} a day.")
    if resource.used_month >= resource.max_per_month:
        raise rule(
            "quota_month", f"한 달 {resource.max_per_month}건까지입니다.", f"at most {resource.max_per_month} a month."
        )
    if resource.used_future >= resource.max_future:
        raise rule(
            "quota_future",
            f"앞으로의 예약은 {resource.max_future}건까지입니다.",
            f"at most {resource.max_future} future bookings.",
        )


# --- the guarantee ------------------------------------------------------------------------


def _is_conflict(exc: Exception) -> bool:
    """An exclusion violation (23P01) or a deadlock (40P01) between two writers: the slot is taken."""
    cause = exc.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code in ("23P01", "40P01") or "booking_no_overlap" in str(exc)


def overlapping(resource_id: int, start: dt.datetime, end: dt.datetime):
    return Booking.objects.filter(resource_id=resource_id, status__in=LIVE, start__lt=end, end__gt=start)


def _insert(booking: Booking, then=None) -> Booking:
    """Insert under the database's guarantee (see the module's text); ``then(booking)`` runs in
    the same transaction (the notifications: a booking is never committed without them).

    On PostgreSQL the INSERT alone: the exclusion constraint is the check, so no overlap query
    repeats it. Elsewhere the check runs under the write lock BEGIN IMMEDIATE took."""
    try:
        with transaction.atomic():
            if (
                connection.vendor != "postgresql"
                and overlapping(booking.resource_id, booking.start, booking.end).exists()
            ):
                raise SlotTaken()
            booking.save()
            if then is not None:
                then(booking)
    except (IntegrityError, DatabaseError) as exc:
        if _is_conflict(exc):
            raise SlotTaken() from exc
        raise
    return booking


# --- bookings ---------------------------------------------------------------------------


def _org_for(viewer, organisation_id: int | None, resource: Resource) -> Organisation:
    """The booking organisation, checked against the viewer. ``resource`` comes from
    ``booking_facts`` (the organisation's fields are annotated on it)."""
    if organisation_id is None:
        organisation_id = permissions.booking_org_id(viewer)
    if organisation_id is None:
        raise PermissionDenied("예약하려면 기관에 소속되어야 합니다. / Only members of an organisation book.")
    if organisation_id not in viewer.org_ids and not permissions.is_operator(viewer, resource.centre):
        raise PermissionDenied("소속 기관으로만 예약할 수 있습니다. / You book for your own organisation only.")
    if organisation_id in viewer.org_ids and permissions.books_as_outside_officer(viewer, resource.complex_id):
        raise PermissionDenied(
            "구청은 소속 산업단지의 시설만 예약합니다. / District offices book in their own complex only."
        )
    if resource.org_kind is None:
        raise BadInput("organisation: 없는 기관입니다. / no such organisation.", field="organisation", status=422)
    org = Organisation(
        pk=organisation_id, kind=resource.org_kind, complex_id=resource.org_complex_id, name=resource.org_name
    )
    org.in_registry = resource.in_registry
    return org


def book(
    user,
    resource: Resource | int,
    start,
    end,
    purpose: str,
    *,
    organisation_id: int | None = None,
    override_reason: str = "",
    series: str = "",
    now: dt.datetime | None = None,
) -> Booking:
    """Book a resource (or a resource's id) for the user's organisation: the rules, then the slot
    under the guarantee.

    Operators may override the rules (not the overlap) with a reason; their bookings need no
    approval. Answers ``SlotTaken`` (409) when another live booking overlaps.

    Queries: one for the resource and every fact the rules need (``booking_facts``), then the
    INSERT with its audit entry (and, on SQLite, the overlap check under the write lock), one
    INSERT of the notifications, and the consent to the booker's personal data (with its audit
    entry)."""
    viewer = viewer_for(user)
    if not permissions.can_book(viewer, resource):
        raise PermissionDenied("예약하려면 기관에 소속되어야 합니다. / Only members of an organisation book.")
    now = now or timezone.now()
    start, end = parse_time(start, "start"), parse_time(end, "end")
    purpose = clean_text(purpose, "purpose", max_length=300, required=True)
    override_reason = clean_text(override_reason, "override_reason", max_length=300)
    wanted = organisation_id if organisation_id is not None else permissions.booking_org_id(viewer)
    if wanted is None:
        raise PermissionDenied("예약하려면 기관에 소속되어야 합니다. / Only members of an organisation book.")
    resource = booking_facts(resource if isinstance(resource, int) else resource.pk, wanted, user, start, now)
    org = _org_for(viewer, wanted, resource)
    operator = permissions.can_override(viewer, resource)
    if override_reason and not operator:
        raise PermissionDenied("규칙 예외는 운영자만 둘 수 있습니다. / Only operators override the rules.")
    if end <= start:
        raise rule("bad_range", "끝나는 시간이 시작 시간보다 뒤여야 합니다.", "end must be after start.", "end")
    lapsed = resource.lapsed if override_reason else check_rules(resource, org.pk, user, start, end, now)["lapsed"]
    if lapsed:
        expire_offers(now, resource=resource)
    tier = tier_of(org, resource)
    booking = Booking(
        complex_id=resource.complex_id,
        resource=resource,
        organisation=org,
        booked_by=user,
        start=start,
        end=end,
        purpose=purpose,
        status=Status.PENDING if resource.approval_required and not operator else Status.CONFIRMED,
        tier=tier,
        fee_krw=fee_for(resource, tier, start, end),
        series=series,
        override_reason=override_reason,
    )
    _insert(booking, then=_booked)
    return booking


def _booked(booking: Booking) -> None:
    """What a new booking's transaction also writes: the notifications and the consent."""
    _notify_booking(booking)
    record_booking_consent(booking)


def book_series(user, resource: Resource, start, end, purpose: str, *, weeks: int, **kwargs) -> list[Booking]:
    """A weekly recurring booking: all occurrences or none (the first one that fails says why)."""
    if not 1 <= weeks <= MAX_SERIES:
        raise BadInput(f"weeks: 1–{MAX_SERIES}주 / 1 to {MAX_SERIES} weeks.", field="weeks", status=422)
    start, end = parse_time(start, "start"), parse_time(end, "end")
    series = uuid.uuid4().hex
    out = []
    with transaction.atomic():
        for i in range(weeks):
            shift = dt.timedelta(weeks=i)
            try:
                out.append(book(user, resource, start + shift, end + shift, purpose, series=series, **kwargs))
            except BadInput as exc:
                day = local(start + shift).date()
                exc.message = f"{day:%Y-%m-%d}: {exc.message}"
                exc.args = (exc.message,)
                raise
    return out


def _notify_booking(booking: Booking) -> None:
    """The booker's confirmation and, when it awaits approval, the centre's request: one INSERT."""
    user = booking.booked_by
    centre = booking.resource.centre
    when = f"{local(booking.start):%Y-%m-%d %H:%M}–{local(booking.end):%H:%M}"
    messages = []
    if user is not None and user.email:
        messages.append(
            _message(
                booking.complex_id,
                user.email,
                f"[{centre}] {booking.get_status_display()}: {booking.resource} {when}",
                f"{booking.resource} · {when}\n{booking.purpose}\n상태 / status: {booking.get_status_display()}",
            )
        )
    if booking.status == Status.PENDING and centre.email:
        messages.append(
            _message(
                booking.complex_id,
                centre.email,
                f"[승인 요청 / approval] {booking.resource} {when}",
                f"{booking.organisation} · {booking.purpose}",
            )
        )
    if messages:
        OutboxMessage.objects.bulk_create(messages)


def cancel(user, booking: Booking, now: dt.datetime | None = None) -> Booking:
    """Cancel a live booking. Inside the cancellation deadline it counts as a late cancellation
    (not when an operator cancels). The freed slot is offered to the waitlist."""
    viewer = viewer_for(user)
    if not permissions.can_cancel(viewer, booking):
        raise PermissionDenied("이 예약을 취소할 수 없습니다. / You may not cancel this booking.")
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("resource__centre").get(pk=booking.pk)
        if booking.status not in LIVE:
            raise BadInput("이미 끝난 예약입니다. / The booking is no longer live.", code="not_live", status=409)
        if booking.start <= now:
            raise BadInput("이미 시작된 예약은 취소할 수 없습니다. / It has started.", code="started", status=409)
        deadline = booking.start - dt.timedelta(hours=booking.resource.cancel_hours)
        booking.late_cancel = (
            booking.status == Status.CONFIRMED
            and now > deadline
            and not permissions.is_operator(viewer, booking.resource.centre)
        )
        booking.status = Status.CANCELLED
        booking.save(update_fields=["status", "late_cancel"])
        offer_waitlist(booking.resource, booking.start, booking.end, now)
    return booking


def decide(user, booking: Booking, approve: bool, note: str = "", now=None) -> Booking:
    """An operator approves or rejects a booking awaiting approval."""
    viewer = viewer_for(user)
    if not permissions.is_operator(viewer, booking.resource.centre):
        raise PermissionDenied("운영자만 승인합니다. / Operators only.")
    note = clean_text(note, "note", max_length=300)
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != Status.PENDING:
            raise BadInput("승인 대기 중인 예약이 아닙니다. / Not awaiting approval.", code="not_pending", status=409)
        booking.status = Status.CONFIRMED if approve else Status.REJECTED
        booking.decision_note = note
        booking.save(update_fields=["status", "decision_note"])
        if not approve:
            offer_waitlist(booking.resource, booking.start, booking.end, now)
        _notify_booking(booking)
    return booking


def mark_no_show(user, booking: Booking, no_show: bool = True, now=None) -> Booking:
    """An operator records that nobody came (counts against the organisation for 90 days)."""
    viewer = viewer_for(user)
    if not permissions.is_operator(viewer, booking.resource.centre):
        raise PermissionDenied("운영자만 불참을 기록합니다. / Operators only.")
    now = now or timezone.now()
    if booking.status != Status.CONFIRMED or booking.start > now:
        raise BadInput(
            "시작된 확정 예약만 불참으로 기록합니다. / Only confirmed bookings that have started.",
            code="not_started",
            status=409,
        )
    booking.no_show = no_show
    booking.save(update_fields=["no_show"])
    return booking


# --- waitlist -----------------------------------------------------------------------------


def join_waitlist(user, resource: Resource, start, end, purpose: str, now=None) -> WaitlistEntry:
    """Wait for a taken slot; the rules apply as to a booking."""
    viewer = viewer_for(user)
    if not permissions.can_book(viewer, resource):
        raise PermissionDenied("예약하려면 기관에 소속되어야 합니다. / Only members of an organisation book.")
    now = now or timezone.now()
    start, end = parse_time(start, "start"), parse_time(end, "end")
    purpose = clean_text(purpose, "purpose", max_length=300, required=True)
    wanted = permissions.booking_org_id(viewer)
    if wanted is None:
        raise PermissionDenied("예약하려면 기관에 소속되어야 합니다. / Only members of an organisation book.")
    resource = booking_facts(resource.pk, wanted, user, start, now)
    org = _org_for(viewer, wanted, resource)
    check_rules(resource, org.pk, user, start, end, now)
    if not overlapping(resource.pk, start, end).exists():
        raise BadInput(
            "비어 있는 시간입니다: 바로 예약하세요. / The slot is free: book it.", code="slot_free", status=409
        )
    with transaction.atomic():
        entry = WaitlistEntry.objects.create(
            complex_id=resource.complex_id,
            resource=resource,
            organisation=org,
            user=user,
            start=start,
            end=end,
            purpose=purpose,
        )
        record_booking_consent(entry)
    return entry


def offer_waitlist(resource: Resource, start: dt.datetime, end: dt.datetime, now=None) -> list[Booking]:
    """Offer a freed range to the waitlist, first come first served: each waiting entry
    overlapping it whose own range is now free gets a held booking to accept in time."""
    now = now or timezone.now()
    offers = []
    waiting = WaitlistEntry.objects.filter(
        resource=resource, state=WaitlistEntry.State.WAITING, start__lt=end, end__gt=start, start__gt=now
    ).select_related("organisation", "user")
    for entry in waiting:
        if overlapping(resource.pk, entry.start, entry.end).exists():
            continue
        tier = tier_of(entry.organisation, resource)
        booking = Booking(
            complex_id=resource.complex_id,
            resource=resource,
            organisation=entry.organisation,
            booked_by=entry.user,
            start=entry.start,
            end=entry.end,
            purpose=entry.purpose,
            status=Status.OFFERED,
            tier=tier,
            fee_krw=fee_for(resource, tier, entry.start, entry.end),
            offer_expires_at=min(now + dt.timedelta(hours=resource.offer_hours), entry.start),
        )
        try:
            _insert(booking, then=record_booking_consent)
        except SlotTaken:
            continue
        entry.state = WaitlistEntry.State.OFFERED
        entry.offer = booking
        entry.save(update_fields=["state", "offer"])
        offers.append(booking)
        if entry.user.email:
            notify(
                resource.complex_id,
                entry.user.email,
                f"[대기 → 제안 / offer] {resource} {local(entry.start):%Y-%m-%d %H:%M}",
                f"기다리던 시간이 비었습니다. {local(booking.offer_expires_at):%m-%d %H:%M}까지 수락하세요. "
                f"/ The slot you waited for is free: accept it by {local(booking.offer_expires_at):%m-%d %H:%M}.",
            )
    return offers


def accept_offer(user, booking: Booking, now=None) -> Booking:
    viewer = viewer_for(user)
    if booking.organisation_id not in viewer.org_ids:
        raise PermissionDenied("제안받은 기관만 수락합니다. / Only the organisation offered the slot accepts it.")
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("resource").get(pk=booking.pk)
        if booking.status != Status.OFFERED or (booking.offer_expires_at and booking.offer_expires_at < now):
            raise BadInput("유효한 제안이 아닙니다. / The offer is no longer valid.", code="offer_gone", status=409)
        booking.status = Status.PENDING if booking.resource.approval_required else Status.CONFIRMED
        booking.save(update_fields=["status"])
    return booking


def expire_offers(now=None, resource: Resource | None = None) -> int:
    """Offers not accepted in time expire; their slot goes to the next in line."""
    now = now or timezone.now()
    qs = Booking.objects.filter(status=Status.OFFERED, offer_expires_at__lt=now).select_related("resource")
    if resource is not None:
        qs = qs.filter(resource=resource)
    n = 0
    for booking in qs:
        booking.status = Status.EXPIRED
        booking.save(update_fields=["status"])
        offer_waitlist(booking.resource, booking.start, booking.end, now)
        n += 1
    return n


# --- operators ------------------------------------------------------------------------------


def grant_qualification(user, resource: Resource, person, note: str = "") -> Qualification:
    if not permissions.is_operator(viewer_for(user), resource.centre):
        raise PermissionDenied("운영자만 자격을 줍니다. / Operators only.")
    q, _ = Qualification.objects.get_or_create(resource=resource, user=person, defaults={"note": note[:200]})
    return q


def add_closure(user, centre: Centre, first_day: dt.date, last_day: dt.date, reason: str, resource=None) -> Closure:
    if not permissions.is_operator(viewer_for(user), centre):
        raise PermissionDenied("운영자만 휴관일을 정합니다. / Operators only.")
    if last_day < first_day:
        raise BadInput("끝 날짜가 시작 날짜보다 앞입니다. / last day before first day.", field="last_day", status=422)
    return Closure.objects.create(
        centre=centre,
        resource=resource,
        first_day=first_day,
        last_day=last_day,
        reason=clean_text(reason, "reason", max_length=200, required=True),
    )


def feed_token(organisation_id: int) -> FeedToken:
    token, _ = FeedToken.objects.get_or_create(organisation_id=organisation_id)
    return token


def issue_invoices(user, centre: Centre, month: dt.date) -> list[Invoice]:
    """Invoices for a month at a centre: one per organisation with fees not invoiced yet —
    confirmed bookings (no-shows included) and late cancellations."""
    if not permissions.is_operator(viewer_for(user), centre):
        raise PermissionDenied("운영자만 청구서를 발행합니다. / Operators only.")
    tz = timezone.get_default_timezone()
    first = timezone.make_aware(dt.datetime(month.year, month.month, 1), tz)
    after = timezone.make_aware(dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1), tz)
    billable = (
        Booking.objects.filter(resource__centre=centre, start__gte=first, start__lt=after, fee_krw__gt=0, invoice=None)
        .filter(Q(status=Status.CONFIRMED) | Q(status=Status.CANCELLED, late_cancel=True))
        .order_by("organisation_id", "start")
    )
    by_org: dict[int, list[Booking]] = {}
    for b in billable:
        by_org.setdefault(b.organisation_id, []).append(b)
    out = []
    with transaction.atomic():
        for org_id, rows in by_org.items():
            invoice, _ = Invoice.objects.get_or_create(
                centre=centre,
                organisation_id=org_id,
                month=first.date(),
                defaults={"complex_id": centre.complex_id, "number": f"F{centre.pk}-{first:%Y%m}-{org_id:05d}"},
            )
            Booking.objects.filter(pk__in=[b.pk for b in rows]).update(invoice=invoice)
            invoice.total_krw = sum(b.fee_krw for b in invoice.bookings.all())
            invoice.save(update_fields=["total_krw"])
            out.append(invoice)
    return out


# --- centres, resources, closures, qualifications and courses (the operators' forms) ---------------


def _operator_only(ok: bool) -> None:
    if not ok:
        raise PermissionDenied("운영자만 바꿀 수 있습니다. / Operators only.")


def _int_in(data: dict, name: str, lo: int, hi: int, *, default=None, label: str = "") -> int | None:
    value = data.get(name, default)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadInput(f"{label or name}: 정수를 적으세요. / a whole number.", field=name, status=422) from None
    if not lo <= number <= hi:
        raise BadInput(
            f"{label or name}: {lo:,}–{hi:,} 사이여야 합니다. / must be within {lo:,}–{hi:,}.", field=name, status=422
        )
    return number


def _text(data: dict, name: str, max_length: int, required: bool = False) -> str:
    return clean_text(data.get(name) or "", name, max_length=max_length, required=required).strip()


def _apply(obj, values: dict):
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for k, v in values.items():
        setattr(obj, k, v)
    return changed


def save_centre(user, complex, data: dict, centre: Centre | None = None) -> Centre:
    """Add a support centre (the complex's officers) or change one (its operators). Only the
    officers choose the operating organisation (one of the complex's organisations)."""
    viewer = viewer_for(user)
    if centre is None:
        _operator_only(permissions.can_add_centre(viewer, complex))
    else:
        _operator_only(permissions.can_edit_centre(viewer, centre))
    complex_id = centre.complex_id if centre is not None else complex.pk
    values = {
        "name": _text(data, "name", 200, required=True),
        "address": _text(data, "address", 300),
        "floors": _int_in(data, "floors", 1, 200, label="층수 / floors"),
        "area_m2": _int_in(data, "area_m2", 1, 10_000_000, label="연면적 / floor area"),
        "office_rooms": _int_in(data, "office_rooms", 0, 10_000, label="사무실 / office rooms"),
        "description": _text(data, "description", 5000),
        "source_note": _text(data, "source_note", 2000),
        "email": _text(data, "email", 254),
        "location_estimated": bool(data.get("location_estimated")),
    }
    lat, lon = data.get("latitude"), data.get("longitude")
    if (lat in (None, "")) != (lon in (None, "")):
        raise BadInput(
            "위도와 경도를 함께 적거나 둘 다 비우세요. / give both latitude and longitude, or neither.",
            field="latitude" if lat in (None, "") else "longitude",
            status=422,
        )
    if lat not in (None, ""):
        lat, lon = finite(lat, "latitude"), finite(lon, "longitude")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise BadInput("위도 −90–90, 경도 −180–180. / latitude −90–90, longitude −180–180.", field="latitude")
    values["latitude"], values["longitude"] = (lat, lon) if lat not in (None, "") else (None, None)
    if "operator" in data and permissions.can_choose_operator(viewer, complex_id):
        op = data.get("operator")
        op_id = getattr(op, "pk", op)
        if op_id in (None, ""):
            values["operator_id"] = None
        else:
            op_id = int_param(op_id, "operator", lo=1)
            if not Organisation.objects.filter(pk=op_id, complex_id=complex_id).exists():
                raise BadInput(
                    "operator: 이 산업단지의 기관이 아닙니다. / not an organisation of this complex.",
                    field="operator",
                    status=422,
                )
            values["operator_id"] = op_id
    if centre is None:
        return Centre.objects.create(complex_id=complex_id, **values)
    if _apply(centre, values):
        centre.save()
    return centre


#: The resource's rules a form sets, with their bounds.
RESOURCE_LIMITS = {
    "slot_minutes": (5, 240),
    "min_minutes": (5, 1440),
    "max_minutes": (5, 1440),
    "horizon_days": (1, 730),
    "lead_hours": (0, 720),
    "max_per_day": (1, 1000),
    "max_per_month": (1, 10_000),
    "max_future": (1, 10_000),
    "fee_tenant": (0, 100_000_000),
    "fee_university": (0, 100_000_000),
    "fee_outside": (0, 100_000_000),
    "cancel_hours": (0, 720),
    "strike_limit": (1, 100),
    "offer_hours": (1, 168),
}
RESOURCE_FLAGS = (
    "operator_required",
    "estimated",
    "active",
    "open_weekends",
    "open_holidays",
    "approval_required",
    "qualification_required",
)


def save_resource(user, centre: Centre, data: dict, resource: Resource | None = None) -> Resource:
    """Add or change a room or piece of equipment of a centre with its booking rules (the
    centre's operators). Opening hours are minutes after midnight (``opens_minute`` <
    ``closes_minute`` ≤ 1440); the slot grid divides the minimum and maximum durations."""
    from techvalley.facilities.models import ResourceKind

    _operator_only(permissions.is_operator(viewer_for(user), centre))
    if resource is not None and resource.centre_id != centre.pk:
        raise BadInput("centre: 다른 센터의 자원입니다. / the resource belongs to another centre.", field="centre")
    kind = data.get("kind")
    if kind not in ResourceKind.values:
        raise BadInput("kind: 종류를 고르세요. / choose a kind.", field="kind", status=422)
    values = {
        "kind": kind,
        "name": _text(data, "name", 200, required=True),
        "floor": _int_in(data, "floor", -10, 200, label="층 / floor"),
        "capacity": _int_in(data, "capacity", 1, 10_000, label="수용 인원 / capacity"),
        "area_m2": _int_in(data, "area_m2", 1, 1_000_000, label="면적 / area"),
        "description": _text(data, "description", 5000),
        "consumables": _text(data, "consumables", 300),
        "opens_minute": _int_in(data, "opens_minute", 0, 1439, default=9 * 60),
        "closes_minute": _int_in(data, "closes_minute", 1, 1440, default=18 * 60),
    }
    for name, (lo, hi) in RESOURCE_LIMITS.items():
        values[name] = _int_in(data, name, lo, hi, default=Resource._meta.get_field(name).default)
    for name in RESOURCE_FLAGS:
        values[name] = bool(data.get(name, False))
    if values["closes_minute"] <= values["opens_minute"]:
        raise BadInput(
            "문 닫는 시간이 여는 시간보다 뒤여야 합니다. / closing must come after opening.",
            field="closes_at",
            status=422,
        )
    if values["min_minutes"] > values["max_minutes"]:
        raise BadInput(
            "최소 이용 시간이 최대보다 깁니다. / the minimum duration exceeds the maximum.",
            field="min_minutes",
            status=422,
        )
    step = values["slot_minutes"]
    for name in ("min_minutes", "max_minutes"):
        if values[name] % step:
            raise BadInput(
                f"{name}: 예약 단위({step}분)의 배수여야 합니다. / must be a multiple of the slot ({step} minutes).",
                field=name,
                status=422,
            )
    if values["min_minutes"] > values["closes_minute"] - values["opens_minute"]:
        raise BadInput(
            "최소 이용 시간이 운영 시간보다 깁니다. / the minimum duration is longer than the opening hours.",
            field="min_minutes",
            status=422,
        )
    specs = data.get("specs", resource.specs if resource is not None else {})
    if not isinstance(specs, dict) or len(specs) > 50:
        raise BadInput("specs: 50개까지의 항목 / at most 50 entries.", field="specs", status=422)
    values["specs"] = {
        clean_text(str(k), "specs", max_length=100, required=True): clean_text(str(v), "specs", max_length=300)
        for k, v in specs.items()
    }
    if resource is None:
        return Resource.objects.create(complex_id=centre.complex_id, centre=centre, **values)
    if _apply(resource, values):
        resource.save()
    return resource


def save_closure(user, centre: Centre, data: dict, closure: Closure | None = None) -> Closure:
    """Add or change the days a centre (or one of its resources) is closed (its operators)."""
    _operator_only(permissions.is_operator(viewer_for(user), centre))
    first, last = data.get("first_day"), data.get("last_day")
    if not isinstance(first, dt.date) or not isinstance(last, dt.date):
        raise BadInput("날짜를 적으세요. / give both days.", field="first_day", status=422)
    if last < first:
        raise BadInput("끝 날짜가 시작 날짜보다 앞입니다. / last day before first day.", field="last_day", status=422)
    if (last - first).days > 366:
        raise BadInput("휴관은 1년까지입니다. / a closure lasts at most a year.", field="last_day", status=422)
    res = data.get("resource")
    res_id = getattr(res, "pk", res) or None
    if res_id is not None and not Resource.objects.filter(pk=res_id, centre=centre).exists():
        raise BadInput("resource: 이 센터의 자원이 아닙니다. / not a resource of this centre.", field="resource")
    values = {
        "resource_id": res_id,
        "first_day": first,
        "last_day": last,
        "reason": _text(data, "reason", 200, required=True),
    }
    if closure is None:
        return Closure.objects.create(centre=centre, **values)
    if closure.centre_id != centre.pk:
        raise BadInput("centre: 다른 센터의 휴관일입니다. / a closure of another centre.", field="centre")
    if _apply(closure, values):
        closure.save()
    return closure


def grant_qualification_to(user, resource: Resource, person: str, note: str = "") -> Qualification:
    """Grant the qualification to book a piece of equipment to a person named by user name or
    e-mail (its operators), or change the note of one granted before."""
    from django.contrib.auth import get_user_model

    _operator_only(permissions.is_operator(viewer_for(user), resource.centre))
    who = clean_text(person, "person", max_length=254, required=True).strip()
    note = clean_text(note, "note", max_length=200).strip()
    people = list(get_user_model().objects.filter(Q(username=who) | Q(email__iexact=who), is_active=True)[:2])
    if len(people) != 1:
        raise BadInput(
            "person: 그런 사용자가 없거나 여럿입니다. 아이디나 이메일을 정확히 적으세요. "
            "/ no single user with that user name or e-mail.",
            field="person",
            status=422,
        )
    q, made = Qualification.objects.get_or_create(resource=resource, user=people[0], defaults={"note": note})
    if not made and note and q.note != note:
        q.note = note
        q.save()
    return q


def revoke_qualification(user, qualification: Qualification) -> None:
    _operator_only(permissions.is_operator(viewer_for(user), qualification.resource.centre))
    qualification.delete()


def save_course(user, complex, data: dict, course: Course | None = None) -> Course:
    """Add or change a training course (whoever runs it: its centre's operators, or the
    complex's officers for a course without a centre)."""
    from techvalley.facilities.models import Audience

    viewer = viewer_for(user)
    complex_id = course.complex_id if course is not None else complex.pk
    if course is not None:
        _operator_only(permissions.can_run_course(viewer, course))
    centre = data.get("centre")
    centre_id = getattr(centre, "pk", centre) or None
    if centre_id is not None:
        centre = Centre.objects.filter(pk=centre_id, complex_id=complex_id).first()
        if centre is None:
            raise BadInput("centre: 이 산업단지의 센터가 아닙니다. / not a centre of this complex.", field="centre")
        if not permissions.is_operator(viewer, centre):
            raise BadInput(
                "centre: 운영하는 센터만 고를 수 있습니다. / choose a centre you operate.", field="centre", status=422
            )
    elif not viewer.is_officer_of(complex_id):
        raise BadInput("centre: 센터를 고르세요. / choose a centre.", field="centre", status=422)
    audience = data.get("audience") or Audience.EMPLOYEES
    if audience not in Audience.values:
        raise BadInput("audience: 대상을 고르세요. / choose an audience.", field="audience", status=422)
    target = data.get("qualifies_for")
    target_id = getattr(target, "pk", target) or None
    if target_id is not None and not Resource.objects.filter(pk=target_id, complex_id=complex_id).exists():
        raise BadInput(
            "qualifies_for: 이 산업단지의 장비가 아닙니다. / not equipment of this complex.", field="qualifies_for"
        )
    share = finite(data.get("pass_share", 0.8), "pass_share")
    if not 0.1 <= share <= 1:
        raise BadInput("pass_share: 0.1–1 (출석 비율) / 0.1 to 1 (share of hours).", field="pass_share", status=422)
    values = {
        "centre_id": centre_id,
        "title": _text(data, "title", 200, required=True),
        "description": _text(data, "description", 5000),
        "audience": audience,
        "capacity": _int_in(data, "capacity", 1, 1000, default=20, label="정원 / capacity"),
        "fee_krw": _int_in(data, "fee_krw", 0, 100_000_000, default=0, label="수강료 / fee"),
        "instructors": _text(data, "instructors", 300),
        "partner": _text(data, "partner", 200),
        "qualifies_for_id": target_id,
        "pass_share": share,
        "published": bool(data.get("published")),
        "estimated": bool(data.get("estimated")),
    }
    if course is None:
        return Course.objects.create(complex_id=complex_id, **values)
    grew = values["capacity"] > course.capacity
    if _apply(course, values):
        course.save()
    if grew:
        with transaction.atomic():
            Course.objects.select_for_update().get(pk=course.pk)
            promote_waitlist(course)
    return course


def save_session(user, course: Course, data: dict, session: CourseSession | None = None) -> CourseSession:
    """Add or change a session of a course (whoever runs the course): within one day, at most
    12 hours, in a room of the complex."""
    _operator_only(permissions.can_run_course(viewer_for(user), course))
    start, end = data.get("start"), data.get("end")
    start = parse_time(start, "start") if start not in (None, "") else None
    end = parse_time(end, "end") if end not in (None, "") else None
    if start is None or end is None:
        raise BadInput("시작과 끝을 적으세요. / give the start and the end.", field="start", status=422)
    if end <= start:
        raise rule("bad_range", "끝나는 시간이 시작 시간보다 뒤여야 합니다.", "end must be after start.", "end")
    if end - start > dt.timedelta(hours=12):
        raise rule("too_long", "한 회차는 12시간까지입니다.", "a session lasts at most 12 hours.", "end")
    room = data.get("room")
    room_id = getattr(room, "pk", room) or None
    if room_id is not None and not Resource.objects.filter(pk=room_id, complex_id=course.complex_id).exists():
        raise BadInput("room: 이 산업단지의 공간이 아닙니다. / not a room of this complex.", field="room")
    values = {"start": start, "end": end, "topic": _text(data, "topic", 200), "room_id": room_id}
    if session is None:
        return CourseSession.objects.create(course=course, **values)
    if session.course_id != course.pk:
        raise BadInput("course: 다른 과정의 회차입니다. / a session of another course.", field="course")
    if _apply(session, values):
        session.save()
    return session


# --- outbox -----------------------------------------------------------------------------------


def _message(complex_id, to: str, subject: str, body: str) -> OutboxMessage:
    return OutboxMessage(complex_id=complex_id, to=to, subject=subject[:200], body=body)


def notify(complex_id, to: str, subject: str, body: str) -> OutboxMessage:
    msg = _message(complex_id, to, subject, body)
    msg.save()
    return msg


def mail_connection():
    """Django's configured e-mail backend; when the installation configured none (Django's
    SMTP default), files in DATA_DIR/mail, so nothing leaves the machine unasked."""
    from django.core.mail import get_connection

    smtp_default = settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    if smtp_default and not settings.is_overridden("EMAIL_BACKEND"):
        path = settings.DATA_DIR / "mail"
        path.mkdir(parents=True, exist_ok=True)
        return get_connection("django.core.mail.backends.filebased.EmailBackend", file_path=str(path))
    return get_connection()


def send_outbox(limit: int = 200) -> dict:
    """Send waiting e-mails with Django's e-mail backend (console or file by default, SMTP when
    configured). A failure is kept with its error and tried again next time (at most 5 times)."""
    sent = failed = 0
    mail = mail_connection()
    for msg in OutboxMessage.objects.filter(sent_at=None, attempts__lt=5)[:limit]:
        try:
            send_mail(msg.subject, msg.body, settings.DEFAULT_FROM_EMAIL, [msg.to], connection=mail)
        except Exception as exc:  # noqa: BLE001 - any backend failure is kept and retried
            msg.attempts += 1
            msg.error = str(exc)[:300]
            msg.save(update_fields=["attempts", "error"])
            failed += 1
            continue
        msg.attempts += 1
        msg.sent_at = timezone.now()
        msg.error = ""
        msg.save(update_fields=["attempts", "sent_at", "error"])
        sent += 1
    return {"sent": sent, "failed": failed}


# --- training ---------------------------------------------------------------------------------

#: The satisfaction question set (1–5 each).
QUESTIONS = {
    "content": ("교육 내용이 업무에 도움이 되었다", "The content helps in my work"),
    "instructor": ("강사의 설명이 이해하기 쉬웠다", "The instructor was clear"),
    "facility": ("교육 시설과 장비가 적절했다", "The rooms and equipment were suitable"),
    "overall": ("전반적으로 만족한다", "Overall I am satisfied"),
}


def enrol(
    user, course: Course, trainee_name: str, trainee_email: str = "", organisation_id: int | None = None
) -> Enrolment:
    """A manager enrols a named employee. Beyond the capacity the enrolment waits in line."""
    viewer = viewer_for(user)
    if organisation_id is None:
        organisation_id = permissions.booking_org_id(viewer)
    if organisation_id is None or not permissions.can_enrol(viewer, organisation_id, course.complex_id):
        raise PermissionDenied("기관의 관리자만 직원을 수강 신청합니다. / Managers enrol their employees.")
    name = clean_text(trainee_name, "trainee_name", max_length=100, required=True)
    email = clean_text(trainee_email, "trainee_email", max_length=254)
    if not course.published:
        raise BadInput("모집 중인 과정이 아닙니다. / The course is not open.", code="closed", status=409)
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)  # one enrolment at a time per course
        if Enrolment.objects.filter(
            course=course, organisation_id=organisation_id, trainee_name=name, state__in=["enrolled", "waitlisted"]
        ).exists():
            raise BadInput(
                "이미 신청한 사람입니다. / Already enrolled.", code="duplicate", field="trainee_name", status=409
            )
        taken = Enrolment.objects.filter(course=course, state=Enrolment.State.ENROLLED).count()
        state = Enrolment.State.ENROLLED if taken < course.capacity else Enrolment.State.WAITLISTED
        enrolment = Enrolment.objects.create(
            complex_id=course.complex_id,
            course=course,
            organisation_id=organisation_id,
            trainee_name=name,
            trainee_email=email,
            enrolled_by=user,
            state=state,
        )
        record_training_consent(enrolment, course)
    if email:
        notify(course.complex_id, email, f"[{course}] {enrolment.get_state_display()}", f"{name}: {course}")
    return enrolment


def cancel_enrolment(user, enrolment: Enrolment) -> Enrolment:
    """Cancel; the first on the waitlist takes the freed place."""
    viewer = viewer_for(user)
    if not (
        permissions.can_enrol(viewer, enrolment.organisation_id, enrolment.complex_id)
        or permissions.can_run_course(viewer, enrolment.course)
    ):
        raise PermissionDenied("신청한 기관의 관리자 또는 운영자만 취소합니다. / Managers and operators only.")
    with transaction.atomic():
        Course.objects.select_for_update().get(pk=enrolment.course_id)
        enrolment = Enrolment.objects.get(pk=enrolment.pk)
        if enrolment.state not in (Enrolment.State.ENROLLED, Enrolment.State.WAITLISTED):
            raise BadInput("취소할 수 없는 상태입니다. / Cannot cancel now.", code="not_live", status=409)
        freed = enrolment.state == Enrolment.State.ENROLLED
        enrolment.state = Enrolment.State.CANCELLED
        enrolment.save(update_fields=["state"])
        if freed:
            promote_waitlist(enrolment.course)
    return enrolment


def promote_waitlist(course: Course) -> list[Enrolment]:
    taken = Enrolment.objects.filter(course=course, state=Enrolment.State.ENROLLED).count()
    promoted = []
    for e in Enrolment.objects.filter(course=course, state=Enrolment.State.WAITLISTED).order_by("created_at", "id")[
        : max(0, course.capacity - taken)
    ]:
        e.state = Enrolment.State.ENROLLED
        e.save(update_fields=["state"])
        promoted.append(e)
        if e.trainee_email:
            notify(
                course.complex_id, e.trainee_email, f"[{course}] 수강 확정 / enrolled", f"{e.trainee_name}: {course}"
            )
    return promoted


def record_attendance(user, session: CourseSession, present_ids) -> int:
    """Attendance of one session: the enrolments present (the others absent)."""
    if not permissions.can_run_course(viewer_for(user), session.course):
        raise PermissionDenied("운영자만 출석을 기록합니다. / Operators only.")
    present = {int(i) for i in present_ids}
    enrolled = list(
        Enrolment.objects.filter(course_id=session.course_id, state__in=["enrolled", "completed", "not_completed"])
    )
    with transaction.atomic():
        for e in enrolled:
            Attendance.objects.update_or_create(enrolment=e, session=session, defaults={"present": e.pk in present})
    return sum(1 for e in enrolled if e.pk in present)


def complete_course(user, course: Course, today: dt.date | None = None) -> dict:
    """Close a course: who attended at least ``pass_share`` of its hours completes it, gets a
    certificate code and, when the course trains on equipment, the qualification to book it."""
    if not permissions.can_run_course(viewer_for(user), course):
        raise PermissionDenied("운영자만 과정을 마감합니다. / Operators only.")
    today = today or timezone.localdate()
    sessions = list(course.sessions.all())
    total = sum(s.hours for s in sessions)
    hours = {s.pk: s.hours for s in sessions}
    done = failed = 0
    with transaction.atomic():
        for e in Enrolment.objects.filter(course=course, state__in=["enrolled", "completed", "not_completed"]):
            attended = sum(hours[a.session_id] for a in e.attendance.all() if a.present and a.session_id in hours)
            e.hours_attended = round(attended, 2)
            if total and attended >= course.pass_share * total - 1e-9:
                e.state = Enrolment.State.COMPLETED
                e.completed_on = e.completed_on or today
                e.certificate_code = e.certificate_code or new_code()
                done += 1
                if course.qualifies_for_id and e.user_id:
                    Qualification.objects.get_or_create(
                        resource_id=course.qualifies_for_id, user_id=e.user_id, defaults={"note": str(course)[:200]}
                    )
            else:
                e.state = Enrolment.State.NOT_COMPLETED
                failed += 1
            e.save()
        keep_training_records(course, today)
    return {"completed": done, "not_completed": failed, "hours": total}


def answer_satisfaction(user, enrolment: Enrolment, answers: dict) -> Enrolment:
    if not permissions.can_see_enrolment(viewer_for(user), enrolment):
        raise PermissionDenied("신청한 기관만 답합니다. / Only the enrolling organisation answers.")
    clean = {}
    for key in QUESTIONS:
        value = answers.get(key)
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise BadInput(f"{key}: 1–5", field=key, status=422) from None
        if not 1 <= value <= 5:
            raise BadInput(f"{key}: 1–5", field=key, status=422)
        clean[key] = value
    enrolment.satisfaction = clean
    enrolment.save(update_fields=["satisfaction"])
    return enrolment


def using_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- personal data (개인정보): consents, erasure, a person's export ---------------------------------

#: A booking's personal data is the booker (their account: name, e-mail, phone come from it).
#: Kept one year after the booking ends — invoices, disputes and no-show strikes look back less —
#: then the booking stays, anonymous, for the centre's statistics. Project default, no statute.
BOOKING_DATA_KEY = "facilities.booking"
BOOKING_PURPOSE = "시설·장비 예약 이행·청구·이용 규칙 적용 / carrying out, invoicing and ruling the booking"
BOOKING_ITEMS = ("booked_by",)
BOOKING_KEPT_AFTER = dt.timedelta(days=365)
#: A trainee's personal data: name, e-mail, account, answers and certificate. Kept three years
#: after the course ends, so a certificate can be verified and re-issued. Project default: for a
#: subsidised 직업능력개발훈련, keep what its funding rules require (check with the funder).
TRAINING_DATA_KEY = "facilities.training"
TRAINING_PURPOSE = "교육 운영·출석 관리·수료증 발급과 확인 / running the course, attendance and certificates"
TRAINING_ITEMS = ("trainee_name", "trainee_email", "user", "enrolled_by", "satisfaction", "certificate_code")
TRAINING_KEPT_AFTER = dt.timedelta(days=3 * 365)


def record_booking_consent(booking: Booking | WaitlistEntry) -> None:
    """The consent record of a booking's (or a waitlist entry's) personal data, in its transaction."""
    person = booking.booked_by if isinstance(booking, Booking) else booking.user
    if person is None:
        return
    privacy.record_consent(
        purpose_key=BOOKING_DATA_KEY,
        purpose=BOOKING_PURPOSE,
        items=BOOKING_ITEMS if isinstance(booking, Booking) else ("user", "purpose"),
        retention_days=privacy.days_until(booking.end + BOOKING_KEPT_AFTER),
        complex_id=booking.complex_id,
        user=person,
        record=booking,
        obtained=privacy.Obtained.SELF,
        recorded_by=person,
    )


def _course_end(course: Course, today: dt.date | None = None) -> dt.datetime:
    last = course.sessions.order_by("-end").values_list("end", flat=True).first()
    end = last or timezone.now()
    if today is not None:
        end = max(end, dt.datetime.combine(today, dt.time.max, tzinfo=timezone.get_current_timezone()))
    return end


def record_training_consent(enrolment: Enrolment, course: Course) -> None:
    """The consent record of a trainee's personal data, given by the enrolling manager on the
    trainee's behalf, in the enrolment's transaction."""
    privacy.record_consent(
        purpose_key=TRAINING_DATA_KEY,
        purpose=TRAINING_PURPOSE,
        items=TRAINING_ITEMS,
        retention_days=privacy.days_until(_course_end(course) + TRAINING_KEPT_AFTER),
        complex_id=enrolment.complex_id,
        user=enrolment.user,
        subject=enrolment.trainee_name,
        subject_contact=enrolment.trainee_email,
        record=enrolment,
        obtained=privacy.Obtained.COMPANY,
        recorded_by=enrolment.enrolled_by_id,
    )


def keep_training_records(course: Course, today: dt.date | None = None) -> int:
    """When a course closes, its trainees' consents run to three years after its real end (the
    sessions may have moved since the enrolment). Returns how many consents changed."""
    until = _course_end(course, today) + TRAINING_KEPT_AFTER
    ids = [str(pk) for pk in Enrolment.objects.filter(course=course).values_list("pk", flat=True)]
    changed = 0
    for consent in privacy.Consent.objects.filter(
        purpose_key=TRAINING_DATA_KEY, record_type=Enrolment._meta.label, record_id__in=ids, erased_at__isnull=True
    ):
        days = privacy.days_until(until, consent.given_at)
        if days != consent.retention_days:
            consent.retention_days = days
            consent.save(update_fields=["retention_days"])
            changed += 1
    return changed


def _record_of(consent, model):
    if consent.record_type != model._meta.label or not consent.record_id.isdigit():
        return None
    return model.objects.filter(pk=int(consent.record_id)).first()


def erase_booking_person(consent) -> None:
    """The ``spine.personal_data`` hook: the booking stays (the centre's statistics, the
    organisation's invoice) without the person who booked it; a waitlist entry goes."""
    booking = _record_of(consent, Booking)
    if booking is not None and booking.booked_by_id is not None:
        booking.booked_by = None
        booking.save(update_fields=["booked_by"])
    entry = _record_of(consent, WaitlistEntry)
    if entry is not None:  # a wait long over: nothing to keep
        WaitlistEntry.objects.filter(pk=entry.pk).delete()
        privacy.redact_audit(WaitlistEntry._meta.label, entry.pk, ("user", "purpose"))


def erase_trainee(consent) -> None:
    """The ``spine.personal_data`` hook: the enrolment stays (hours, completion: the course's
    statistics) without the trainee — name, e-mail, account, answers and certificate code (a
    certificate whose code no longer verifies is past its keeping period)."""
    enrolment = _record_of(consent, Enrolment)
    if enrolment is None or enrolment.trainee_name == privacy.ERASED:
        return
    enrolment.trainee_name = privacy.ERASED
    enrolment.trainee_email = ""
    enrolment.user = None
    enrolment.enrolled_by = None
    enrolment.satisfaction = {}
    enrolment.certificate_code = None
    enrolment.save(
        update_fields=["trainee_name", "trainee_email", "user", "enrolled_by", "satisfaction", "certificate_code"]
    )


def export_bookings(user) -> dict:
    """The ``spine.personal_data`` export of bookings: what the person booked, waits for and
    may use (qualifications)."""
    bookings = Booking.objects.filter(booked_by=user).select_related("resource", "organisation").order_by("start")
    waiting = WaitlistEntry.objects.filter(user=user).select_related("resource").order_by("start")
    qualified = Qualification.objects.filter(user=user).select_related("resource").order_by("granted_at")
    return {
        "bookings": [
            {
                "resource": str(b.resource),
                "organisation": b.organisation.name,
                "start": b.start,
                "end": b.end,
                "purpose": b.purpose,
                "status": b.get_status_display(),
                "fee_krw": b.fee_krw,
            }
            for b in bookings
        ],
        "waitlist": [
            {"resource": str(w.resource), "start": w.start, "end": w.end, "state": w.get_state_display()}
            for w in waiting
        ],
        "qualifications": [
            {"resource": str(q.resource), "granted_at": q.granted_at, "note": q.note} for q in qualified
        ],
    }


def export_training(user) -> list[dict]:
    """The ``spine.personal_data`` export of training: the person's enrolments — linked to their
    account, or under their e-mail address by an organisation they belong to."""
    mine = Q(user=user)
    if user.email:
        mine |= Q(trainee_email__iexact=user.email, organisation__memberships__user=user)
    enrolments = Enrolment.objects.filter(mine).select_related("course", "organisation").distinct().order_by("id")
    return [
        {
            "course": e.course.title,
            "organisation": e.organisation.name,
            "trainee_name": e.trainee_name,
            "trainee_email": e.trainee_email,
            "state": e.get_state_display(),
            "hours_attended": e.hours_attended,
            "completed_on": e.completed_on,
            "certificate_code": e.certificate_code,
            "satisfaction": e.satisfaction,
        }
        for e in enrolments
    ]


def backfill_consents(dry_run: bool = False) -> dict[str, int]:
    """Bookings, waitlist entries and enrolments made before consents were kept get the consent
    record a new one gets (same purpose, items and period from their end), so the purge erases
    them in time. Returns counts by kind (what would be recorded, with ``dry_run``)."""
    bookings = privacy.without_consent(Booking.objects.filter(booked_by__isnull=False), BOOKING_DATA_KEY)
    waiting = privacy.without_consent(WaitlistEntry.objects.all(), BOOKING_DATA_KEY)
    enrolments = privacy.without_consent(
        Enrolment.objects.exclude(trainee_name=privacy.ERASED).select_related("course"), TRAINING_DATA_KEY
    )
    if dry_run:
        return {"bookings": bookings.count(), "waitlist": waiting.count(), "enrolments": enrolments.count()}
    ends = {}

    def training_days(e):
        if e.course_id not in ends:
            ends[e.course_id] = _course_end(e.course, e.completed_on)
        return privacy.days_until(ends[e.course_id] + TRAINING_KEPT_AFTER)

    with transaction.atomic():
        counts = {
            "bookings": privacy.record_consents_in_bulk(
                list(bookings),
                purpose_key=BOOKING_DATA_KEY,
                purpose=BOOKING_PURPOSE,
                items=BOOKING_ITEMS,
                retention_days=lambda b: privacy.days_until(b.end + BOOKING_KEPT_AFTER),
            ),
            "waitlist": privacy.record_consents_in_bulk(
                list(waiting),
                purpose_key=BOOKING_DATA_KEY,
                purpose=BOOKING_PURPOSE,
                items=("user", "purpose"),
                retention_days=lambda w: privacy.days_until(w.end + BOOKING_KEPT_AFTER),
            ),
            "enrolments": privacy.record_consents_in_bulk(
                list(enrolments),
                purpose_key=TRAINING_DATA_KEY,
                purpose=TRAINING_PURPOSE,
                items=TRAINING_ITEMS,
                retention_days=training_days,
                subject=lambda e: e.trainee_name,
                subject_contact=lambda e: e.trainee_email,
            ),
        }
    return counts


#: Sent (or given-up) e-mails are deleted after this: they hold addresses and names. Project default.
OUTBOX_KEPT = dt.timedelta(days=90)


def prune_outbox(now: dt.datetime | None = None) -> int:
    """Delete e-mails sent (or given up after five attempts) more than ``OUTBOX_KEPT`` ago: the
    outbox is a queue, not an archive of who was told what. Returns how many."""
    cutoff = (now or timezone.now()) - OUTBOX_KEPT
    done = Q(sent_at__lt=cutoff) | Q(sent_at__isnull=True, attempts__gte=5, created_at__lt=cutoff)
    return OutboxMessage.objects.filter(done).delete()[0]
