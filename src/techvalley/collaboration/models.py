"""Industry–academia–government cooperation (산·학·관 협력): partners, agreements and their follow-up
actions, joint programmes with budgets and KPIs, expertise, companies' needs, the support-programme
catalogue, and the pipeline from a match to its outcomes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techvalley.core.audit import audited
from techvalley.core.choices import FundingSource
from techvalley.core.models import Complex, Organisation
from techvalley.registry.models import Company


class PartnerKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    INSTITUTE = "institute", _("Research institute")
    AGENCY = "agency", _("Support agency")
    GOVERNMENT = "government", _("Local or central government")
    COMPANY = "company", _("Company")
    OTHER = "other", _("Other")


@audited
class Partner(models.Model):
    """A party the district works with: a university (부산보건대학교), an institute, an agency
    (산단공 부산지역본부), a government office (사하구) or a company ((주)포유산업)."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("organisation")
    )
    company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("company")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["complex", "name"], name="collab_partner_unique_name")]

    def __str__(self) -> str:
        return self.name


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


@audited
class Agreement(models.Model):
    """An agreement (업무협약, MOU) between two or more parties: who signed, when, for how long, what
    for, what each promised, the follow-up actions and what came of it."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title of the agreement"), max_length=300)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("in force from"), null=True, blank=True)
    ends_on = models.DateField(_("in force until"), null=True, blank=True)
    purpose = models.TextField(_("purpose of the agreement"), blank=True)
    obligations = models.TextField(_("obligations of the parties"), blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    terminated = models.BooleanField(_("terminated"), default=False)
    is_public = models.BooleanField(_("public"), default=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    estimated = models.BooleanField(_("details are estimates"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on", "title"]
        constraints = [
            models.UniqueConstraint(fields=["complex", "title", "signed_on"], name="collab_agreement_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="collab_agreement_term_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.signed_on:%Y-%m})"

    def get_absolute_url(self) -> str:
        return reverse("collaboration:agreement_detail", args=[self.pk])

    def status_on(self, today: dt.date) -> str:
        if self.terminated:
            return AgreementStatus.TERMINATED
        if self.ends_on and self.ends_on < today:
            return AgreementStatus.EXPIRED
        return AgreementStatus.ACTIVE

    def expires_within(self, today: dt.date, days: int = 90) -> bool:
        return not self.terminated and self.ends_on is not None and today <= self.ends_on <= today + dt.timedelta(days)


@audited
class AgreementParty(models.Model):
    """One party of an agreement, with its role ("주관", "협력") and what it undertook."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agreement_parties")
    role = models.CharField(_("role"), max_length=100, blank=True)
    undertakes = models.TextField(_("undertakes"), blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "partner"], name="collab_party_unique")]

    def __str__(self) -> str:
        return f"{self.partner} — {self.agreement}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


@audited
class FollowUp(models.Model):
    """A follow-up action of an agreement (후속 조치): what, who owns it, by when, and its state."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.CharField(_("action to take"), max_length=300)
    owner = models.CharField(_("owner"), max_length=150)
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=20, choices=FollowUpStatus.choices, default="open")
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.action

    def is_overdue(self, today: dt.date) -> bool:
        return self.status in (FollowUpStatus.OPEN, FollowUpStatus.IN_PROGRESS) and self.due_on < today


class ProgrammeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    APPLIED = "applied", _("Applied")
    SELECTED = "selected", _("Selected, running")
    COMPLETED = "completed", pgettext_lazy("programme status", "Completed")
    NOT_SELECTED = "not_selected", _("Not selected")


@audited
class Programme(models.Model):
    """A joint programme (공모사업, joint project) the district runs with partners: funder, period,
    budget by source, participants and KPIs (고등직업교육거점지구사업, SW중심대학 사업)."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title of the programme"), max_length=300)
    funder = models.CharField(_("funder"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProgrammeStatus.choices, default="selected")
    description = models.TextField(_("description"), blank=True)
    participants = models.ManyToManyField(
        Partner, blank=True, related_name="programmes", verbose_name=_("participants")
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name=_("agreement"),
    )
    is_public = models.BooleanField(_("public"), default=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    estimated = models.BooleanField(_("figures are estimates"), default=False)

    class Meta:
        verbose_name = _("joint programme")
        verbose_name_plural = _("joint programmes")
        ordering = ["-starts_on", "title"]
        constraints = [models.UniqueConstraint(fields=["complex", "title"], name="collab_programme_unique")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collaboration:programme_detail", args=[self.pk])

    def is_active(self, today: dt.date) -> bool:
        if self.status not in (ProgrammeStatus.SELECTED, ProgrammeStatus.APPLIED):
            return False
        return (self.starts_on is None or self.starts_on <= today) and (self.ends_on is None or today <= self.ends_on)


BudgetSource = FundingSource  # shared with the other apps that keep budgets by source


@audited
class BudgetLine(models.Model):
    """A programme's budget from one source (국비/시비/구비/민자) in one year, in won."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="budget", verbose_name=_("joint programme")
    )
    source = models.CharField(_("source of funds"), max_length=20, choices=BudgetSource.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    amount_krw = models.PositiveBigIntegerField(_("amount (KRW)"))
    executed_krw = models.PositiveBigIntegerField(_("spent so far (KRW)"), null=True, blank=True)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["year", "source"]
        constraints = [models.UniqueConstraint(fields=["programme", "source", "year"], name="collab_budget_unique")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount_krw:,}"


@audited
class Kpi(models.Model):
    """A programme's key performance indicator (성과지표): target and result in its unit."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("joint programme")
    )
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    result = models.DecimalField(_("result"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="collab_kpi_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def achievement(self) -> float | None:
        if self.result is None or not self.target:
            return None
        return float(self.result / self.target * 100)


class ExpertKind(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher")
    LAB = "lab", _("Lab")
    EQUIPMENT = "equipment", _("Equipment")


@audited
class Expert(models.Model):
    """Expertise at a partner university or institute: a researcher, a lab or a piece of equipment,
    with fields and a free-text description. Shown publicly only with the holder's consent."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+")
    ref = models.CharField(_("external id"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ExpertKind.choices, default="researcher")
    name = models.CharField(_("name"), max_length=200, blank=True)
    org = models.CharField(_("organisation"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    partner = models.ForeignKey(Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="experts")
    fields = models.JSONField(_("fields"), default=list, blank=True)
    text = models.TextField(_("description"), blank=True)
    contact = models.CharField(_("contact details"), max_length=200, blank=True)
    public_consent = models.BooleanField(_("public profile (consent given)"), default=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the expert's own sign-in"),
    )
    estimated = models.BooleanField(_("example entry (estimate)"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("expertise")
        verbose_name_plural = _("expertise")
        ordering = ["org", "unit", "ref"]
        constraints = [models.UniqueConstraint(fields=["complex", "ref"], name="collab_expert_unique_ref")]

    def __str__(self) -> str:
        return " ".join(x for x in (self.org, self.unit, self.name) if x) or self.ref

    def get_absolute_url(self) -> str:
        return reverse("collaboration:expert_detail", args=[self.pk])


@audited
class ExpertConsent(models.Model):
    """The record of a consent to a public profile (공개 동의 기록): given or withdrawn, when, by whom
    — the expert in person, or the liaison office (산학협력단) or an officer on their behalf, with
    how the consent was obtained (a signed form, an e-mail)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="consents", verbose_name=_("expertise"))
    given = models.BooleanField(_("consent (given or withdrawn)"))
    on_behalf = models.BooleanField(_("recorded on the expert's behalf"), default=False)
    evidence = models.CharField(_("how the consent was obtained"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_by_label = models.CharField(_("recorded by"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.expert} — {'동의' if self.given else '철회'}"

    @property
    def complex_id(self):
        return self.expert.complex_id


@audited
class SupportProgramme(models.Model):
    """A support-programme notice of the catalogue (기업마당-like 지원사업 공고): who offers it, when
    to apply, what it is, and who may apply (structured eligibility, ``collaboration.eligibility``)."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+")
    ref = models.CharField(_("external id"), max_length=100)
    title = models.CharField(_("title of the notice"), max_length=300)
    agency = models.CharField(_("agency"), max_length=200, blank=True)
    opens_on = models.DateField(_("applications open"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    eligibility = models.JSONField(_("eligibility"), default=dict, blank=True)
    url = models.CharField(_("notice address"), max_length=500, blank=True)
    estimated = models.BooleanField(_("example entry (estimate)"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("support programme")
        verbose_name_plural = _("support programmes")
        ordering = ["deadline", "title"]
        constraints = [models.UniqueConstraint(fields=["complex", "ref"], name="collab_support_unique_ref")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collaboration:catalogue_detail", args=[self.pk])


class NeedKind(models.TextChoices):
    TECHNOLOGY = "technology", _("Technical problem (기술 애로)")
    PEOPLE = "people", _("People (인력)")
    JOINT_RESEARCH = "joint_research", _("Joint research (공동연구)")
    EQUIPMENT = "equipment", _("Equipment (장비)")
    MARKET = "market", _("Markets (판로)")


class NeedUrgency(models.TextChoices):
    LOW = "low", _("Can wait")
    NORMAL = "normal", _("Within months")
    HIGH = "high", _("Urgent")


class NeedStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("need status", "Open")
    IN_PROGRESS = "in_progress", _("Being worked on")
    CLOSED = "closed", pgettext_lazy("need status", "Closed")


@audited
class Need(models.Model):
    """A company's need (기업 수요): a technical problem, people, joint research, equipment or markets,
    in its own words. Private to the company and the district officers."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="collab_needs")
    kind = models.CharField(_("kind"), max_length=20, choices=NeedKind.choices)
    title = models.CharField(_("title of the need"), max_length=200)
    text = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=20, choices=NeedStatus.choices, default="open")
    urgency = models.CharField(_("urgency"), max_length=10, choices=NeedUrgency.choices, default="normal")
    budget_krw = models.PositiveBigIntegerField(_("budget the company can put in (KRW)"), null=True, blank=True)
    needed_by = models.DateField(_("wanted by"), null=True, blank=True)
    entered_by_officer = models.BooleanField(_("entered by an officer after a visit"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("company need")
        verbose_name_plural = _("company needs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collaboration:need_detail", args=[self.pk])


class Stage(models.TextChoices):
    MATCHED = "matched", _("Matched")
    CONTACTED = "contacted", _("Contacted")
    JOINT_PROJECT = "joint_project", _("Joint project")
    OUTCOME = "outcome", _("Outcomes")
    CLOSED = "closed", _("Closed without result")


#: Outcomes that count as the company's technology gaining ground (the ``collaboration_outcomes``
#: signal): patents, new products, technologies transferred.
TECHNOLOGY_OUTCOMES = ("patent", "product", "tech_transfer")

STAGE_ORDER = [Stage.MATCHED, Stage.CONTACTED, Stage.JOINT_PROJECT, Stage.OUTCOME]


@audited
class Engagement(models.Model):
    """One step of the pipeline from a match to outcomes: a company (and its need) with an expert
    or a support programme — matched, contacted, in a joint project, with outcomes — each dated.
    Private to the company and the officers; it feeds the company's record of support received."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="collab_engagements")
    need = models.ForeignKey(
        Need,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engagements",
        verbose_name=_("company need"),
    )
    expert = models.ForeignKey(
        Expert, on_delete=models.SET_NULL, null=True, blank=True, related_name="engagements", verbose_name=_("expert")
    )
    support = models.ForeignKey(
        SupportProgramme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engagements",
        verbose_name=_("support programme"),
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default="matched")
    matched_on = models.DateField(_("matched on"))
    contacted_on = models.DateField(_("contacted on"), null=True, blank=True)
    project_on = models.DateField(_("joint project from"), null=True, blank=True)
    outcome_on = models.DateField(_("first outcome on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["-matched_on", "-id"]

    def __str__(self) -> str:
        target = self.expert or self.support
        return f"{self.company} ↔ {target}" if target else str(self.company)


class OutcomeKind(models.TextChoices):
    PATENT = "patent", _("Patent")
    PRODUCT = "product", _("Product")
    TECH_TRANSFER = "tech_transfer", _("Technology transfer")
    HIRE = "hire", _("Hire")
    REVENUE = "revenue", _("Revenue (KRW)")
    OTHER = "other", _("Other")


@audited
class Outcome(models.Model):
    """What an engagement produced (성과): a patent, a product, a hire, revenue — dated, with a value."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("kind"), max_length=20, choices=OutcomeKind.choices)
    on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, default=1)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.description}"
