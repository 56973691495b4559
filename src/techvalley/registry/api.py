"""Registry and KSIC endpoints. Views only check permission and call selectors or services."""

import tempfile
from pathlib import Path

from django.shortcuts import get_object_or_404
from ninja import File, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from techvalley.core.api import get_complex, require_officer, viewer
from techvalley.registry import ksic, selectors, services
from techvalley.registry.models import Company
from techvalley.registry.parsers import RegistryFileError

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
    name: str
    position: str
    phone: str
    email: str


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


class ProfileIn(Schema):
    representative: str | None = None
    employees: int | None = None
    main_products: str | None = None
    rd_centre: bool | None = None
    certifications: list[str] | None = None
    smart_factory_level: str | None = None
    revenue_million_krw: int | None = None


class IndustryIn(Schema):
    code: str
    revision: int | None = None
    reason: str = ""


class ImportOut(Schema):
    format: str
    encoding: str
    dry_run: bool
    counts: dict
    errors: list[dict]
    import_id: int | None


@router.get("/companies", response=list[CompanyOut])
@paginate(PageNumberPagination, page_size=50)
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
    return selectors.companies(viewer(request), cx, q=q, intensity=intensity, dong=dong, division=division, size=size)


def _detail(request, company: Company) -> dict:
    v = viewer(request)
    private = selectors.company_private(v, company)
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
    if not viewer(request).can_manage(company.organisation_id, company.complex_id):
        raise HttpError(403, "이 회사의 관리자만 수정할 수 있습니다. / Only the company's managers may edit it.")
    from django.core.exceptions import ValidationError

    try:
        services.update_company_profile(company, **payload.dict(exclude_unset=True))
    except ValidationError as exc:
        raise HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
    return _detail(request, company)


@router.get("/review", response=list[CompanyOut])
@paginate(PageNumberPagination, page_size=50)
def review(request, complex: str | None = None):
    cx = get_complex(complex)
    return selectors.review_queue(require_officer(request, cx), cx)


@router.post("/companies/{company_id}/industry", response=CompanyDetailOut)
def place_industry(request, company_id: int, payload: IndustryIn):
    company = get_object_or_404(Company, pk=company_id)
    require_officer(request, company.complex)
    try:
        services.set_industry(company, payload.code, payload.revision, payload.reason)
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc
    return _detail(request, company)


@router.get("/structure")
def structure(request, complex: str | None = None):
    """Companies and employees by division, technology intensity, size class and dong."""
    return selectors.structure(get_complex(complex))


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


@router.post("/imports", response={200: ImportOut, 422: ImportOut})
def upload_import(
    request,
    file: UploadedFile = File(...),
    complex: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
):
    cx = get_complex(complex)
    require_officer(request, cx)
    suffix = Path(file.name or "upload").suffix
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{Path(file.name or 'upload').stem[:80]}{suffix}"
        with open(path, "wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        try:
            result = services.import_registry(path, cx, dry_run=dry_run, skip_invalid=skip_invalid)
        except services.ImportRejected as exc:
            return 422, _import_out(exc.result)
        except RegistryFileError as exc:
            raise HttpError(422, str(exc)) from exc
    return 200, _import_out(result)


def _import_out(result: services.ImportResult) -> dict:
    d = result.as_dict()
    return {
        "format": d["format"],
        "encoding": d["encoding"],
        "dry_run": d["dry_run"],
        "counts": result.counts,
        "errors": d["errors"],
        "import_id": d["import_id"],
    }


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


@ksic_router.get("/resolve", response=list[ResolutionOut], auth=None)
def resolve(request, name: list[str] = Query(...)):
    """Resolve industry names as registries write them (repeat ``name`` for several)."""
    return [ksic.resolve(n).as_dict() for n in name]


@ksic_router.get("/codes/{code}", auth=None)
def code(request, code: str, revision: int | None = None):
    found = ksic.describe(code, revision)
    if found is None:
        raise HttpError(404, f"KSIC 코드 {code}가 없습니다. / Unknown KSIC code.")
    return found
