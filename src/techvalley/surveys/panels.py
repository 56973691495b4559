"""Dashboard figures and site search of the surveys app (scoped to the viewer)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techvalley.core import spine
from techvalley.surveys import permissions, selectors
from techvalley.surveys.models import Candidate, CommunicationRecord, Invitation, Survey, SurveyStatus


def sees_officer(viewer, complex) -> bool:
    return permissions.can_manage_surveys(viewer, complex)


def sees_company(viewer, complex) -> bool:
    return permissions.own_companies(viewer, complex).exists()


def open_surveys_counted(viewer, complex, limit: int = 3) -> tuple[int, list[Survey]]:
    """``(open surveys, the newest ``limit`` of them)``, each with ``n_invited`` and ``n_answered``.

    The same counts as ``selectors.surveys_of`` (distinct invitations, answered ones), but counted
    in one grouped query over the invitations of the surveys shown: counting invitations and
    responses in one query joins every invitation with every response of a survey."""
    if not permissions.can_manage_surveys(viewer, complex):
        raise PermissionDenied(selectors.OFFICERS_ONLY)
    qs = Survey.objects.filter(complex=complex, status=SurveyStatus.OPEN)
    shown = list(qs.order_by("-created_at", "-id")[:limit])
    total = len(shown) if len(shown) < limit else qs.count()
    counts = {
        row["survey_id"]: row
        for row in Invitation.objects.filter(survey__in=shown)
        .values("survey_id")
        .annotate(invited=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
        .order_by()
    }
    for s in shown:
        row = counts.get(s.pk, {})
        s.n_invited, s.n_answered = row.get("invited", 0), row.get("answered", 0)
    return total, shown


def officer_figures(viewer, complex) -> list[spine.Figure]:
    n_open, surveys = open_surveys_counted(viewer, complex)
    figures = [
        spine.Figure(
            "surveys-open",
            _("Open surveys"),
            n_open,
            source=_("Surveys on the platform"),
            as_of=timezone.localdate(),
            url=reverse("surveys:index"),
        )
    ]
    for s in surveys:
        rate = round(100 * s.n_answered / s.n_invited) if s.n_invited else 0
        figures.append(
            spine.Figure(
                f"surveys-rate-{s.pk}",
                _("Response rate: %(title)s") % {"title": s.title_ko},
                rate,
                unit="%",
                source=_("%(a)s of %(i)s invited companies answered") % {"a": s.n_answered, "i": s.n_invited},
                as_of=timezone.localdate(),
                url=reverse("surveys:tracking", args=[s.pk]),
                note=_("simulated") if s.simulated else "",
            )
        )
    figures.append(
        spine.Figure(
            "surveys-candidates",
            _("Candidate projects"),
            Candidate.objects.filter(complex=complex).count(),
            source=_("Candidate board"),
            as_of=timezone.localdate(),
            url=reverse("surveys:candidate_list"),
        )
    )
    return figures


def company_figures(viewer, complex) -> list[spine.Figure]:
    """A company's home: how many open surveys its companies have yet to answer, then each of them
    (up to five) with a link straight to the company's own answer form and the closing date."""
    items = selectors.to_answer(viewer, complex)
    pending = [i for i in items if not i["answered"]]
    today = timezone.localdate()
    figures = [
        spine.Figure(
            "surveys-to-answer",
            _("Surveys to answer"),
            len(pending),
            source=_("Open surveys of the district"),
            as_of=today,
            url=reverse("surveys:index"),
            note=", ".join(i["survey"].title_ko for i in pending[:3]),
        )
    ]
    for i in pending[:5]:
        survey, company = i["survey"], i["company"]
        closes = (
            _("answers until %(date)s") % {"date": f"{survey.closes_on:%Y-%m-%d}"}
            if survey.closes_on
            else _("open until the district closes it")
        )
        figures.append(
            spine.Figure(
                f"surveys-answer-{survey.pk}-{company.pk}",
                survey.title_ko,
                _("to answer"),
                source=company.name,
                as_of=today,
                url=reverse("surveys:answer", args=[survey.pk]),
                note=closes,
            )
        )
    return figures


def public_url() -> str:
    """Where the public follows the communication counts: the open dataset's page (the counts by
    year and kind, downloadable), else the public API that answers them."""
    from django.urls import NoReverseMatch

    from techvalley.surveys.contributions import COMMUNICATION_DATASET

    try:
        return reverse("portal:dataset", kwargs={"key": COMMUNICATION_DATASET})
    except NoReverseMatch:  # no portal installed
        return reverse("api:communication_counts")


def communication_figures(viewer, complex) -> list[spine.Figure]:
    """The plan card's 구민소통 실적: records counted by kind (all years), keyed ``communication-<kind>``."""
    counts = selectors.communication_counts(
        complex, public_only=not permissions.can_keep_communication(viewer, complex)
    )
    url = reverse("surveys:communication_list") if permissions.can_keep_communication(viewer, complex) else public_url()
    figures = [
        spine.Figure(
            "communication-total",
            _("Resident communication"),
            counts["total"],
            unit=_("times"),
            source=_("Communication records of the district"),
            as_of=timezone.localdate(),
            url=url,
        )
    ]
    for kind, by_year in counts["by_kind"].items():
        figures.append(
            spine.Figure(
                f"communication-{kind}",
                counts["kinds"][kind],
                sum(by_year.values()),
                unit=_("times"),
                source=_("Communication records of the district"),
                as_of=timezone.localdate(),
                url=url,
            )
        )
    return figures


def search(viewer, complex, query: str, limit: int) -> list[spine.SearchHit]:
    hits: list[spine.SearchHit] = []
    if permissions.can_manage_surveys(viewer, complex):
        for s in Survey.objects.filter(complex=complex, title_ko__icontains=query)[:limit]:
            hits.append(spine.SearchHit(s.title_ko, reverse("surveys:survey_detail", args=[s.pk]), _("Survey")))
        for c in Candidate.objects.filter(complex=complex, title__icontains=query)[:limit]:
            hits.append(
                spine.SearchHit(c.title, reverse("surveys:candidate_detail", args=[c.pk]), _("Candidate project"))
            )
        for r in CommunicationRecord.objects.filter(complex=complex, title__icontains=query)[:limit]:
            hits.append(
                spine.SearchHit(str(r), reverse("surveys:communication_edit", args=[r.pk]), _("Resident communication"))
            )
    else:
        for s in Survey.objects.filter(complex=complex, results_published=True, title_ko__icontains=query)[:limit]:
            hits.append(
                spine.SearchHit(s.title_ko, reverse("surveys:public_results", args=[s.pk]), _("Survey results"))
            )
    return hits[:limit]
