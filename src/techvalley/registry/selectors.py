"""Read queries of the registry, already scoped to the viewer. Pages and API both use these."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techvalley.core.models import AuditEntry, Complex
from techvalley.core.privacy import masked
from techvalley.core.scoping import Viewer, officer_q
from techvalley.registry import ksic, permissions
from techvalley.registry.models import Company, Contact, ImportRun

LIST_FIELDS = (
    "id",
    "name",
    "address",
    "legal_dong",
    "industry_name",
    "ksic_code",
    "ksic_revision",
    "ksic_status",
    "tech_intensity",
    "size_class",
    "employees",
    "status",
    "in_registry",
    "estimated_fields",
    "lon",
    "lat",
)


def companies(
    viewer: Viewer,
    cx: Complex,
    *,
    q: str = "",
    intensity: str = "",
    dong: str = "",
    division: str = "",
    size: str = "",
    review: bool = False,
    include_gone: bool = False,
) -> QuerySet:
    """The public directory of a complex (registry data is published data), filtered."""
    qs = Company.objects.filter(complex=cx).only(*LIST_FIELDS)
    if not include_gone:
        qs = qs.filter(in_registry=True)
    if q:
        qs = matching(qs, q)
    if intensity:
        qs = qs.filter(tech_intensity=intensity)
    if dong:
        qs = qs.filter(legal_dong=dong)
    if division:
        qs = qs.filter(ksic_code__startswith=division)
    if size:
        qs = qs.filter(size_class=size)
    if review:
        qs = qs.filter(ksic_status="review")
    return qs.order_by("name", "id")


def matching(qs: QuerySet, q: str) -> QuerySet:
    """Companies whose published fields (name, industry, address, KSIC code) match a text."""
    return qs.filter(
        Q(name__icontains=q)
        | Q(name_key__icontains=q.replace(" ", ""))
        | Q(industry_name__icontains=q)
        | Q(address__icontains=q)
        | Q(ksic_code__startswith=q)
    )


def search_companies(viewer: Viewer, cx: Complex, query: str, limit: int = 10) -> list:
    """Site search over the companies of a complex: published fields for everyone; the business
    registration number (private) only among companies whose private data the viewer may see."""
    from techvalley.core.spine import SearchHit
    from techvalley.core.validation import clean_text

    query = clean_text(query or "", "q", max_length=200).strip()
    if not query or cx is None:
        return []
    base = Company.objects.filter(complex=cx, in_registry=True)
    found = matching(base, query)
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) == 10 and (viewer.is_officer_of(cx.pk) or viewer.org_ids):
        entitled = base if viewer.is_officer_of(cx.pk) else base.filter(organisation_id__in=viewer.org_ids)
        found = found | entitled.filter(brn=digits)
    rows = found.only("id", "name", "ksic_code", "industry_name", "address").order_by("name", "id")[:limit]
    return [
        SearchHit(
            title=c.name,
            url=reverse("registry:company_detail", args=[c.pk]),
            kind=_("company"),
            snippet=" · ".join(p for p in (c.ksic_code, c.industry_name, c.address) if p),
        )
        for c in rows
    ]


def company(viewer: Viewer, pk: int) -> Company | None:
    return Company.objects.select_related("complex", "organisation").filter(pk=pk).first()


def company_private(viewer: Viewer, company: Company) -> dict:
    """The company's private data as this viewer may see it: in full, masked, or not at all.
    Contacts go through ``core.privacy.masked``: unmasked for the company's members, the
    complex's officers and the person themself; masked for other signed-in people; hidden from
    the public."""
    entitled = permissions.can_view_private(viewer, company)
    contacts = []
    if viewer.is_authenticated:
        for c in Contact.objects.filter(company=company).order_by("id"):
            c.company = company  # the permission check reads it: no query per contact
            whose = {"user_id": c.user_id, "organisation_id": company.organisation_id, "complex_id": company.complex_id}
            contacts.append(
                {
                    "id": c.pk,
                    "name": masked(viewer, c.name, "name", **whose),
                    "position": c.position,
                    "phone": masked(viewer, c.phone, "phone", **whose),
                    "email": masked(viewer, c.email, "email", **whose),
                    "consent": c.get_consent_given_by_display() if c.consent_given_by else "",
                    "can_withdraw": permissions.can_withdraw_contact(viewer, c),
                }
            )
    return {
        "entitled": entitled,
        "revenue_million_krw": company.revenue_million_krw if entitled else None,
        "contacts": contacts,
    }


def review_queue(viewer: Viewer, cx: Complex) -> QuerySet:
    """Companies whose industry name could not be placed; officers only."""
    if not permissions.can_review(viewer, cx):
        return Company.objects.none()
    return (
        Company.objects.filter(officer_q(viewer), complex=cx, ksic_status="review", in_registry=True)
        .only(*LIST_FIELDS)
        .order_by("industry_name", "name")
    )


def company_history(viewer: Viewer, company: Company) -> QuerySet:
    """Changes to a company's record; officers and its own members."""
    if not permissions.can_view_private(viewer, company):
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(model="registry.Company", object_id=str(company.pk))


def readable_history(viewer: Viewer, company: Company, limit: int = 20) -> list:
    """The company's latest changes in words: field names and values, related records by name
    (never ``organisation_id: — → 8``)."""
    from techvalley.core.selectors import actor_label, describe_entries

    readable = describe_entries(company_history(viewer, company)[:limit])
    for r in readable:
        r.actor = actor_label(r.entry.actor_label)
        r.reason = _reason(r.entry.reason)
    return readable


def _reason(reason: str) -> str:
    """An import's reason ("registry import FILE") in words."""
    from django.utils.translation import gettext as _

    for prefix, words in (
        ("not in registry import ", _("not in the registry file %(file)s")),
        ("registry import ", _("registry import of %(file)s")),
    ):
        if reason.startswith(prefix):
            return words % {"file": reason[len(prefix) :]}
    return reason


def registry_as_of(cx: Complex) -> dict | None:
    """The last registry import of a complex: when, which file. The figures of the structure
    are as of that import (public: the file names a published registry)."""
    run = ImportRun.objects.filter(complex=cx, ok=True, dry_run=False).only("started_at", "filename").first()
    if run is None:
        return None
    return {"date": run.started_at.date(), "filename": run.filename, "registry_date": registry_date(run.filename)}


def registry_date(filename: str) -> str:
    """The release date a registry file names (busan_factory_registry_2025-12-31.csv → 2025-12-31)."""
    import re

    found = re.search(r"(\d{4})[-_.]?(\d{2})[-_.]?(\d{2})", filename or "")
    return "-".join(found.groups()) if found else ""


def imports(viewer: Viewer, cx: Complex) -> QuerySet:
    return ImportRun.objects.filter(officer_q(viewer), complex=cx)


# --- analytics of the complex's structure ------------------------------------------------

DIMENSIONS = ("division", "intensity", "size", "dong")


def structure(cx: Complex) -> dict:
    """Companies and employees by KSIC division, technology intensity, size class and 법정동.

    Only companies currently in the registry count. Employees include estimates where the
    company has not reported them (the demo marks those). One grouped query: every import
    records the structure after it, so it must stay cheap at 100,000 companies.
    """
    rows = (
        Company.objects.filter(complex=cx, in_registry=True)
        .annotate(division=Substr("ksic_code", 1, 2))
        .values_list("division", "tech_intensity", "size_class", "legal_dong")
        .annotate(companies=Count("id"), employees=Coalesce(Sum("employees"), 0))
        .order_by()
    )
    sums: dict[str, dict[str, list[int]]] = {dim: {} for dim in DIMENSIONS}
    total = {"companies": 0, "employees": 0}
    for division, intensity, size, dong, n, employees in rows:
        total["companies"] += n
        total["employees"] += employees
        for dim, key in zip(DIMENSIONS, (division, intensity, size, dong), strict=True):
            acc = sums[dim].setdefault(key or "", [0, 0])
            acc[0] += n
            acc[1] += employees
    out: dict = {"total": total}
    for dim in DIMENSIONS:
        items = [{"key": k, "companies": c, "employees": e} for k, (c, e) in sums[dim].items()]
        out[dim] = sorted(items, key=lambda r: (-r["companies"], r["key"]))
    high = sum(r["companies"] for r in out["intensity"] if r["key"] in ksic.HIGH_TECH)
    high_emp = sum(r["employees"] for r in out["intensity"] if r["key"] in ksic.HIGH_TECH)
    strict = sum(r["companies"] for r in out["intensity"] if r["key"] in ksic.STRICT_HIGH_TECH)
    out["high_tech_share"] = round(high / total["companies"], 4) if total["companies"] else 0.0
    out["strict_high_tech_share"] = round(strict / total["companies"], 4) if total["companies"] else 0.0
    out["high_tech_employee_share"] = round(high_emp / total["employees"], 4) if total["employees"] else 0.0
    return out


def share_pct(structure: dict, key: str) -> float | None:
    """A share of ``structure`` (``high_tech_share`` …) in per cent, as the registry shows and
    contributes it; None (shown "—") when the registry has no company: a share of nothing is
    no figure, not 0 %."""
    if not structure["total"]["companies"]:
        return None
    return round(100 * structure[key], 1)


def label_division(code: str) -> str:
    ind = ksic.lookup(code) if code else None
    return ind.name if ind else "미분류"


def structure_change(before: dict, after: dict) -> dict:
    """Per dimension and key: companies and employees before, after and the difference."""
    out = {}
    for dim in DIMENSIONS:
        b = {r["key"]: r for r in before.get(dim, [])}
        a = {r["key"]: r for r in after.get(dim, [])}
        rows = []
        for key in sorted(set(a) | set(b)):
            cb, ca = b.get(key, {}).get("companies", 0), a.get(key, {}).get("companies", 0)
            eb, ea = b.get(key, {}).get("employees", 0), a.get(key, {}).get("employees", 0)
            if (cb, eb) != (ca, ea):
                rows.append(
                    {
                        "key": key,
                        "companies_before": cb,
                        "companies_after": ca,
                        "companies_change": ca - cb,
                        "employees_change": ea - eb,
                    }
                )
        out[dim] = rows
    out["high_tech_share"] = [before.get("high_tech_share", 0), after.get("high_tech_share", 0)]
    return out
