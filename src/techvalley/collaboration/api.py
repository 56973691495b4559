"""Cooperation endpoints: agreements and follow-ups, joint programmes, expertise, the support-programme
catalogue (import/export), needs, a company's recommended programmes and matching.

Who may do what: ``collaboration.permissions``; reads through ``collaboration.selectors``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from techvalley.collaboration import eligibility, permissions, selectors, services
from techvalley.core.api import BoundedPageNumberPagination, get_complex, viewer

router = Router(tags=["collaboration"])


def _denied(exc: PermissionDenied):
    return HttpError(403, str(exc.args[0]) if exc.args else "권한이 없습니다. / Not allowed.")


def _signed_in(request):
    v = viewer(request)
    if not v.is_authenticated:
        raise HttpError(401, "인증이 필요합니다. / Authentication required.")
    return v


def _officer(request, cx):
    v = _signed_in(request)
    if not permissions.can_manage_cooperation(v, cx):
        raise HttpError(403, "구청 담당자만 할 수 있습니다. / District officers only.")
    return v


# --- agreements ---------------------------------------------------------------------------


class PartyOut(Schema):
    name: str
    kind: str
    role: str


class FollowUpOut(Schema):
    id: int
    action: str
    owner: str
    due_on: dt.date
    status: str
    done_on: dt.date | None
    overdue: bool


class AgreementOut(Schema):
    id: int
    title: str
    signed_on: dt.date
    starts_on: dt.date | None
    ends_on: dt.date | None
    status: str
    purpose: str
    parties: list[PartyOut]


class AgreementDetailOut(AgreementOut):
    obligations: str
    outcomes: str
    follow_ups: list[FollowUpOut]


def _agreement_row(a, today) -> dict:
    return {
        "id": a.pk,
        "title": a.title,
        "signed_on": a.signed_on,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "status": a.status_on(today),
        "purpose": a.purpose,
        "parties": [{"name": p.partner.name, "kind": p.partner.kind, "role": p.role} for p in a.parties.all()],
    }


def _follow_up_row(f, today) -> dict:
    return {
        "id": f.pk,
        "action": f.action,
        "owner": f.owner,
        "due_on": f.due_on,
        "status": f.status,
        "done_on": f.done_on,
        "overdue": f.is_overdue(today),
    }


@router.get("/agreements", response=list[AgreementOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_agreements(request, complex: str | None = None):
    """Agreements (업무협약) with their parties: public ones for everyone, all of them for officers."""
    cx = get_complex(complex)
    today = dt.date.today()
    return [_agreement_row(a, today) for a in selectors.agreements(viewer(request), cx)]


@router.get("/agreements/{agreement_id}", response=AgreementDetailOut)
def get_agreement(request, agreement_id: int):
    """One agreement with its obligations, outcomes and follow-up actions."""
    try:
        a = selectors.agreement(viewer(request), agreement_id)
    except Http404:
        raise HttpError(404, "협약을 찾을 수 없습니다. / No such agreement.") from None
    today = dt.date.today()
    row = _agreement_row(a, today)
    row.update(
        obligations=a.obligations,
        outcomes=a.outcomes,
        follow_ups=[_follow_up_row(f, today) for f in a.follow_ups.all()],
    )
    return row


class FollowUpIn(Schema):
    action: str = Field(..., max_length=300)
    owner: str = Field(..., max_length=150)
    due_on: dt.date
    note: str = ""


@router.post("/agreements/{agreement_id}/follow-ups", response={201: FollowUpOut})
def add_follow_up(request, agreement_id: int, body: FollowUpIn):
    """Add a follow-up action (district officers)."""
    v = _signed_in(request)
    try:
        a = selectors.agreement(v, agreement_id)
    except Http404:
        raise HttpError(404, "협약을 찾을 수 없습니다. / No such agreement.") from None
    if not permissions.can_manage_cooperation(v, a.complex_id):
        raise HttpError(403, "구청 담당자만 할 수 있습니다. / District officers only.")
    f = services.add_follow_up(a, action=body.action, owner=body.owner, due_on=body.due_on, note=body.note)
    return Status(201, _follow_up_row(f, dt.date.today()))


class FollowUpPatch(Schema):
    status: str
    note: str | None = None


@router.patch("/follow-ups/{follow_up_id}", response=FollowUpOut)
def update_follow_up(request, follow_up_id: int, body: FollowUpPatch):
    """Change a follow-up's status (open, in_progress, done, dropped): district officers."""
    v = _signed_in(request)
    try:
        f = selectors.follow_up(v, follow_up_id)
    except Http404:
        raise HttpError(404, "후속 조치를 찾을 수 없습니다. / No such follow-up.") from None
    except PermissionDenied as exc:
        raise _denied(exc) from exc
    services.set_follow_up_status(f, body.status, note=body.note)
    return _follow_up_row(f, dt.date.today())


# --- joint programmes ---------------------------------------------------------------------


class KpiOut(Schema):
    name: str
    unit: str
    target: float
    result: float | None


class ProgrammeOut(Schema):
    id: int
    title: str
    funder: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    status: str
    budget_krw: dict[str, int]
    participants: list[str]
    kpis: list[KpiOut]


@router.get("/programmes", response=list[ProgrammeOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_programmes(request, complex: str | None = None):
    """Joint programmes with budget by source (national, city, district, private) and KPIs."""
    cx = get_complex(complex)
    return [
        {
            "id": p.pk,
            "title": p.title,
            "funder": p.funder,
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
            "status": p.status,
            "budget_krw": services.budget_by_source(p),
            "participants": [x.name for x in p.participants.all()],
            "kpis": [
                {
                    "name": k.name,
                    "unit": k.unit,
                    "target": float(k.target),
                    "result": float(k.result) if k.result is not None else None,
                }
                for k in p.kpis.all()
            ],
        }
        for p in selectors.programmes(viewer(request), cx)
    ]


# --- expertise and catalogue --------------------------------------------------------------


class ExpertOut(Schema):
    ref: str
    kind: str
    name: str
    org: str
    unit: str
    fields: list[str]
    text: str
    public_consent: bool


@router.get("/experts", response=list[ExpertOut])
@paginate(BoundedPageNumberPagination, page_size=100)
def list_experts(request, complex: str | None = None):
    """Researchers, labs and equipment: public profiles for everyone, all entries for members of
    the complex's organisations and officers."""
    cx = get_complex(complex)
    return selectors.experts(viewer(request), cx).order_by("ref")


class SupportOut(Schema):
    ref: str
    title: str
    agency: str
    opens_on: dt.date | None
    deadline: dt.date | None
    text: str
    eligibility: dict
    criteria: list[str]
    estimated: bool


@router.get("/catalogue", response=list[SupportOut])
@paginate(BoundedPageNumberPagination, page_size=100)
def list_catalogue(request, complex: str | None = None):
    """The support-programme catalogue with structured eligibility (keys: docs/collaboration.md)."""
    cx = get_complex(complex)
    return [
        {
            "ref": p.ref,
            "title": p.title,
            "agency": p.agency,
            "opens_on": p.opens_on,
            "deadline": p.deadline,
            "text": p.text,
            "eligibility": p.eligibility,
            "criteria": eligibility.describe(p.eligibility or {}),
            "estimated": p.estimated,
        }
        for p in selectors.catalogue(viewer(request), cx).order_by("ref")
    ]


class ImportOut(Schema):
    what: str
    created: int
    updated: int
    unchanged: int
    total: int
    ignored_keys: list[str]


@router.post("/catalogue/import", response=ImportOut)
def import_catalogue(request, body: list[dict], complex: str | None = None):
    """Import catalogue entries (the JSON list of ``techvalley collab import programmes``): all or
    nothing, idempotent by ``ref`` (district officers)."""
    cx = get_complex(complex)
    _officer(request, cx)
    return services.import_programmes(cx, body).as_dict()


@router.get("/catalogue/export")
def export_catalogue(request, complex: str | None = None, format: str = "json"):
    """The catalogue as JSON (the import format) or CSV."""
    cx = get_complex(complex)
    if format not in ("json", "csv"):
        raise HttpError(422, "format: json 또는 csv / json or csv")
    text = services.export_programmes(selectors.catalogue(viewer(request), cx).order_by("ref"), format)
    kind = "application/json" if format == "json" else "text/csv"
    response = HttpResponse(text, content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="catalogue.{format}"'
    return response


# --- matching and a company's needs --------------------------------------------------------


class FactsIn(Schema):
    ksic: str | None = Field(None, max_length=10)
    employees: int | None = Field(None, ge=0, le=10_000_000)
    founded: int | None = Field(None, ge=1900, le=2100)
    revenue_krw: int | None = Field(None, ge=0, le=10**15)
    region: str | None = Field(None, max_length=100)
    in_complex: bool | None = None
    certifications: list[str] | None = None


class MatchIn(Schema):
    text: str = Field(..., min_length=1, max_length=10_000)
    facts: FactsIn | None = None
    company_id: int | None = None
    limit: int = Field(10, ge=1, le=100)


class MatchRow(Schema):
    ref: str
    score: float
    why: str


class RefusedRow(Schema):
    ref: str
    why_not: str


class MatchOut(Schema):
    experts: list[MatchRow]
    programmes: list[MatchRow]
    not_eligible: list[RefusedRow]


def _facts(body: MatchIn, v, cx):
    if body.company_id is not None:
        try:
            company = selectors.company(v, body.company_id)
        except Http404:
            raise HttpError(404, "기업을 찾을 수 없습니다. / No such company.") from None
        except PermissionDenied as exc:
            raise _denied(exc) from exc
        return selectors.facts_for_company(company)
    f = body.facts or FactsIn()
    try:
        ksic = eligibility.normalise_ksic(f.ksic) if f.ksic else None
    except eligibility.EligibilityError as exc:
        raise HttpError(422, str(exc)) from None
    return eligibility.CompanyFacts(
        ksic=ksic,
        employees=f.employees,
        founded_year=f.founded,
        revenue_krw=f.revenue_krw,
        region=f.region,
        in_complex=f.in_complex,
        certifications=frozenset(f.certifications) if f.certifications is not None else None,
    )


@router.post("/match", response=MatchOut)
def match(request, body: MatchIn, complex: str | None = None):
    """A need → experts and programmes, best first, each with ``why``; programmes the company may
    not apply to come apart in ``not_eligible`` with ``why_not``. Facts from ``facts`` or, for a
    company the viewer may see, from the registry (``company_id``)."""
    cx = get_complex(complex)
    v = viewer(request)
    facts = _facts(body, v, cx)
    return selectors.match_for_viewer(v, cx, body.text, facts, limit=body.limit)


class NeedOut(Schema):
    id: int
    company_id: int
    kind: str
    title: str
    text: str
    status: str
    urgency: str
    budget_krw: int | None
    needed_by: dt.date | None
    created_at: dt.datetime


class NeedIn(Schema):
    company_id: int
    kind: str
    title: str = Field(..., max_length=200)
    text: str = Field(..., max_length=10_000)
    urgency: str = "normal"
    budget_krw: int | None = Field(None, ge=0, le=10**15)
    needed_by: dt.date | None = None


@router.get("/needs", response=list[NeedOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_needs(request, complex: str | None = None, company: int | None = None):
    """Needs: every company's for officers, the viewer's own company's otherwise (private)."""
    cx = get_complex(complex)
    v = _signed_in(request)
    try:
        target = selectors.company(v, company) if company is not None else None
        return selectors.needs(v, cx, target)
    except Http404:
        raise HttpError(404, "기업을 찾을 수 없습니다. / No such company.") from None
    except PermissionDenied as exc:
        raise _denied(exc) from exc


@router.post("/needs", response={201: NeedOut})
def create_need(request, body: NeedIn):
    """Enter a company's need: its own members and managers, or an officer after a visit."""
    v = _signed_in(request)
    try:
        company = selectors.company(v, body.company_id)
    except Http404:
        raise HttpError(404, "기업을 찾을 수 없습니다. / No such company.") from None
    except PermissionDenied as exc:
        raise _denied(exc) from exc
    if not permissions.can_enter_needs(v, company):
        raise HttpError(403, "권한이 없습니다. / Not allowed.")
    need = services.record_need(
        company,
        kind=body.kind,
        title=body.title,
        text=body.text,
        by_officer=permissions.is_officer(v, company.complex),
        urgency=body.urgency,
        budget_krw=body.budget_krw,
        needed_by=body.needed_by,
    )
    return Status(201, need)


class RecommendationOut(Schema):
    ref: str
    title: str
    agency: str
    deadline: dt.date | None
    days_left: int | None
    status: str
    reasons_for: list[str]
    reasons_against: list[str]
    cannot_tell: list[str]


@router.get("/companies/{company_id}/recommendations", response=list[RecommendationOut])
def recommendations(request, company_id: int):
    """Open catalogue entries checked against the company's registry facts (KSIC, size, age,
    location): eligible first, then cannot tell, then not eligible — each with its reasons."""
    v = _signed_in(request)
    try:
        company = selectors.company(v, company_id)
        found = selectors.recommended_programmes(v, company)
    except Http404:
        raise HttpError(404, "기업을 찾을 수 없습니다. / No such company.") from None
    except PermissionDenied as exc:
        raise _denied(exc) from exc
    rows = []
    for group in ("eligible", "cannot_tell", "not_eligible"):
        for r in found[group]:
            p, verdict = r["programme"], r["verdict"]
            rows.append(
                {
                    "ref": p.ref,
                    "title": p.title,
                    "agency": p.agency,
                    "deadline": p.deadline,
                    "days_left": r["days_left"],
                    "status": verdict.status,
                    "reasons_for": verdict.reasons_for,
                    "reasons_against": verdict.reasons_against,
                    "cannot_tell": verdict.unknowns,
                }
            )
    return rows
