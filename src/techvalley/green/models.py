"""Meters, reduction measures and targets. The readings themselves live in the Parquet lake."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from techvalley.core.audit import audited
from techvalley.core.models import Complex
from techvalley.registry.models import Company, Site


class Kind(models.TextChoices):
    ELECTRICITY = "electricity", _("Electricity (전력)")
    CITY_GAS = "city_gas", _("City gas / LNG (도시가스)")
    LPG = "lpg", _("LPG")
    DIESEL = "diesel", _("Diesel (경유)")
    STEAM = "steam", _("Steam (스팀)")
    SOLAR = "solar", _("On-site solar generation (태양광)")


class Resolution(models.TextChoices):
    QUARTER = "15min", _("15 minutes")
    HOURLY = "hourly", _("Hourly")
    DAILY = "daily", _("Daily")
    MONTHLY = "monthly", _("Monthly bill")


@audited
class Meter(models.Model):
    """An energy meter at a company's site (계량기): what it measures, in which unit, how often.

    Its readings are the company's private data: visible to the company and district officers.
    """

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="meters")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="meters")
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="meters")
    meter_id = models.CharField(_("meter id"), max_length=64)
    kind = models.CharField(_("energy"), max_length=20, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=10)
    resolution = models.CharField(_("resolution"), max_length=10, choices=Resolution.choices, default="15min")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        ordering = ["meter_id"]
        constraints = [models.UniqueConstraint(fields=["complex", "meter_id"], name="meter_unique_id")]

    def __str__(self) -> str:
        return f"{self.meter_id} ({self.get_kind_display()})"


class MeasureKind(models.TextChoices):
    LED = "led", _("LED lighting")
    INVERTER = "inverter_compressor", _("Inverter compressor")
    FEMS = "fems", _("FEMS (factory energy management)")
    PV = "rooftop_pv", _("Rooftop PV")
    HEAT_RECOVERY = "heat_recovery", _("Heat recovery")
    FUEL_SWITCH = "fuel_switch", _("Fuel switching")


@audited
class Measure(models.Model):
    """A reduction measure at a company (감축 조치): cost, expected savings, status, and when it
    went live, so savings can be measured against the baseline before it."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("In operation")

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="measures")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("measure"), max_length=30, choices=MeasureKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    cost_krw = models.BigIntegerField(_("cost (KRW)"), default=0)
    expected_kwh_per_year = models.FloatField(_("expected savings (kWh/year)"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    live_from = models.DateField(_("in operation from"), null=True, blank=True)
    note = models.CharField(
        _("note"), max_length=500, blank=True, help_text=_("e.g. why measured savings differ from the expected")
    )

    class Meta:
        verbose_name = _("reduction measure")
        verbose_name_plural = _("reduction measures")
        ordering = ["company_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.company}"


@audited
class ReductionTarget(models.Model):
    """The complex's emissions target (감축 목표), e.g. 2018 base, −40% by 2030."""

    complex = models.OneToOneField(Complex, on_delete=models.CASCADE, related_name="reduction_target")
    base_year = models.PositiveSmallIntegerField(_("base year"), default=2018)
    base_tco2eq = models.FloatField(_("base-year emissions (tCO2eq)"))
    target_year = models.PositiveSmallIntegerField(_("target year"), default=2030)
    reduction_percent = models.FloatField(_("reduction (%)"), default=40)
    source = models.CharField(_("source of the base figure"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("reduction target")
        verbose_name_plural = _("reduction targets")

    def __str__(self) -> str:
        return f"{self.complex}: −{self.reduction_percent}% by {self.target_year}"

    def target_for(self, year: int) -> float:
        """The straight-line path from the base year to the target."""
        if year <= self.base_year:
            return self.base_tco2eq
        goal = self.base_tco2eq * (1 - self.reduction_percent / 100)
        if year >= self.target_year:
            return goal
        share = (year - self.base_year) / (self.target_year - self.base_year)
        return self.base_tco2eq + (goal - self.base_tco2eq) * share


class IngestLog(models.Model):
    """One ingest: what came in and what became of it (the counts the CLI prints)."""

    complex = models.ForeignKey(Complex, on_delete=models.CASCADE, related_name="+")
    batch = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=300)
    result = models.JSONField(default=dict)
    actor_label = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.source} @ {self.at:%Y-%m-%d %H:%M}"
