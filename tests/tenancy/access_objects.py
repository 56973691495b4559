"""Tenancy objects for the access-table test (tests/access.py): a published centre, a lead with a
follow-up, a campaign, a roundtable and a stored rule version (none belongs to a company, so
company A's and company B's objects are the same), and a lease of each company (the ``company``
kind's pages show them: A's rent is a private marker an officer of another complex must not see)."""

import datetime as dt

from techvalley.tenancy import services
from techvalley.tenancy.models import Campaign, Centre, Roundtable, RuleVersion, Tenant, Unit
from techvalley.tenancy.rules import shipped_document

XSS = "<script>alert(1)</script>"


def build(world) -> dict:
    cx = world["cx"]
    centre = Centre.objects.create(
        complex=cx,
        slug="access-centre",
        name=f"센터 {XSS}",
        location="industrial_facility_zone",
        gross_floor_area_m2=10000,
        floors_above=10,
    )
    unit = Unit.objects.create(centre=centre, number="101", floor=1, area_m2=100, use="knowledge_ict")
    occupied = Unit.objects.create(centre=centre, number="102", floor=1, area_m2=100, use="knowledge_ict")
    tenant = Tenant.objects.create(complex=cx, name=f"입주자 {XSS}", ksic="62010")
    lease = services.start_lease(occupied, tenant, start=dt.date(2025, 1, 1))
    campaign = Campaign.objects.create(
        complex=cx, name=f"캠페인 {XSS}", channel="press", start=dt.date(2026, 1, 1), tracking_code="access"
    )
    lead = services.submit_inquiry(
        cx, {"company_name": f"기업 {XSS}", "contact_name": XSS, "phone": "010-1234-5678"}, consent=True
    )
    task = services.add_followup(cx, title=f"전화 {XSS}", lead=lead)
    roundtable = Roundtable.objects.create(complex=cx, title=f"간담회 {XSS}", held_on=dt.date(2026, 2, 1))
    doc = shipped_document()
    doc["version"] = "access-test"
    version = RuleVersion.objects.create(version="access-test", statute_as_of="2026-04-28", document=doc)
    for side, rent in (("a", 7_654_321), ("b", 6_543_210)):
        company = world[side]
        unit_c = Unit.objects.create(centre=centre, number=f"2{side}", floor=2, area_m2=99, use="knowledge_ict")
        leaser = Tenant.objects.create(complex=cx, name=company.name, company=company, ksic="62010")
        services.start_lease(unit_c, leaser, start=dt.date(2025, 3, 1), monthly_rent_won=rent)
    world["private_markers"].append("7,654,321")
    same = lambda params: {"a": params, "b": params}  # noqa: E731
    return {
        "centre": same({"slug": centre.slug}),
        "unit": same({"pk": unit.pk}),
        "lease": same({"pk": lease.pk}),
        "centre_query": same(
            {"query": {**{"ksic": "62010", "revision": "11", "use": "tenant", "area_m2": "100"}, "centre": centre.slug}}
        ),
        "lead": same({"pk": lead.pk, "lead_id": lead.pk}),
        "followup": same({"pk": task.pk}),
        "campaign": same({"pk": campaign.pk}),
        "roundtable": same({"pk": roundtable.pk}),
        "rule_version": same({"pk": version.pk}),
    }
