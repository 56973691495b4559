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

    def audit_withholds_values(self) -> bool:
        """An anonymous survey's answers and segment never enter the audit trail, not even when the
        response is deleted (core.audit asks)."""
        return Survey.objects.filter(pk=self.survey_id, anonymous=True).exists()

    @classmethod
    def describe_audit(cls, readable: list) -> None:
        """Answers and segment in words in the audit trail, in place of the stored codes: each answer
        under its question's text with choices by their labels ("전반적으로 만족하십니까?: 5 · 내용이
        도움이 되었습니까?: 예", not "5 · yes"), the segment as "KSIC 25 · 소기업 (10–49명) · 중저기술 ·
        장림동" (not "25 · small · medium_low · 장림동").

        ``readable``: the audit reader's entries of this model (``core.selectors.ReadableEntry``,
        whose ``changes`` hold ``field``, ``old``, ``new``), changed in place. Two queries whatever
        their number. Anonymous responses leave no values in the trail (``services.store_anonymous``)."""
        from django.utils.translation import get_language

        lang = "en" if (get_language() or "ko").startswith("en") else "ko"
        wanted = [r for r in readable if any(c.field in ("answers", "segment") for c in r.changes)]
        if not wanted:
            return
        survey_of: dict[str, int] = {}
        look_up = []
        for r in wanted:
            pair = (r.entry.changes or {}).get("survey_id")
            known = next((v for v in pair if v is not None), None) if isinstance(pair, list) else None
            if known is not None:
                survey_of[r.entry.object_id] = int(known)
            else:
                look_up.append(r.entry.object_id)
        ids = [int(x) for x in look_up if str(x).isdigit()]
        for pk, survey_id in cls.objects.filter(pk__in=ids).values_list("pk", "survey_id"):
            survey_of[str(pk)] = survey_id
        specs: dict[int, list[q.Spec]] = {}
        for x in Question.objects.filter(survey_id__in=set(survey_of.values())).order_by("order", "id"):
            specs.setdefault(x.survey_id, []).append(x.spec())
        for r in wanted:
            questions = specs.get(survey_of.get(r.entry.object_id), [])
            for c in r.changes:
                if c.field == "answers":
                    c.old, c.new = (_answers_text(questions, v, lang) for v in _pair(r.entry, "answers"))
                elif c.field == "segment":
                    c.old, c.new = (segment_text(v) for v in _pair(r.entry, "segment"))


def _pair(entry, field: str) -> tuple:
    pair = (entry.changes or {}).get(field)
    return tuple((list(pair) + [None, None])[:2]) if isinstance(pair, list) else (None, pair)


def _answers_text(specs: list[q.Spec], answers, lang: str) -> str:
    """A response's answers as a person reads them, question by question (unknown codes as stored)."""
    if not isinstance(answers, dict) or not answers:
        return "—"
    known = {s.code for s in specs}
    parts = [f"{s.label(lang)}: {q.answer_text(s, answers[s.code], lang)}" for s in specs if s.code in answers]
    parts += [f"{code}: {value}" for code, value in answers.items() if code not in known]
    return " · ".join(parts)


def segment_text(segment) -> str:
    """A response's segment in words: KSIC division, size class, technology level, 법정동."""
    from techvalley.registry import labels as registry_labels
    from techvalley.registry.models import SizeClass

    if not isinstance(segment, dict) or not segment:
        return "—"
    unknown = str(_("Unknown"))
    words = []
    division = segment.get("division")
    if division:
        words.append(unknown if division == "unknown" else f"KSIC {division}")
    size = segment.get("size_class")
    if size:
        words.append(str(dict(SizeClass.choices).get(size, size)))
    tech = segment.get("tech_intensity")
    if tech:
        words.append(str(registry_labels.INTENSITIES.get(tech, tech)))
    dong = segment.get("legal_dong")
    if dong:
        words.append(unknown if dong == "unknown" else dong)
    return " · ".join(words)


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
