"""What the surveys app contributes through the spine (see core/spine.py): its pages and API, the
"Surveys" menu entry (officers and company users) and the officers' "Resident communication"
entry, dashboard panels, linkable record types (survey, candidate project, communication record),
search, its access table and the demo's survey step."""

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine
from techvalley.core.spine import ANYONE, OFFICERS, OWN_COMPANY, Access
from techvalley.surveys import panels, permissions

spine.pages("surveys/", "techvalley.surveys.urls")
spine.api("/surveys", "techvalley.surveys.api.router")
spine.nav(
    spine.NavEntry("surveys", _("Surveys"), "surveys:index", permissions.can_open_surveys, order=60),
    spine.NavEntry(
        "communication",
        _("Resident communication"),
        "surveys:communication_list",
        permissions.can_open_officer_pages,
        order=65,
        group="officer",
    ),
)
spine.panel(
    spine.Panel(
        "surveys-officer",
        _("Surveys"),
        panels.officer_figures,
        panels.sees_officer,
        order=50,
        audiences=frozenset({"officer"}),
    ),
    spine.Panel(
        "surveys-company",
        _("Surveys to answer"),
        panels.company_figures,
        panels.sees_company,
        order=50,
        audiences=frozenset({"company"}),
    ),
    spine.Panel(
        "resident-communication",
        _("Resident communication"),
        panels.communication_figures,
        order=70,
        audiences=frozenset({"complex"}),  # a count to know, not something to act on
    ),
)


def _survey_candidates(cx, query):
    from techvalley.surveys.models import Survey

    return Survey.objects.filter(complex=cx, title_ko__icontains=query)


def _survey_url(survey) -> str:
    from django.urls import reverse

    if survey.results_published:
        return reverse("surveys:public_results", args=[survey.pk])
    return reverse("surveys:survey_detail", args=[survey.pk])


def _candidate_candidates(cx, query):
    from techvalley.surveys.models import Candidate

    return Candidate.objects.filter(complex=cx, title__icontains=query)


def _communication_candidates(cx, query):
    from techvalley.surveys.models import CommunicationRecord

    return CommunicationRecord.objects.filter(complex=cx, title__icontains=query)


spine.linkable(
    spine.LinkableType(
        "surveys.survey",
        _("Survey"),
        "surveys.Survey",
        candidates=_survey_candidates,
        url=_survey_url,
        is_public=lambda s: s.results_published,
        title=lambda s: s.title_ko,
    ),
    spine.LinkableType(
        "surveys.candidate",
        _("Candidate project"),
        "surveys.Candidate",
        candidates=_candidate_candidates,
        url=lambda c: c.get_absolute_url(),
        is_public=lambda c: False,
        title=lambda c: c.title,
    ),
    spine.LinkableType(
        "surveys.communication",
        _("Resident communication"),
        "surveys.CommunicationRecord",
        candidates=_communication_candidates,
        url=lambda r: r.get_absolute_url(),
        is_public=lambda r: False,  # the records' page is the officers'; the card shows their counts
        title=str,
    ),
)


def _communications(complex, *, years=None, public_only: bool = False) -> dict:
    """Metric ``surveys.communications``: the complex's resident communication (구민소통 실적),
    counted from the communication records — what the plan card shows in its 【구민소통 실적】 table.

    Parameters: ``years`` — an iterable of years (the pledge's period, e.g. ``range(2022, 2028)``),
    or None for every year; ``public_only`` — count only records marked "may be shown publicly"
    (public pages and public documents pass True).

    Returns ``{"by_kind": {kind: {year: n}}, "by_year": {year: n}, "total": n, "kinds": {kind: label},
    "as_of": "YYYY-MM-DD", "latest": "YYYY-MM-DD" | None}``, where ``kind`` is one of briefing,
    report (설명회·보고회), satisfaction, resident_survey (만족도·설문조사), expert (민간전문가 자문),
    press (언론·방송 보도), other (기타); ``as_of`` is the day counted and ``latest`` the date of the
    last record counted. Counts only: no record's title, place or attendees. A bad ``years``
    value raises ``BadInput``.
    """
    from techvalley.core.validation import BadInput
    from techvalley.surveys import selectors

    if years is not None:
        try:
            years = [int(y) for y in years]
        except (TypeError, ValueError):
            raise BadInput("연도 목록이 올바르지 않습니다. / years must be a list of years.", field="years") from None
    return selectors.communication_counts(complex, years=years, public_only=bool(public_only))


spine.metric(
    spine.Metric(
        "surveys.communications",
        _("Resident communication"),
        _communications,
        unit=_("times"),
        source=_("Communication records of the district"),
    )
)


def _results_rows(cx):
    from techvalley.surveys import opendata

    return opendata.rows(cx)


def _results_updated(cx):
    from techvalley.surveys import opendata

    return opendata.updated(cx)


def _results_columns():
    from techvalley.surveys.opendata import COLUMNS

    return COLUMNS


spine.dataset(
    spine.Dataset(
        "surveys.published_results",
        _("Published survey results"),
        _(
            "The published results of the complex's surveys: for each choice question and choice, how many "
            "responses chose it and their share of those who answered. Counts over all responses only — no single "
            "answer, free text, response or company. Simulated (demonstration) surveys are marked."
        ),
        _results_columns(),
        _results_rows,
        _results_updated,
        source=_("Surveys of the district on the platform (수요조사)"),
        order=60,
    )
)
#: The public counts of resident communication (구민소통 실적) as open data: what the complex's
#: "Resident communication" figures count for the public, by year and kind. Counts only (no
#: title, place or attendees), of the records marked "may be shown publicly". Its strings are
#: Korean-first and bilingual (the portal shows them as they are).
COMMUNICATION_DATASET = "surveys.communication_counts"
COMMUNICATION_COLUMNS = (
    spine.Column("year", "integer", _("year the communication took place")),
    spine.Column(
        "kind",
        "string",
        _("kind code: briefing, report, satisfaction, resident_survey, expert, press, other"),
    ),
    spine.Column("kind_name", "string", _("kind of communication, in Korean")),
    spine.Column("records", "integer", _("records of that kind and year"), "times"),
    spine.Column("simulated", "integer", _("of them simulated (demo) records"), "times"),
)


def _communication_rows(cx):
    """(year, kind, kind name, records, simulated records) — oldest year first, kinds in the
    order of the card — of the public records, counted in the database."""
    from django.db.models import Count, Q
    from django.db.models.functions import ExtractYear

    from techvalley.surveys.models import CommunicationKind, CommunicationRecord

    grouped = (
        CommunicationRecord.objects.filter(complex=cx, public=True)
        .annotate(year=ExtractYear("held_on"))
        .values("year", "kind")
        .annotate(n=Count("id"), sim=Count("id", filter=Q(simulated=True)))
        .order_by()
    )
    from django.utils import translation

    order = {k: i for i, k in enumerate(CommunicationKind.values)}
    with translation.override("ko"):  # open data in one language, whoever asks (as the registry's names)
        labels = {k: str(label) for k, label in CommunicationKind.choices}
    for row in sorted(grouped, key=lambda r: (r["year"], order.get(r["kind"], len(order)))):
        yield (row["year"], row["kind"], labels.get(row["kind"], row["kind"]), row["n"], row["sim"])


def _communication_updated(cx):
    from django.db.models import Max

    from techvalley.surveys.models import CommunicationRecord

    last = CommunicationRecord.objects.filter(complex=cx, public=True).aggregate(last=Max("updated_at"))["last"]
    return last.date() if last else None


spine.dataset(
    spine.Dataset(
        COMMUNICATION_DATASET,
        _("Resident communication"),
        _(
            "How often the district communicated with residents (briefings and report meetings, satisfaction and "
            "resident surveys, expert consultations, press coverage …), by year and kind: counts of the records "
            "marked public only, without titles, places or attendees."
        ),
        COMMUNICATION_COLUMNS,
        _communication_rows,
        _communication_updated,
        source=_("Communication records of the district"),
        order=65,
    )
)

spine.search(spine.SearchProvider("surveys", _("Surveys"), panels.search, order=70))

COMPANY_USERS = frozenset({"member", "manager"})
QUESTION_FORM = {"code": "access_q", "type": "short_text", "label_ko": "접근 시험", "cond_op": "equals"}
ANSWERS = {"overall": "4", "useful": "yes", "comments": "좋았습니다"}
SURVEY_FORM = {"slug": "access-new", "template": "blank"}
SURVEY_SETTINGS = {"title_ko": "접근 시험 설문", "closes_on": "2099-12-31"}
CANDIDATE_FORM = {"title": "후보", "estimated_companies": 3, "estimated_cost_million_krw": 10, "status": "proposed"}
COMMUNICATION_FORM = {"kind": "briefing", "title": "설명회", "held_on": "2024-05-02", "public": "on"}


def _promote_body(objects, side):
    """A valid promotion: under the plan heading of the test's complex (tests/surveys/access_objects.py)."""
    heading = objects.get("plan_heading", {}).get("a", {}).get("pk", "")
    return {"parent": heading, "title": "승격 시험 세부사업", "budget_million_krw": "50"}


spine.access(
    "surveys",
    [
        Access("surveys:index", OFFICERS | COMPANY_USERS, note="officers: the surveys; companies: theirs to answer"),
        Access("surveys:survey_new", OFFICERS),
        Access("surveys:survey_new", OFFICERS, method="POST", body=SURVEY_FORM),
        Access("surveys:survey_detail", OFFICERS, obj="survey"),
        Access("surveys:survey_edit", OFFICERS, obj="survey"),
        Access("surveys:survey_edit", OFFICERS, obj="survey", method="POST", body=SURVEY_SETTINGS),
        Access("surveys:survey_status", OFFICERS, obj="survey", method="POST", body={"status": "open"}),
        Access("surveys:section_new", OFFICERS, obj="survey", method="POST", body={"title_ko": "8. 기타"}),
        Access("surveys:question_new", OFFICERS, obj="survey"),
        Access("surveys:question_new", OFFICERS, obj="survey", method="POST", body=QUESTION_FORM),
        Access("surveys:question_edit", OFFICERS, obj="question"),
        Access("surveys:question_edit", OFFICERS, obj="question", method="POST", body=QUESTION_FORM),
        Access("surveys:question_delete", OFFICERS, obj="question", method="POST"),
        Access("surveys:tracking", OFFICERS, obj="survey"),
        Access("surveys:invite", OFFICERS, obj="survey", method="POST"),
        Access("surveys:remind", OFFICERS, obj="survey", method="POST"),
        Access("surveys:answer", COMPANY_USERS, obj="survey", note="a company member's way to its own link"),
        Access("surveys:respond", ANYONE, obj="token", note="the signed link is the credential"),
        Access("surveys:respond", ANYONE, obj="token", method="POST", body=ANSWERS),
        Access("surveys:response_detail", OFFICERS | OWN_COMPANY, obj="response"),
        Access("surveys:response_file", OFFICERS | OWN_COMPANY, obj="response", params={"code": "attachment"}),
        Access("surveys:results", OFFICERS, obj="survey"),
        Access("surveys:publish", OFFICERS, obj="survey", method="POST", body={"published": "1"}),
        Access("surveys:public_results", ANYONE, obj="published_survey"),
        Access("surveys:export_csv", OFFICERS, obj="survey"),
        Access("surveys:export_xlsx", OFFICERS, obj="survey"),
        Access("surveys:import", OFFICERS, obj="survey"),
        Access("surveys:import", OFFICERS, obj="survey", method="POST"),
        Access("surveys:candidate_list", OFFICERS),
        Access("surveys:candidate_new", OFFICERS, method="POST", body={"title": "에너지 비용 절감"}),
        Access("surveys:candidate_detail", OFFICERS, obj="candidate"),
        Access("surveys:candidate_detail", OFFICERS, obj="candidate", method="POST", body=CANDIDATE_FORM),
        Access(
            "surveys:candidate_promote",
            OFFICERS,
            obj="candidate",
            method="POST",
            body=_promote_body,
            note="plan tracking's action projects.subproject, offered to officers",
        ),
        Access("surveys:communication_list", OFFICERS),
        Access("surveys:communication_new", OFFICERS),
        Access("surveys:communication_new", OFFICERS, method="POST", body=COMMUNICATION_FORM),
        Access("surveys:communication_edit", OFFICERS, obj="communication"),
        Access("surveys:communication_edit", OFFICERS, obj="communication", method="POST", body=COMMUNICATION_FORM),
        Access("surveys:communication_delete", OFFICERS, obj="communication", method="POST"),
        Access("api:GET /surveys/", OFFICERS),
        Access("api:GET /surveys/{survey_id}", OFFICERS, obj="survey"),
        Access("api:GET /surveys/{survey_id}/analysis", OFFICERS, obj="survey"),
        Access("api:GET /surveys/responses/{response_id}", OFFICERS | OWN_COMPANY, obj="response"),
        Access("api:GET /surveys/communication/counts", ANYONE, note="counts only, public"),
    ],
)


def _demo(summary: dict, options: dict) -> dict:
    from techvalley.core.models import Complex
    from techvalley.surveys.demo import load_surveys_demo

    return load_surveys_demo(Complex.objects.get(slug=summary["complex"]))


spine.demo_step(
    spine.DemoStep("surveys", "demand survey 2023 (simulated answers), communication records", _demo, order=40)
)


def _load_theme_model() -> None:
    """The Korean model behind free-text themes (a few seconds to load)."""
    from techvalley.surveys.themes import kiwi

    kiwi().tokenize("설문 응답")


spine.warmup(_load_theme_model)
