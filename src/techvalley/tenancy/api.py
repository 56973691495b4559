"""Tenancy endpoints: the eligibility check and public vacancies for anyone, inquiries (with
consent) from anyone, and leads, the funnel and the tenant audit for the complex's officers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from ninja import Body, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from techvalley.core.api import BoundedPageNumberPagination, get_complex, viewer
from techvalley.tenancy import eligibility, selectors, services
from techvalley.tenancy.models import Centre

router = Router(tags=["tenancy"])


def _officer(request, cx):
    v = viewer(request)
    if not v.is_authenticated:
        raise HttpError(401, "인증이 필요합니다. / Authentication required.")
    try:
        selectors.officer_or_403(v, cx)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc.args[0])) from None
    return v


@router.post("/check")
def check(request, application: Body[dict], complex: str | None = None):
    """Whether an applicant may occupy a centre (the JSON of ``techvalley tenancy check``, see
    docs/tenancy.md): verdict, clauses, Korean reasons and, for a support facility, the cap
    figures. A centre given by its slug must be published (or the viewer its officer)."""
    cx = get_complex(complex)
    v = viewer(request)

    def lookup(slug: str, revision: int):
        centre = Centre.objects.filter(complex=cx, slug=slug).first()
        if centre is None or not (centre.published or v.is_officer_of(cx.pk)):
            from techvalley.core.validation import BadInput

            raise BadInput(f"centre: 등록된 센터 '{slug[:60]}'가 없습니다. / no such centre.", field="centre")
        return selectors.centre_facts(centre, revision)

    return eligibility.check(application, lookup, selectors.active_rules())


class CentreOut(Schema):
    slug: str
    name: str
    location: str
    floors_above: int
    vacant_units: int
    vacant_m2: float
    is_estimate: bool


@router.get("/centres", response=list[CentreOut])
def centres(request, complex: str | None = None):
    """Published centres with their vacant units counted (public)."""
    cx = get_complex(complex)
    return [
        {
            "slug": c.slug,
            "name": c.name,
            "location": c.location,
            "floors_above": c.floors_above,
            "vacant_units": c.vacant_units,
            "vacant_m2": float(c.vacant_m2 or 0),
            "is_estimate": c.is_estimate,
        }
        for c in selectors.public_centres(cx)
    ]


class VacancyOut(Schema):
    number: str
    floor: int
    area_m2: float
    use: str
    monthly_rent_won: int | None
    deposit_won: int | None
    sale_price_won: int | None
    is_estimate: bool


@router.get("/centres/{slug}/vacancies", response=list[VacancyOut])
def vacancies(request, slug: str, complex: str | None = None):
    """A published centre's vacant units: no owners, tenants or other internal data."""
    cx = get_complex(complex)
    centre = selectors.centre_for(viewer(request), cx, slug)
    return [
        {
            "number": u.number,
            "floor": u.floor,
            "area_m2": float(u.area_m2),
            "use": u.use,
            "monthly_rent_won": u.monthly_rent_won,
            "deposit_won": u.deposit_won,
            "sale_price_won": u.sale_price_won,
            "is_estimate": u.is_estimate,
        }
        for u in selectors.vacant_units(centre)
    ]


class InquiryIn(Schema):
    company_name: str
    contact_name: str
    phone: str = ""
    email: str = ""
    ksic: str = ""
    ksic_revision: int = 11
    venture: bool = False
    use: str = "tenant"
    area_min_m2: float | None = None
    area_max_m2: float | None = None
    budget_monthly_won: int | None = None
    centre: str = ""
    message: str = ""
    tracking_code: str = ""
    consent: bool = False


@router.post("/inquiries", response={201: dict})
def inquiry(request, body: InquiryIn, complex: str | None = None):
    """An inquiry becomes a lead — only with ``consent: true`` to the consent text (``GET
    /tenancy/consent``): purpose, items, retention and the right to refuse."""
    cx = get_complex(complex)
    data = body.dict()
    lead = services.submit_inquiry(
        cx, {**data, "source": "api"}, consent=data.pop("consent"), tracking_code=data.get("tracking_code", "")
    )
    return Status(
        201, {"received": True, "consent_version": lead.consent_version, "retain_until": str(lead.retain_until)}
    )


@router.get("/consent")
def consent(request):
    """The consent text an inquiry agrees to (개인정보 보호법 제15조 ②)."""
    return services.CONSENT


class LeadOut(Schema):
    id: int
    company_name: str
    stage: str
    ksic: str
    high_tech: bool
    campaign: str | None
    owner: str | None
    created_at: str
    open_followups: int


@router.get("/leads", response=list[LeadOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def leads(request, complex: str | None = None, stage: str | None = None):
    """Leads of the complex (officers): personal contact data is left out of the list."""
    cx = get_complex(complex)
    v = _officer(request, cx)
    return [
        {
            "id": lead.pk,
            "company_name": lead.company_name,
            "stage": lead.stage,
            "ksic": lead.ksic,
            "high_tech": lead.high_tech,
            "campaign": lead.campaign.name if lead.campaign else None,
            "owner": lead.owner.get_username() if lead.owner else None,
            "created_at": lead.created_at.isoformat(),
            "open_followups": lead.open_followups,
        }
        for lead in selectors.leads(v, cx, stage if stage in services.Stage.values else None)
    ]


class StageIn(Schema):
    stage: str
    note: str = ""
    lost_reason: str = ""


@router.post("/leads/{lead_id}/stage")
def lead_stage(request, lead_id: int, body: StageIn):
    """Move a lead forward, or mark it lost with a reason (officers of its complex)."""
    v = viewer(request)
    if not v.is_authenticated:
        raise HttpError(401, "인증이 필요합니다. / Authentication required.")
    try:
        lead = selectors.lead_for(v, lead_id)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc.args[0])) from None
    lead = services.advance_lead(lead, body.stage, by=request.user, note=body.note, lost_reason=body.lost_reason)
    return {"id": lead.pk, "stage": lead.stage}


@router.get("/funnel")
def funnel(request, complex: str | None = None):
    """Funnel figures: leads by stage, conversion, time to fill, high-tech share (officers)."""
    cx = get_complex(complex)
    v = _officer(request, cx)
    data = selectors.funnel(v, cx)
    data["stages"] = [{**s, "label": str(s["label"])} for s in data["stages"]]
    return data


@router.get("/audit")
def audit(request, complex: str | None = None, all: bool = False):
    """The tenant audit (officers): illegal and doubtful uses per centre, or every occupant."""
    cx = get_complex(complex)
    v = _officer(request, cx)
    return [r.as_dict() for r in selectors.tenant_audit(v, cx, only_findings=not all)]


class LeaseOut(Schema):
    centre: str
    centre_slug: str
    unit: str
    floor: int
    area_m2: float
    use: str
    kind: str
    start: str
    end: str | None
    monthly_rent_won: int | None
    current: bool
    estimate: bool


@router.get("/companies/{company_id}/leases", response=list[LeaseOut])
def company_leases(request, company_id: int):
    """A company's leases in knowledge-industry centres (current first): its own members and
    the officers of its complex only."""
    from django.shortcuts import get_object_or_404

    from techvalley.registry.models import Company

    v = viewer(request)
    if not v.is_authenticated:
        raise HttpError(401, "인증이 필요합니다. / Authentication required.")
    company = get_object_or_404(Company, pk=company_id)
    try:
        leases = selectors.company_leases(v, company)[:500]
    except PermissionDenied as exc:
        raise HttpError(403, str(exc.args[0])) from None
    return [
        {
            "centre": lease.unit.centre.name,
            "centre_slug": lease.unit.centre.slug,
            "unit": lease.unit.number,
            "floor": lease.unit.floor,
            "area_m2": float(lease.unit.area_m2),
            "use": lease.use,
            "kind": lease.kind,
            "start": lease.start.isoformat(),
            "end": lease.end.isoformat() if lease.end else None,
            "monthly_rent_won": lease.monthly_rent_won,
            "current": lease.end is None,
            "estimate": lease.unit.is_estimate,
        }
        for lease in leases
    ]
