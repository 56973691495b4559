"""The energy app's spine contributions: the transition record and its signal, the open dataset
by KSIC division (small cells suppressed), and the metrics for the city-level comparison."""

import datetime as dt

import pytest

from techvalley.core import spine
from techvalley.core.scoping import viewer_for
from techvalley.green import portal_parts, services
from techvalley.green.models import IngestLog
from techvalley.registry.models import Company
from tests.factories import CompanyFactory
from tests.green.conftest import write_csv
from tests.green.test_ingest import quarter_rows


def _ingest(world, tmp_path, companies_values):
    rows = []
    for meter, value in companies_values:
        for day in ("2025-03-03", "2025-03-04"):
            rows += quarter_rows(meter, day=day, value=value)
    services.ingest_files(world["cx"], [write_csv(tmp_path / "r.csv", rows)])


@pytest.mark.django_db
def test_energy_intensity_signal_in_bulk(world, meters, tmp_path, django_assert_max_num_queries):
    _ingest(world, tmp_path, [("A-electricity", 2.0), ("B-electricity", 1.0)])
    Company.objects.filter(pk=world["a"].pk).update(employees=20)
    Company.objects.filter(pk=world["b"].pk).update(employees=None)
    companies = list(Company.objects.filter(pk__in=[world["a"].pk, world["b"].pk]))
    rep = services.report(world["cx"], 2025)
    tco2 = {c["company_id"]: c["total"]["tco2eq"] for c in rep["companies"]}
    services.report(world["cx"], 2025)  # the report is kept per lake state
    many = companies + [CompanyFactory(complex=world["cx"], employees=5) for _ in range(5)]
    with django_assert_max_num_queries(3):  # the complex and the report's names, not a query per company
        mine = portal_parts.signals(many)
    assert set(mine) == {world["a"].pk}
    got = spine.platform.signals(companies)
    sig = got[world["a"].pk]["energy_intensity"]
    assert sig.value == pytest.approx(tco2[world["a"].pk] / 20, abs=1e-3) and sig.value > 0
    assert sig.as_of == dt.date(2025, 12, 31)
    assert "energy_intensity" not in got[world["b"].pk]  # no staff figure: no intensity
    assert portal_parts.signals(companies, as_of=dt.date(2024, 6, 1)) == {}  # nothing before 2025


@pytest.mark.django_db
def test_measure_events_only_for_the_company_and_officers(world, meters, tmp_path):
    _ingest(world, tmp_path, [("A-electricity", 2.0)])
    services.create_measure(
        world["a"],
        {"kind": "led", "description": "LED", "expected_kwh_per_year": 1200, "status": "done",
         "live_from": dt.date(2025, 3, 4)},
    )  # fmt: skip
    services.create_measure(world["a"], {"kind": "fems", "description": "FEMS", "status": "planned"})
    a = Company.objects.get(pk=world["a"].pk)
    for role in ("member_a", "manager_a", "officer"):
        events = [e for e in spine.platform.timeline(a, viewer_for(world["users"][role])) if e.kind == "green"]
        assert len(events) == 1, role
        assert events[0].date == dt.date(2025, 3, 4) and "1,200" in str(events[0].detail)
        assert events[0].url.endswith(f"/green/company/{a.pk}/#measures")
    for role in ("manager_b", "university", "other_officer", "anonymous"):
        user = world["users"][role]
        viewer = viewer_for(user) if user is not None else viewer_for(None)
        assert portal_parts.events(a, viewer) == [], role


def test_small_cells_are_suppressed_and_cannot_be_derived():
    cells = {"25": [5, 50.0, 5.0, 2.0], "24": [1, 10.0, 1.0, 0.5], "29": [1, 7.0, 0.7, 0.3]}
    published, other = portal_parts._suppress(cells)
    # 24 and 29 (2 companies together) are not enough for an 'other' cell: 25 joins them.
    assert published == {} and other == [7, 67.0, 6.7, 2.8]
    published, other = portal_parts._suppress({**cells, "10": [3, 1.0, 1.0, 1.0], "20": [1, 1.0, 1.0, 1.0]})
    assert set(published) == {"25", "10"} and other[0] == 3
    published, other = portal_parts._suppress({"25": [2, 1.0, 1.0, 1.0]})
    assert published == {} and other is None  # everything too small: nothing at all
    published, other = portal_parts._suppress({"25": [4, 1.0, 1.0, 1.0], "26": [3, 1.0, 1.0, 1.0]})
    assert set(published) == {"25", "26"} and other is None


@pytest.mark.django_db
def test_division_dataset_has_no_cell_below_three_companies(world, meters, tmp_path):
    extra = [CompanyFactory(complex=world["cx"], ksic_code="25922") for _ in range(2)]
    rows = [
        {"meter_id": f"X{i}", "company": c.name, "kind": "electricity", "unit": "kWh", "resolution": "15min"}
        for i, c in enumerate(extra)
    ]
    services.register_meters(world["cx"], rows, create_companies=False)
    Company.objects.filter(pk=world["b"].pk).update(ksic_code="29199")
    _ingest(world, tmp_path, [("A-electricity", 2.0), ("B-electricity", 1.0), ("X0", 1.0), ("X1", 3.0)])
    dataset = spine.platform.datasets["green.energy_by_division"]
    got = list(dataset.rows(world["cx"]))
    assert [r[1] for r in got] == ["25", "other"] or [r[1] for r in got] == ["other"]
    assert all(r[3] >= 3 for r in got)
    assert len(got[0]) == len(dataset.columns)
    # Company B (division 29) alone is never a row of its own.
    assert not any(r[1] == "29" for r in got)
    assert dataset.updated(world["cx"]) == dt.date.today()
    rep = services.report(world["cx"], 2025)
    assert sum(r[6] for r in got) == pytest.approx(rep["total"]["tco2eq"], abs=0.01)
    assert [r[7] for r in got] == [False] * len(got)  # not the demo's readings
    # readings the demo loaded are marked simulated in the dataset (and on the complex page)
    IngestLog.objects.filter(complex=world["cx"]).update(actor_label="demo")
    assert all(r[7] is True for r in dataset.rows(world["cx"]))
    assert services.readings_provenance(world["cx"])["only_simulated"] is True


@pytest.mark.django_db
def test_metrics_for_the_city_comparison(world, meters, tmp_path):
    assert spine.platform.metric_value("green.emissions", world["cx"], year=2025) is None
    _ingest(world, tmp_path, [("A-electricity", 2.0), ("A-city_gas", 1.0)])
    rep = services.report(world["cx"], 2025)
    assert spine.platform.metric_value("green.emissions", world["cx"], year=2025) == round(rep["total"]["tco2eq"], 3)
    assert spine.platform.metric_value("green.energy_toe", world["cx"], year=2025) == round(rep["total"]["toe"], 3)
    assert spine.platform.metric_value("green.energy_toe", world["cx"]) == round(rep["total"]["toe"], 3)  # latest
    assert spine.platform.metric_value("green.emissions", world["cx"], year=2024) is None
    assert spine.platform.metrics["green.emissions"].unit == "tCO2eq"
