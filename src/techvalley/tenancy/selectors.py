"""Read queries of the tenancy app, scoped to the viewer (officer-only data raises 403 / 404).

Also the figures the pages, panels and API share: occupancy, the funnel, campaign attribution,
the tenant audit and matching of prospects to vacant units.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.http import Http404
from django.utils import timezone

from techvalley.core.scoping import Viewer
from techvalley.core.validation import BadInput
from techvalley.registry import ksic
from techvalley.tenancy import eligibility, permissions
from techvalley.tenancy.models import (
    OPEN_STAGES,
    STAGE_ORDER,
    Campaign,
    Centre,
    FollowUp,
    Lead,
    LeadEvent,
    Lease,
    RuleVersion,
    Stage,
    Unit,
    UnitStatus,
    UnitUse,
)
from techvalley.tenancy.rules import RuleSet, leaves, rules_from_document, shipped_rules

DAYCARE_KSIC = "87210"


def officer_or_403(viewer: Viewer, complex) -> None:
    if not permissions.can_manage_tenancy(viewer, complex):
        raise PermissionDenied("구청 담당자만 볼 수 있습니다. / District officers only.")


# --- rules ------------------------------------------------------------------------------------------


def active_rule_version() -> RuleVersion | None:
    return RuleVersion.objects.filter(active=True).first()


def active_rules() -> RuleSet:
    """The rule set in force: the version an officer activated, else the shipped file."""
    stored = active_rule_version()
    return rules_from_document(stored.document) if stored else shipped_rules()


# --- centres ----------------------------------------------------------------------------------------


def public_centres(complex):
    """Published centres with their vacant units counted (one query)."""
    return (
        Centre.objects.filter(complex=complex, published=True)
        .annotate(
            vacant_units=Count("units", filter=Q(units__status=UnitStatus.VACANT)),
            vacant_m2=Sum("units__area_m2", filter=Q(units__status=UnitStatus.VACANT)),
            unit_count=Count("units"),
        )
        .order_by("name")
    )


def vacancy_updated(complex):
    """When a unit of the complex's published centres last changed (its audit trail), or None."""
    from django.db.models import Max

    from techvalley.core.models import AuditEntry

    ids = Unit.objects.filter(centre__complex=complex, centre__published=True).values_list("pk", flat=True)
    return (
        AuditEntry.objects.filter(model=Unit._meta.label, object_id__in=[str(pk) for pk in ids])
        .aggregate(last=Max("at"))
        .get("last")
    )


def centre_for(viewer: Viewer, complex, slug: str) -> Centre:
    centre = Centre.objects.filter(complex=complex, slug=slug).first()
    if centre is None or not permissions.can_view_centre(viewer, centre):
        raise Http404("센터를 찾을 수 없습니다. / No such centre.")
    return centre


def vacant_units(centre: Centre):
    return centre.units.filter(status=UnitStatus.VACANT).order_by("floor", "number")


def current_leases(centre: Centre):
    return Lease.objects.filter(unit__centre=centre, end__isnull=True).select_related("unit", "tenant")


# --- a company's own leases ---------------------------------------------------------------------


def company_leases(viewer: Viewer, company):
    """The company's leases, current first, then past (unit, centre, term, area, rent). Its own
    members and its complex's officers only: anyone else gets 403."""
    if not permissions.can_view_company_leases(viewer, company):
        raise PermissionDenied("이 기업의 구성원만 볼 수 있습니다. / Only the company's own members may see this.")
    return (
        Lease.objects.filter(tenant__company=company)
        .select_related("unit", "unit__centre", "tenant")
        .order_by(F("end").desc(nulls_first=True), "-start", "pk")
    )


def own_leases(viewer: Viewer, complex):
    """Leases of the companies the viewer belongs to, in this complex (a company's home)."""
    if not viewer.company_org_ids or complex is None:
        return Lease.objects.none()
    return (
        Lease.objects.filter(
            tenant__company__organisation_id__in=viewer.company_org_ids, tenant__company__complex=complex
        )
        .select_related("unit", "unit__centre", "tenant", "tenant__company")
        .order_by(F("end").desc(nulls_first=True), "-start", "pk")
    )


def kic_tenants(company_ids, as_of: dt.date | None = None) -> set[int]:
    """Which of these companies occupied a unit of a centre on ``as_of`` (today when None)."""
    day = as_of or today()
    return set(
        Lease.objects.filter(tenant__company_id__in=list(company_ids), start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=day))
        .values_list("tenant__company_id", flat=True)
        .distinct()
    )


def centre_occupancy(complex, include_unpublished: bool = False):
    """Per centre: units, occupied and vacant units, vacant and total floor area (one query)."""
    qs = Centre.objects.filter(complex=complex)
    if not include_unpublished:
        qs = qs.filter(published=True)
    return qs.annotate(
        unit_count=Count("units"),
        occupied_units=Count("units", filter=Q(units__status=UnitStatus.OCCUPIED)),
        vacant_units=Count("units", filter=Q(units__status=UnitStatus.VACANT)),
        vacant_m2=Sum("units__area_m2", filter=Q(units__status=UnitStatus.VACANT)),
        occupied_m2=Sum("units__area_m2", filter=Q(units__status=UnitStatus.OCCUPIED)),
        total_m2=Sum("units__area_m2"),
    ).order_by("name")


def _leaf_in(code: str, revision: int, wanted: int) -> str | None:
    """A tenant's code as a 세세분류 of the wanted revision (None if it is not one)."""
    if revision != wanted:
        return None
    return code if code in leaves(wanted) else None


def _support_leases(centre: Centre) -> list[Lease]:
    return list(current_leases(centre).filter(use=Lease.Use.SUPPORT))


def centre_facts(
    centre: Centre, revision: int = 11, without: Lease | None = None, support_leases: list[Lease] | None = None
) -> eligibility.CentreFacts:
    """What the evaluator needs about a stored centre: today's support facilities are the units
    currently leased as support facilities (``without`` leaves one lease out, for the audit;
    ``support_leases`` saves the query when the caller has them)."""
    support = Decimal(0)
    by_ksic: dict[str, Decimal] = defaultdict(Decimal)
    daycare_area = Decimal(0)
    for lease in _support_leases(centre) if support_leases is None else support_leases:
        if without is not None and lease.pk == without.pk:
            continue
        support += lease.unit.area_m2
        leaf = _leaf_in(lease.tenant.ksic, lease.tenant.ksic_revision, revision)
        if leaf:
            by_ksic[leaf] += lease.unit.area_m2
        if lease.tenant.ksic == DAYCARE_KSIC:
            daycare_area += lease.unit.area_m2
    daycare = None
    if daycare_area and centre.daycare_capacity is not None:
        daycare = eligibility.Daycare(daycare_area, centre.daycare_capacity, centre.daycare_public)
    return eligibility.CentreFacts(
        location=centre.location,
        gross_floor_area_m2=centre.gross_floor_area_m2,
        support_area_m2=min(support, centre.gross_floor_area_m2),
        support_area_by_ksic=dict(by_ksic),
        daycare=daycare,
        industrial_zoning=centre.industrial_zoning,
        excluded_ksic=tuple(centre.excluded_ksic or ()),
        name=centre.name,
        slug=centre.slug,
    )


def centre_facts_by_slug(slug: str, revision: int, complex_slug: str | None = None) -> eligibility.CentreFacts:
    qs = Centre.objects.filter(slug=slug)
    if complex_slug:
        qs = qs.filter(complex__slug=complex_slug)
    found = list(qs[:2])
    if not found:
        raise BadInput(f"centre: 등록된 센터 '{slug}'가 없습니다. / no stored centre '{slug}'.", field="centre")
    if len(found) > 1:
        raise BadInput(f"centre: '{slug}'가 여러 단지에 있습니다 (--complex). / '{slug}' is in several complexes.")
    return centre_facts(found[0], revision)


def support_overview(centre: Centre, rules: RuleSet | None = None) -> dict:
    """The centre's support facilities against its cap (시행령 제36조의4 ④), for officers."""
    rules = rules or active_rules()
    facts = centre_facts(centre)
    cap = rules.caps[centre.location]
    allowance, band = eligibility.daycare_allowance(rules, centre.location, centre.gross_floor_area_m2, facts.daycare)
    limit = centre.gross_floor_area_m2 * cap["ratio"] + allowance
    top = sorted(facts.support_area_by_ksic.items(), key=lambda kv: -kv[1])[:5]
    total = facts.support_area_m2
    return {
        "support_m2": total,
        "cap_m2": limit,
        "ratio": cap["ratio"],
        "clause": rules.cite(cap["clause"]),
        "daycare_allowance_m2": allowance,
        "over": total > limit,
        "share_of_cap": float(total / limit) if limit else 0.0,
        "types": [
            {
                "ksic": code,
                "name": (ksic.lookup(code, 11) or ksic.lookup(code)).name if ksic.lookup(code) else code,
                "m2": m2,
                "share": float(m2 / total) if total else 0.0,
                "over": total > 0 and m2 / total > rules.same_type_max,
            }
            for code, m2 in top
        ],
    }


def occupancy(complex) -> dict:
    """Units and floor area by status across the complex's centres."""
    rows = (
        Unit.objects.filter(centre__complex=complex)
        .values("status")
        .annotate(n=Count("id"), m2=Sum("area_m2"))
        .order_by()
    )
    by = {r["status"]: r for r in rows}
    total_n = sum(r["n"] for r in rows)
    total_m2 = sum((r["m2"] or 0) for r in rows)
    occ = by.get(UnitStatus.OCCUPIED, {"n": 0, "m2": 0})
    vac = by.get(UnitStatus.VACANT, {"n": 0, "m2": 0})
    return {
        "units": total_n,
        "m2": total_m2,
        "occupied_units": occ["n"],
        "occupied_m2": occ["m2"] or 0,
        "vacant_units": vac["n"],
        "vacant_m2": vac["m2"] or 0,
        "occupancy_rate": float((occ["m2"] or 0) / total_m2) if total_m2 else None,
    }


def centres_overview(viewer: Viewer, complex):
    officer_or_403(viewer, complex)
    return Centre.objects.filter(complex=complex).annotate(
        unit_count=Count("units"),
        vacant_units=Count("units", filter=Q(units__status=UnitStatus.VACANT)),
        occupied_m2=Sum("units__area_m2", filter=Q(units__status=UnitStatus.OCCUPIED)),
        total_m2=Sum("units__area_m2"),
    )


# --- the tenant audit ---------------------------------------------------------------------------------


@dataclass
class AuditRow:
    """One finding of the tenant audit (입주자 점검): an occupant judged against the rules."""

    centre: str
    centre_slug: str
    unit: str
    floor: int
    area_m2: float
    unit_use: str
    tenant: str
    ksic: str
    ksic_name: str
    revision: int
    venture: bool
    lease_use: str
    since: str
    finding: str  # illegal | doubtful | ok
    verdict: str
    clauses: list
    summary: str
    reasons: list

    def as_dict(self) -> dict:
        return asdict(self)


FINDING_ORDER = {"illegal": 0, "doubtful": 1, "ok": 2}


def tenant_audit(viewer: Viewer, complex, centre: Centre | None = None, only_findings: bool = False) -> list[AuditRow]:
    """Every current occupant of the complex's centres judged against the rules in force:
    ``illegal`` (not eligible: 법 제28조의7 ①3), ``doubtful`` (needs recognition, an unconfirmed
    condition, or a use that differs from the unit's approved use), ``ok``."""
    officer_or_403(viewer, complex)
    rules = active_rules()
    leases = Lease.objects.filter(unit__centre__complex=complex, end__isnull=True).select_related(
        "unit__centre", "tenant"
    )
    if centre is not None:
        leases = leases.filter(unit__centre=centre)
    leases = list(leases.order_by("unit__centre__name", "unit__floor", "unit__number"))
    support_by_centre: dict[int, list[Lease]] = defaultdict(list)
    for lease in leases:
        if lease.use == Lease.Use.SUPPORT:
            support_by_centre[lease.unit.centre_id].append(lease)
    facts_cache: dict = {}
    rows = []
    for lease in leases:
        c, t, u = lease.unit.centre, lease.tenant, lease.unit
        key = (c.pk, t.ksic_revision)
        supports = support_by_centre[c.pk]
        if lease.use == Lease.Use.SUPPORT:
            facts = centre_facts(c, t.ksic_revision, without=lease, support_leases=supports)
        else:
            facts = facts_cache.get(key) or facts_cache.setdefault(
                key, centre_facts(c, t.ksic_revision, support_leases=supports)
            )
        data = {"ksic": t.ksic, "revision": t.ksic_revision, "venture": t.venture, "use": lease.use}
        try:
            placeholder = {"location": c.location, "gross_floor_area_m2": str(c.gross_floor_area_m2)}
            app = eligibility.parse_application({**data, "area_m2": str(u.area_m2), "centre": placeholder}, rules=rules)
            app = dataclasses.replace(app, centre=facts)
            result = eligibility.evaluate(app, rules)
            verdict, clauses, reasons = result.verdict, result.clauses, result.reasons
            conditional = result.conditional
        except BadInput as exc:
            verdict, clauses, reasons, conditional = "unknown", [], [exc.message], True
        notes = []
        if lease.use == Lease.Use.SUPPORT and u.use != UnitUse.SUPPORT:
            notes.append("지원시설로 쓰이지만 호실 용도는 지원시설이 아닙니다.")
        if lease.use == Lease.Use.TENANT and u.use == UnitUse.SUPPORT:
            notes.append("지원시설 호실을 입주업체 시설로 쓰고 있습니다.")
        if t.actual_activity:
            notes.append(f"점검 시 확인된 활동: {t.actual_activity}")
        if verdict == eligibility.NOT_ELIGIBLE:
            finding = "illegal"
        elif verdict in (eligibility.NEEDS_APPROVAL, "unknown") or conditional or notes:
            finding = "doubtful"
        else:
            finding = "ok"
        if only_findings and finding == "ok":
            continue
        ind = ksic.lookup(t.ksic, t.ksic_revision) if t.ksic_revision in (9, 10, 11) else None
        rows.append(
            AuditRow(
                centre=c.name,
                centre_slug=c.slug,
                unit=u.number,
                floor=u.floor,
                area_m2=float(u.area_m2),
                unit_use=u.get_use_display(),
                tenant=t.name,
                ksic=t.ksic,
                ksic_name=ind.name if ind else "",
                revision=t.ksic_revision,
                venture=t.venture,
                lease_use=lease.get_use_display(),
                since=lease.start.isoformat(),
                finding=finding,
                verdict=verdict,
                clauses=clauses,
                summary=" ".join(notes + reasons[:1]),
                reasons=notes + reasons,
            )
        )
    rows.sort(key=lambda r: (FINDING_ORDER[r.finding], r.centre, r.floor, r.unit))
    return rows


# --- leads and the funnel -----------------------------------------------------------------------------


def leads(viewer: Viewer, complex, stage: str | None = None):
    officer_or_403(viewer, complex)
    qs = Lead.objects.filter(complex=complex).select_related("owner", "campaign", "centre")
    if stage:
        qs = qs.filter(stage=stage)
    return qs.annotate(
        open_followups=Count("followups", filter=Q(followups__done_at__isnull=True)),
    ).order_by("-created_at", "-id")


def lead_for(viewer: Viewer, pk: int) -> Lead:
    lead = Lead.objects.select_related("complex", "owner", "campaign", "centre", "unit__centre").filter(pk=pk).first()
    if lead is None:
        raise Http404("리드를 찾을 수 없습니다. / No such lead.")
    if not permissions.can_view_lead(viewer, lead):
        raise PermissionDenied("구청 담당자만 볼 수 있습니다. / District officers only.")
    return lead


def leads_without_next_step(viewer: Viewer, complex):
    """Open leads with no open follow-up task: nobody has planned what happens next."""
    officer_or_403(viewer, complex)
    open_task = FollowUp.objects.filter(lead=OuterRef("pk"), done_at__isnull=True)
    return (
        Lead.objects.filter(complex=complex, stage__in=OPEN_STAGES)
        .annotate(has_task=Exists(open_task))
        .filter(has_task=False)
        .select_related("owner")
        .order_by("created_at")
    )


def reached(stage: str) -> list[str]:
    """The stages a lead at ``stage`` has passed through (a lost lead: see its events)."""
    if stage not in STAGE_ORDER:
        return []
    return [s.value for s in STAGE_ORDER[: STAGE_ORDER.index(stage) + 1]]


def funnel(viewer: Viewer, complex, since: dt.date | None = None, until: dt.date | None = None) -> dict:
    """Leads by the furthest stage they reached, conversion between stages, time to fill, the
    high-tech share of new tenants and why leads were lost."""
    officer_or_403(viewer, complex)
    qs = Lead.objects.filter(complex=complex)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    lead_rows = list(qs.values("id", "stage", "created_at", "stage_changed_at", "high_tech", "lost_reason"))
    events = defaultdict(set)
    for lead_id, stage in LeadEvent.objects.filter(lead__in=qs).values_list("lead_id", "stage"):
        events[lead_id].add(stage)
    counts = Counter()
    for row in lead_rows:
        passed = set(reached(row["stage"])) | events[row["id"]] | {Stage.INQUIRY.value}
        for s in passed:
            if s in [x.value for x in STAGE_ORDER]:
                counts[s] += 1
    stages = []
    previous = None
    for s in STAGE_ORDER:
        n = counts[s.value]
        stages.append(
            {
                "stage": s.value,
                "label": s.label,
                "count": n,
                "from_previous": (n / previous) if previous else None,
            }
        )
        previous = n
    moved = [r for r in lead_rows if r["stage"] == Stage.MOVED_IN]
    days = [(r["stage_changed_at"] - r["created_at"]).days for r in moved if r["stage_changed_at"]]
    lost = Counter(r["lost_reason"] for r in lead_rows if r["stage"] == Stage.LOST)
    total = len(lead_rows)
    fill = _time_to_fill(complex, since, until)
    return {
        "leads": total,
        "stages": stages,
        "open": sum(1 for r in lead_rows if r["stage"] in OPEN_STAGES),
        "lost": sum(lost.values()),
        "lost_reasons": lost.most_common(),
        "moved_in": len(moved),
        "conversion": (len(moved) / total) if total else None,
        "days_to_move_in": (sum(days) / len(days)) if days else None,
        "high_tech_share": (sum(1 for r in moved if r["high_tech"]) / len(moved)) if moved else None,
        "time_to_fill_days": fill,
    }


def _time_to_fill(complex, since, until) -> float | None:
    """Average days a unit stood vacant before the lease that filled it (leases with a known
    vacancy start: the end of the unit's previous lease)."""
    leases = (
        Lease.objects.filter(unit__centre__complex=complex)
        .order_by("unit_id", "start")
        .values("unit_id", "start", "end")
    )
    gaps = []
    last_end: dict[int, dt.date] = {}
    for lease in leases:
        ended = last_end.get(lease["unit_id"])
        if ended is not None and lease["start"] >= ended:
            if (since is None or lease["start"] >= since) and (until is None or lease["start"] <= until):
                gaps.append((lease["start"] - ended).days)
        if lease["end"]:
            last_end[lease["unit_id"]] = lease["end"]
    return (sum(gaps) / len(gaps)) if gaps else None


def campaigns(viewer: Viewer, complex):
    """Campaigns with leads and move-ins attributed and cost per lead / per move-in."""
    officer_or_403(viewer, complex)
    qs = Campaign.objects.filter(complex=complex).annotate(
        lead_count=Count("leads"),
        moved_in=Count("leads", filter=Q(leads__stage=Stage.MOVED_IN)),
    )
    out = []
    for c in qs:
        c.cost_per_lead = (c.cost_won / c.lead_count) if c.lead_count else None
        c.cost_per_move_in = (c.cost_won / c.moved_in) if c.moved_in else None
        out.append(c)
    return out


def campaign_by_code(complex, code: str | None) -> Campaign | None:
    if not code:
        return None
    return Campaign.objects.filter(complex=complex, tracking_code=code[:40]).first()


# --- matching prospects to vacant units ----------------------------------------------------------------


@dataclass
class Match:
    unit: Unit
    verdict: str
    score: float
    reasons: list


def match_units(viewer_or_none, complex, lead: Lead, limit: int = 10) -> list[Match]:
    """Vacant units for a prospect: area within the wanted range (±20 % counts, less well),
    rent or price within budget, and the centre's eligibility verdict for the prospect's
    industry and use. Units in centres where the prospect is not eligible are left out."""
    if viewer_or_none is not None:
        officer_or_403(viewer_or_none, complex)
    rules = active_rules()
    units = Unit.objects.filter(centre__complex=complex, status=UnitStatus.VACANT).select_related("centre")
    if lead.use == Lease.Use.SUPPORT:
        units = units.filter(use=UnitUse.SUPPORT)
    else:
        units = units.exclude(use=UnitUse.SUPPORT)
    verdicts: dict[tuple[int, Decimal], object] = {}
    facts: dict[int, eligibility.CentreFacts] = {}
    matches = []
    for unit in units:
        reasons = []
        score = 1.0
        lo, hi = lead.area_min_m2, lead.area_max_m2
        if lo and unit.area_m2 < lo:
            if unit.area_m2 < lo * Decimal("0.8"):
                continue
            score -= 0.3
            reasons.append(f"면적이 희망보다 작음 ({unit.area_m2}㎡)")
        if hi and unit.area_m2 > hi:
            if unit.area_m2 > hi * Decimal("1.2"):
                continue
            score -= 0.3
            reasons.append(f"면적이 희망보다 큼 ({unit.area_m2}㎡)")
        if lead.budget_monthly_won and unit.monthly_rent_won and unit.monthly_rent_won > lead.budget_monthly_won:
            if lead.budget_purchase_won and unit.sale_price_won and unit.sale_price_won <= lead.budget_purchase_won:
                reasons.append("임대료는 예산 초과, 분양가는 예산 이내")
            else:
                continue
        if lead.ksic:
            key = (unit.centre_id, unit.area_m2)
            if key not in verdicts:
                try:
                    data = {
                        "ksic": lead.ksic,
                        "revision": lead.ksic_revision,
                        "venture": lead.venture,
                        "use": lead.use,
                        "area_m2": str(unit.area_m2),
                        "centre": {"location": unit.centre.location, "gross_floor_area_m2": "1"},
                    }
                    app = eligibility.parse_application(data, rules=rules)
                    if unit.centre_id not in facts:
                        facts[unit.centre_id] = centre_facts(unit.centre, lead.ksic_revision)
                    app = dataclasses.replace(app, centre=facts[unit.centre_id])
                    verdicts[key] = eligibility.evaluate(app, rules)
                except BadInput as exc:
                    verdicts[key] = exc
            v = verdicts[key]
            if isinstance(v, BadInput):
                reasons.append(v.message)
                verdict = "unknown"
                score -= 0.2
            else:
                verdict = v.verdict
                if verdict == eligibility.NOT_ELIGIBLE:
                    continue
                if verdict == eligibility.NEEDS_APPROVAL or v.conditional:
                    score -= 0.2
                    reasons.append(v.label + (" (조건부)" if v.conditional else ""))
        else:
            verdict = "unknown"
            score -= 0.2
            reasons.append("업종 미입력: 입주 자격 확인 필요")
        if lead.centre_id and unit.centre_id == lead.centre_id:
            score += 0.2
        matches.append(Match(unit, verdict, round(score, 2), reasons))
    matches.sort(key=lambda m: (-m.score, m.unit.centre.name, m.unit.floor, m.unit.number))
    return matches[:limit]


def today() -> dt.date:
    return timezone.localdate()
