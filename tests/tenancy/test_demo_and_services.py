"""The demo step, the services (consent → lead, funnel moves, leases) and the selectors' figures."""

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput
from techvalley.tenancy import selectors, services
from techvalley.tenancy.demo import load_tenancy_demo
from techvalley.tenancy.models import Campaign, Centre, Lead, LeadEvent, Lease, Stage, Tenant, Unit

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


def test_demo_is_deterministic_fast_and_marked_as_estimates(cx):
    start = time.monotonic()
    summary = load_tenancy_demo(cx, today=TODAY)
    assert time.monotonic() - start < 10
    assert summary["centres"] == 4
    names = set(Centre.objects.filter(complex=cx).values_list("name", flat=True))
    assert names == {"펜타플렉스", "서부산 스마트T타워", "리드원부산", "서부산 SK V1"}
    assert not Centre.objects.filter(complex=cx, is_estimate=False).exists()
    assert not Unit.objects.filter(centre__complex=cx, is_estimate=False).exists()
    assert all("(예시)" in n for n in Tenant.objects.filter(complex=cx).values_list("name", flat=True))
    sk = Centre.objects.get(complex=cx, slug="sk-v1")
    assert sk.gross_floor_area_m2 == Decimal("166000") and sk.floors_above == 18
    first = list(
        Unit.objects.filter(centre__complex=cx)
        .order_by("centre__slug", "number")
        .values_list("number", "area_m2", "status", "monthly_rent_won")
    )
    assert load_tenancy_demo(cx, today=TODAY)["skipped"]
    # a second database gets the same figures
    Lead.objects.filter(complex=cx).delete()
    Lease.objects.filter(unit__centre__complex=cx).delete()
    Tenant.objects.filter(complex=cx).delete()
    Centre.objects.filter(complex=cx).delete()
    Campaign.objects.filter(complex=cx).delete()
    load_tenancy_demo(cx, today=TODAY)
    again = list(
        Unit.objects.filter(centre__complex=cx)
        .order_by("centre__slug", "number")
        .values_list("number", "area_m2", "status", "monthly_rent_won")
    )
    assert first == again


def test_demo_audit_finds_the_planted_uses(world):
    cx = world["cx"]
    load_tenancy_demo(cx, today=TODAY)
    officer = viewer_for(world["users"]["officer"])
    rows = selectors.tenant_audit(officer, cx, only_findings=True)
    by_tenant = {r.tenant: r for r in rows}
    assert by_tenant["(예시) 유흥주점"].finding == "illegal"
    assert "시행령 제36조의4 제2항 제3호 마목" in by_tenant["(예시) 유흥주점"].clauses
    assert by_tenant["(예시) 물류창고"].finding == "doubtful"
    assert by_tenant["(예시) 물류창고"].verdict == "needs_approval"
    assert by_tenant["(예시) 부동산중개"].finding == "illegal"
    assert rows[0].finding == "illegal"  # worst first
    with pytest.raises(PermissionDenied):
        selectors.tenant_audit(viewer_for(world["users"]["manager_a"]), cx)


def test_inquiry_needs_consent_and_records_its_terms(cx):
    with pytest.raises(BadInput) as err:
        services.submit_inquiry(cx, {"company_name": "A", "contact_name": "B", "phone": "010-1234-5678"}, consent=False)
    assert err.value.field == "consent"
    assert not Lead.objects.exists()
    with pytest.raises(BadInput):
        services.submit_inquiry(cx, {"company_name": "A", "contact_name": "B"}, consent=True)  # no way to reply
    now = timezone.now()
    lead = services.submit_inquiry(
        cx, {"company_name": "A", "contact_name": "B", "email": "b@example.com", "ksic": "62010"}, consent=True, now=now
    )
    assert lead.consent_at == now and lead.consent_version == services.CONSENT_VERSION
    assert lead.retain_until == (now + dt.timedelta(days=services.RETENTION_DAYS)).date()
    assert lead.high_tech and lead.stage == Stage.INQUIRY
    assert LeadEvent.objects.filter(lead=lead, stage="inquiry").exists()
    for key in ("purpose", "items", "retention", "refusal"):
        assert services.CONSENT[key]


def test_tracking_code_credits_the_campaign(cx):
    campaign = Campaign.objects.create(
        complex=cx, name="c", channel="press", cost_won=1_000_000, start=TODAY, tracking_code="press-1"
    )
    services.submit_inquiry(
        cx, {"company_name": "A", "contact_name": "B", "phone": "010-1234-5678"}, consent=True, tracking_code="press-1"
    )
    services.submit_inquiry(
        cx, {"company_name": "C", "contact_name": "D", "phone": "010-1234-5678"}, consent=True, tracking_code="unknown"
    )
    assert campaign.leads.count() == 1


def test_funnel_figures_hand_worked(world):
    cx = world["cx"]
    officer_user = world["users"]["officer"]
    v = viewer_for(officer_user)
    centre = Centre.objects.create(complex=cx, slug="c", name="C", location="mixed_zone", gross_floor_area_m2=1000)
    unit = Unit.objects.create(centre=centre, number="1", floor=3, area_m2=100, use="knowledge_ict")
    t0 = timezone.now() - dt.timedelta(days=100)

    def lead(name, code):
        return services.submit_inquiry(
            cx,
            {"company_name": name, "contact_name": "x", "phone": "010-1234-5678", "ksic": code},
            consent=True,
            now=t0,
        )

    a, b, c = lead("a", "62010"), lead("b", "25934"), lead("c", "62010")
    lead("d", "")
    services.advance_lead(a, Stage.VISIT, now=t0 + dt.timedelta(days=10))
    services.advance_lead(a, Stage.MOVED_IN, unit=unit, now=t0 + dt.timedelta(days=40))  # skips two stages
    services.advance_lead(b, Stage.APPLICATION, now=t0 + dt.timedelta(days=5))
    services.advance_lead(c, Stage.VISIT, now=t0 + dt.timedelta(days=3))
    services.advance_lead(c, Stage.LOST, lost_reason="예산", now=t0 + dt.timedelta(days=20))
    f = selectors.funnel(v, cx)
    counts = {s["stage"]: s["count"] for s in f["stages"]}
    # a: inquiry, visit, moved_in (+ application, contract by order); b: inquiry..application; c: inquiry, visit; d
    assert counts == {"inquiry": 4, "visit": 3, "application": 2, "contract": 1, "moved_in": 1}
    assert f["conversion"] == 0.25 and f["lost"] == 1 and f["lost_reasons"] == [("예산", 1)]
    assert f["days_to_move_in"] == 40
    assert f["high_tech_share"] == 1.0
    a.refresh_from_db()
    assert a.tenant is not None and Lease.objects.filter(unit=unit, end__isnull=True, tenant=a.tenant).exists()
    unit.refresh_from_db()
    assert unit.status == "occupied"
    # no going back, no losing without a reason, nothing after the end
    with pytest.raises(BadInput):
        services.advance_lead(b, Stage.VISIT)
    with pytest.raises(BadInput):
        services.advance_lead(b, Stage.LOST)
    with pytest.raises(BadInput):
        services.advance_lead(a, Stage.LOST, lost_reason="x")
    stale = {x.company_name for x in selectors.leads_without_next_step(v, cx)}
    assert stale == {"b", "d"}
    services.add_followup(cx, title="call", lead=b)
    assert {x.company_name for x in selectors.leads_without_next_step(v, cx)} == {"d"}


def test_time_to_fill_from_the_occupancy_history(cx):
    centre = Centre.objects.create(complex=cx, slug="c", name="C", location="mixed_zone", gross_floor_area_m2=1000)
    unit = Unit.objects.create(centre=centre, number="1", floor=3, area_m2=100, use="knowledge_ict")
    t1 = Tenant.objects.create(complex=cx, name="t1", ksic="62010")
    t2 = Tenant.objects.create(complex=cx, name="t2", ksic="62010")
    lease = services.start_lease(unit, t1, start=dt.date(2025, 1, 1))
    with pytest.raises(BadInput):
        services.start_lease(unit, t2, start=dt.date(2025, 2, 1))  # occupied
    services.end_lease(lease, end=dt.date(2025, 6, 30))
    unit.refresh_from_db()
    assert unit.status == "vacant" and unit.vacant_since == dt.date(2025, 7, 1)
    services.start_lease(unit, t2, start=dt.date(2025, 9, 28))
    assert selectors._time_to_fill(cx, None, None) == 90


def test_centre_facts_from_support_leases(cx):
    centre = Centre.objects.create(
        complex=cx,
        slug="c",
        name="C",
        location="industrial_facility_zone",
        gross_floor_area_m2=10_000,
        daycare_capacity=30,
    )
    cafe = Unit.objects.create(centre=centre, number="101", floor=1, area_m2=200, use="support")
    kids = Unit.objects.create(centre=centre, number="102", floor=1, area_m2=150, use="support")
    services.start_lease(cafe, Tenant.objects.create(complex=cx, name="cafe", ksic="56221"), use="support", start=TODAY)
    services.start_lease(kids, Tenant.objects.create(complex=cx, name="kids", ksic="87210"), use="support", start=TODAY)
    facts = selectors.centre_facts(centre)
    assert facts.support_area_m2 == 350
    assert facts.support_area_by_ksic == {"56221": 200, "87210": 150}
    assert facts.daycare.area_m2 == 150 and facts.daycare.capacity == 30
    overview = selectors.support_overview(centre)
    assert overview["cap_m2"] == Decimal("3450")  # 3,000 + min(3 × 150, 2,000)


def test_expired_personal_data_is_erased(cx):
    old = services.submit_inquiry(
        cx,
        {"company_name": "A", "contact_name": "김", "phone": "010-1234-5678"},
        consent=True,
        now=timezone.now() - dt.timedelta(days=400),
    )
    new = services.submit_inquiry(
        cx, {"company_name": "B", "contact_name": "이", "phone": "010-1234-5678"}, consent=True
    )
    assert services.purge_expired_leads(cx) == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.contact_name == "(파기됨)" and old.phone == "" and old.company_name == "A"
    assert new.contact_name == "이"


def test_matching_prefers_fitting_eligible_units(world):
    cx = world["cx"]
    v = viewer_for(world["users"]["officer"])
    ifz = Centre.objects.create(
        complex=cx, slug="a", name="A", location="industrial_facility_zone", gross_floor_area_m2=10_000
    )
    Unit.objects.create(centre=ifz, number="small", floor=5, area_m2=50, use="knowledge_ict", monthly_rent_won=800_000)
    fit = Unit.objects.create(
        centre=ifz, number="fit", floor=5, area_m2=120, use="knowledge_ict", monthly_rent_won=1_500_000
    )
    Unit.objects.create(
        centre=ifz, number="dear", floor=6, area_m2=120, use="knowledge_ict", monthly_rent_won=9_000_000
    )
    lead = services.submit_inquiry(
        cx,
        {
            "company_name": "L",
            "contact_name": "x",
            "phone": "010-1234-5678",
            "ksic": "62010",
            "area_min_m2": 100,
            "area_max_m2": 150,
            "budget_monthly_won": 2_000_000,
        },
        consent=True,
    )
    found = selectors.match_units(v, cx, lead)
    assert [m.unit.number for m in found] == ["fit"]
    assert found[0].verdict == "eligible"
    shop = services.submit_inquiry(
        cx,
        {
            "company_name": "S",
            "contact_name": "x",
            "phone": "010-1234-5678",
            "ksic": "47121",
            "area_min_m2": 100,
            "area_max_m2": 150,
        },
        consent=True,
    )
    assert selectors.match_units(v, cx, shop) == []  # not eligible as a tenant business in a complex
    assert fit.pk


def test_an_inquiry_records_its_consent_and_the_privacy_purge_erases_the_lead(cx):
    from techvalley.core import privacy
    from techvalley.core.privacy import Consent

    now = timezone.now()
    lead = services.submit_inquiry(
        cx, {"company_name": "A", "contact_name": "홍길동", "phone": "010-1234-5678"}, consent=True, now=now
    )
    consent = Consent.objects.get(purpose_key="tenancy.inquiry")
    assert consent.record_id == str(lead.pk) and consent.subject == "홍길동" and "phone" in consent.items
    assert privacy.purge_expired(now) == {}  # within its retention period: nothing due
    privacy.withdraw_consent(consent, now)
    assert privacy.purge_expired(now + dt.timedelta(seconds=1)) == {"tenancy.inquiry": 1}
    lead.refresh_from_db()
    consent.refresh_from_db()
    assert (lead.contact_name, lead.phone, lead.email) == ("(파기됨)", "", "")
    assert lead.company_name == "A" and consent.subject == "" and consent.erased_at is not None
