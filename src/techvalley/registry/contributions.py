"""What the registry contributes through the spine: the directory, structure, imports and the
KSIC API; its access table, menu entries, dashboard panels, company search and linkable type."""

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from techvalley.core import spine
from techvalley.core.spine import ANYONE, OFFICERS, OWN_MANAGER, Access

spine.pages("registry/", "techvalley.registry.urls")
spine.api("/registry", "techvalley.registry.api.router")
spine.api("/ksic", "techvalley.registry.api.ksic_router")


def _page_complex(viewer):
    """The complex the page is about (``viewer.here``, set by the menus' context), else the
    installation's default — as ``core.views.current_complex`` picks it."""
    from django.conf import settings

    from techvalley.core.models import Complex

    if viewer.here is not None:
        return Complex.objects.filter(pk=viewer.here).first()
    return Complex.objects.filter(slug=settings.TECHVALLEY_DEFAULT_COMPLEX).first() or (
        Complex.objects.order_by("id").first()
    )


def _can_review(viewer) -> bool:
    from techvalley.registry import permissions

    cx = viewer.is_officer_here and _page_complex(viewer)
    return bool(cx) and permissions.can_review(viewer, cx)


def _can_import(viewer) -> bool:
    from techvalley.registry import permissions

    cx = viewer.is_officer_here and _page_complex(viewer)
    return bool(cx) and permissions.can_import(viewer, cx)


spine.nav(
    spine.NavEntry("companies", _("Companies"), "registry:company_list", order=20),
    spine.NavEntry("structure", _("Industry structure"), "registry:structure", order=30),
    spine.NavEntry("review", _("Review queue"), "registry:review_queue", _can_review, order=60, group="officer"),
    spine.NavEntry("imports", _("Imports"), "registry:import_list", _can_import, order=70, group="officer"),
)

# --- who may use what ---------------------------------------------------------------------------
# Companies A and B are in the same complex: officers may act on both, a company's manager on
# its own only; the directory and company pages are public (published registry data).
HUGE_PAGE = {"query": {"page": "4611686018427387905"}}
PROFILE_FORM = {"status": "operating", "smart_factory_level": "none", "employees": "12"}
CONTACT_NOTE = "2026-03-02 전화로 구두 동의, 담당 주무관 확인 / oral consent by phone"
CONTACT_FORM = {
    "name": "박담당",
    "phone": "051-200-1234",
    "email": "contact@example.com",
    "retention_days": "1095",
    "note": CONTACT_NOTE,
    "agreed": "on",
}
CONTACT_JSON = {"name": "박담당", "phone": "051-200-1234", "agreed": True, "note": CONTACT_NOTE}

spine.access(
    "registry",
    [
        Access("registry:company_list", ANYONE),
        Access("registry:company_list", ANYONE, params=HUGE_PAGE, note="a huge page number is a 400, not a crash"),
        Access("registry:company_export", ANYONE, note="published fields only; contacts masked"),
        Access("registry:company_detail", ANYONE, obj="company", note="private figures only for who may see them"),
        Access("registry:company_edit", OFFICERS | OWN_MANAGER, obj="company"),
        Access("registry:company_edit", OFFICERS | OWN_MANAGER, obj="company", method="POST", body=PROFILE_FORM),
        Access(
            "registry:company_industry",
            OFFICERS,
            obj="company",
            method="POST",
            body={"code": "25922", "reason": "접근 점검 / access test"},
        ),
        Access("registry:contact_add", OFFICERS | OWN_MANAGER, obj="company"),
        Access("registry:contact_add", OFFICERS | OWN_MANAGER, obj="company", method="POST", body=CONTACT_FORM),
        Access(
            "registry:contact_withdraw",
            OFFICERS | OWN_MANAGER,
            obj="contact",
            method="POST",
            note="the person themself too, when the contact is linked to their account",
        ),
        Access("registry:review_queue", OFFICERS),
        Access("registry:review_queue", OFFICERS, params=HUGE_PAGE),
        Access("registry:import_list", OFFICERS),
        Access("registry:import_list", OFFICERS, method="POST", note="no file: the form answers"),
        Access("registry:structure", ANYONE, note="the change between imports only for officers"),
        Access("api:GET /registry/companies", ANYONE),
        Access("api:GET /registry/companies", ANYONE, params=HUGE_PAGE, note="422"),
        Access("api:GET /registry/companies/{company_id}", ANYONE, obj="company"),
        Access(
            "api:PATCH /registry/companies/{company_id}/profile",
            OFFICERS | OWN_MANAGER,
            obj="company",
            body={"employees": 12, "main_products": "도금 <script>alert(1)</script>"},
        ),
        Access(
            "api:POST /registry/companies/{company_id}/industry",
            OFFICERS,
            obj="company",
            body={"code": "25922", "reason": "접근 점검"},
        ),
        Access(
            "api:POST /registry/companies/{company_id}/contacts",
            OFFICERS | OWN_MANAGER,
            obj="company",
            body=CONTACT_JSON,
        ),
        Access("api:DELETE /registry/contacts/{contact_id}", OFFICERS | OWN_MANAGER, obj="contact"),
        Access("api:GET /registry/review", OFFICERS),
        Access("api:GET /registry/structure", ANYONE),
        Access("api:GET /registry/structure/change", OFFICERS, obj="import_runs"),
        Access("api:POST /registry/imports", OFFICERS, note="no file: 400 after the permission check"),
        Access("api:GET /ksic/resolve", ANYONE, params={"query": {"name": ["도금업 외 2종", "육류 가공업"]}}),
        Access("api:GET /ksic/codes/{code}", ANYONE, params={"code": "25922"}),
    ],
)


# --- dashboard panels ---------------------------------------------------------------------------


def _complex_figures(viewer, cx) -> list[spine.Figure]:
    from django.urls import reverse

    from techvalley.registry import ksic, selectors

    data = selectors.structure(cx)
    as_of = selectors.registry_as_of(cx)
    source = _("Busan factory registry (부산광역시 공장등록 현황) %(date)s") % {
        "date": (as_of["registry_date"] or as_of["filename"]) if as_of else "—"
    }
    url = reverse("registry:structure")
    when = as_of["date"] if as_of else None
    if when is None:  # no import yet: the records as last changed
        from django.db.models import Max

        from techvalley.registry.models import Company

        latest = Company.objects.filter(complex=cx).aggregate(m=Max("updated_at"))["m"]
        when = latest.date() if latest else None
    counted = bool(data["total"]["companies"])
    empty = _("No companies in the registry yet: no share to give.")
    return [
        spine.Figure(
            "companies",
            _("companies in the registry"),
            data["total"]["companies"],
            _("companies"),
            source,
            when,
            reverse("registry:company_list"),
        ),
        spine.Figure(
            "high_tech_share",
            _("high-tech share (broad)"),
            selectors.share_pct(data, "high_tech_share"),
            "%" if counted else "",
            source,
            when,
            url,
            _("high and medium-high technology manufacturing and knowledge-intensive services. %(basis)s")
            % {"basis": ksic.intensity_source(get_language())}
            if counted
            else empty,
        ),
        spine.Figure(
            "strict_high_tech_share",
            _("high-tech share (strict)"),
            selectors.share_pct(data, "strict_high_tech_share"),
            "%" if counted else "",
            source,
            when,
            url,
            _("high-technology manufacturing only. %(basis)s") % {"basis": ksic.intensity_source(get_language())}
            if counted
            else empty,
        ),
    ]


def _officer_figures(viewer, cx) -> list[spine.Figure]:
    from django.urls import reverse

    from techvalley.registry import selectors

    last = selectors.imports(viewer, cx).only("started_at", "filename").first()
    return [
        spine.Figure(
            "review_queue",
            _("industries to review"),
            selectors.review_queue(viewer, cx).count(),
            _("companies"),
            _("registry imports"),
            timezone.localdate(),
            reverse("registry:review_queue"),
        ),
        spine.Figure(
            "last_import",
            _("last registry import"),
            last.started_at.date() if last else _("none yet"),
            "",
            last.filename if last else "",
            last.started_at if last else None,
            reverse("registry:import_list"),
        ),
    ]


def _is_officer_of(viewer, cx) -> bool:
    from techvalley.registry import permissions

    return cx is not None and permissions.can_review(viewer, cx)


spine.panel(
    spine.Panel("registry", _("Companies of the complex"), _complex_figures, order=20),
    spine.Panel(
        "registry_work",
        _("Registry"),
        _officer_figures,
        _is_officer_of,
        order=20,
        audiences=frozenset({"officer"}),
    ),
)


# --- search and links ---------------------------------------------------------------------------


def _search(viewer, cx, query: str, limit: int) -> list[spine.SearchHit]:
    from techvalley.registry import selectors

    return selectors.search_companies(viewer, cx, query, limit)


def _candidates(cx, query: str = ""):
    from techvalley.registry import selectors
    from techvalley.registry.models import Company

    qs = Company.objects.filter(complex=cx, in_registry=True)
    return selectors.matching(qs, query).only("id", "name")[:50] if query else qs.only("id", "name")[:50]


def _company_url(company) -> str:
    from django.urls import reverse

    return reverse("registry:company_detail", args=[company.pk])


spine.search(spine.SearchProvider("companies", _("Companies"), _search, order=20))
spine.linkable(
    spine.LinkableType(
        "company",
        _("company"),
        "registry.Company",
        _candidates,
        _company_url,
        is_public=lambda company: True,  # the company page shows published registry data only
        title=lambda company: company.name,
    )
)


def _demo(summary: dict, options: dict) -> dict:
    from techvalley.registry.demo import load_registry_demo

    return load_registry_demo()


spine.demo_step(spine.DemoStep("registry", "registry, coordinates, estimates, people", _demo, order=10))
from techvalley.registry import portal_parts  # noqa: E402, F401 — the transition record, open data and map layer


def _personal_data():
    """A company's contact persons (담당자) are personal data: each is kept under a consent
    recorded with it; `techvalley privacy purge` erases them when it runs out or is withdrawn."""
    from techvalley.registry import services

    return spine.PersonalData(
        services.CONTACT_DATA_KEY,
        _("Company contact persons"),
        export=services.export_contacts,
        erase_consented=services.erase_consented_contact,
        retention_days=services.CONTACT_RETENTION_DAYS,
        items=services.CONTACT_ITEMS,
    )


spine.personal_data(_personal_data())
