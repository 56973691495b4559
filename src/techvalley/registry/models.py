"""Companies of a complex, their sites and contacts, and the registry imports that feed them."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from techvalley.core.audit import audited
from techvalley.core.models import Complex, Organisation
from techvalley.registry import labels
from techvalley.registry.validators import validate_brn, validate_corporate_no


class CompanyStatus(models.TextChoices):
    OPERATING = "operating", _("Operating (가동)")
    SUSPENDED = "suspended", _("Suspended (휴업)")
    CLOSED = "closed", _("Closed (폐업)")
    NOT_STARTED = "not_started", _("Not started (미착공)")
    CONSTRUCTION = "construction", _("Under construction (건설중)")


class SmartFactoryLevel(models.TextChoices):
    NONE = "none", _("None")
    BASIC = "basic", _("Basic (기초)")
    INTERMEDIATE1 = "intermediate1", _("Intermediate 1 (중간1)")
    INTERMEDIATE2 = "intermediate2", _("Intermediate 2 (중간2)")
    ADVANCED = "advanced", _("Advanced (고도화)")


class SizeClass(models.TextChoices):
    MICRO = "micro", _("Micro (1–9)")
    SMALL = "small", _("Small (10–49)")
    MEDIUM = "medium", _("Medium (50–299)")
    LARGE = "large", _("Large (300+)")
    UNKNOWN = "unknown", _("Unknown")


def size_class_of(employees: int | None) -> str:
    if employees is None:
        return SizeClass.UNKNOWN
    if employees < 10:
        return SizeClass.MICRO
    if employees < 50:
        return SizeClass.SMALL
    if employees < 300:
        return SizeClass.MEDIUM
    return SizeClass.LARGE


CERTIFICATIONS = {
    "venture": _("Venture (벤처기업)"),
    "innobiz": _("Inno-Biz (이노비즈)"),
    "mainbiz": _("Main-Biz (메인비즈)"),
    "iso9001": _("ISO 9001"),
    "iso14001": _("ISO 14001"),
    "root_industry": _("Root industry (뿌리기업)"),
}


class ChoiceListField(models.JSONField):
    """A JSON list of keys, each one of ``choices`` (certifications): validated key by key, shown
    by label (in forms, the admin and the audit trail) rather than as stored keys."""

    def validate(self, value, model_instance):
        if not self.editable:
            return
        if value is None and not self.null:
            raise ValidationError(self.error_messages["null"], code="null")
        if not isinstance(value, list):
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})
        keys = {str(k) for k, _label in self.flatchoices}
        for item in value:
            if str(item) not in keys:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.choices,
            required=not self.blank,
            label=capfirst(self.verbose_name),
            widget=forms.CheckboxSelectMultiple,
        )


SOURCES = {
    "manual": _("entered on the platform"),
    "busan": _("Busan factory registry"),
    "kicox": _("KICOX factory registry"),
}


@audited
class Company(models.Model):
    """A company with a registered factory in the complex (입주기업), as the registries know it.

    Rows come from factory registries (published names, addresses and industries) and from the
    company itself. Figures the registry lacks may be estimates; ``estimated_fields`` says which.
    """

    # No index of its own: (complex, registry_key) and (complex, in_registry, name) lead with it.
    complex = models.ForeignKey(
        Complex, on_delete=models.PROTECT, related_name="companies", db_index=False, verbose_name=_("complex")
    )
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="company",
        verbose_name=_("organisation on the platform"),
    )
    # business key: normalised name | address
    registry_key = models.CharField(_("registry key"), max_length=300)
    source = models.CharField(_("source"), max_length=20, default="manual", choices=list(SOURCES.items()))
    name = models.CharField(_("company name (회사명)"), max_length=200)
    name_key = models.CharField(_("name for matching"), max_length=200, db_index=True)
    brn = models.CharField(
        _("business registration no. (사업자등록번호)"), max_length=10, blank=True, validators=[validate_brn]
    )
    corporate_no = models.CharField(
        _("corporate no. (법인등록번호)"), max_length=13, blank=True, validators=[validate_corporate_no]
    )
    representative = models.CharField(_("representative (대표자)"), max_length=100, blank=True)
    address = models.CharField(_("road-name address (도로명주소)"), max_length=300)
    legal_dong = models.CharField(_("legal dong (법정동)"), max_length=50, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CompanyStatus.choices, default=CompanyStatus.OPERATING
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices, default=SizeClass.UNKNOWN)
    founded_on = models.DateField(_("founded"), null=True, blank=True)
    revenue_million_krw = models.PositiveBigIntegerField(_("revenue (million KRW)"), null=True, blank=True)
    main_products = models.CharField(_("main products"), max_length=300, blank=True)
    industry_name = models.CharField(_("industry as registered (업종명)"), max_length=300, blank=True)
    extra_industries = models.PositiveSmallIntegerField(_("further industries (외 N종)"), default=0)
    ksic_code = models.CharField(_("KSIC code"), max_length=6, blank=True)
    ksic_revision = models.PositiveSmallIntegerField(_("KSIC revision"), null=True, blank=True)
    ksic_level = models.PositiveSmallIntegerField(_("KSIC level"), null=True, blank=True)
    ksic_method = models.CharField(
        _("how the code was found"), max_length=20, blank=True, choices=list(labels.KSIC_METHODS.items())
    )
    ksic_confidence = models.FloatField(_("name similarity"), default=0)
    ksic_status = models.CharField(
        _("classification"), max_length=10, default="review", choices=list(labels.KSIC_STATUSES.items())
    )
    other_ksic = models.JSONField(_("other KSIC codes"), default=list, blank=True)
    tech_intensity = models.CharField(
        _("technology level"), max_length=20, default="unknown", choices=list(labels.INTENSITIES.items())
    )
    rd_centre = models.BooleanField(_("R&D centre (기업부설연구소)"), default=False)
    certifications = ChoiceListField(
        _("certifications"), default=list, blank=True, choices=list(CERTIFICATIONS.items())
    )
    smart_factory_level = models.CharField(
        _("smart factory level"), max_length=20, choices=SmartFactoryLevel.choices, default=SmartFactoryLevel.NONE
    )
    in_registry = models.BooleanField(_("in the latest registry"), default=True)
    missing_since = models.DateField(_("missing from the registry since"), null=True, blank=True)
    estimated_fields = models.JSONField(_("estimated figures"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["complex", "registry_key"], name="company_unique_key"),
            models.CheckConstraint(
                condition=models.Q(ksic_status__in=["resolved", "review"]), name="company_ksic_status_known"
            ),
        ]
        # Few indexes: every one slows a 100,000-row import. Columns of a handful of values
        # (status, size, intensity, dong) and KSIC prefixes (LIKE '25%', which a plain index does
        # not serve) are filtered within a complex, which this index narrows to.
        indexes = [models.Index(fields=["complex", "in_registry", "name"])]

    def __str__(self) -> str:
        return self.name


@audited
class Site(models.Model):
    """A plot the company occupies in the complex (공장 부지), with land and building area."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="sites")
    address = models.CharField(_("address"), max_length=300)
    land_area_m2 = models.DecimalField(_("land area (m²)"), max_digits=12, decimal_places=1, null=True, blank=True)
    building_area_m2 = models.DecimalField(
        _("building area (m²)"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    estimated = models.BooleanField(_("areas are estimates"), default=False)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return f"{self.company} — {self.address}"


class ConsentGivenBy(models.TextChoices):
    """Who recorded the contact person's consent (동의 경로)."""

    PERSON = "person", _("the person themself")
    COMPANY = "company", _("the company")
    OFFICER = "officer", _("a district officer on the company's behalf")


@audited
class Contact(models.Model):
    """A person to reach at a company (담당자). Personal data: masked except for authorised
    viewers, kept under a consent (``core.privacy.Consent``, key ``registry.contact``) recorded
    with it; withdrawn or expired, the contact is erased."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    #: The person's account when they have one (their own data export lists the contact).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account of the person"),
    )
    consent_given_by = models.CharField(
        _("consent recorded by"), max_length=10, choices=ConsentGivenBy.choices, blank=True
    )
    consent_note = models.CharField(_("how consent was obtained"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), null=True, blank=True, default=timezone.now)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.company})"


class ImportRun(models.Model):
    """One registry import: the file, what it changed, and the structure of the complex after it."""

    complex = models.ForeignKey(Complex, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    fmt = models.CharField(_("format"), max_length=30)
    dry_run = models.BooleanField(default=False)
    ok = models.BooleanField(default=False)
    counts = models.JSONField(default=dict)
    errors = models.JSONField(default=list)  # the first bad rows: {line, reason}
    structure = models.JSONField(default=dict)  # counts by division, intensity, dong after the import
    actor_label = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.started_at:%Y-%m-%d})"


@audited
class AddressRule(models.Model):
    """Which registry rows belong to a complex, by their address: kept as data an officer edits
    (``techvalley registry rules``, the admin), so one import of a whole city's registry assigns
    each row to its complex.

    A rule names a 시군구, optionally a 법정동 in it, optionally a text the address must contain (a
    road name such as "녹산산단", a building). The most specific matching rule wins (text, then
    법정동, then 시군구 alone); a row two complexes claim equally is reported, never imported
    twice. One rule (its 시도, 시군구, 법정동 and text) belongs to one complex only.
    """

    complex = models.ForeignKey(
        Complex, on_delete=models.CASCADE, related_name="address_rules", verbose_name=_("complex")
    )
    sido = models.CharField(_("province or city (시도)"), max_length=20, blank=True)
    sigungu = models.CharField(_("district (시군구)"), max_length=50)
    legal_dong = models.CharField(_("legal dong (법정동)"), max_length=50, blank=True)
    address_contains = models.CharField(_("address contains"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("address rule")
        verbose_name_plural = _("address rules")
        ordering = ["complex", "sigungu", "legal_dong", "address_contains"]
        constraints = [
            models.UniqueConstraint(
                fields=["sido", "sigungu", "legal_dong", "address_contains"], name="address_rule_one_complex"
            ),
        ]

    def __str__(self) -> str:
        where = " ".join(p for p in (self.sido, self.sigungu, self.legal_dong) if p)
        return f"{where} «{self.address_contains}»" if self.address_contains else where

    @property
    def specificity(self) -> int:
        return 3 if self.address_contains else 2 if self.legal_dong else 1
