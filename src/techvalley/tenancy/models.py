"""Knowledge-industry centres, their units and occupants, the rule data, and company attraction.

Public: a centre's name, location, floors and its vacant units (area, use, asking price).
Officers only: owners, tenants, leases, the tenant audit, leads (personal data under the consent
the person gave), campaigns' costs and roundtables.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techvalley.core.audit import audited
from techvalley.core.models import Complex
from techvalley.registry.models import Company


class Location(models.TextChoices):
    INDUSTRIAL_FACILITY_ZONE = "industrial_facility_zone", _("Industrial-facility zone of a complex (산업시설구역)")
    MIXED_ZONE = "mixed_zone", _("Mixed zone of a complex (복합구역)")
    OUTSIDE_CAPITAL = "outside_capital", _("Outside a complex, outside the capital region")
    INSIDE_CAPITAL = "inside_capital", _("Outside a complex, inside the capital region")


class UnitUse(models.TextChoices):
    FACTORY = "factory", _("Factory (공장)")
    KNOWLEDGE_ICT = "knowledge_ict", _("Knowledge or ICT business (지식·정보통신산업)")
    SUPPORT = "support", _("Support facility (지원시설)")


class UnitStatus(models.TextChoices):
    VACANT = "vacant", _("Vacant")
    RESERVED = "reserved", _("Reserved")
    OCCUPIED = "occupied", _("Occupied")
    UNAVAILABLE = "unavailable", _("Not available")


@audited
class Centre(models.Model):
    """A knowledge-industry centre (지식산업센터): a multi-storey building of factories, knowledge and
    ICT businesses and their support facilities, in or near the complex.

    ``location`` decides the support-facility cap (시행령 제36조의4 ④). Figures that are not public
    are estimates (``is_estimate``) and say so wherever they are shown.
    """

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="kic_centres")
    slug = models.SlugField(_("short name"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    location = models.CharField(_("location class"), max_length=30, choices=Location.choices)
    industrial_zoning = models.BooleanField(
        _("in an industrial zone (공업지역)"), null=True, blank=True, help_text=_("Only matters outside a complex.")
    )
    gross_floor_area_m2 = models.DecimalField(_("gross floor area (m²)"), max_digits=12, decimal_places=2)
    building_area_m2 = models.DecimalField(
        _("building area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    floors_above = models.PositiveSmallIntegerField(_("floors above ground"), default=1)
    floors_below = models.PositiveSmallIntegerField(_("floors below ground"), default=0)
    completed_year = models.PositiveSmallIntegerField(_("completed"), null=True, blank=True)
    developer = models.CharField(_("developer"), max_length=200, blank=True)
    management_body = models.CharField(_("management body"), max_length=200, blank=True)
    #: Facilities the district head or the management body excluded (시행령 제36조의4 ②4), KSIC codes.
    excluded_ksic = models.JSONField(_("facilities excluded under 제36조의4 ②4 (KSIC)"), default=list, blank=True)
    daycare_capacity = models.PositiveIntegerField(
        _("day-care capacity (보육정원)"),
        null=True,
        blank=True,
        help_text=_("Of the day-care centre kept in the building (a support facility with KSIC 87210)."),
    )
    daycare_public = models.BooleanField(_("the day-care centre is public (국공립)"), default=False)
    description = models.TextField(_("description"), blank=True)
    source_note = models.CharField(_("source of the figures"), max_length=300, blank=True)
    is_estimate = models.BooleanField(_("figures are estimates"), default=False)
    published = models.BooleanField(_("shown on the public vacancy pages"), default=True)
    #: Where the building stands (WGS 84), for the complex map.
    lat = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    lon = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    location_is_estimate = models.BooleanField(
        _("position is an estimate"), default=False, help_text=_("Placed by its address, not surveyed.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("knowledge-industry centre")
        verbose_name_plural = _("knowledge-industry centres")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["complex", "slug"], name="kic_centre_unique_slug")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tenancy:centre_detail", args=[self.slug])


@audited
class Owner(models.Model):
    """Who owns units of a centre (소유자): the developer, an investor, or an occupying company."""

    class Kind(models.TextChoices):
        DEVELOPER = "developer", _("Developer")
        COMPANY = "company", _("Company")
        PERSON = "person", _("Private person")
        PUBLIC = "public", _("Public body")

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="kic_owners")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    company = models.ForeignKey(Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="kic_owned")
    contact = models.CharField(_("contact details"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("unit owner")
        verbose_name_plural = _("unit owners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@audited
class Unit(models.Model):
    """A unit (호실) of a centre: floor, area, the use it is approved for, price and status."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="units")
    number = models.CharField(_("unit number"), max_length=30)
    floor = models.SmallIntegerField(_("floor"))
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=10, decimal_places=2)
    use = models.CharField(_("use"), max_length=20, choices=UnitUse.choices)
    sale_price_won = models.BigIntegerField(_("sale price (KRW)"), null=True, blank=True)
    monthly_rent_won = models.BigIntegerField(_("monthly rent (KRW)"), null=True, blank=True)
    deposit_won = models.BigIntegerField(_("deposit (KRW)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=UnitStatus.choices, default=UnitStatus.VACANT)
    owner = models.ForeignKey(Owner, on_delete=models.SET_NULL, null=True, blank=True, related_name="units")
    vacant_since = models.DateField(_("vacant since"), null=True, blank=True)
    is_estimate = models.BooleanField(_("figures are estimates"), default=False)

    class Meta:
        verbose_name = _("centre unit")
        verbose_name_plural = _("centre units")
        ordering = ["centre", "floor", "number"]
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="kic_unit_unique_number")]

    def __str__(self) -> str:
        return f"{self.centre} {self.number}"


@audited
class Tenant(models.Model):
    """A business occupying units of a centre (입주자): its industry as it declared it, venture
    status, and the registry company it is, when known."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="kic_tenants")
    name = models.CharField(_("name"), max_length=200)
    company = models.ForeignKey(Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="kic_tenancies")
    ksic = models.CharField(_("KSIC code"), max_length=10)
    ksic_revision = models.PositiveSmallIntegerField(_("KSIC revision"), default=11)
    venture = models.BooleanField(_("venture company (벤처기업)"), default=False)
    actual_activity = models.CharField(
        _("activity seen on inspection"), max_length=300, blank=True, help_text=_("What the inspector saw on site.")
    )
    is_estimate = models.BooleanField(_("invented for the demo"), default=False)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@audited
class Lease(models.Model):
    """A tenant's occupancy of a unit (입주·임대): as a tenant business or a support facility, from
    when to when. Leases past and present are the unit's occupancy history; at most one is current."""

    class Kind(models.TextChoices):
        RENT = "rent", _("Rent")
        OWNER_OCCUPIED = "owner", _("Owner-occupied")

    class Use(models.TextChoices):
        TENANT = "tenant", _("Tenant business")
        SUPPORT = "support", _("Support facility")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="leases")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="leases")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RENT)
    use = models.CharField(_("use"), max_length=10, choices=Use.choices, default=Use.TENANT)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    monthly_rent_won = models.BigIntegerField(_("monthly rent (KRW)"), null=True, blank=True)
    ended_reason = models.CharField(_("why it ended"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=Q(end__isnull=True), name="kic_lease_one_current"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="kic_lease_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant} @ {self.unit}"


@audited
class RuleVersion(models.Model):
    """A stored version of the eligibility rule data (입주 자격 규칙), with the statute version it was
    made from. Officers review and edit it; one version is active at a time (else the shipped file)."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    statute_as_of = models.CharField(_("statute as of"), max_length=20)
    document = models.JSONField(_("rule data"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    active = models.BooleanField(_("version in force"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="kic_rules_one_active")
        ]

    def __str__(self) -> str:
        return self.version


class Channel(models.TextChoices):
    VIDEO = "video", _("Video")
    PRESS = "press", _("Press advertisement")
    BROCHURE = "brochure", _("Brochure")
    ROUNDTABLE = "roundtable", _("Roundtable (간담회)")
    TOUR = "tour", _("Benchmarking tour")
    ONLINE = "online", _("Online")
    OTHER = "other", _("Other")


@audited
class Campaign(models.Model):
    """A promotion campaign for attracting companies (기업 유치 홍보): channel, cost, period and the
    tracking code its links carry, so leads and move-ins can be attributed to it."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="kic_campaigns")
    name = models.CharField(_("name"), max_length=200)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    cost_won = models.BigIntegerField(_("cost (KRW)"), default=0)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    tracking_code = models.SlugField(_("tracking code"), max_length=40)
    description = models.TextField(_("description"), blank=True)
    public = models.BooleanField(_("may be shown publicly"), default=True)
    is_estimate = models.BooleanField(_("figures are estimates"), default=False)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["complex", "tracking_code"], name="kic_campaign_unique_code"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="kic_campaign_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tenancy:campaign_detail", args=[self.pk])


@audited
class Roundtable(models.Model):
    """A roundtable with business owners (기업인 간담회): when, where, who came, what they raised."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="kic_roundtables")
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="roundtables")
    title = models.CharField(_("roundtable title"), max_length=200)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.TextField(_("attendees"), blank=True, help_text=_("One per line: name, organisation."))
    summary = models.TextField(_("summary"), blank=True)
    public = models.BooleanField(_("may be shown publicly"), default=False)

    class Meta:
        verbose_name = _("roundtable")
        verbose_name_plural = _("roundtables")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tenancy:roundtable_detail", args=[self.pk])

    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]


@audited
class RoundtableIssue(models.Model):
    """An issue raised at a roundtable (건의사항); follow-up actions hang from it."""

    roundtable = models.ForeignKey(Roundtable, on_delete=models.CASCADE, related_name="issues")
    text = models.CharField(_("issue"), max_length=500)
    raised_by = models.CharField(_("raised by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("roundtable issue")
        verbose_name_plural = _("roundtable issues")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:80]


class Stage(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    VISIT = "visit", _("Visit")
    APPLICATION = "application", _("Application")
    CONTRACT = "contract", _("Contract")
    MOVED_IN = "moved_in", _("Moved in")
    LOST = "lost", _("Lost")


#: The funnel's order; "lost" may follow any open stage.
STAGE_ORDER = [Stage.INQUIRY, Stage.VISIT, Stage.APPLICATION, Stage.CONTRACT, Stage.MOVED_IN]
OPEN_STAGES = [Stage.INQUIRY, Stage.VISIT, Stage.APPLICATION, Stage.CONTRACT]


@audited
class Lead(models.Model):
    """A prospective tenant (유치 대상 기업): an inquiry made with the person's consent to the use of
    their personal data (개인정보 보호법 제15조), followed through visit, application and contract to
    a move-in, or lost with a reason. Its contact data is kept only as long as the consent says."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="kic_leads")
    company_name = models.CharField(_("company"), max_length=200)
    contact_name = models.CharField(_("contact person"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    ksic = models.CharField(_("KSIC code"), max_length=10, blank=True)
    ksic_revision = models.PositiveSmallIntegerField(_("KSIC revision"), default=11)
    venture = models.BooleanField(_("venture company"), default=False)
    use = models.CharField(_("use"), max_length=10, choices=Lease.Use.choices, default=Lease.Use.TENANT)
    area_min_m2 = models.DecimalField(_("area from (m²)"), max_digits=10, decimal_places=2, null=True, blank=True)
    area_max_m2 = models.DecimalField(_("area up to (m²)"), max_digits=10, decimal_places=2, null=True, blank=True)
    budget_monthly_won = models.BigIntegerField(_("monthly budget (KRW)"), null=True, blank=True)
    budget_purchase_won = models.BigIntegerField(_("purchase budget (KRW)"), null=True, blank=True)
    centre = models.ForeignKey(Centre, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads")
    message = models.TextField(_("message"), blank=True)
    source = models.CharField(_("came from"), max_length=20, default="web")
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads")
    tracking_code = models.CharField(_("tracking code"), max_length=40, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    retain_until = models.DateField(_("personal data kept until"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.INQUIRY)
    stage_changed_at = models.DateTimeField(_("stage changed"), default=timezone.now)
    lost_reason = models.CharField(_("why lost"), max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kic_leads",
        verbose_name=_("officer in charge"),
    )
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads")
    tenant = models.ForeignKey(Tenant, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads")
    high_tech = models.BooleanField(_("high-tech"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(stage="lost") | ~Q(lost_reason=""), name="kic_lead_lost_has_reason"),
        ]

    def __str__(self) -> str:
        return self.company_name

    def get_absolute_url(self) -> str:
        return reverse("tenancy:lead_detail", args=[self.pk])


class LeadEvent(models.Model):
    """One step of a lead's way through the funnel: the stage it reached, when, by whom."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.stage}"


@audited
class FollowUp(models.Model):
    """A follow-up task (후속 조치) on a lead or on an issue raised at a roundtable."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="kic_followups")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, null=True, blank=True, related_name="followups")
    issue = models.ForeignKey(
        RoundtableIssue, on_delete=models.CASCADE, null=True, blank=True, related_name="followups"
    )
    title = models.CharField(_("what to do"), max_length=300)
    due = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("person in charge")
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["done_at", "due", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(lead__isnull=False) | Q(issue__isnull=False), name="kic_followup_target")
        ]

    def __str__(self) -> str:
        return self.title
