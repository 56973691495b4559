"""Personal data (개인정보 보호법): consent records, masking, retention and a person's own export.

- **Consent** (동의): who agreed to what — the purpose (목적), the items collected (항목), how long
  they are kept (보유기간) — when, through which record, and when it was withdrawn. An app that
  collects personal data (an inquiry form, a survey contact, a booking) records the consent with
  ``record_consent`` in the same transaction as the data.
- **Masking**: ``mask_phone`` / ``mask_email`` / ``mask_name`` for lists and exports seen by
  anyone but the person, their own organisation or an officer of the complex
  (``may_see_personal``). Exports travel: they mask for everyone unless a person exports their
  own data.
- **Retention**: ``purge_expired(now)`` erases what each app holds under consents whose period
  ended or that were withdrawn (each app's ``spine.personal_data`` hook does the erasing of its
  own records) and keeps the consent record itself, stripped of the person, as the proof that
  the data was erased (제21조). ``techvalley privacy purge`` runs it (daily, from cron/systemd).
  ``erase_now(consent)`` does the same for one consent at once (a withdrawal that takes effect
  immediately). Either way ``redact_audit`` replaces the hook's ``items`` in the record's audit
  trail with ``ERASED``: the trail keeps who did what and when, not the erased values.
  ``days_until(date)`` turns "kept until three years after the course" into a period.
- **A person's export** (열람·이동): ``export_person(user)`` — their account, memberships,
  consents, the audit entries about them and everything each app's ``personal_data`` hook
  returns for them — as one JSON document (``techvalley privacy export USERNAME``, and the
  "my data" page).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import Annotated, Any

import typer
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techvalley.core.audit import audited
from techvalley.core.models import Complex
from techvalley.core.validation import BadInput, clean_text

#: Longest retention a consent may name (5 years, the usual ceiling for administrative records).
MAX_RETENTION_DAYS = 5 * 366


class Obtained(models.TextChoices):
    """How a consent was obtained (동의 경로): from the person on the platform, or recorded by
    someone else on their behalf, or afterwards for records made before consents were kept."""

    SELF = "self", _("the person themself, on the platform")
    COMPANY = "company", _("the company's manager, on the person's behalf")
    OFFICER = "officer", _("a district officer, on the person's behalf")
    BULK = "bulk", _("recorded afterwards, in bulk (records made before consents were kept)")
    UNRECORDED = "", _("not recorded (consents recorded before the platform kept how)")


@audited
class Consent(models.Model):
    """A person's consent to the collection and use of their personal data (개인정보 수집·이용
    동의): for one purpose, listing the items collected, kept for a stated period. The record
    outlives the data: when the period ends (or the consent is withdrawn) the data is erased and
    this record keeps only what proves it (purpose, dates), not the person."""

    complex = models.ForeignKey(Complex, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="consents"
    )
    #: Who the data is about when they have no account (an inquiry's sender): name and contact.
    subject = models.CharField(_("data subject"), max_length=200, blank=True)
    subject_contact = models.CharField(_("contact of the data subject"), max_length=200, blank=True)
    #: The ``spine.personal_data`` key of the app that holds the data ("tenancy.inquiry").
    purpose_key = models.CharField(_("purpose key"), max_length=60)
    purpose = models.CharField(_("purpose of use"), max_length=300)
    items = models.JSONField(_("items collected"), default=list)
    retention_days = models.PositiveIntegerField(_("retention period (days)"))
    #: The record holding the data ("tenancy.Inquiry", "42").
    record_type = models.CharField(_("type of the record"), max_length=100, blank=True)
    record_id = models.CharField(_("number of the record"), max_length=64, blank=True)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    #: given_at + retention_days, kept so the purge finds what is due with one indexed query.
    expires_at = models.DateTimeField(_("kept until"), editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    erased_at = models.DateTimeField(_("data erased"), null=True, blank=True)
    #: How the consent was obtained, and the account that recorded it (the person themself, a
    #: company's manager or an officer; none for a public form or a back-fill). Kept as proof when
    #: the data is erased, unless the recorder is the person.
    obtained = models.CharField(
        _("obtained"), max_length=10, choices=Obtained.choices, default=Obtained.SELF, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        app_label = "core"
        verbose_name = _("consent to personal data")
        verbose_name_plural = _("consents to personal data")
        ordering = ["-given_at", "-id"]
        indexes = [
            models.Index(fields=["erased_at", "expires_at"]),
            models.Index(fields=["record_type", "record_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(retention_days__gte=1) & models.Q(retention_days__lte=MAX_RETENTION_DAYS),
                name="consent_retention_bounded",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.given_at:%Y-%m-%d}, {self.retention_days}d)"

    def save(self, *args, **kwargs):
        self.expires_at = self.given_at + dt.timedelta(days=self.retention_days)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "expires_at"}
        super().save(*args, **kwargs)

    def is_live(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.withdrawn_at is None and self.erased_at is None and now < self.expires_at


# --- masking ----------------------------------------------------------------------------------

_DIGITS = re.compile(r"\D")


def mask_phone(value: str) -> str:
    """010-1234-5678 → 010-****-5678; 02-123-4567 → 02-****-4567 (Seoul's two-digit area code);
    15881234 → ****1234; +82 10 1234 5678 → 010-****-5678."""
    if not value:
        return ""
    d = _DIGITS.sub("", value)
    if value.strip().startswith("+82"):  # international form: +82 10 … is 010 …, +82 2 … is 02 …
        d = "0" + d[2:]
    if len(d) < 7:
        return "***"
    if len(d) == 8 and d[0] == "1":  # 1588-1234: a nationwide number, no area code
        return f"****-{d[-4:]}"
    area = d[:2] if d.startswith("02") else d[:3]
    return f"{area}-****-{d[-4:]}"


def mask_email(value: str) -> str:
    """kim.minjun@example.com → k***@example.com."""
    if not value or "@" not in value:
        return "***" if value else ""
    user, domain = value.rsplit("@", 1)
    return f"{user[:1]}***@{domain}"


def mask_name(value: str) -> str:
    """김민준 → 김*준; 김민 → 김*; John Smith → J********h."""
    if not value:
        return ""
    if len(value) <= 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def may_see_personal(
    viewer, *, user_id: int | None = None, organisation_id: int | None = None, complex_id: int | None = None
) -> bool:
    """Whether ``viewer`` sees a person's contact details unmasked: the person themself, a member
    of the organisation the details belong to, or an officer of the complex."""
    if not viewer.is_authenticated:
        return False
    if user_id is not None and viewer.user_id == user_id:
        return True
    if organisation_id is not None and organisation_id in viewer.org_ids:
        return True
    return complex_id is not None and viewer.is_officer_of(complex_id)


def masked(viewer, value: str, kind: str, **whose) -> str:
    """``value`` as ``viewer`` may see it: unmasked or masked by ``kind`` (phone, email, name)."""
    if may_see_personal(viewer, **whose):
        return value
    return {"phone": mask_phone, "email": mask_email, "name": mask_name}[kind](value)


# --- consents ---------------------------------------------------------------------------------


def record_consent(
    *,
    purpose_key: str,
    purpose: str,
    items: Iterable[str],
    retention_days: int,
    complex: Complex | None = None,
    complex_id: int | None = None,
    user=None,
    subject: str = "",
    subject_contact: str = "",
    record=None,
    obtained: str = Obtained.SELF,
    recorded_by=None,
) -> Consent:
    """Record a consent (call it in the transaction that stores the data). ``complex`` or
    ``complex_id`` (saves a query when only the id is at hand); ``obtained`` says how it was
    obtained (``Obtained``) and ``recorded_by`` which account recorded it (a user or its id)."""
    if obtained not in Obtained.values:
        raise BadInput(f"obtained: {obtained!r} — {', '.join(Obtained.values)}", field="obtained")
    if not 1 <= int(retention_days) <= MAX_RETENTION_DAYS:
        raise BadInput(
            f"retention_days: 보유기간은 1일~{MAX_RETENTION_DAYS}일이어야 합니다. "
            f"/ the retention period must be 1 to {MAX_RETENTION_DAYS} days.",
            field="retention_days",
        )
    items = [clean_text(i, "items", max_length=100, required=True) for i in items]
    if not items:
        raise BadInput("items: 수집 항목을 적어야 합니다. / name the items collected.", field="items")
    if user is None and not subject:
        raise BadInput("subject: 정보주체가 없습니다. / whose data is it?", field="subject")
    return Consent.objects.create(
        complex_id=complex.pk if complex is not None else complex_id,
        user=user,
        subject=clean_text(subject, "subject", max_length=200),
        subject_contact=clean_text(subject_contact, "subject_contact", max_length=200),
        purpose_key=clean_text(purpose_key, "purpose_key", max_length=60, required=True),
        purpose=clean_text(purpose, "purpose", max_length=300, required=True),
        items=items,
        retention_days=int(retention_days),
        record_type=record._meta.label if record is not None else "",
        record_id=str(record.pk) if record is not None else "",
        obtained=obtained,
        recorded_by_id=getattr(recorded_by, "pk", recorded_by),
    )


def record_consents_in_bulk(
    records,
    *,
    purpose_key: str,
    purpose: str,
    items: Iterable[str],
    retention_days,
    subject=None,
    subject_contact=None,
) -> int:
    """One consent for each of many records of one kind (a demo, a back-fill), in one INSERT per
    batch: ``records`` are saved model instances with ``complex_id``; ``retention_days`` a number
    or a function of the record. The person is the record's ``booked_by``/``user`` account, or
    ``subject(record)`` (with ``subject_contact(record)``) when it has none; records with
    neither are skipped. Returns the number recorded."""
    now = timezone.now()
    items = list(items)
    rows = []
    for r in records:
        person = getattr(r, "booked_by_id", None) or getattr(r, "user_id", None)
        name = (subject(r) if subject is not None else "")[:200]
        if person is None and not name:
            continue
        days = int(retention_days(r) if callable(retention_days) else retention_days)
        days = max(1, min(MAX_RETENTION_DAYS, days))
        rows.append(
            Consent(
                complex_id=getattr(r, "complex_id", None),
                user_id=person,
                subject=name,
                subject_contact=(subject_contact(r) if subject_contact is not None else "")[:200],
                purpose_key=purpose_key,
                purpose=purpose,
                items=items,
                retention_days=days,
                record_type=r._meta.label,
                record_id=str(r.pk),
                given_at=now,
                expires_at=now + dt.timedelta(days=days),
                obtained=Obtained.BULK,
            )
        )
    Consent.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def without_consent(queryset, purpose_key: str):
    """The records of ``queryset`` that no consent of ``purpose_key`` names (recorded before
    consents were kept): for a back-fill, or to erase them."""
    from django.db.models import CharField, Exists, OuterRef
    from django.db.models.functions import Cast

    named = Consent.objects.filter(
        purpose_key=purpose_key,
        record_type=queryset.model._meta.label,
        record_id=Cast(OuterRef("pk"), CharField()),
    )
    return queryset.exclude(Exists(named))


def withdraw_consent(consent: Consent, now: dt.datetime | None = None) -> Consent:
    """The person withdraws their consent: the data goes at the next purge (or now, with purge)."""
    if consent.withdrawn_at is None:
        consent.withdrawn_at = now or timezone.now()
        consent.save(update_fields=["withdrawn_at"])
    return consent


def due_for_erasure(now: dt.datetime | None = None):
    """Consents whose data must go: withdrawn, or past their retention period; not yet erased."""
    now = now or timezone.now()
    return Consent.objects.filter(erased_at__isnull=True).filter(
        models.Q(expires_at__lte=now) | models.Q(withdrawn_at__isnull=False)
    )


def purge_expired(now: dt.datetime | None = None, *, dry_run: bool = False) -> dict[str, int]:
    """Erase the data of every consent due (each app erases its own records through its
    ``spine.personal_data`` hook), then strip the consent of the person. One transaction per
    consent: a crash leaves each one either done or to do. Returns counts by purpose key."""

    now = now or timezone.now()
    counts: dict[str, int] = {}
    for consent in due_for_erasure(now).order_by("id").iterator():
        counts[consent.purpose_key] = counts.get(consent.purpose_key, 0) + 1
        if not dry_run:
            erase_now(consent, now)
    return counts


def erase_now(consent: Consent, now: dt.datetime | None = None) -> Consent:
    """Erase the data of one consent at once (a withdrawal that takes effect immediately, and
    each step of the purge): the app's hook erases its record, then the consent is stripped of
    the person and marked erased. One transaction."""
    from techvalley.core import spine

    now = now or timezone.now()
    with transaction.atomic():
        hook = spine.platform.personal_data_by_key.get(consent.purpose_key)
        if hook is not None and hook.erase_consented is not None:
            hook.erase_consented(consent)
        if hook is not None and consent.record_type:
            redact_audit(consent.record_type, consent.record_id, hook.items)
        personal = ["subject", "subject_contact", "user"]
        if consent.recorded_by_id is not None and consent.recorded_by_id == consent.user_id:
            consent.recorded_by = None  # the person recorded it: it would name them
            personal.append("recorded_by")
        consent.subject = ""
        consent.subject_contact = ""
        consent.user = None
        consent.erased_at = now
        consent.save(update_fields=["subject", "subject_contact", "user", "recorded_by", "erased_at"])
        # The consent's own trail named the person too (created with them, stripped of them).
        redact_audit(Consent._meta.label, consent.pk, personal)
    return consent


#: What erased personal data reads as, in records kept and in the audit trail.
ERASED = "(파기됨)"


def redact_audit(record_type: str, record_id: str, fields: Iterable[str]) -> int:
    """Erase personal data from the audit trail of one record: the old and new values of
    ``fields`` and the record's label (which may name the person) become ``ERASED``. Who changed
    what and when stays. Without this the trail would keep what the purge erased. Returns the
    number of entries changed."""
    from techvalley.core.models import AuditEntry

    fields = set(fields)
    n = 0
    for e in AuditEntry.objects.filter(model=record_type, object_id=str(record_id)).only("id", "changes"):
        changes = e.changes if isinstance(e.changes, dict) else json.loads(e.changes or "{}")
        e.changes = {
            k: ([None if v in (None, "") else ERASED for v in pair] if k in fields and isinstance(pair, list) else pair)
            for k, pair in changes.items()
        }
        e.object_repr = f"{record_type} {record_id} {ERASED}"
        e.save(update_fields=["changes", "object_repr"])
        n += 1
    return n


def consents_of(record) -> models.QuerySet:
    """The consents recorded with ``record`` (a model instance)."""
    return Consent.objects.filter(record_type=record._meta.label, record_id=str(record.pk))


def days_until(until: dt.datetime | dt.date, now: dt.datetime | None = None) -> int:
    """A retention period (days, for ``record_consent``) that ends at ``until`` — e.g. three
    years after a course ends — bounded to 1..``MAX_RETENTION_DAYS``."""
    now = now or timezone.now()
    if not isinstance(until, dt.datetime):
        until = dt.datetime.combine(until, dt.time.max, tzinfo=timezone.get_current_timezone())
    days = -(-(until - now) // dt.timedelta(days=1))  # rounded up: never shorter than asked
    return max(1, min(MAX_RETENTION_DAYS, days))


# --- a person's own data ----------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def export_person(user) -> dict:
    """Everything the platform holds about ``user``, unmasked (it is theirs): the account,
    memberships, consents, audit entries about them or made by them, and each app's part."""
    from techvalley.core import spine
    from techvalley.core.models import AuditEntry, Membership

    memberships = Membership.objects.filter(user=user).select_related("organisation", "organisation__complex")
    about = models.Q(model__in=["auth.User", "core.User"], object_id=str(user.pk)) | models.Q(
        model="core.Membership", object_id__in=[str(m.pk) for m in memberships]
    )
    data: dict[str, Any] = {
        "exported_at": timezone.now(),
        "account": {
            "username": user.get_username(),
            "name": user.get_full_name(),
            "email": user.email,
            "joined": user.date_joined,
            "last_login": user.last_login,
            "active": user.is_active,
        },
        "memberships": [
            {
                "organisation": m.organisation.name,
                "kind": m.organisation.kind,
                "complex": m.organisation.complex.name,
                "role": m.role,
            }
            for m in memberships
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "items": c.items,
                "retention_days": c.retention_days,
                "given_at": c.given_at,
                "expires_at": c.expires_at,
                "withdrawn_at": c.withdrawn_at,
                "record": f"{c.record_type} {c.record_id}".strip(),
                "obtained": str(c.get_obtained_display()),
                "recorded_by": c.recorded_by.get_username() if c.recorded_by else "",
            }
            for c in Consent.objects.filter(user=user).select_related("recorded_by")
        ],
        "audit_about_you": [
            {"at": e.at, "by": e.actor_label, "action": e.action, "record": e.object_repr, "changes": e.changes}
            for e in AuditEntry.objects.filter(about).order_by("at", "id")[:5000]
        ],
        "audit_by_you": [
            {"at": e.at, "action": e.action, "type": e.model, "record": e.object_repr}
            for e in AuditEntry.objects.filter(actor=user).order_by("at", "id")[:5000]
        ],
    }
    for provider in spine.platform.personal_data_by_key.values():
        if provider.export is not None:
            data[provider.key] = provider.export(user)
    return _jsonable(data)


def export_json(user) -> str:
    return json.dumps(export_person(user), ensure_ascii=False, indent=1)


def my_data(request):
    """The signed-in person's own data as a JSON download ("내 정보 내려받기"); others get the
    sign-in page. Mounted by core's URLconf as ``core:my_data`` (GET only, nothing changes)."""
    from django.contrib.auth.views import redirect_to_login
    from django.http import HttpResponse, HttpResponseNotAllowed

    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    response = HttpResponse(export_json(request.user), content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{request.user.pk}-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


# --- command line ----------------------------------------------------------------------------
# ``techvalley privacy export|purge``: core/cli.py holds the Typer group (the CLI starts without
# Django, and this module defines a model) and calls these after ``django_setup()``.


def export_command(username: str, output: str = "") -> int:
    """Write a person's export to ``output`` (or standard output). Returns the exit code."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        typer.echo(f"사용자가 없습니다 / no such user: {username}", err=True)
        return 2
    text = export_json(user)
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
        typer.echo(f"{output}: {len(text):,} bytes")
    else:
        typer.echo(text)
    return 0


def purge_command(dry_run: bool = False) -> int:
    """Erase what is due (or, with ``dry_run``, count it), printing counts by purpose."""
    from techvalley.core.audit import acting_as

    with acting_as(None, "cli:privacy-purge"):
        counts = purge_expired(dry_run=dry_run)
    verb = "지울 대상 / due" if dry_run else "지움 / erased"
    if not counts:
        typer.echo("지울 개인정보가 없습니다 / nothing is due")
    for key, n in sorted(counts.items()):
        typer.echo(f"{key}: {n} {verb}")
    return 0


def cli_groups() -> dict:
    """The same group core/cli.py declares, for use after Django is set up (tests, scripts)."""
    app = typer.Typer(help="Personal data (개인정보): a person's export, retention-based erasure.")

    @app.command("export")
    def export_cmd(
        username: str,
        output: Annotated[str, typer.Option("-o", "--output", help="file to write (default: standard output)")] = "",
    ) -> None:
        """Everything the platform holds about one person, as JSON (열람 청구)."""
        raise typer.Exit(export_command(username, output))

    @app.command("purge")
    def purge_cmd(
        dry_run: Annotated[bool, typer.Option("--dry-run", help="count only; erase nothing")] = False,
    ) -> None:
        """Erase the personal data whose retention period ended or whose consent was withdrawn."""
        raise typer.Exit(purge_command(dry_run))

    return {"privacy": app}
