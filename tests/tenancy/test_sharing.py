"""What tenancy gives other apps through the spine: the transition record (moving into a
centre, the ``kic_tenant`` signal in bulk), the centres' map layer with vacancies, and the open
dataset of vacancies and occupancy by centre (nothing personal)."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from techvalley.core import spine
from techvalley.core.scoping import viewer_for
from techvalley.tenancy import services
from techvalley.tenancy.demo import load_tenancy_demo
from techvalley.tenancy.models import Centre, Tenant, Unit
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def tenancy(world):
    cx = world["cx"]
    centre = Centre.objects.create(
        complex=cx,
        slug="kic",
        name="센터 <b>가</b>",
        location="industrial_facility_zone",
        gross_floor_area_m2=9000,
        lat=35.09,
        lon=128.97,
    )
    units = [
        Unit.objects.create(centre=centre, number=str(n), floor=5, area_m2=100, use="knowledge_ict")
        for n in (501, 502, 503, 504)
    ]
    tenant_a = Tenant.objects.create(complex=cx, name="A", company=world["a"], ksic="62010")
    services.start_lease(units[0], tenant_a, start=dt.date(2025, 3, 1), monthly_rent_won=3_333_333)
    tenant_b = Tenant.objects.create(complex=cx, name="B", company=world["b"], ksic="62010")
    gone = services.start_lease(units[1], tenant_b, start=dt.date(2024, 1, 1))
    services.end_lease(gone, end=dt.date(2025, 6, 30), reason="이전")
    hidden = Centre.objects.create(
        complex=cx,
        slug="hidden",
        name="미공개 센터",
        location="mixed_zone",
        gross_floor_area_m2=1,
        lat=35.1,
        lon=129.0,
        published=False,
    )
    Unit.objects.create(centre=hidden, number="1", floor=1, area_m2=10, use="knowledge_ict")
    Centre.objects.create(
        complex=cx, slug="nowhere", name="위치 없는 센터", location="mixed_zone", gross_floor_area_m2=1
    )
    return {"centre": centre, "hidden": hidden}


def test_timeline_shows_moving_in_and_out_to_the_company_and_officers(world, tenancy):
    member = viewer_for(world["users"]["member_a"])
    events = [e for e in spine.platform.timeline(world["a"], member) if e.kind.startswith("kic_")]
    assert [(e.date, e.kind) for e in events] == [(dt.date(2025, 3, 1), "kic_move_in")]
    assert "501" in events[0].detail and events[0].url == reverse("tenancy:company_leases", args=[world["a"].pk])
    officer = viewer_for(world["users"]["officer"])
    b_events = [(e.date, e.kind) for e in spine.platform.timeline(world["b"], officer) if e.kind.startswith("kic_")]
    assert b_events == [(dt.date(2024, 1, 1), "kic_move_in"), (dt.date(2025, 6, 30), "kic_move_out")]
    for role in ("manager_b", "visitor", "other_officer"):
        v = viewer_for(world["users"][role])
        assert not [e for e in spine.platform.timeline(world["a"], v) if e.kind.startswith("kic_")], role
    assert not [e for e in spine.platform.timeline(world["a"], viewer_for(None)) if e.kind.startswith("kic_")]


def test_kic_tenant_signal_in_bulk_and_as_of_a_date(world, tenancy):
    extra = [CompanyFactory(complex=world["cx"]) for _ in range(20)]
    companies = [world["a"], world["b"], *extra]
    with CaptureQueriesContext(connection) as q:
        now = spine.platform.signals(companies)
    kic_queries = [x for x in q.captured_queries if "tenancy_lease" in x["sql"]]
    assert len(kic_queries) == 1
    assert now[world["a"].pk]["kic_tenant"].value is True
    assert now[world["b"].pk]["kic_tenant"].value is False  # moved out in 2025
    assert all(now[c.pk]["kic_tenant"].value is False for c in extra)
    then = spine.platform.signals([world["a"], world["b"]], as_of=dt.date(2025, 1, 15))
    assert then[world["a"].pk]["kic_tenant"].value is False  # not yet moved in
    assert then[world["b"].pk]["kic_tenant"].value is True
    assert then[world["b"].pk]["kic_tenant"].as_of == dt.date(2025, 1, 15)
    assert "kic_tenant" in spine.SIGNAL_KEYS


def test_map_layer_shows_centres_with_vacancies(world, tenancy):
    (layer,) = [la for la in spine.platform.layers_for(viewer_for(None)) if la.key == "kic-centres"]
    assert {k for k, _label, _colour in layer.categories} == {"kic_vacant", "kic_full"}
    public = layer.points(viewer_for(None), world["cx"])
    assert [(p.label, p.category) for p in public] == [("센터 <b>가</b>", "kic_vacant")]  # no hidden, no position-less
    assert "3" in public[0].detail and "4" in public[0].detail  # 3 of 4 vacant
    assert public[0].url == reverse("tenancy:centre_detail", args=["kic"])
    officer = layer.points(viewer_for(world["users"]["officer"]), world["cx"])
    assert {p.label for p in officer} == {"센터 <b>가</b>", "미공개 센터"}
    other = layer.points(viewer_for(world["users"]["other_officer"]), world["cx"])
    assert {p.label for p in other} == {"센터 <b>가</b>"}
    for unit in tenancy["centre"].units.filter(status="vacant"):
        unit.status = "occupied"
        unit.save()
    assert layer.points(viewer_for(None), world["cx"])[0].category == "kic_full"


def test_demo_centres_are_on_the_map_marked_as_estimates(world):
    load_tenancy_demo(world["cx"], today=TODAY)
    (layer,) = [la for la in spine.platform.map_layers if la.key == "kic-centres"]
    points = layer.points(viewer_for(None), world["cx"])
    assert len(points) == 4
    for p in points:
        assert 35.07 < p.lat < 35.10 and 128.95 < p.lon < 128.98
        assert "추정" in p.detail or "estimate" in p.detail


def test_dataset_counts_vacancies_by_published_centre(world, tenancy):
    ds = spine.platform.datasets["tenancy.occupancy"]
    names = [c.name for c in ds.columns]
    rows = [dict(zip(names, r, strict=True)) for r in ds.rows(world["cx"])]
    assert [r["centre"] for r in rows] == ["센터 <b>가</b>", "위치 없는 센터"]
    kic = rows[0]
    assert (kic["units"], kic["occupied_units"], kic["vacant_units"]) == (4, 1, 3)
    assert kic["vacant_area_m2"] == 300.0 and kic["occupancy_rate"] == 25.0
    assert (kic["lat"], kic["lon"]) == (35.09, 128.97)
    assert rows[1]["units"] == 0 and rows[1]["occupancy_rate"] is None and rows[1]["lat"] is None
    flat = repr(rows)
    assert "3333333" not in flat and "이전" not in flat and "A" != kic["centre"]
    Centre.objects.update(created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    assert ds.updated(world["cx"]) == dt.date(2025, 6, 30)  # the last move-out


def test_dataset_downloads_from_the_portal(world, tenancy):
    c = Client()
    response = c.get(reverse("portal:dataset_download", args=["tenancy.occupancy", "csv"]))
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "vacant_units" in body and "미공개" not in body
    page = c.get(reverse("portal:map"))
    assert page.status_code == 200
