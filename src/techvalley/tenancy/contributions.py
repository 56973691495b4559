"""What the tenancy app contributes through the spine (see core/spine.py): the centres' public
vacancy pages, the self-check and inquiry form, the officers' attraction pages, the API, menu
entries, dashboard panels (occupancy and vacancies; the funnel and leads without a next step),
campaigns and roundtables as linkable records, site search, its access table and demo step; a
company's own leases (its page, its home panel, a link on its company page); its part of each
company's transition record, the centres' map layer and the open dataset of vacancies (sharing.py)."""

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine
from techvalley.core.spine import ANYONE, OFFICERS, OWN_COMPANY, Access
from techvalley.tenancy import panels, permissions, sharing

spine.pages("tenancy/", "techvalley.tenancy.urls")
spine.api("/tenancy", "techvalley.tenancy.api.router")
spine.nav(
    spine.NavEntry("kic-vacancies", _("Vacancies"), "tenancy:vacancy_list", order=70),
    spine.NavEntry(
        "kic-attraction", _("Attraction"), "tenancy:manage", permissions.can_open_attraction, order=70, group="officer"
    ),
)
spine.panel(
    spine.Panel(
        "kic-occupancy",
        _("Knowledge-industry centres"),
        panels.complex_figures,
        panels.sees_complex,
        order=60,
        audiences=frozenset({"complex"}),
    ),
    spine.Panel(
        "kic-own-leases",
        _("Our units in knowledge-industry centres"),
        panels.own_lease_figures,
        panels.sees_own_leases,
        order=60,
        audiences=frozenset({"company"}),
    ),
    spine.Panel(
        "kic-funnel",
        _("Company attraction"),
        panels.funnel_figures,
        panels.sees_attraction,
        order=60,
        audiences=frozenset({"officer"}),
    ),
)
spine.linkable(
    spine.LinkableType(
        "tenancy.campaign",
        _("Attraction campaign"),
        "tenancy.Campaign",
        candidates=panels.campaign_candidates,
        url=lambda c: c.get_absolute_url(),
        is_public=lambda c: False,  # its page is for officers: no public link may lead to a 403
    ),
    spine.LinkableType(
        "tenancy.roundtable",
        _("Roundtable with business owners"),
        "tenancy.Roundtable",
        candidates=panels.roundtable_candidates,
        url=lambda r: r.get_absolute_url(),
        is_public=lambda r: False,
    ),
)
spine.search(spine.SearchProvider("kic", _("Knowledge-industry centres"), panels.search, order=70))

INQUIRY_FORM = {
    "company_name": "테스트 기업",
    "contact_name": "홍길동",
    "phone": "010-0000-0000",
    "use": "tenant",
    "consent": "on",
}
CENTRE_FORM = {
    "slug": "access-new",
    "name": "새 센터",
    "location": "mixed_zone",
    "gross_floor_area_m2": "10000",
    "floors_above": "10",
    "floors_below": "1",
    "published": "on",
}
UNIT_FORM = {"number": "9901", "floor": "9", "area_m2": "100", "use": "knowledge_ict", "status": "vacant"}
MOVE_IN_FORM = {
    "tenant_name": "입주 기업",
    "ksic": "62010",
    "ksic_revision": "11",
    "use": "tenant",
    "kind": "rent",
    "start": "2026-01-01",
}
CAMPAIGN_FORM = {
    "name": "홍보",
    "channel": "press",
    "cost_won": "1000",
    "start": "2026-01-01",
    "tracking_code": "access-test",
    "public": "on",
}

spine.access(
    "tenancy",
    [
        Access("tenancy:vacancy_list", ANYONE),
        Access("tenancy:centre_detail", ANYONE, obj="centre", note="published centres"),
        Access("tenancy:self_check", ANYONE),
        Access("tenancy:self_check", ANYONE, obj="centre_query", note="with an answer"),
        Access("tenancy:inquiry", ANYONE),
        Access("tenancy:inquiry", ANYONE, method="POST", body=INQUIRY_FORM),
        Access("tenancy:inquiry_done", ANYONE),
        Access("tenancy:company_leases", OFFICERS | OWN_COMPANY, obj="company", note="a company's own leases"),
        Access("tenancy:manage", OFFICERS),
        Access("tenancy:centre_manage", OFFICERS, obj="centre"),
        Access("tenancy:centre_new", OFFICERS),
        Access("tenancy:centre_new", OFFICERS, method="POST", body=CENTRE_FORM),
        Access("tenancy:centre_edit", OFFICERS, obj="centre"),
        Access("tenancy:unit_new", OFFICERS, obj="centre"),
        Access("tenancy:unit_new", OFFICERS, obj="centre", method="POST", body=UNIT_FORM),
        Access("tenancy:unit_edit", OFFICERS, obj="unit"),
        Access("tenancy:unit_move_in", OFFICERS, obj="unit"),
        Access("tenancy:unit_move_in", OFFICERS, obj="unit", method="POST", body=MOVE_IN_FORM),
        Access("tenancy:lease_end", OFFICERS, obj="lease"),
        Access("tenancy:audit", OFFICERS),
        Access("tenancy:audit_xlsx", OFFICERS),
        Access("tenancy:funnel", OFFICERS),
        Access("tenancy:lead_detail", OFFICERS, obj="lead"),
        Access("tenancy:lead_stage", OFFICERS, obj="lead", method="POST", body={"stage": "visit"}),
        Access("tenancy:lead_assign", OFFICERS, obj="lead", method="POST"),
        Access("tenancy:lead_followup", OFFICERS, obj="lead", method="POST", body={"title": "전화"}),
        Access("tenancy:followup_done", OFFICERS, obj="followup", method="POST"),
        Access("tenancy:campaign_list", OFFICERS),
        Access("tenancy:campaign_new", OFFICERS),
        Access("tenancy:campaign_new", OFFICERS, method="POST", body=CAMPAIGN_FORM),
        Access("tenancy:campaign_detail", OFFICERS, obj="campaign"),
        Access("tenancy:roundtable_new", OFFICERS),
        Access("tenancy:roundtable_detail", OFFICERS, obj="roundtable"),
        Access("tenancy:roundtable_detail", OFFICERS, obj="roundtable", method="POST", body={"text": "주차"}),
        Access("tenancy:rules", OFFICERS),
        Access("tenancy:rules_new", OFFICERS),
        Access("tenancy:rules_activate", OFFICERS, obj="rule_version", method="POST"),
        Access("tenancy:rules_shipped", OFFICERS),
        Access(
            "api:POST /tenancy/check",
            ANYONE,
            method="POST",
            body={"ksic": "62010", "area_m2": 100, "centre": {"location": "mixed_zone"}},
        ),
        Access("api:GET /tenancy/centres", ANYONE),
        Access("api:GET /tenancy/centres/{slug}/vacancies", ANYONE, obj="centre"),
        Access(
            "api:POST /tenancy/inquiries",
            ANYONE,
            method="POST",
            body={"company_name": "기업", "contact_name": "홍길동", "email": "a@example.com", "consent": True},
        ),
        Access("api:GET /tenancy/consent", ANYONE),
        Access("api:GET /tenancy/leads", OFFICERS),
        Access("api:POST /tenancy/leads/{lead_id}/stage", OFFICERS, obj="lead", method="POST", body={"stage": "visit"}),
        Access("api:GET /tenancy/funnel", OFFICERS),
        Access("api:GET /tenancy/audit", OFFICERS),
        Access("api:GET /tenancy/companies/{company_id}/leases", OFFICERS | OWN_COMPANY, obj="company"),
    ],
)


def _demo(summary: dict, options: dict) -> dict:
    from techvalley.core.models import Complex
    from techvalley.tenancy.demo import load_tenancy_demo

    return {"tenancy": load_tenancy_demo(Complex.objects.get(slug=summary["complex"]))}


spine.demo_step(spine.DemoStep("tenancy", "knowledge-industry centres, units, tenants, leads", _demo, order=60))


def _self_check_url(company) -> str:
    from urllib.parse import urlencode

    from django.urls import reverse

    if not company.ksic_code:
        return ""
    query = {"ksic": company.ksic_code, "revision": company.ksic_revision or 11}
    return f"{reverse('tenancy:self_check')}?{urlencode(query)}"


# On a company's page: whether its industry may occupy a knowledge-industry centre, judged by
# the statute's rule data (the registry itself keeps no eligibility rules).
spine.related(
    spine.RelatedLink(
        "kic-self-check", "registry.Company", _("Knowledge-industry centre: check eligibility"), _self_check_url
    )
)


def _leases_url(company) -> str:
    from django.urls import reverse

    return reverse("tenancy:company_leases", args=[company.pk])


def _has_leases(viewer, company) -> bool:
    from techvalley.tenancy.models import Lease

    return (
        permissions.can_view_company_leases(viewer, company) and Lease.objects.filter(tenant__company=company).exists()
    )


# On a company's page, for its own members and the officers: its leases in centres.
spine.related(
    spine.RelatedLink(
        "kic-leases", "registry.Company", _("Leases in knowledge-industry centres"), _leases_url, _has_leases, order=71
    )
)

spine.transition(spine.Transition("kic", _("Knowledge-industry centres"), sharing.events, sharing.signals, order=60))
spine.map_layer(
    spine.MapLayer("kic-centres", _("Knowledge-industry centres"), sharing.map_points, sharing.CATEGORIES, order=60)
)
spine.dataset(
    spine.Dataset(
        "tenancy.occupancy",
        _("Knowledge-industry centres: vacancies and occupancy"),
        _(
            "Per knowledge-industry centre of the complex: units recorded, occupied and vacant, vacant floor "
            "area and the occupied share, with the centre's position. Counts only: no tenant or owner."
        ),
        sharing.COLUMNS,
        sharing.dataset_rows,
        sharing.dataset_updated,
        source=_("Units and leases recorded by the district office; demo figures are estimates"),
        order=60,
    )
)


def _personal_data():
    """An inquiry's contact data (개인정보): `techvalley privacy purge` erases it when the consent
    recorded with the inquiry runs out or is withdrawn. The key, items and period are the ones
    the inquiry records its consent with."""
    from techvalley.tenancy import services

    return spine.PersonalData(
        services.PERSONAL_DATA_KEY,
        _("Tenancy inquiries"),
        erase_consented=services.erase_consented_lead,
        retention_days=services.RETENTION_DAYS,
        items=services.PERSONAL_ITEMS,
    )


spine.personal_data(_personal_data())
