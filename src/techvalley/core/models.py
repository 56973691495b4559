"""Complexes, organisations, people and the audit trail: what every other app stands on."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techvalley.core.audit import audited


class Complex(models.Model):
    """An industrial complex (산업단지), e.g. 신평·장림일반산업단지. Every domain record belongs to one."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    sigungu = models.CharField(_("district (시군구)"), max_length=100, blank=True)
    # Registry rows whose address names one of these 법정동 in this 시군구 belong to the complex.
    legal_dongs = models.JSONField(_("legal dong (법정동)"), default=list, blank=True)
    area_km2 = models.DecimalField(_("area (km²)"), max_digits=8, decimal_places=2, null=True, blank=True)
    founded_year = models.PositiveIntegerField(_("founded"), null=True, blank=True)
    center_lon = models.FloatField(null=True, blank=True)
    center_lat = models.FloatField(null=True, blank=True)
    source_note = models.TextField(_("source of the figures"), blank=True)

    class Meta:
        verbose_name = _("industrial complex")
        verbose_name_plural = _("industrial complexes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A body that works on the platform: a company, university, agency, district office or centre."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        UNIVERSITY = "university", _("University")
        AGENCY = "agency", _("Support agency")
        DISTRICT = "district", _("District office")
        SUPPORT_CENTRE = "support_centre", _("Support centre")

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="organisations")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["complex", "name"], name="org_unique_name_per_complex")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in an organisation. Officers are members of a district office."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        MEMBER = "member", _("Member")
        OFFICER = "officer", _("District officer")
        PLANNER = "planner", _("Planning officer (approves progress reports)")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["manager", "member", "officer", "planner"]), name="membership_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A bearer token a machine client uses for the JSON API, acting as its user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(max_length=64, unique=True, default=_new_token)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class AuditEntry(models.Model):
    """One change to domain data: who, when, what, old → new (감사 기록)."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    model = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("record"), max_length=300)
    changes = models.JSONField(_("changes"), default=dict)  # field → [old, new]
    complex = models.ForeignKey(Complex, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


@audited
class RecordLink(models.Model):
    """A link from one record to a record of another module: a plan achievement (성과) to the
    agreement, course, survey or campaign that carries it out. The target's type is one the
    spine knows (``spine.linkable``); the source may be any record of the complex."""

    complex = models.ForeignKey(Complex, on_delete=models.CASCADE, related_name="+")
    source_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    source_id = models.PositiveBigIntegerField()
    target_type = models.CharField(_("linked record type"), max_length=100)
    target_id = models.PositiveBigIntegerField()
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("record link")
        verbose_name_plural = _("record links")
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "target_type", "target_id"], name="record_link_unique"
            )
        ]
        indexes = [models.Index(fields=["source_type", "source_id"]), models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.source_type.model} #{self.source_id} → {self.target_type} #{self.target_id}"


# Consent records live with the rules that use them (core/privacy.py); imported here so
# Django's model registry and migrations see the model whether or not privacy was imported.
from techvalley.core.privacy import Consent  # noqa: E402,F401
