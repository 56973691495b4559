"""Read queries of the cooperation module, scoped to the viewer; the matcher built from the database.

Each function takes the viewer first and refuses (``PermissionDenied``) or filters what the viewer
may not see, with the predicates of ``collaboration.permissions``.
"""

from __future__ import annotations

import datetime as dt
import threading

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from techvalley.collaboration import eligibility, permissions
from techvalley.collaboration.models import (
    Agreement,
    AgreementParty,
    Engagement,
    Expert,
    FollowUp,
    FollowUpStatus,
    Need,
    Partner,
    Programme,
    SupportProgramme,
)
from techvalley.collaboration.recommend import ExpertRecord, Matcher, ProgrammeRecord
from techvalley.core.models import Complex
from techvalley.core.scoping import Viewer
from techvalley.registry.models import Company


def _private() -> PermissionDenied:
    return PermissionDenied(_("A company's needs and matches are private: its own people and the officers only."))


# --- agreements and programmes ------------------------------------------------------------


def agreements(viewer: Viewer, cx: Complex) -> QuerySet[Agreement]:
    qs = Agreement.objects.filter(complex=cx).prefetch_related(
        Prefetch("parties", queryset=AgreementParty.objects.select_related("partner"))
    )
    if not permissions.is_officer(viewer, cx):
        qs = qs.filter(is_public=True)
    return qs.annotate(
        open_follow_ups=Count("follow_ups", filter=Q(follow_ups__status__in=["open", "in_progress"]), distinct=True)
    ).order_by("-signed_on", "title")


def agreement(viewer: Viewer, pk: int) -> Agreement:
    found = Agreement.objects.filter(pk=pk).first()
    if found is None or not permissions.can_view_agreement(viewer, found):
        raise Http404
    return found


def follow_up(viewer: Viewer, pk: int) -> FollowUp:
    found = FollowUp.objects.select_related("agreement").filter(pk=pk).first()
    if found is None:
        raise Http404
    if not permissions.can_manage_cooperation(viewer, found.agreement.complex_id):
        raise PermissionDenied(_("Only district officers may do this."))
    return found


def overdue_follow_ups(viewer: Viewer, cx: Complex, today: dt.date | None = None) -> QuerySet[FollowUp]:
    """Follow-ups past their due date and not done (officers only; empty for anyone else)."""
    if not permissions.is_officer(viewer, cx):
        return FollowUp.objects.none()
    today = today or dt.date.today()
    return FollowUp.objects.filter(
        agreement__complex=cx, status__in=[FollowUpStatus.OPEN, FollowUpStatus.IN_PROGRESS], due_on__lt=today
    ).select_related("agreement")


def programmes(viewer: Viewer, cx: Complex) -> QuerySet[Programme]:
    qs = Programme.objects.filter(complex=cx).prefetch_related("participants", "budget", "kpis")
    if not permissions.is_officer(viewer, cx):
        qs = qs.filter(is_public=True)
    return qs


def programme(viewer: Viewer, pk: int) -> Programme:
    found = Programme.objects.filter(pk=pk).first()
    if found is None or not permissions.can_view_programme(viewer, found):
        raise Http404
    return found


def partners(viewer: Viewer, cx: Complex) -> QuerySet[Partner]:
    """The complex's partners with how many agreements and programmes each is in (officers)."""
    if not permissions.can_manage_cooperation(viewer, cx):
        raise PermissionDenied(_("Only district officers may do this."))
    return (
        Partner.objects.filter(complex=cx)
        .annotate(
            agreement_count=Count("agreement_parties", distinct=True),
            programme_count=Count("programmes", distinct=True),
        )
        .order_by("name")
    )


def linked_from(type_key: str, pk: int) -> list[dict]:
    """The records that link to this one (a plan achievement → this agreement), for officers: one
    query for the links, one per kind of source."""
    from collections import defaultdict

    from django.contrib.contenttypes.models import ContentType

    from techvalley.core.models import RecordLink

    rows = list(RecordLink.objects.filter(target_type=type_key, target_id=pk).order_by("id"))
    by_type: dict[int, list] = defaultdict(list)
    for r in rows:
        by_type[r.source_type_id].append(r)
    out = []
    for ctype_id, group in by_type.items():
        model = ContentType.objects.get_for_id(ctype_id).model_class()
        if model is None:
            continue
        found = model._default_manager.in_bulk([r.source_id for r in group])
        for r in group:
            source = found.get(r.source_id)
            if source is not None:
                url = source.get_absolute_url() if hasattr(source, "get_absolute_url") else ""
                out.append({"kind": model._meta.verbose_name, "title": str(source), "url": url, "note": r.note})
    return out


# --- expertise and catalogue --------------------------------------------------------------


def experts(viewer: Viewer, cx: Complex) -> QuerySet[Expert]:
    qs = Expert.objects.filter(complex=cx)
    if not permissions.can_see_all_expertise(viewer, cx):
        qs = qs.filter(public_consent=True)
    return qs


def expert(viewer: Viewer, pk: int) -> Expert:
    found = Expert.objects.filter(pk=pk).first()
    if found is None or not permissions.can_view_expert(viewer, found):
        raise Http404
    return found


def catalogue(viewer: Viewer, cx: Complex) -> QuerySet[SupportProgramme]:
    return SupportProgramme.objects.filter(complex=cx)


def support_programme(viewer: Viewer, pk: int) -> SupportProgramme:
    found = SupportProgramme.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- companies: needs, engagements ---------------------------------------------------------


def company(viewer: Viewer, pk: int) -> Company:
    found = Company.objects.select_related("complex").filter(pk=pk).first()
    if found is None:
        raise Http404
    if not permissions.can_view_company_cooperation(viewer, found):
        raise _private()
    return found


def needs(viewer: Viewer, cx: Complex, company: Company | None = None) -> QuerySet[Need]:
    qs = Need.objects.filter(complex=cx).select_related("company")
    if company is not None:
        if not permissions.can_view_company_cooperation(viewer, company):
            raise _private()
        return qs.filter(company=company)
    if permissions.is_officer(viewer, cx):
        return qs
    return qs.filter(company__organisation_id__in=viewer.org_ids) if viewer.org_ids else qs.none()


def need(viewer: Viewer, pk: int, *, manage: bool = False) -> Need:
    found = Need.objects.select_related("company", "complex").filter(pk=pk).first()
    if found is None:
        raise Http404
    if not permissions.can_view_company_cooperation(viewer, found.company):
        raise _private()
    if manage and not permissions.can_enter_needs(viewer, found.company):
        raise _private()
    return found


def engagements(viewer: Viewer, cx: Complex, company: Company | None = None) -> QuerySet[Engagement]:
    qs = Engagement.objects.filter(complex=cx).select_related("company", "expert", "support", "need")
    qs = qs.prefetch_related("outcomes")
    if company is not None:
        if not permissions.can_view_company_cooperation(viewer, company):
            raise _private()
        return qs.filter(company=company)
    if permissions.is_officer(viewer, cx):
        return qs
    return qs.filter(company__organisation_id__in=viewer.org_ids) if viewer.org_ids else qs.none()


def engagement(viewer: Viewer, pk: int, *, manage: bool = False) -> Engagement:
    found = Engagement.objects.select_related("company", "expert", "support", "need").filter(pk=pk).first()
    if found is None:
        raise Http404
    if not permissions.can_view_company_cooperation(viewer, found.company):
        raise _private()
    if manage and not permissions.can_manage_company_cooperation(viewer, found.company):
        raise _private()
    return found


# --- the matcher --------------------------------------------------------------------------

_cache: dict[int, tuple[tuple, Matcher]] = {}
_cache_lock = threading.Lock()


def _stamp(cx: Complex) -> tuple:
    e = Expert.objects.filter(complex=cx).aggregate(n=Count("id"), t=Max("updated_at"))
    p = SupportProgramme.objects.filter(complex=cx).aggregate(n=Count("id"), t=Max("updated_at"))
    return (e["n"], e["t"], p["n"], p["t"])


def matcher_for(cx: Complex) -> Matcher:
    """The complex's matcher over all its expertise and catalogue (rebuilt when either changes).

    Which results a viewer may see is decided afterwards (``visible_experts``)."""
    stamp = _stamp(cx)
    with _cache_lock:
        cached = _cache.get(cx.pk)
        if cached and cached[0] == stamp:
            return cached[1]
    experts_ = [
        ExpertRecord(
            ref=e.ref,
            org=e.org,
            unit=e.unit,
            fields=list(e.fields or []),
            text=e.text,
            name=e.name,
            kind=e.kind,
            pk=e.pk,
        )
        for e in Expert.objects.filter(complex=cx).order_by("ref")
    ]
    programmes_ = [
        ProgrammeRecord(
            ref=p.ref,
            title=p.title,
            agency=p.agency,
            text=p.text,
            eligibility=eligibility.stored(p.eligibility),
            deadline=p.deadline,
            pk=p.pk,
        )
        for p in SupportProgramme.objects.filter(complex=cx).order_by("ref")
    ]
    matcher = Matcher(experts_, programmes_)
    with _cache_lock:
        _cache[cx.pk] = (stamp, matcher)
    return matcher


def _partner_kind(org: str | None) -> str:
    return "university" if "대학" in (org or "") else "institute"


def facts_for_company(company: Company, partner_orgs: list[str] | None = None) -> eligibility.CompanyFacts:
    """What the registry (and the pipeline) tell about a company, for eligibility.

    In the registry of the complex means in the complex; an empty certification list is "not
    known" (the registry does not carry certifications), never "none". Experts the company took up
    (not closed) count as its partners for ``needs_partner``."""
    if partner_orgs is None:
        partner_orgs = list(
            Engagement.objects.filter(company=company, expert__isnull=False)
            .exclude(stage="closed")
            .values_list("expert__org", flat=True)
        )
    kinds = {_partner_kind(org) for org in partner_orgs}
    return eligibility.CompanyFacts(
        ksic=company.ksic_code or None,
        employees=company.employees,
        founded=company.founded_on,
        revenue_krw=company.revenue_million_krw * 1_000_000 if company.revenue_million_krw is not None else None,
        region=company.address or None,
        in_complex=bool(company.in_registry),
        certifications=frozenset(company.certifications) if company.certifications else None,
        partner_kinds=frozenset(kinds) if kinds else None,
        name=company.name,
    )


def facts_for_companies(companies: list[Company]) -> dict[int, eligibility.CompanyFacts]:
    """``facts_for_company`` for many companies in two queries (the companies, their partners)."""
    orgs: dict[int, list[str]] = {c.pk: [] for c in companies}
    rows = (
        Engagement.objects.filter(company_id__in=list(orgs), expert__isnull=False)
        .exclude(stage="closed")
        .values_list("company_id", "expert__org")
    )
    for company_id, org in rows:
        orgs[company_id].append(org)
    return {c.pk: facts_for_company(c, orgs[c.pk]) for c in companies}


def visible_experts(viewer: Viewer, cx: Complex, refs: list[str]) -> dict[str, Expert]:
    """The experts of a result list the viewer may see, by ref (one query)."""
    return {e.ref: e for e in experts(viewer, cx).filter(ref__in=refs)}


def match_for_viewer(viewer: Viewer, cx: Complex, text: str, facts=None, limit: int = 10, today=None) -> dict:
    """The matcher's result, with experts the viewer may not see left out and records attached."""
    result = matcher_for(cx).match(text, facts, limit=limit * 2, today=today)
    seen = visible_experts(viewer, cx, [r["ref"] for r in result["experts"]])
    result["experts"] = [dict(r, record=seen[r["ref"]]) for r in result["experts"] if r["ref"] in seen][:limit]
    refs = [r["ref"] for r in result["programmes"]] + [r["ref"] for r in result["not_eligible"]]
    found = {p.ref: p for p in SupportProgramme.objects.filter(complex=cx, ref__in=refs)}
    result["programmes"] = [dict(r, record=found.get(r["ref"])) for r in result["programmes"]][:limit]
    result["not_eligible"] = [dict(r, record=found.get(r["ref"])) for r in result["not_eligible"]]
    return result


def recommended_programmes(viewer: Viewer, company: Company, today: dt.date | None = None) -> dict:
    """Every open catalogue entry checked against the company's registry facts: eligible, cannot
    tell, not eligible — each with its reasons — and the deadlines coming up."""
    if not permissions.can_view_company_cooperation(viewer, company):
        raise _private()
    today = today or dt.date.today()
    facts = facts_for_company(company)
    out = {"eligible": [], "cannot_tell": [], "not_eligible": [], "closed": 0}
    for p in SupportProgramme.objects.filter(complex=company.complex_id).order_by("deadline", "title"):
        if p.deadline is not None and p.deadline < today:
            out["closed"] += 1
            continue
        verdict = eligibility.check(eligibility.stored(p.eligibility), facts, today)
        days = (p.deadline - today).days if p.deadline else None
        out[{"eligible": "eligible", "unknown": "cannot_tell"}.get(verdict.status, "not_eligible")].append(
            {"programme": p, "verdict": verdict, "days_left": days, "soon": days is not None and days <= 14}
        )
    out["facts"] = facts
    return out


#: Other modules' site-search providers whose records answer a need too (the support centre's
#: rooms and equipment, its training courses), reached through the spine, never imported.
NEED_PROVIDERS = ("facilities", "courses")


def spine_hits_for_need(viewer: Viewer, cx: Complex, text: str, limit: int = 6) -> list[dict]:
    """Records of other modules for a need: each of its first words searched in the providers
    registered under ``NEED_PROVIDERS``, scoped by the providers themselves."""
    from techvalley.core import spine

    providers = [p for p in spine.platform.search_providers if p.key in NEED_PROVIDERS]
    if not providers:
        return []
    terms = [t for t in dict.fromkeys(matcher_for(cx).analyzer.terms(text)) if len(t) >= 2][:4]
    found, seen = [], set()
    for term in terms:
        for provider in providers:
            for hit in provider.search(viewer, cx, term, limit):
                if hit.url not in seen:
                    seen.add(hit.url)
                    found.append({"hit": hit, "provider": provider, "term": term})
    return found[:limit]
