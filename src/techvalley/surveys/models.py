"""Demand surveys (수요조사), their questions, invitations and responses; candidate projects found in
the answers; and the district's resident communication records (구민소통)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techvalley.core.audit import audited
from techvalley.core.models import Complex
from techvalley.registry.models import Company
from techvalley.surveys import questions as q


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("survey status", "Draft")
    OPEN = "open", pgettext_lazy("survey status", "Open")
    CLOSED = "closed", pgettext_lazy("survey status", "Closed")


@audited
class Survey(models.Model):
    """A questionnaire the district sends to the complex's companies (설문, e.g. 혁신계획 수립
    수요조사). Built as a draft, opened to collect answers, closed when the period ends; its
    results may be published without identifying data."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+", verbose_name=_("complex"))
    slug = models.SlugField(_("short name"), max_length=80)
    title_ko = models.CharField(_("title (Korean)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_ko = models.TextField(_("introduction (Korean)"), blank=True)
    description_en = models.TextField(_("introduction (English)"), blank=True)
    template = models.CharField(_("template"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    opens_on = models.DateField(_("opens"), null=True, blank=True)
    closes_on = models.DateField(_("closes"), null=True, blank=True)
    anonymous = models.BooleanField(
        _("anonymous"), default=False, help_text=_("Answers are stored without the company that gave them.")
    )
    results_published = models.BooleanField(_("results published"), default=False)
    simulated = models.BooleanField(_("simulated (demo data)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["complex", "slug"], name="survey_unique_slug")]

    def __str__(self) -> str:
        return self.title_ko

    def get_absolute_url(self) -> str:
        return reverse("surveys:survey_detail", args=[self.pk])

    def title(self, lang: str = "ko") -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_ko

    @property
    def accepting(self) -> bool:
        """Whether answers may be given or changed now (open, and not past its closing day)."""
        from django.utils import timezone

        today = timezone.localdate()
        if self.status != SurveyStatus.OPEN:
            return False
        return self.closes_on is None or today <= self.closes_on


@audited
class Section(models.Model):
    """A titled part of a questionnaire (문항 묶음)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(default=0)
    title_ko = models.CharField(_("title (Korean)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title_ko

    @property
    def complex_id(self):
        return self.survey.complex_id


class QuestionType(models.TextChoices):
    SINGLE = q.SINGLE, _("Single choice")
    MULTIPLE = q.MULTIPLE, _("Multiple choice")
    SCALE = q.SCALE, _("Scale")
    NUMBER = q.NUMBER, _("Number")
    SHORT_TEXT = q.SHORT_TEXT, _("Short text")
    LONG_TEXT = q.LONG_TEXT, _("Long text")
    MATRIX = q.MATRIX, _("Matrix")
    RANKING = q.RANKING, _("Ranking")
    FILE = q.FILE, _("File upload")


@audited
class Question(models.Model):
    """One question (문항): its code (the column name in imports and exports), type, Korean and
    English labels, choices, and the condition on an earlier answer under which it is shown."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions", null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    code = models.CharField(_("code"), max_length=40)
    type = models.CharField(_("type"), max_length=12, choices=QuestionType.choices)
    label_ko = models.CharField(_("question (Korean)"), max_length=300)
    label_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    help_ko = models.CharField(_("help (Korean)"), max_length=300, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)  # [{"value", "ko", "en"}]
    rows = models.JSONField(_("matrix rows"), default=list, blank=True)
    config = models.JSONField(_("settings"), default=dict, blank=True)
    condition = models.JSONField(_("display condition"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="question_unique_code")]

    def __str__(self) -> str:
        return f"{self.code}: {self.label_ko}"

    @property
    def complex_id(self):
        return self.survey.complex_id

    def spec(self) -> q.Spec:
        return q.Spec(
            code=self.code,
            type=self.type,
            label_ko=self.label_ko,
            label_en=self.label_en,
            required=self.required,
            choices=tuple(self.choices or ()),
            rows=tuple(self.rows or ()),
            config=dict(self.config or {}),
            condition=self.condition or None,
        )

    def label(self, lang: str = "ko") -> str:
        return self.label_en if lang == "en" and self.label_en else self.label_ko


@audited
class Invitation(models.Model):
    """A company's invitation to answer (설문 요청): its link carries a token signed with this
    record's id and nonce, so it needs no login; a new nonce revokes the old link. Records when
    it was sent, reminded and answered (for anonymous surveys the only trace of who answered)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="survey_invitations")
    nonce = models.CharField(_("link key"), max_length=32)
    email = models.EmailField(_("sent to"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("reminders"), default=0)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["company__name", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "company"], name="invitation_one_per_company")]

    def __str__(self) -> str:
        return f"{self.survey} → {self.company}"


class ResponseSource(models.TextChoices):
    WEB = "web", _("Answered online")
    IMPORT = "import", _("Imported (paper, phone, other tool)")
    SIMULATED = "simulated", _("Simulated (demo)")


@audited
class Response(models.Model):
    """One company's answers to a survey (응답). At most one per company (a database constraint),
    editable until the survey closes. In an anonymous survey ``company`` stays empty and only the
    segment (KSIC division, size class, technology level, 법정동) is kept for cross-tabs."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_responses"
    )
    ref = models.CharField(_("external reference"), max_length=100, blank=True)
    source = models.CharField(
        pgettext_lazy("surveys", "source"), max_length=10, choices=ResponseSource.choices, default=ResponseSource.WEB
    )
    answers = models.JSONField(_("answers"), default=dict)
    segment = models.JSONField(_("segment"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "company"], condition=Q(company__isnull=False), name="response_one_per_company"
            ),
            models.UniqueConstraint(fields=["survey", "ref"], condition=~Q(ref=""), name="response_unique_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.ref or self.pk}"

    @property
    def key(self) -> str:
        """How analysis names the response: its external reference, or its id."""
        return self.ref or str(self.pk)


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("candidate status", "Proposed")
    SELECTED = "selected", pgettext_lazy("candidate status", "Selected for the plan")
    PROMOTED = "promoted", pgettext_lazy("candidate status", "Promoted to a sub-project")
    DROPPED = "dropped", pgettext_lazy("candidate status", "Dropped")


@audited
class Candidate(models.Model):
    """A candidate project (필요사업 후보) found in the answers: a theme with the responses that
    support it, the companies likely to take part and an estimated cost, on the way to a plan
    sub-project (the projects app links the sub-project back to it)."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidates")
    title = models.CharField(pgettext_lazy("surveys", "title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    question_code = models.CharField(_("from question"), max_length=40, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    responses = models.ManyToManyField(Response, blank=True, related_name="candidates", verbose_name=_("answers"))
    estimated_companies = models.PositiveIntegerField(_("estimated demand (companies)"), default=0)
    estimated_cost_million_krw = models.PositiveBigIntegerField(_("estimated cost (million KRW)"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PROPOSED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("candidate project")
        verbose_name_plural = _("candidate projects")
        ordering = ["-estimated_companies", "title", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:candidate_detail", args=[self.pk])


class CommunicationKind(models.TextChoices):
    BRIEFING = "briefing", _("Briefing (설명회)")
    REPORT = "report", _("Report meeting (보고회)")
    SATISFACTION = "satisfaction", _("Satisfaction survey (만족도 조사)")
    RESIDENT_SURVEY = "resident_survey", _("Resident survey (주민 설문)")
    EXPERT = "expert", _("Expert consultation (전문가 자문)")
    PRESS = "press", _("Press coverage (언론 보도)")
    OTHER = "other", _("Other contact")


@audited
class CommunicationRecord(models.Model):
    """One act of resident communication (구민소통 실적): a briefing or report meeting, a
    satisfaction or resident survey, an expert consultation, press coverage or another contact,
    recorded once with its date, place, attendees and materials. The plan card counts these."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=CommunicationKind.choices)
    title = models.CharField(pgettext_lazy("surveys", "title"), max_length=200)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.PositiveIntegerField(pgettext_lazy("number of people", "attendees"), null=True, blank=True)
    attendees_note = models.CharField(_("who attended"), max_length=300, blank=True)
    materials = models.TextField(_("materials"), blank=True, help_text=_("Documents handed out or shown, one a line."))
    survey = models.ForeignKey(
        Survey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("survey")
    )
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("may be shown publicly"), default=True)
    simulated = models.BooleanField(_("simulated (demo data)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("communication record")
        verbose_name_plural = _("communication records")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["complex", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:communication_edit", args=[self.pk])


@audited
class Message(models.Model):
    """An invitation or reminder e-mail waiting to be sent, or sent (the survey's outbox)."""

    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="+")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("e-mail kind"), max_length=10, default="invite")  # invite | reminder
    to = models.EmailField(_("recipient"), blank=True)
    subject = models.CharField(_("e-mail subject"), max_length=200)
    body = models.TextField(_("e-mail text"))
    queued_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("sending error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("survey message")
        verbose_name_plural = _("survey messages")
        ordering = ["-queued_at", "-id"]

    def __str__(self) -> str:
        return self.subject
