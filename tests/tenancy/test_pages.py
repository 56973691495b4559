"""Pages and API of the tenancy app: public pages show no internal data, the inquiry path needs
consent, officers' pages render on the demo data, the audit exports to Excel."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from techvalley.core.models import ApiToken
from techvalley.tenancy.demo import load_tenancy_demo
from techvalley.tenancy.models import Lead, RuleVersion, Tenant
from techvalley.tenancy.rules import shipped_document

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def demo(world):
    load_tenancy_demo(world["cx"], today=TODAY)
    return world


def client(world, role):
    c = Client()
    if world["users"][role] is not None:
        c.force_login(world["users"][role])
    return c


def test_public_pages_show_vacancies_but_no_internal_data(demo):
    c = client(demo, "anonymous")
    html = c.get(reverse("tenancy:vacancy_list")).content.decode()
    assert "서부산 SK V1" in html and "펜타플렉스" in html
    page = c.get(reverse("tenancy:centre_detail", args=["sk-v1"]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="vacancies"' in body
    for tenant in Tenant.objects.all()[:50]:
        assert tenant.name not in body
    penta = c.get(reverse("tenancy:centre_detail", args=["pentaplex"])).content.decode()
    assert "(예시) 펜타플렉스 시행사" not in penta  # owners are internal
    assert reverse("tenancy:centre_manage", args=["sk-v1"]) not in body
    officer = client(demo, "officer").get(reverse("tenancy:centre_detail", args=["sk-v1"])).content.decode()
    assert reverse("tenancy:centre_manage", args=["sk-v1"]) in officer


def test_self_check_answers_with_clauses(demo):
    c = client(demo, "anonymous")
    linked = c.get(reverse("tenancy:self_check") + "?centre=sk-v1").content.decode()
    assert "errorlist" not in linked and 'value="sk-v1" selected' in linked
    r = c.get(
        reverse("tenancy:self_check"),
        {"ksic": "62010", "revision": "11", "use": "tenant", "area_m2": "100", "centre": "pentaplex"},
    )
    html = r.content.decode()
    assert 'data-verdict="eligible"' in html and "시행령 제6조 제3항 제1호" in html
    bad = c.get(
        reverse("tenancy:self_check"),
        {"ksic": "99999", "revision": "11", "use": "tenant", "area_m2": "100", "centre": "pentaplex"},
    )
    assert bad.status_code == 200 and "99999" in bad.content.decode() and "data-verdict" not in bad.content.decode()


def test_inquiry_form_shows_the_consent_and_needs_it(demo):
    c = client(demo, "anonymous")
    page = c.get(reverse("tenancy:inquiry") + "?c=promo-2023").content.decode()
    for words in ("상담", "담당자 성명", "파기", "거부할 권리"):
        assert words in page
    before = Lead.objects.count()
    form = {
        "company_name": "새 기업",
        "contact_name": "김",
        "phone": "010-1234-5678",
        "use": "tenant",
        "c": "promo-2023",
    }
    refused = c.post(reverse("tenancy:inquiry"), form)
    assert refused.status_code == 200 and Lead.objects.count() == before
    sent = c.post(reverse("tenancy:inquiry"), {**form, "consent": "on", "ksic": "62010"})
    assert sent.status_code == 302
    lead = Lead.objects.get(company_name="새 기업")
    assert lead.campaign.tracking_code == "promo-2023" and lead.consent_at is not None


@pytest.mark.parametrize(
    "name",
    [
        "tenancy:manage",
        "tenancy:audit",
        "tenancy:funnel",
        "tenancy:campaign_list",
        "tenancy:rules",
        "tenancy:rules_new",
        "tenancy:campaign_new",
        "tenancy:roundtable_new",
    ],
)
def test_officer_pages_render_and_others_are_refused(demo, name):
    assert client(demo, "officer").get(reverse(name)).status_code == 200
    assert client(demo, "manager_a").get(reverse(name)).status_code == 403
    assert client(demo, "other_officer").get(reverse(name) + "?complex=" + demo["cx"].slug).status_code == 403 or (
        name in ("tenancy:rules", "tenancy:rules_new")
    )


def test_lead_page_shows_matches_and_moves_the_lead(demo):
    c = client(demo, "officer")
    lead = Lead.objects.get(company_name="(예시) 다올물류")
    page = c.get(reverse("tenancy:lead_detail", args=[lead.pk])).content.decode()
    assert 'id="matches"' in page
    r = c.post(reverse("tenancy:lead_stage", args=[lead.pk]), {"stage": "visit", "note": "현장 방문"})
    assert r.status_code == 302
    lead.refresh_from_db()
    assert lead.stage == "visit"
    c.post(reverse("tenancy:lead_followup", args=[lead.pk]), {"title": "견적 보내기"})
    assert lead.followups.filter(title="견적 보내기").exists()
    back = c.post(reverse("tenancy:lead_stage", args=[lead.pk]), {"stage": "inquiry"})
    assert back.status_code == 400
    lead.owner = None
    lead.save()
    assert c.post(reverse("tenancy:lead_assign", args=[lead.pk])).status_code == 302
    lead.refresh_from_db()
    assert lead.owner == demo["users"]["officer"]


def test_audit_excel_lists_findings(demo):
    r = client(demo, "officer").get(reverse("tenancy:audit_xlsx"))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=6)]
    assert values and values[0][0] == "위반"
    assert any(row[6] == "(예시) 유흥주점" for row in values)
    assert "시행령" in (ws["A2"].value or "")


def test_rule_version_can_be_stored_and_activated(demo):
    c = client(demo, "officer")
    doc = shipped_document()
    doc["support_caps"]["mixed_zone"]["ratio"] = "0.40"
    import json

    r = c.post(
        reverse("tenancy:rules_new"),
        {"version": "2026-12-local", "note": "test", "activate": "on", "document": json.dumps(doc, ensure_ascii=False)},
    )
    assert r.status_code == 302
    stored = RuleVersion.objects.get(version="2026-12-local")
    assert stored.active and stored.statute_as_of == "2026-04-28"
    api = Client().post(
        "/api/tenancy/check",
        {
            "ksic": "56111",
            "use": "support",
            "area_m2": 100,
            "centre": {
                "location": "mixed_zone",
                "gross_floor_area_m2": 1000,
                "support_area_m2": 350,
                "support_area_by_ksic": {"56221": 175},
            },
        },
        content_type="application/json",
    )
    assert api.json()["support_cap_m2"] == 400.0 and api.json()["rules"]["version"] == "2026-12-local"
    broken = c.post(reverse("tenancy:rules_new"), {"version": "bad", "document": '{"version": "x"}'})
    assert broken.status_code == 200 and not RuleVersion.objects.filter(version="bad").exists()
    c.post(reverse("tenancy:rules_activate", args=[0]))
    stored.refresh_from_db()
    assert not stored.active


def test_api_check_inquiry_and_officer_endpoints(demo):
    anon = Client()
    r = anon.post(
        "/api/tenancy/check", {"ksic": "62010", "area_m2": 10, "centre": "sk-v1"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["verdict"] == "eligible"
    bad = anon.post(
        "/api/tenancy/check", {"ksic": "62010", "area_m2": -1, "centre": "sk-v1"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["field"] == "area_m2"
    no = anon.post(
        "/api/tenancy/inquiries",
        {"company_name": "x", "contact_name": "y", "phone": "1"},
        content_type="application/json",
    )
    assert no.status_code == 400 and no.json()["field"] == "consent"
    assert anon.get("/api/tenancy/leads").status_code == 401
    token = ApiToken.objects.create(user=demo["users"]["officer"], name="t").key
    leads = anon.get("/api/tenancy/leads", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert leads["count"] >= 10 and "phone" not in leads["items"][0]
    funnel = anon.get("/api/tenancy/funnel", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert funnel["stages"][0]["stage"] == "inquiry"
    vac = anon.get("/api/tenancy/centres/sk-v1/vacancies").json()
    assert vac and set(vac[0]) == {
        "number",
        "floor",
        "area_m2",
        "use",
        "monthly_rent_won",
        "deposit_won",
        "sale_price_won",
        "is_estimate",
    }


def test_vacancy_list_query_count_does_not_grow_with_centres(demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        Client().get(reverse("tenancy:vacancy_list"))


def test_search_and_panels_are_scoped(demo):
    from techvalley.core import spine
    from techvalley.core.scoping import viewer_for

    cx = demo["cx"]
    provider = next(p for p in spine.platform.search_providers if p.key == "kic")
    public = provider.search(viewer_for(None), cx, "SK", 10)
    assert [h.title for h in public] == ["서부산 SK V1"]
    officer = viewer_for(demo["users"]["officer"])
    assert any(h.title == "(예시) 다올물류" for h in provider.search(officer, cx, "다올", 10))
    assert provider.search(viewer_for(demo["users"]["manager_a"]), cx, "다올", 10) == []
    panels = {p.key: p for p in spine.platform.panels}
    figures = panels["kic-occupancy"].figures(viewer_for(None), cx)
    assert {f.key for f in figures} == {"kic-occupancy", "kic-vacant", "kic-vacant-m2"}
    assert all(f.source and f.as_of and f.url for f in figures)
    assert not panels["kic-funnel"].visible(viewer_for(demo["users"]["manager_a"]), cx)
    stale = next(f for f in panels["kic-funnel"].figures(officer, cx) if f.key == "kic-stale-leads")
    assert stale.value == 2


def test_self_check_link_from_a_company_page_prefills_the_code(demo):
    html = Client().get(reverse("tenancy:self_check") + "?ksic=25934&revision=10").content.decode()
    assert 'value="25934"' in html and "errorlist" not in html and "data-verdict" not in html


def test_officer_records_a_centre_units_and_leases(world):
    c = client(world, "officer")
    r = c.post(
        reverse("tenancy:centre_new"),
        {
            "slug": "new-kic",
            "name": "새 센터",
            "location": "mixed_zone",
            "gross_floor_area_m2": "20000",
            "floors_above": "12",
            "floors_below": "2",
            "published": "on",
        },
    )
    assert r.status_code == 302
    dup = c.post(
        reverse("tenancy:centre_new"),
        {
            "slug": "new-kic",
            "name": "둘째",
            "location": "mixed_zone",
            "gross_floor_area_m2": "1000",
            "floors_above": "3",
            "floors_below": "0",
        },
    )
    assert dup.status_code == 200 and "이미 쓰인 약칭" in dup.content.decode()
    unit_form = {"number": "501", "floor": "5", "area_m2": "150", "use": "knowledge_ict", "status": "vacant"}
    assert c.post(reverse("tenancy:unit_new", args=["new-kic"]), unit_form).status_code == 302
    lying = c.post(reverse("tenancy:unit_new", args=["new-kic"]), {**unit_form, "number": "502", "status": "occupied"})
    assert lying.status_code == 200  # occupied without a lease is refused
    from techvalley.tenancy.models import Unit

    unit = Unit.objects.get(centre__slug="new-kic", number="501")
    move_in = {
        "tenant_name": "가온소프트",
        "ksic": "62010",
        "ksic_revision": "11",
        "use": "tenant",
        "kind": "rent",
        "start": "2026-03-01",
    }
    assert c.post(reverse("tenancy:unit_move_in", args=[unit.pk]), move_in).status_code == 302
    unit.refresh_from_db()
    assert unit.status == "occupied"
    lease = unit.leases.get()
    page = c.get(reverse("tenancy:centre_manage", args=["new-kic"])).content.decode()
    assert "가온소프트" in page and reverse("tenancy:lease_end", args=[lease.pk]) in page
    r = c.post(reverse("tenancy:lease_end", args=[lease.pk]), {"end": "2026-10-31", "reason": "확장 이전"})
    assert r.status_code == 302
    unit.refresh_from_db()
    assert unit.status == "vacant" and unit.vacant_since == dt.date(2026, 11, 1)
    assert client(world, "manager_a").get(reverse("tenancy:centre_new")).status_code == 403


def test_lead_page_queries_do_not_grow_with_vacant_units(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from techvalley.tenancy.models import Centre, Unit

    c = client(demo, "officer")
    lead = Lead.objects.get(company_name="(예시) 다올물류")
    url = reverse("tenancy:lead_detail", args=[lead.pk])
    c.get(url)
    with CaptureQueriesContext(connection) as few:
        assert c.get(url).status_code == 200
    centre = Centre.objects.get(slug="pentaplex")
    Unit.objects.bulk_create(
        Unit(centre=centre, number=f"X{i}", floor=3, area_m2=500 + i, use="factory") for i in range(40)
    )
    with CaptureQueriesContext(connection) as many:
        assert "X1" in c.get(url).content.decode()
    assert len(many) == len(few) <= 30
