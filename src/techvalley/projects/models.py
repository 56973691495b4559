"""Pledges (공약), their sub-projects and tasks, progress, budget and the quarterly reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techvalley.core.audit import audited
from techvalley.core.choices import FundingSource
from techvalley.core.models import Complex


class Status(models.TextChoices):
    """Korea Manifesto Center's categories for the state of a pledge (공약 이행 상태)."""

    COMPLETED = "completed", _("Completed (완료)")
    CONTINUING = "continuing", _("Completed, continuing (이행 후 계속추진)")
    ON_TRACK = "on_track", _("On track (정상추진)")
    PARTIAL = "partial", _("Partly done (일부추진)")
    ON_HOLD = "on_hold", _("On hold (보류)")
    ABANDONED = "abandoned", _("Abandoned (폐기)")


class Field(models.Model):
    """A policy field (분야) grouping pledges, e.g. 경제·일자리."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="plan_fields")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["complex", "name"], name="field_unique_name")]

    def __str__(self) -> str:
        return self.name


@audited
class Project(models.Model):
    """A pledge with its management card (관리번호 3-1 …), or one of its sub-projects or tasks.

    The card's fields live here; the yearly plan, achievements, future plans and budget lines
    are child records. A parent's progress rolls up from its children unless overridden.
    """

    class Kind(models.TextChoices):
        PLEDGE = "pledge", _("Pledge (공약)")
        SUBPROJECT = "subproject", _("Sub-project (세부사업)")
        TASK = "task", _("Task (과제)")

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="projects")
    field = models.ForeignKey(Field, on_delete=models.SET_NULL, null=True, blank=True, related_name="projects")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PLEDGE)
    management_no = models.CharField(_("management no. (관리번호)"), max_length=20, blank=True)
    title = models.CharField(_("title (사업명)"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(_("category (사업구분)"), max_length=20, blank=True)  # 신규 / 계속
    owner = models.CharField(_("responsible body (사업주체)"), max_length=100, blank=True)
    period_start = models.PositiveSmallIntegerField(_("from (year)"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("to (year)"), null=True, blank=True)
    progress_state = models.CharField(_("state as written (추진상황)"), max_length=100, blank=True)
    actual_percent = models.DecimalField(
        _("actual progress (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    progress_override = models.DecimalField(
        _("progress set by hand (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    override_reason = models.CharField(_("reason for setting progress by hand"), max_length=300, blank=True)
    weight = models.DecimalField(_("weight in the parent's progress"), max_digits=6, decimal_places=2, default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ON_TRACK)
    budget_text = models.CharField(_("budget as written (소요예산)"), max_length=200, blank=True)
    budget_amount_krw = models.BigIntegerField(_("budget (KRW)"), null=True, blank=True)
    completion = models.CharField(_("completion (완료시기)"), max_length=20, blank=True)  # 임기 내 / 임기 후
    department_name = models.CharField(_("department (추진부서)"), max_length=100, blank=True)
    department_team = models.CharField(_("team"), max_length=100, blank=True)
    department_contact = models.CharField(_("contact person"), max_length=50, blank=True)
    department_phone = models.CharField(_("phone"), max_length=30, blank=True)
    cooperating = models.JSONField(_("cooperating bodies (협조부서)"), default=list, blank=True)
    final_goal = models.TextField(_("final goal (최종목표)"), blank=True)
    term_goal = models.TextField(_("goal within the term (임기 내 목표)"), blank=True)
    overview = models.JSONField(_("overview (사업개요)"), default=list, blank=True)
    detailed_plans = models.JSONField(_("detailed plans (세부추진계획)"), default=list, blank=True)
    yearly_plan_task = models.CharField(_("yearly plan: work item"), max_length=300, blank=True)
    communication = models.JSONField(_("resident communication (구민소통 실적)"), default=dict, blank=True)
    #: Where the card's 구민소통 counts come from: the communication records (the
    #: ``surveys.communications`` metric, when an app provides it) or the figures written on the card.
    communication_source = models.CharField(
        _("resident communication shown"),
        max_length=10,
        choices=[
            ("records", _("Counted from the communication records")),
            ("card", _("As written on the card")),
        ],
        default="records",
    )
    expected_effects = models.JSONField(_("expected effects (기대효과)"), default=list, blank=True)
    public = models.BooleanField(_("shown on the public pages"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["order", "management_no", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complex", "management_no"],
                condition=~models.Q(management_no=""),
                name="project_unique_management_no",
            ),
            models.CheckConstraint(
                condition=models.Q(actual_percent__gte=0, actual_percent__lte=100)
                | models.Q(actual_percent__isnull=True),
                name="project_percent_range",
            ),
            models.CheckConstraint(
                condition=models.Q(progress_override__isnull=True) | ~models.Q(override_reason=""),
                name="project_override_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.management_no} {self.title}".strip()


@audited
class YearTarget(models.Model):
    """One column of the yearly plan (연차별 추진계획): the planned % by year end and the planned work.

    ``year`` is empty for the "임기 후" (after the term) column.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="year_targets")
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    percent = models.DecimalField(_("planned %"), max_digits=5, decimal_places=1, null=True, blank=True)
    plan = models.TextField(_("planned work"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("yearly target")
        verbose_name_plural = _("yearly targets")
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.year or '임기 후'}: {self.percent}%"

    @property
    def complex_id(self):
        return self.project.complex_id


@audited
class Achievement(models.Model):
    """A dated achievement (추진실적) under a heading (□) and sub-heading (<…>), with notes (▷)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="achievements")
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    subheading = models.CharField(_("sub-heading"), max_length=300, blank=True)
    start = models.CharField(_("from (YYYY-MM)"), max_length=7)
    end = models.CharField(_("to (YYYY-MM)"), max_length=7, blank=True)
    text = models.TextField(_("achievement"))
    notes = models.JSONField(_("notes"), default=list, blank=True)
    order = models.PositiveIntegerField(default=0)
    report = models.ForeignKey(
        "ProgressReport", on_delete=models.SET_NULL, null=True, blank=True, related_name="applied_achievements"
    )
    # The records elsewhere in the platform this achievement is about (an agreement, a course,
    # a survey …) are core record links (``techvalley.core.links``), not fields here.

    class Meta:
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.start} {self.text[:60]}"

    @property
    def complex_id(self):
        return self.project.complex_id


@audited
class FuturePlan(models.Model):
    """A next step (금후계획), with its target month when the card gives one ('24.5.)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="future_plans")
    text = models.TextField(_("plan"))
    due = models.CharField(_("due (YYYY-MM)"), max_length=7, blank=True)
    done = models.BooleanField(_("done"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("future plan")
        verbose_name_plural = _("future plans")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def complex_id(self):
        return self.project.complex_id


@audited
class BudgetLine(models.Model):
    """One line of the pledge budget ledger (공약가계부): a year and a source, in KRW."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=20, choices=FundingSource.choices)
    planned = models.BigIntegerField(_("planned (KRW)"), default=0)
    secured = models.BigIntegerField(_("secured (KRW)"), default=0)
    spent = models.BigIntegerField(_("spent (KRW)"), default=0)
    note = models.CharField(_("source of the figure"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget ledger")
        ordering = ["year", "source"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "source"], name="budget_unique_line"),
            models.CheckConstraint(
                condition=models.Q(planned__gte=0, secured__gte=0, spent__gte=0), name="budget_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year} {self.source}"

    @property
    def complex_id(self):
        return self.project.complex_id


@audited
class ProgressReport(models.Model):
    """A quarterly progress report (분기별 추진실적 보고): the department drafts, the planning office
    approves (and the card is updated) or returns it with comments."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(q, f"{q}/4") for q in (1, 2, 3, 4)])
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    percent = models.DecimalField(_("progress (%)"), max_digits=5, decimal_places=1)
    summary = models.TextField(_("summary"), blank=True)
    new_achievements = models.JSONField(_("new achievements"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-year", "-quarter", "project_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "quarter"], name="report_unique_quarter"),
            models.CheckConstraint(condition=models.Q(percent__gte=0, percent__lte=100), name="report_percent_range"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year} {self.quarter}/4"

    @property
    def complex_id(self):
        return self.project.complex_id


def evidence_path(instance, filename: str) -> str:
    return f"evidence/{instance.report.project_id}/{instance.report_id}/{filename}"


@audited
class Evidence(models.Model):
    """A file attached to a report as evidence (증빙): a photo, an agreement, a press clipping."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path)
    name = models.CharField(_("name"), max_length=200)
    #: Chosen from the file's extension against a fixed list (never the uploader's claim); anything
    #: else (HTML, SVG, scripts) is stored as application/octet-stream and always downloaded.
    content_type = models.CharField(_("content type"), max_length=100, default="application/octet-stream")
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name

    @property
    def complex_id(self):
        return self.report.project.complex_id


class CardVersion(models.Model):
    """The whole card as it stood after an import or an approved report: the card's history."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="versions")
    card = models.JSONField()
    reason = models.CharField(max_length=200)
    actor_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project} @ {self.created_at:%Y-%m-%d %H:%M}"
