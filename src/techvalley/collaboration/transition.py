"""The cooperation module's part of each company's transition record and its open datasets
(registered in ``contributions.py``).

A company takes part in cooperation as a party of an agreement or a participant of a joint
programme (a ``Partner`` that is the registry's company), or through the pipeline (a match taken
up to a joint project, with outcomes). Events are scoped to the viewer: public agreements and
programmes for anyone; private ones, the pipeline and its outcomes for the company's own people
and the officers. Signals are counts for the portal's stage rule, computed for many companies in
a fixed number of queries (never one per company).

The datasets hold nothing personal: no follow-up owners, no contacts, no experts' names.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from techvalley.collaboration import eligibility, permissions
from techvalley.collaboration.models import (
    TECHNOLOGY_OUTCOMES,
    Agreement,
    AgreementParty,
    BudgetSource,
    Engagement,
    Outcome,
    Programme,
    SupportProgramme,
)
from techvalley.core import spine
from techvalley.core.scoping import Viewer

KEY = "collaboration"
SOURCE = "collaboration"


# --- events ------------------------------------------------------------------------------


def events(company, viewer: Viewer) -> list[spine.TimelineEvent]:
    """Agreements signed, programmes joined, joint projects started and their outcomes."""
    private = permissions.can_view_company_cooperation(viewer, company)
    out: list[spine.TimelineEvent] = []
    parties = AgreementParty.objects.filter(partner__company=company).select_related("agreement", "partner")
    for party in parties:
        a = party.agreement
        if not (a.is_public or private):
            continue
        out.append(
            spine.TimelineEvent(
                a.signed_on,
                "collaboration.agreement",
                _("Agreement signed: %(title)s") % {"title": a.title},
                party.role or "",
                a.get_absolute_url(),
                _("cooperation records of the district office"),
            )
        )
    for p in Programme.objects.filter(participants__company=company).distinct():
        if p.starts_on is None or not (p.is_public or private):
            continue
        out.append(
            spine.TimelineEvent(
                p.starts_on,
                "collaboration.programme",
                _("Joined the joint programme: %(title)s") % {"title": p.title},
                p.funder,
                p.get_absolute_url(),
                _("cooperation records of the district office"),
            )
        )
    if private:
        out += _pipeline_events(company)
    return sorted(out, key=lambda e: e.date)


def _pipeline_events(company) -> list[spine.TimelineEvent]:
    out = []
    engagements = Engagement.objects.filter(company=company).select_related("expert", "support")
    for e in engagements.prefetch_related("outcomes"):
        partner = e.expert.org if e.expert else (e.support.title if e.support else "")
        url = e.need.get_absolute_url() if e.need_id else ""
        if e.project_on:
            out.append(
                spine.TimelineEvent(
                    e.project_on,
                    "collaboration.joint_project",
                    _("Joint project started with %(partner)s") % {"partner": partner},
                    str(e.expert or e.support or ""),
                    url,
                    _("matching and its outcomes"),
                )
            )
        for o in e.outcomes.all():
            out.append(
                spine.TimelineEvent(
                    o.on,
                    f"collaboration.outcome.{o.kind}",
                    _("%(kind)s from cooperation with %(partner)s")
                    % {"kind": o.get_kind_display(), "partner": partner},
                    o.description,
                    url,
                    _("matching and its outcomes"),
                )
            )
    return out


# --- signals -----------------------------------------------------------------------------


def signals(companies, as_of: dt.date | None = None) -> dict[int, list[spine.CompanySignal]]:
    """``collaborations``: agreements signed and joint programmes started up to ``as_of`` that the
    company takes part in, plus matches taken up to a joint project; ``collaboration_outcomes``:
    patents, products and technology transfers recorded from them. Four queries in all."""
    ids = [c.pk for c in companies]
    if not ids:
        return {}
    day = as_of or dt.date.today()
    counts: dict[int, int] = defaultdict(int)
    agreements = (
        AgreementParty.objects.filter(partner__company_id__in=ids, agreement__signed_on__lte=day)
        .values("partner__company_id")
        .annotate(n=Count("agreement", distinct=True))
    )
    for row in agreements:
        counts[row["partner__company_id"]] += row["n"]
    started = Q(starts_on__lte=day) | (Q(starts_on__isnull=True) if as_of is None else Q(pk__in=[]))
    programmes = (
        Programme.objects.filter(started, participants__company_id__in=ids)
        .values("participants__company_id")
        .annotate(n=Count("id", distinct=True))
    )
    for row in programmes:
        counts[row["participants__company_id"]] += row["n"]
    projects = (
        Engagement.objects.filter(company_id__in=ids, project_on__lte=day).values("company_id").annotate(n=Count("id"))
    )
    for row in projects:
        counts[row["company_id"]] += row["n"]
    outcomes = dict(
        Outcome.objects.filter(engagement__company_id__in=ids, kind__in=TECHNOLOGY_OUTCOMES, on__lte=day)
        .values("engagement__company_id")
        .annotate(n=Count("id"))
        .values_list("engagement__company_id", "n")
    )
    source = _("cooperation records of the district office")
    collab_label = _("Agreements, joint programmes and joint projects")
    outcome_label = _("Patents, products and technology transfers from cooperation")
    return {
        cid: [
            spine.CompanySignal("collaborations", collab_label, counts.get(cid, 0), day, source),
            spine.CompanySignal("collaboration_outcomes", outcome_label, outcomes.get(cid, 0), day, source),
        ]
        for cid in ids
    }


# --- open datasets -------------------------------------------------------------------------


def _status(a: Agreement, today: dt.date) -> str:
    return {"active": "in force", "expired": "expired", "terminated": "terminated"}[a.status_on(today)]


def agreement_rows(cx):
    today = dt.date.today()
    qs = (
        Agreement.objects.filter(complex=cx, is_public=True)
        .prefetch_related("parties__partner")
        .annotate(n_programmes=Count("programmes", filter=Q(programmes__is_public=True), distinct=True))
        .order_by("signed_on", "title")
    )
    for a in qs:
        parties = [p.partner for p in a.parties.all()]
        yield (
            a.title,
            a.signed_on,
            a.starts_on,
            a.ends_on,
            _status(a, today),
            "; ".join(p.name for p in parties),
            "; ".join(p.kind for p in parties),
            len(parties),
            a.purpose,
            a.n_programmes,
            a.estimated,
        )


def _updated(cx, model_label: str, fallback) -> dt.date | None:
    from techvalley.core.models import AuditEntry

    at = AuditEntry.objects.filter(complex=cx, model=model_label).aggregate(at=Max("at"))["at"]
    return at.date() if at else fallback


def agreements_updated(cx):
    fallback = Agreement.objects.filter(complex=cx, is_public=True).aggregate(d=Max("created_at"))["d"]
    return _updated(cx, "collaboration.Agreement", fallback.date() if fallback else None)


def programme_rows(cx):
    qs = (
        Programme.objects.filter(complex=cx, is_public=True)
        .prefetch_related("participants", "budget", "kpis")
        .order_by("starts_on", "title")
    )
    for p in qs:
        budget = {s: 0 for s in BudgetSource.values}
        for line in p.budget.all():
            budget[line.source] += line.amount_krw
        yield (
            p.title,
            p.funder,
            p.starts_on,
            p.ends_on,
            p.status,
            "; ".join(x.name for x in p.participants.all()),
            budget["national"],
            budget["city"],
            budget["district"],
            budget["private"],
            sum(budget.values()),
            len(p.kpis.all()),
            p.estimated,
        )


def programmes_updated(cx):
    return _updated(cx, "collaboration.Programme", None)


def support_rows(cx):
    for p in SupportProgramme.objects.filter(complex=cx).order_by("deadline", "ref"):
        yield (
            p.ref,
            p.title,
            p.agency,
            p.opens_on,
            p.deadline,
            " · ".join(str(x) for x in eligibility.describe(p.eligibility or {})),
            p.url,
            p.estimated,
        )


def support_updated(cx):
    at = SupportProgramme.objects.filter(complex=cx).aggregate(at=Max("updated_at"))["at"]
    return at.date() if at else None
