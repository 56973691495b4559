"""Support centres, their rooms and shared equipment, bookings with their rules, and worker training.

A booking belongs to an organisation (the company, university or agency that books) and is its
private data: its own members and the operators (the centre's operating organisation and the
district officers of the complex) see it. No two live bookings of a resource overlap: PostgreSQL
refuses it with an exclusion constraint (migration 0002), SQLite by the write transaction the
service takes before it checks (``services.book``).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techvalley.core.audit import audited
from techvalley.core.models import Complex, Organisation


def local_day(value: dt.datetime) -> dt.date:
    """The day of a moment in Asia/Seoul (the platform's time zone)."""
    from django.utils import timezone

    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def new_token() -> str:
    return secrets.token_urlsafe(24)


def new_code() -> str:
    """A certificate verification code: 12 characters, no look-alikes (0/O, 1/I/L)."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(12))


@audited
class Centre(models.Model):
    """A support centre (혁신지원센터, 기업지원센터) of the complex: a building with floors of rooms and
    equipment, run by an operating organisation (e.g. 부산경제진흥원)."""

    complex = models.ForeignKey(
        Complex, on_delete=models.PROTECT, related_name="+", verbose_name=_("industrial complex")
    )
    operator = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("operator")
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    area_m2 = models.PositiveIntegerField(_("floor area (m²)"), null=True, blank=True)
    office_rooms = models.PositiveSmallIntegerField(_("office rooms"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    source_note = models.TextField(_("source of the figures"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    location_estimated = models.BooleanField(_("location is an estimate"), default=False)

    class Meta:
        verbose_name = _("support centre")
        verbose_name_plural = _("support centres")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ResourceKind(models.TextChoices):
    MEETING = "meeting", _("Meeting room")
    SEMINAR = "seminar", _("Seminar room")
    LAB = "lab", _("R&D lab")
    OFFICE = "office", _("Office")
    EDUCATION = "education", _("Education room")
    CONVENIENCE = "convenience", _("Convenience facility")
    EQUIPMENT = "equipment", _("Shared equipment")


@audited
class Resource(models.Model):
    """A bookable room or piece of shared equipment of a centre, with its booking rules.

    Rules (as shared-facility systems have them): opening hours, weekends and public holidays,
    minimum/maximum duration and slot grid, booking horizon and lead time, quotas per
    organisation (per day, per month, future bookings), approval, qualification, fees by tier
    (complex tenant, university, outside) per hour, cancellation deadline and a limit on late
    cancellations and no-shows.
    """

    complex = models.ForeignKey(
        Complex, on_delete=models.PROTECT, related_name="+", verbose_name=_("industrial complex")
    )
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="resources", verbose_name=_("centre"))
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    name = models.CharField(_("name"), max_length=200)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"), null=True, blank=True)
    area_m2 = models.PositiveIntegerField(_("area (m²)"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    specs = models.JSONField(_("specifications"), default=dict, blank=True)
    consumables = models.CharField(_("consumables"), max_length=300, blank=True)
    operator_required = models.BooleanField(_("operator required"), default=False)
    photo = models.ImageField(_("photo"), upload_to="facilities/", blank=True)
    estimated = models.BooleanField(_("estimate (not published)"), default=False)
    active = models.BooleanField(_("bookable"), default=True)
    # rules
    # Opening hours as minutes after midnight (1439 = until midnight).
    opens_minute = models.PositiveSmallIntegerField(_("opens at (minutes after midnight)"), default=9 * 60)
    closes_minute = models.PositiveSmallIntegerField(_("closes at (minutes after midnight)"), default=18 * 60)
    open_weekends = models.BooleanField(_("open on weekends"), default=False)
    open_holidays = models.BooleanField(_("open on public holidays"), default=False)
    slot_minutes = models.PositiveSmallIntegerField(_("slot (minutes)"), default=30)
    min_minutes = models.PositiveIntegerField(_("minimum duration (minutes)"), default=30)
    max_minutes = models.PositiveIntegerField(_("maximum duration (minutes)"), default=240)
    horizon_days = models.PositiveSmallIntegerField(_("bookable up to (days ahead)"), default=60)
    lead_hours = models.PositiveSmallIntegerField(_("lead time (hours)"), default=0)
    max_per_day = models.PositiveSmallIntegerField(_("bookings per organisation and day"), default=2)
    max_per_month = models.PositiveSmallIntegerField(_("bookings per organisation and month"), default=20)
    max_future = models.PositiveSmallIntegerField(_("future bookings per organisation"), default=10)
    approval_required = models.BooleanField(_("approval required"), default=False)
    qualification_required = models.BooleanField(_("qualification required"), default=False)
    fee_tenant = models.PositiveIntegerField(_("fee per hour, complex tenant (KRW)"), default=0)
    fee_university = models.PositiveIntegerField(_("fee per hour, university (KRW)"), default=0)
    fee_outside = models.PositiveIntegerField(_("fee per hour, outside (KRW)"), default=0)
    cancel_hours = models.PositiveSmallIntegerField(_("free cancellation until (hours before)"), default=24)
    strike_limit = models.PositiveSmallIntegerField(
        _("late cancellations and no-shows allowed (90 days)"),
        default=3,
        help_text=_("Reaching it stops new bookings until older ones age out."),
    )
    offer_hours = models.PositiveSmallIntegerField(_("waitlist offer valid for (hours)"), default=12)
    ical_token = models.CharField(_("calendar feed token"), max_length=64, unique=True, default=new_token)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["centre", "floor", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_minute__gt=models.F("opens_minute"), closes_minute__lte=1440),
                name="resource_hours_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("facilities:resource_detail", args=[self.pk])

    @property
    def opens_at(self) -> dt.time:
        return dt.time(self.opens_minute // 60, self.opens_minute % 60)

    @property
    def closes_at(self) -> dt.time:
        return dt.time(min(self.closes_minute, 1439) // 60, min(self.closes_minute, 1439) % 60)


@audited
class Closure(models.Model):
    """Days a resource (or, without one, the whole centre) is closed: maintenance, centre holidays."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="closures", verbose_name=_("centre"))
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, null=True, blank=True, related_name="closures", verbose_name=_("resource")
    )
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(condition=models.Q(last_day__gte=models.F("first_day")), name="closure_order")
        ]

    def __str__(self) -> str:
        return f"{self.first_day}–{self.last_day} {self.reason}"

    @property
    def complex_id(self):
        return self.centre.complex_id


@audited
class Qualification(models.Model):
    """A person trained on a piece of equipment (장비 사용 자격): only they may book it when the
    equipment asks for a qualification. Granted by an operator or by completing a course."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("resource")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [models.UniqueConstraint(fields=["resource", "user"], name="qualification_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.resource}"

    @property
    def complex_id(self):
        return self.resource.complex_id


class Tier(models.TextChoices):
    TENANT = "tenant", _("Complex tenant")
    UNIVERSITY = "university", _("University")
    OUTSIDE = "outside", _("Outside")


class Status(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    OFFERED = "offered", _("Offered from the waitlist")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Offer expired")


#: Statuses that hold the slot: the exclusion constraint and the overlap check cover these.
LIVE = (Status.PENDING, Status.CONFIRMED, Status.OFFERED)


@audited
class Invoice(models.Model):
    """An invoice (청구서) for an organisation's paid bookings of one month at one centre."""

    complex = models.ForeignKey(
        Complex, on_delete=models.PROTECT, related_name="+", verbose_name=_("industrial complex")
    )
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("centre"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    month = models.DateField(_("month"))
    total_krw = models.PositiveBigIntegerField(_("total (KRW)"), default=0)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-month", "number"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "organisation", "month"], name="invoice_one_per_month")
        ]

    def __str__(self) -> str:
        return self.number


@audited
class Booking(models.Model):
    """A booking (예약) of a resource by an organisation for a time range [start, end)."""

    complex = models.ForeignKey(
        Complex, on_delete=models.PROTECT, related_name="+", verbose_name=_("industrial complex")
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("resource")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("booked by")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    #: The start's day in Asia/Seoul (set on save): calendars group and count by it in SQL.
    day = models.DateField(_("day"), editable=False)
    purpose = models.CharField(_("purpose"), max_length=300)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    tier = models.CharField(_("fee tier"), max_length=12, choices=Tier.choices)
    fee_krw = models.PositiveIntegerField(_("fee (KRW)"), default=0)
    series = models.CharField(_("recurring series"), max_length=32, blank=True, db_index=True)
    override_reason = models.CharField(_("staff override reason"), max_length=300, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    offer_expires_at = models.DateTimeField(_("offer valid until"), null=True, blank=True)
    late_cancel = models.BooleanField(_("late cancellation"), default=False)
    no_show = models.BooleanField(_("no-show"), default=False)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings", verbose_name=_("invoice")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["resource", "start"]),
            models.Index(fields=["resource", "day"]),
            models.Index(fields=["organisation", "start"]),
            models.Index(fields=["complex", "status"]),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="booking_order")]

    def __str__(self) -> str:
        return f"{self.resource} {self.start:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.day = local_day(self.start)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("facilities:booking_detail", args=[self.pk])

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    @property
    def is_live(self) -> bool:
        return self.status in LIVE


@audited
class WaitlistEntry(models.Model):
    """Someone waiting for a taken slot (대기): when a live booking overlapping it ends, the first
    waiting entry whose range is free is offered the slot (a held booking to accept in time)."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered")
        CANCELLED = "cancelled", _("Cancelled")

    complex = models.ForeignKey(
        Complex, on_delete=models.PROTECT, related_name="+", verbose_name=_("industrial complex")
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="waitlist", verbose_name=_("resource")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    purpose = models.CharField(_("purpose"), max_length=300)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.WAITING)
    offer = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("offered booking")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.resource} {self.start:%Y-%m-%d %H:%M} ({self.state})"


class FeedToken(models.Model):
    """The secret of an organisation's iCalendar feed (its bookings at every centre)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)

    def __str__(self) -> str:
        return f"feed of {self.organisation_id}"


class OutboxMessage(models.Model):
    """An e-mail waiting to be sent (or sent): notifications go through this outbox in the
    database, sent with Django's e-mail backend by ``techvalley facilities send-mail``."""

    complex = models.ForeignKey(
        Complex, on_delete=models.CASCADE, related_name="+", null=True, verbose_name=_("industrial complex")
    )
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


# --- training ---------------------------------------------------------------------------


class Audience(models.TextChoices):
    EMPLOYEES = "employees", _("Complex employees")
    JOB_SEEKERS = "job_seekers", _("Job seekers")
    BOTH = "both", _("Employees and job seekers")


@audited
class Course(models.Model):
    """A training course for workers (근로자 교육): sessions, capacity, audience, fee, instructors
    and partner. Completing it (attendance of at least ``pass_share`` of its hours) earns a
    certificate and, when it trains on equipment, the qualification to book it."""

    complex = models.ForeignKey(
        Complex, on_delete=models.PROTECT, related_name="+", verbose_name=_("industrial complex")
    )
    centre = models.ForeignKey(
        Centre, on_delete=models.SET_NULL, null=True, blank=True, related_name="courses", verbose_name=_("centre")
    )
    title = models.CharField(_("course title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.EMPLOYEES)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=20)
    fee_krw = models.PositiveIntegerField(_("fee (KRW)"), default=0)
    instructors = models.CharField(_("instructors"), max_length=300, blank=True)
    partner = models.CharField(_("partner"), max_length=200, blank=True)
    qualifies_for = models.ForeignKey(
        Resource, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("qualifies for")
    )
    pass_share = models.FloatField(_("attendance needed to complete"), default=0.8)
    published = models.BooleanField(_("published"), default=True)
    estimated = models.BooleanField(_("estimate (not published)"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("facilities:course_detail", args=[self.pk])


@audited
class CourseSession(models.Model):
    """One session of a course: when, where, what."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("course"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    room = models.ForeignKey(
        Resource, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("room")
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="session_order")]

    def __str__(self) -> str:
        return f"{self.course} {self.start:%Y-%m-%d %H:%M}"

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    @property
    def complex_id(self):
        return self.course.complex_id


@audited
class Enrolment(models.Model):
    """A named employee enrolled on a course by their company's manager (수강 신청)."""

    class State(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", pgettext_lazy("a course", "Completed")
        NOT_COMPLETED = "not_completed", _("Not completed")

    complex = models.ForeignKey(
        Complex, on_delete=models.PROTECT, related_name="+", verbose_name=_("industrial complex")
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("course"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    trainee_name = models.CharField(_("trainee"), max_length=100)
    trainee_email = models.EmailField(_("trainee e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trainee's account"),
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    state = models.CharField(_("state"), max_length=14, choices=State.choices)
    hours_attended = models.FloatField(_("hours attended"), default=0)
    certificate_code = models.CharField(_("certificate code"), max_length=12, unique=True, null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    satisfaction = models.JSONField(_("satisfaction answers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.trainee_name} · {self.course}"


class Attendance(models.Model):
    """Whether an enrolled trainee attended one session (출석)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "session"], name="attendance_unique")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}@{self.session_id}: {self.present}"
