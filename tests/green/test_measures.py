"""Reduction measures: services (audited), pages and API for the company's managers and officers;
permissions, the Energy menu entry, dashboard panels and the measures search."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core import spine
from techvalley.core.audit import acting_as
from techvalley.core.models import ApiToken, AuditEntry, Membership
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput
from techvalley.green import analytics, permissions, services
from techvalley.green.models import Measure
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.green.conftest import write_csv
from tests.green.test_ingest import quarter_rows


def client(world, role):
    c = Client()
    c.force_login(world["users"][role])
    return c


def token(world, role):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.create(user=world['users'][role], name='t').key}"}


@pytest.mark.django_db
def test_measure_services_validate_and_are_audited(world):
    user = world["users"]["manager_a"]
    with acting_as(user):
        m = services.create_measure(world["a"], {"kind": "led", "description": "조명", "expected_kwh_per_year": "1200"})
        services.update_measure(m, {"status": "done", "live_from": "2025-04-01"})
        entries = list(AuditEntry.objects.filter(model="green.Measure", object_id=str(m.pk)).order_by("id"))
        assert [e.action for e in entries] == ["create", "update"] and entries[0].actor_id == user.pk
        with pytest.raises(BadInput, match="live_from"):
            services.update_measure(m, {"live_from": None})  # in operation needs its start
        for bad in (
            {"expected_kwh_per_year": "NaN"},
            {"cost_krw": "-5"},
            {"kind": "magic"},
            {"live_from": "2025-13-01"},
        ):
            with pytest.raises(BadInput):
                services.update_measure(m, bad)
        pk = m.pk
        services.delete_measure(m)
    assert AuditEntry.objects.filter(model="green.Measure", object_id=str(pk), action="delete").exists()


@pytest.mark.django_db
def test_measure_pages_for_managers_and_officers(world):
    new = reverse("green:measure_new", args=[world["a"].pk])
    form = {"kind": "inverter_compressor", "description": "인버터", "cost_krw": "5000000", "status": "planned"}
    form["expected_kwh_per_year"] = "8000"
    assert client(world, "member_a").post(new, form).status_code == 403  # members read, managers write
    r = client(world, "manager_a").post(new, form)
    assert r.status_code == 302 and r.url.endswith("#measures")
    m = Measure.objects.get(company=world["a"], kind="inverter_compressor")
    page = client(world, "manager_a").get(reverse("green:company", args=[world["a"].pk])).content.decode()
    assert "인버터" in page and reverse("green:measure_edit", args=[m.pk]) in page
    member_page = client(world, "member_a").get(reverse("green:company", args=[world["a"].pk])).content.decode()
    assert "인버터" in member_page and reverse("green:measure_edit", args=[m.pk]) not in member_page
    bad = client(world, "officer").post(reverse("green:measure_edit", args=[m.pk]), {**form, "cost_krw": "-1"})
    assert bad.status_code == 200 and Measure.objects.get(pk=m.pk).cost_krw == 5_000_000  # form shown again
    assert client(world, "manager_b").post(reverse("green:measure_delete", args=[m.pk])).status_code == 403
    assert client(world, "officer").post(reverse("green:measure_delete", args=[m.pk])).status_code == 302
    assert not Measure.objects.filter(pk=m.pk).exists()


@pytest.mark.django_db
def test_measures_api(world):
    c = Client()
    body = {"company_id": world["a"].pk, "kind": "fems", "cost_krw": 1, "expected_kwh_per_year": 10}
    made = c.post("/api/green/measures", body, content_type="application/json", **token(world, "manager_a"))
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert (
        c.post("/api/green/measures", body, content_type="application/json", **token(world, "member_a")).status_code
        == 403
    )
    other = {**body, "company_id": world["b"].pk}
    assert (
        c.post("/api/green/measures", other, content_type="application/json", **token(world, "manager_a")).status_code
        == 403
    )
    patched = c.patch(
        f"/api/green/measures/{pk}", {"status": "done", "live_from": "2025-05-01"}, content_type="application/json",
        **token(world, "officer"),
    )  # fmt: skip
    assert patched.status_code == 200 and patched.json()["live_from"] == "2025-05-01"
    nulls = c.patch(
        f"/api/green/measures/{pk}", {"description": None}, content_type="application/json", **token(world, "officer")
    )
    assert nulls.status_code == 422
    mine = c.get("/api/green/measures", **token(world, "member_a")).json()
    assert [m["id"] for m in mine] == [pk]
    assert c.get("/api/green/measures", **token(world, "manager_b")).json() == []
    assert c.get("/api/green/measures", {"company": world["a"].pk}, **token(world, "manager_b")).status_code == 403


@pytest.mark.django_db
def test_energy_menu_only_for_those_who_can_open_it(world):
    def menu(user):
        return [e.key for e in spine.platform.menu(viewer_for(user))]

    assert "energy" in menu(world["users"]["member_a"]) and "energy" in menu(world["users"]["officer"])
    assert "energy" not in menu(world["users"]["visitor"]) and "energy" not in menu(world["users"]["university"])
    for kind in ("agency", "support_centre"):
        user = UserFactory()
        MembershipFactory(user=user, organisation=OrganisationFactory(complex=world["cx"], kind=kind))
        assert "energy" not in menu(user)
    # A company organisation with no company in the registry: no menu entry, since it would 403.
    lonely = UserFactory()
    MembershipFactory(user=lonely, organisation=OrganisationFactory(complex=world["cx"]), role=Membership.Role.MANAGER)
    assert "energy" not in menu(lonely)
    c = Client()
    for role in ("member_a", "officer"):
        c.force_login(world["users"][role])
        assert c.get(reverse("green:index")).status_code == 302


@pytest.mark.django_db
def test_permissions(world):
    v = {role: viewer_for(user) for role, user in world["users"].items() if user is not None}
    a, b = world["a"], world["b"]
    assert permissions.can_view_energy(v["member_a"], a) and not permissions.can_view_energy(v["member_a"], b)
    assert permissions.can_manage_measures(v["manager_a"], a) and not permissions.can_manage_measures(v["member_a"], a)
    assert permissions.can_manage_measures(v["officer"], b) and not permissions.can_view_energy(v["university"], a)
    assert permissions.can_view_complex_energy(v["officer"], world["cx"])
    assert not permissions.can_view_complex_energy(v["manager_a"], world["cx"])


@pytest.fixture
def year_of_data(world, meters, tmp_path):
    rows = []
    for day in range(60):
        d = (dt.date(2025, 3, 1) + dt.timedelta(days=day)).isoformat()
        value = 9.0 if day == 40 else 1.0 + (day % 3) * 0.1  # one unusual day in April
        rows += quarter_rows("A-electricity", day=d, value=value) + quarter_rows("B-electricity", day=d, value=2.0)
    services.ingest_files(world["cx"], [write_csv(tmp_path / "y.csv", rows)])


@pytest.mark.django_db
def test_panels_are_scoped_with_unit_source_and_date(world, year_of_data):
    services.set_target(world["cx"], 2018, 1.0, 2030, 40)
    officer = viewer_for(world["users"]["officer"])
    complex_panels = dict((p.key, f) for p, f in spine.platform.panels_for(officer, world["cx"], "complex"))
    figures = {f.key: f for f in complex_panels["energy-complex"]}
    assert figures["energy-tco2eq"].unit == "tCO2eq" and "kr-2023" in figures["energy-tco2eq"].source
    assert figures["energy-tco2eq"].as_of == dt.date(2025, 4, 30) and figures["energy-tco2eq"].url
    assert figures["energy-total"].value == round(services.report(world["cx"], 2025)["total"]["kwh"] / 1000)
    anomalies = dict((p.key, f) for p, f in spine.platform.panels_for(officer, world["cx"], "officer"))
    assert anomalies["energy-anomalies"][0].value == 1  # company A's unusual day in April
    page = client(world, "officer").get(anomalies["energy-anomalies"][0].url).content.decode()
    assert 'id="anomalies"' in page and "2025-04-10" in page
    member = viewer_for(world["users"]["member_a"])
    assert "energy-complex" not in dict(
        (p.key, f) for p, f in spine.platform.panels_for(member, world["cx"], "complex")
    )
    own = dict((p.key, f) for p, f in spine.platform.panels_for(member, world["cx"], "company"))["energy-company"]
    assert own[0].value == round(services.report(world["cx"], 2025, company=world["a"])["total"]["kwh"])
    assert not spine.platform.panels_for(viewer_for(world["users"]["university"]), world["cx"], "company")


@pytest.mark.django_db
def test_measure_search_is_scoped(world):
    Measure.objects.create(complex=world["cx"], company=world["a"], kind="led", description="공장동 LED 교체")
    Measure.objects.create(complex=world["cx"], company=world["b"], kind="led", description="사무동 LED 교체")

    def hits(role):
        found = dict(
            (p.key, h) for p, h in spine.platform.run_search(viewer_for(world["users"][role]), world["cx"], "LED")
        )
        return sorted(h.snippet for h in found.get("measures", []))

    assert hits("officer") == ["공장동 LED 교체", "사무동 LED 교체"]
    assert hits("member_a") == ["공장동 LED 교체"] and hits("university") == []


@pytest.mark.django_db
def test_company_page_from_rollups_equals_the_readings(world, year_of_data, lake):
    eng = services.open_engine(world["cx"], 2025)
    key = [str(world["a"].pk)]
    rel = eng.company_intervals(["A-electricity"], 2025)
    for query in (analytics.load_sql, analytics.profile_sql):
        got, expected = eng.query(query(2025, key, rel)), eng.query(query(2025, key))
        assert len(got) == len(expected) > 0
        for x, y in zip(got, expected, strict=True):
            assert x == pytest.approx(y)
    pairs = [
        (analytics.anomaly_sql(2025, companies=key, relation=rel), analytics.anomaly_sql(2025, companies=key)),
        (analytics.anomaly_sql(2025, source="daily"), analytics.anomaly_sql(2025)),
        (
            analytics.daily_mean_sql(key[0], dt.date(2025, 3, 10), dt.date(2025, 4, 20), source="daily"),
            analytics.daily_mean_sql(key[0], dt.date(2025, 3, 10), dt.date(2025, 4, 20)),
        ),
    ]
    for fast, slow in pairs:
        got, expected = eng.query(fast), eng.query(slow)
        assert len(got) == len(expected) > 0
        for x, y in zip(got, expected, strict=True):
            assert x == pytest.approx(y)
    eng.close()


@pytest.mark.django_db
def test_compaction_builds_rollups_for_an_old_lake(world, meters, tmp_path, lake):
    from techvalley.green.ingest import compact

    services.ingest_files(world["cx"], [write_csv(tmp_path / "a.csv", quarter_rows("A-electricity"))])
    manifest = lake.manifest()  # make it look like a lake from before the daily rollups
    manifest["rollups"] = [r for r in manifest["rollups"] if r.get("kind", "monthly") == "monthly"]
    # … which carried a second copy of the electricity readings by meter bucket (no longer read)
    old = lake.root / "rollups/intervals/bucket=7/part-old-0.parquet"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"PAR1")
    manifest["rollups"].append({"path": str(old.relative_to(lake.root)), "batch": "old", "kind": "intervals"})
    manifest.pop("rollup_kinds")
    lake.manifest_path.write_text(__import__("json").dumps(manifest))
    assert not lake.has_rollups("daily")
    before = services.report(world["cx"], 2025)["total"]
    page = services.company_energy(world["cx"], world["a"], 2025)["load"]
    assert compact(lake)["rollups_rebuilt"] is True
    assert lake.has_rollups("daily") and lake.rollup_files(kind="daily") and not lake.rollup_files(kind="intervals")
    assert not old.exists()
    assert services.report(world["cx"], 2025)["total"] == before
    assert services.company_energy(world["cx"], world["a"], 2025)["load"] == page


@pytest.mark.django_db
def test_negative_measured_savings_and_oversized_pv_plans_carry_a_note(world, meters, tmp_path):
    rows = []
    for day in range(120):
        d = dt.date(2025, 3, 1) + dt.timedelta(days=day)
        value = 1.0 if d < dt.date(2025, 5, 1) else 1.5  # use rose after the measure (summer)
        rows += quarter_rows("A-electricity", day=d.isoformat(), value=value)
    services.ingest_files(world["cx"], [write_csv(tmp_path / "s.csv", rows)])
    Measure.objects.create(
        complex=world["cx"], company=world["a"], kind="led", status="done", live_from=dt.date(2025, 5, 1)
    )
    Measure.objects.create(complex=world["cx"], company=world["a"], kind="rooftop_pv", expected_kwh_per_year=1e9)
    rows = services.measured_savings(world["cx"], world["a"], pv=services.pv_potential(world["a"]))
    led, pv = rows
    assert led["measured_kwh_per_year"] < 0 and led["notes"]
    assert pv["notes"] or services.pv_potential(world["a"])["kwh_per_year"] == 0


@pytest.mark.django_db
def test_demo_measures_are_coherent_with_the_page(world):
    from techvalley.green.demo import load_energy_demo
    from techvalley.registry.models import Site

    Site.objects.create(complex=world["cx"], company=world["a"], address="사하구 다산로 1", building_area_m2=300)
    load_energy_demo(world["cx"], days=200)
    company = Measure.objects.filter(complex=world["cx"]).first().company
    pv = services.pv_potential(company)
    for row in services.measured_savings(world["cx"], company, pv=pv):
        m = row["measure"]
        if row["measured_kwh_per_year"] is not None and row["measured_kwh_per_year"] < 0:
            assert row["notes"], "negative measured savings without a note"
        if m.kind == "rooftop_pv":
            assert m.expected_kwh_per_year <= pv["kwh_per_year"] and not any("potential" in n for n in row["notes"])
