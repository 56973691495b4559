"""A company's own leases: its members see them (unit, term, area, rent) on its pages and home;
other companies never do; officers of its complex do; officers of another complex do not."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from techvalley.core import spine
from techvalley.core.models import ApiToken
from techvalley.core.scoping import viewer_for
from techvalley.tenancy import services
from techvalley.tenancy.models import Centre, Tenant, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def leases(world):
    cx = world["cx"]
    centre = Centre.objects.create(
        complex=cx,
        slug="kic",
        name="테스트 지식산업센터",
        location="industrial_facility_zone",
        gross_floor_area_m2=9000,
    )
    made = {}
    for side, number, rent in (("a", "701", 1_234_567), ("b", "702", 2_345_678)):
        unit = Unit.objects.create(centre=centre, number=number, floor=7, area_m2=132, use="knowledge_ict")
        tenant = Tenant.objects.create(complex=cx, name=world[side].name, company=world[side], ksic="62010")
        made[side] = services.start_lease(unit, tenant, start=dt.date(2025, 2, 1), monthly_rent_won=rent)
    # Company A also had a unit before (ended), and one lease without a recorded rent.
    old_unit = Unit.objects.create(centre=centre, number="301", floor=3, area_m2=66, use="knowledge_ict")
    tenant_a = made["a"].tenant
    old = services.start_lease(old_unit, tenant_a, start=dt.date(2023, 1, 1))
    services.end_lease(old, end=dt.date(2025, 1, 31), reason="확장 이전")
    return made


def client_for(world, role):
    c = Client()
    if world["users"][role] is not None:
        c.force_login(world["users"][role])
    return c


def page(world, role, side):
    return client_for(world, role).get(reverse("tenancy:company_leases", args=[world[side].pk]))


@pytest.mark.parametrize("role", ["member_a", "manager_a", "officer"])
def test_own_members_and_officers_see_the_leases(world, leases, role):
    response = page(world, role, "a")
    assert response.status_code == 200
    html = response.content.decode()
    assert "701" in html and "1,234,567" in html and "132.0" in html and "2025-02-01" in html
    assert "301" in html and "확장 이전" in html and "2025-01-31" in html
    assert "702" not in html and "2,345,678" not in html  # B's lease never on A's page
    assert "<script>alert(1)</script>" not in html


@pytest.mark.parametrize("role", ["member_a", "manager_a", "university", "visitor", "other_officer"])
def test_other_companies_and_outsiders_never_see_them(world, leases, role):
    side = "b" if role.endswith("_a") else "a"
    response = page(world, role, side)
    assert response.status_code == 403
    assert "1,234,567" not in response.content.decode() and "2,345,678" not in response.content.decode()


def test_anonymous_is_sent_to_sign_in(world, leases):
    response = page(world, "anonymous", "a")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_company_is_404(world, leases):
    assert client_for(world, "officer").get(reverse("tenancy:company_leases", args=[999999])).status_code == 404


def test_api_lists_own_leases_only(world, leases):
    token = ApiToken.objects.create(user=world["users"]["member_a"], name="t")
    c = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token.key}"}
    own = c.get(f"/api/tenancy/companies/{world['a'].pk}/leases", **auth)
    assert own.status_code == 200
    rows = own.json()
    assert [(r["unit"], r["current"], r["monthly_rent_won"]) for r in rows] == [
        ("701", True, 1_234_567),
        ("301", False, None),
    ]
    assert rows[0]["area_m2"] == 132.0 and rows[0]["start"] == "2025-02-01" and rows[0]["end"] is None
    other = c.get(f"/api/tenancy/companies/{world['b'].pk}/leases", **auth)
    assert other.status_code == 403 and "2345678" not in other.content.decode()
    assert c.get(f"/api/tenancy/companies/{world['a'].pk}/leases").status_code == 401


def test_company_home_panel_shows_own_current_units(world, leases):
    cx = world["cx"]
    member = viewer_for(world["users"]["member_a"])
    panels = dict((p.key, figs) for p, figs in spine.platform.panels_for(member, cx, "company"))
    figures = panels["kic-own-leases"]
    assert [f.label for f in figures] == ["테스트 지식산업센터 701"]
    assert figures[0].value == "132.0" and figures[0].unit == "m²"
    assert "1,234,567" in str(figures[0].note) and "2025-02-01" in str(figures[0].note)
    assert figures[0].url == reverse("tenancy:company_leases", args=[world["a"].pk])
    other = viewer_for(world["users"]["manager_b"])
    b_figs = dict((p.key, figs) for p, figs in spine.platform.panels_for(other, cx, "company"))["kic-own-leases"]
    assert [f.label for f in b_figs] == ["테스트 지식산업센터 702"]
    visitor = viewer_for(world["users"]["visitor"])
    assert "kic-own-leases" not in {p.key for p, _ in spine.platform.panels_for(visitor, cx, "company")}


def test_company_page_links_to_the_leases_for_its_own_people_only(world, leases):
    link = reverse("tenancy:company_leases", args=[world["a"].pk])
    for role, shown in (("member_a", True), ("officer", True), ("manager_b", False), ("visitor", False)):
        viewer = viewer_for(world["users"][role])
        urls = [url for _link, url in spine.platform.related_for(world["a"], viewer)]
        assert (link in urls) is shown, role


def test_the_leases_page_runs_a_constant_number_of_queries(world, leases):
    centre = Centre.objects.get(slug="kic")
    tenant_a = Tenant.objects.get(company=world["a"], name=world["a"].name)
    c = client_for(world, "member_a")
    url = reverse("tenancy:company_leases", args=[world["a"].pk])
    c.get(url)
    with CaptureQueriesContext(connection) as few:
        c.get(url)
    for i in range(30):
        unit = Unit.objects.create(centre=centre, number=f"9{i:02d}", floor=9, area_m2=50, use="knowledge_ict")
        lease = services.start_lease(unit, tenant_a, start=dt.date(2020, 1, 1) + dt.timedelta(days=i))
        if i % 2:
            services.end_lease(lease, end=dt.date(2024, 1, 1), reason="")
    with CaptureQueriesContext(connection) as many:
        html = c.get(url).content.decode()
    assert "929" in html
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_officer_links_a_move_in_to_the_registry_company(world, leases):
    centre = Centre.objects.get(slug="kic")
    unit = Unit.objects.create(centre=centre, number="801", floor=8, area_m2=77, use="knowledge_ict")
    c = client_for(world, "officer")
    url = reverse("tenancy:unit_move_in", args=[unit.pk])
    form = {"tenant_name": "에이", "ksic": "62010", "ksic_revision": "11", "use": "tenant", "kind": "rent"}
    form["start"] = "2026-01-05"
    refused = c.post(url, {**form, "company": "없는 회사"})
    assert refused.status_code == 200 and "없는 회사" in refused.content.decode()
    assert not unit.leases.exists()
    assert c.post(url, {**form, "company": str(world["a"].pk), "monthly_rent_won": "990000"}).status_code == 302
    html = page(world, "member_a", "a").content.decode()
    assert "801" in html and "990,000" in html
    assert "801" not in page(world, "manager_b", "b").content.decode()
