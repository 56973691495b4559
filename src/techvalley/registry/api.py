"""Registry and KSIC endpoints. Views only check permission and call selectors or services."""

import tempfile
from pathlib import Path
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import model_validator

from techvalley.core.api import BoundedPageNumberPagination, get_complex, require_officer, viewer
from techvalley.core.validation import BadInput, check_size, clean_text
from techvalley.registry import ksic, permissions, selectors, services
from techvalley.registry.models import CERTIFICATIONS, Company, SmartFactoryLevel
from techvalley.registry.parsers import MAX_EMPLOYEES, RegistryFileError

router = Router(tags=["registry"])
ksic_router = Router(tags=["ksic"])


class CompanyOut(Schema):
    id: int
    name: str
    address: str
    legal_dong: str
    industry_name: str
    ksic_code: str
    ksic_revision: int | None
    ksic_status: str
    tech_intensity: str
    size_class: str
    employees: int | None
    status: str
    in_registry: bool
    estimated_fields: list[str]
    lon: float | None
    lat: float | None


class ContactOut(Schema):
    id: int
    name: str
    position: str
    phone: str
    email: str
    #: Who recorded the consent that keeps this contact ("" for contacts older than consents).
    consent: str = ""


class ContactIn(Schema):
    """A contact person and their consent. ``agreed`` must be true: the person agreed to the
    purpose, the items and the period. ``note``: how consent was obtained (required when an
    officer records it for the company)."""

    name: str = Field(max_length=100)
    position: str = Field("", max_length=100)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    retention_days: int = Field(services.CONTACT_RETENTION_DAYS, ge=1, le=5 * 366)
    note: str = Field("", max_length=300)
    agreed: bool


class CompanyDetailOut(CompanyOut):
    brn: str
    representative: str
    founded_on: str | None
    main_products: str
    other_ksic: list[dict]
    rd_centre: bool
    certifications: list[str]
    smart_factory_level: str
    ksic_method: str
    ksic_confidence: float
    missing_since: str | None
    private: bool
    revenue_million_krw: int | None
    contacts: list[ContactOut]
    industry: dict | None


Certification = Literal[tuple(CERTIFICATIONS)]  # type: ignore[valid-type]
SmartFactory = Literal[tuple(SmartFactoryLevel.values)]  # type: ignore[valid-type]


class ProfileIn(Schema):
    """What a company's manager may change. Omit a field to leave it; only ``employees`` and
    ``revenue_million_krw`` may be null (unknown); text fields are cleared with ""."""

    representative: str = Field(None, max_length=100)
    employees: int | None = Field(None, ge=0, le=MAX_EMPLOYEES)
    main_products: str = Field(None, max_length=300)
    rd_centre: bool = None
    certifications: list[Certification] = None
    smart_factory_level: SmartFactory = None
    revenue_million_krw: int | None = Field(None, ge=0, le=2**63 - 1)

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value):
        # ninja wraps the body for attribute access; a JSON list such as [null, null] would
        # otherwise read as an object whose every field is missing.
        if not isinstance(getattr(value, "_obj", value), dict):
            raise ValueError("본문은 JSON 객체여야 합니다. / The body must be a JSON object.")
        return value


class IndustryIn(Schema):
    code: str
    revision: int | None = None
    reason: str = ""


class GoneOut(Schema):
    id: int
    name: str
    address: str


class ImportOut(Schema):
    format: str
    encoding: str
    dry_run: bool
    counts: dict
    errors: list[dict]
    import_id: int | None
    #: Companies the import marks (or would mark) as gone from the registry.
    gone: list[GoneOut]
    #: True when the removals exceed the limits: repeat with allow_removals to confirm.
    needs_confirmation: bool


@router.get("/companies", response=list[CompanyOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_companies(
    request,
    complex: str | None = None,
    q: str = "",
    intensity: str = "",
    dong: str = "",
    division: str = "",
    size: str = "",
):
    cx = get_complex(complex)
    filters = {"q": q, "intensity": intensity, "dong": dong, "division": division, "size": size}
    filters = {k: clean_text(v, k, max_length=200).strip() for k, v in filters.items()}
    return selectors.companies(viewer(request), cx, **filters)


def _detail(request, company: Company) -> dict:
    v = viewer(request)
    private = selectors.company_private(v, company)  # scoped by permissions.can_view_private
    return {
        **{f: getattr(company, f) for f in CompanyDetailOut.model_fields if hasattr(company, f)},
        "founded_on": str(company.founded_on) if company.founded_on else None,
        "missing_since": str(company.missing_since) if company.missing_since else None,
        # The business number identifies a sole trader personally: entitled viewers only.
        "brn": company.brn if private["entitled"] else "",
        "private": private["entitled"],
        "revenue_million_krw": private["revenue_million_krw"],
        "contacts": private["contacts"],
        "industry": ksic.describe(company.ksic_code, company.ksic_revision) if company.ksic_code else None,
    }


@router.get("/companies/{company_id}", response=CompanyDetailOut)
def get_company(request, company_id: int):
    company = selectors.company(viewer(request), company_id)
    if company is None:
        raise HttpError(404, "회사를 찾을 수 없습니다. / No such company.")
    return _detail(request, company)


@router.patch("/companies/{company_id}/profile", response=CompanyDetailOut)
def patch_profile(request, company_id: int, payload: ProfileIn):
    company = get_object_or_404(Company, pk=company_id)
    if not permissions.can_edit_profile(viewer(request), company):
        raise HttpError(403, "이 회사의 관리자만 수정할 수 있습니다. / Only the company's managers may edit it.")
    from django.core.exceptions import ValidationError

    values = payload.dict(exclude_unset=True)
    for name in ("representative", "main_products", "rd_centre", "certifications", "smart_factory_level"):
        if name in values and values[name] is None:
            raise HttpError(422, f"{name}: 비울 수 없습니다(null 불가). / {name} may not be null.")
    for name in ("representative", "main_products"):
        if name in values:
            values[name] = clean_text(values[name], name, max_length=300)
    try:
        services.update_company_profile(company, **values)
    except ValidationError as exc:
        raise HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
    return _detail(request, company)


@router.post("/companies/{company_id}/contacts", response={201: ContactOut})
def add_contact(request, company_id: int, payload: ContactIn):
    """Add a contact person with their consent (the company's managers; officers on its behalf)."""
    company = get_object_or_404(Company.objects.select_related("complex"), pk=company_id)
    if not request.user.is_authenticated or not permissions.can_edit_contacts(viewer(request), company):
        raise HttpError(403, "회사 관리자와 구청 담당자만 담당자를 등록합니다. / Managers and officers only.")
    if payload.agreed is not True:
        raise BadInput(
            "agreed: 본인의 동의 없이는 등록할 수 없습니다. / the person's consent is required.", field="agreed"
        )
    data = payload.dict()
    c = services.add_contact(request.user, company, data, note=data["note"], retention_days=data["retention_days"])
    out = {f: getattr(c, f) for f in ("name", "position", "phone", "email")}
    return Status(201, {**out, "id": c.pk, "consent": c.get_consent_given_by_display() if c.consent_given_by else ""})


@router.delete("/contacts/{contact_id}", response={204: None})
def withdraw_contact(request, contact_id: int):
    """Withdraw a contact person's consent: the contact is erased now (the person themself, the
    company's managers, officers); the consent stays, without the person, as proof."""
    from techvalley.registry.models import Contact

    contact = get_object_or_404(Contact.objects.select_related("company"), pk=contact_id)
    if not request.user.is_authenticated or not permissions.can_withdraw_contact(viewer(request), contact):
        raise HttpError(403, "본인, 회사 관리자, 구청 담당자만 철회합니다. / The person, managers and officers only.")
    services.withdraw_contact(request.user, contact)
    return Status(204, None)


@router.get("/review", response=list[CompanyOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def review(request, complex: str | None = None):
    cx = get_complex(complex)
    return selectors.review_queue(require_officer(request, cx), cx)


@router.post("/companies/{company_id}/industry", response=CompanyDetailOut)
def place_industry(request, company_id: int, payload: IndustryIn):
    company = get_object_or_404(Company.objects.select_related("complex"), pk=company_id)
    if not permissions.can_place_industry(viewer(request), company):
        raise HttpError(403, "구청 담당자만 업종을 정할 수 있습니다. / District officers only.")
    code = clean_text(payload.code, "code", max_length=6)
    reason = clean_text(payload.reason, "reason", max_length=300)
    try:
        services.set_industry(company, code, payload.revision, reason)
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc
    return _detail(request, company)


@router.get("/structure")
def structure(request, complex: str | None = None):
    """Companies and employees by division, technology intensity, size class and dong. The
    shares (0–1) are null when the registry has no company: a share of nothing is no figure."""
    data = selectors.structure(get_complex(complex))
    if not data["total"]["companies"]:
        for key in ("high_tech_share", "strict_high_tech_share", "high_tech_employee_share"):
            data[key] = None
    return data


@router.get("/structure/change")
def structure_change(request, complex: str | None = None, before: int | None = None, after: int | None = None):
    """Change of the structure between two imports (default: the last two). Officers only."""
    cx = get_complex(complex)
    runs = selectors.imports(require_officer(request, cx), cx)
    if before is None or after is None:
        latest = list(runs[:2])
        if len(latest) < 2:
            raise HttpError(404, "비교할 가져오기가 두 번 이상 있어야 합니다. / Needs two imports to compare.")
        after_run, before_run = latest
    else:
        before_run, after_run = get_object_or_404(runs, pk=before), get_object_or_404(runs, pk=after)
    return {
        "before": before_run.pk,
        "after": after_run.pk,
        "change": selectors.structure_change(before_run.structure, after_run.structure),
    }


@router.post("/imports", response={200: ImportOut, 409: ImportOut, 422: ImportOut})
def upload_import(
    request,
    file: UploadedFile = File(None),
    complex: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    partial: bool = False,
    allow_removals: bool = False,
):
    """Import a registry file (multipart ``file``), as ``techvalley registry import`` does.

    ``partial``: the file is not the whole registry (no company is marked as gone).
    ``allow_removals``: confirm that more companies than the limits allow really left the
    registry; without it such an import answers 409 with the list (``gone``) and writes nothing.
    """
    cx = get_complex(complex)
    if not permissions.can_import(viewer(request), cx):
        raise HttpError(403, "구청 담당자만 가져올 수 있습니다. / District officers only.")
    if file is None:
        raise BadInput("file: 파일이 필요합니다. / A registry file is required.", field="file")
    check_size(file.size or 0, services.limit("MAX_UPLOAD_BYTES", services.DEFAULT_MAX_UPLOAD_BYTES), "file")
    suffix = Path(file.name or "upload").suffix
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{Path(file.name or 'upload').stem[:80]}{suffix}"
        with open(path, "wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        try:
            result = services.import_registry(
                path,
                cx,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                snapshot=not partial,
                allow_removals=allow_removals,
            )
        except services.ImportRejected as exc:
            return Status(422, _import_out(exc.result))
        except services.RemovalsNotConfirmed as exc:
            return Status(409, _import_out(exc.result))
        except RegistryFileError as exc:
            raise HttpError(422, str(exc)) from exc
    return Status(200, _import_out(result))


def _import_out(result: services.ImportResult) -> dict:
    d = result.as_dict()
    return {
        "format": d["format"],
        "encoding": d["encoding"],
        "dry_run": d["dry_run"],
        "counts": result.counts,
        "errors": d["errors"],
        "import_id": d["import_id"],
        "gone": d["gone"],
        "needs_confirmation": d["needs_confirmation"],
    }


class CandidateOut(Schema):
    code: str
    name: str
    revision: int
    level: int
    score: float


class ResolutionOut(Schema):
    input: str
    code: str | None
    name: str | None
    revision: int | None
    level: int | None
    method: str
    status: str
    confidence: float
    extra_industries: int
    suggestion: str | None
    #: The closest codes with their names, levels and scores (0–100; see ``score_meaning``).
    candidates: list[CandidateOut]


MAX_NAMES = 200


RESOLVE_DOC = (
    "Resolve industry names as registries write them (repeat ``name`` for several, at most 200). "
    "A name is resolved only when it is a KSIC name (up to spacing) or so close to one that no other "
    'class comes near; otherwise ``status`` is "review" and ``candidates`` lists the closest codes. '
    + ksic.SCORE_MEANING
)


@ksic_router.get("/resolve", response=list[ResolutionOut], auth=None, description=RESOLVE_DOC)
def resolve(request, name: list[str] = Query(...)):
    if len(name) > MAX_NAMES:
        raise BadInput(f"name: 최대 {MAX_NAMES}개입니다. / at most {MAX_NAMES} names.", field="name")
    return [ksic.resolve(clean_text(n, "name", max_length=300)).as_dict() for n in name]


@ksic_router.get("/codes/{code}", auth=None)
def code(request, code: str, revision: int | None = Query(None, ge=min(ksic.REVISIONS), le=max(ksic.REVISIONS))):
    """A KSIC code (revision 9, 10 or 11; the newest that has it by default): names at every
    level, parent chain, children, technology level and knowledge-centre eligibility."""
    code = clean_text(code, "code", max_length=6)
    found = ksic.describe(code, revision)
    if found is None:
        raise HttpError(404, f"KSIC 코드 {code}가 없습니다. / Unknown KSIC code.")
    return found


class ComplexFiguresOut(Schema):
    slug: str
    name: str
    companies: int
    high_tech_share: float | None = Field(
        description="broad: high and medium-high manufacturing, knowledge services (%)"
    )
    strict_high_tech_share: float | None = Field(description="high-technology manufacturing only (%)")
    employees: int = Field(description="reported and estimated employees of the companies that have a figure")
    employees_unknown: int = Field(description="companies without an employees figure")
    energy_toe: float | None = Field(description="energy of the year (toe); null when no module provides it")
    emissions_tco2eq: float | None = Field(description="Scope 1+2 emissions of the year; null when not provided")
    registry_as_of: str | None


@router.get("/complexes", response=list[ComplexFiguresOut])
def complexes(request, year: int | None = None, sort: str = "companies"):
    """Every complex side by side: public aggregates only (the same for every caller)."""
    from django.utils import timezone

    from techvalley.core.validation import year_param
    from techvalley.registry import compare

    year = year_param(year, default=timezone.localdate().year - 1)
    items = compare.rows(viewer(request), compare.sort_param(sort))
    compare.add_metrics(items, year)
    return [
        {
            "slug": r.complex.slug,
            "name": r.complex.name,
            "companies": r.companies,
            "high_tech_share": r.high_tech_pct,
            "strict_high_tech_share": r.strict_high_tech_pct,
            "employees": r.employees,
            "employees_unknown": r.employees_unknown,
            "energy_toe": r.energy_toe,
            "emissions_tco2eq": r.emissions,
            "registry_as_of": r.registry_date.isoformat() if r.registry_date else None,
        }
        for r in items
    ]
