"""The composed pages' figures computed the fast way equal the figures computed the old way.

Each test builds hand-made data, computes a figure as the code did before (written out here:
the full energy report, the survey counts over the joined invitations and responses …) and as
it does now, and compares them exactly.
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from techvalley.core import spine
from techvalley.green import portal_parts, services
from techvalley.registry.models import Company
from tests.factories import CompanyFactory
from tests.green.conftest import lake_dir, meters, write_csv  # noqa: F401 - fixtures used below
from tests.green.test_ingest import quarter_rows


def _ingest_two_years(world, tmp_path):
    """Readings of several kinds, months and years, values that do not add up exactly in floating point."""
    rows = []
    for meter, value in (("A-electricity", 2.1), ("A-city_gas", 0.37), ("A-diesel", 0.013), ("B-electricity", 1.3)):
        for day in ("2024-11-04", "2025-03-03", "2025-03-04", "2025-07-15", "2025-12-30"):
            rows += quarter_rows(meter, day=day, value=value)
    services.ingest_files(world["cx"], [write_csv(tmp_path / "r.csv", rows)])


def _old_division_rows(cx):
    """The dataset's rows as they were computed from the full report of each year."""
    from techvalley.registry.selectors import label_division

    divisions = dict(Company.objects.filter(complex=cx).values_list("id", "ksic_code"))
    for year in portal_parts._years(cx):
        rep = services.report(cx, year)
        if not rep["companies"]:
            continue
        cells: dict[str, list] = {}
        for c in rep["companies"]:
            cell = cells.setdefault((divisions.get(c["company_id"]) or "")[:2], [0, 0.0, 0.0, 0.0])
            cell[0] += 1
            cell[1] += c["total"]["kwh"]
            cell[2] += c["total"]["toe"]
            cell[3] += c["total"]["tco2eq"]
        published, other = portal_parts._suppress(cells)
        for code in sorted(published):
            n, kwh, toe, tco2 = published[code]
            yield (year, code, label_division(code), n, round(kwh, 1), round(toe, 3), round(tco2, 3))
        if other is not None:
            n, kwh, toe, tco2 = other
            yield (year, "other", "기타 (3개사 미만 업종 합계)", n, round(kwh, 1), round(toe, 3), round(tco2, 3))


@pytest.mark.django_db
def test_energy_totals_equal_the_full_report(world, meters, tmp_path):  # noqa: F811 - the fixture
    cx = world["cx"]
    extra = [CompanyFactory(complex=cx, ksic_code="25922", employees=7) for _ in range(3)]
    services.register_meters(
        cx,
        [
            {"meter_id": f"X{i}", "company": c.name, "kind": "electricity", "unit": "kWh", "resolution": "15min"}
            for i, c in enumerate(extra)
        ],
        create_companies=False,
    )
    _ingest_two_years(world, tmp_path)
    rows = []
    for i in range(3):
        rows += quarter_rows(f"X{i}", day="2025-05-05", value=0.1 * (i + 1))
    services.ingest_files(cx, [write_csv(tmp_path / "x.csv", rows)])
    Company.objects.filter(pk=world["a"].pk).update(employees=13, ksic_code="25912")
    Company.objects.filter(pk=world["b"].pk).update(employees=3, ksic_code="29199")

    for year in (2024, 2025):
        rep = services.report(cx, year)
        fast = portal_parts._totals(cx, year)
        # exactly the same numbers, company by company and in total
        assert fast["companies"] == {
            c["company_id"]: (c["total"]["kwh"], c["total"]["toe"], c["total"]["tco2eq"]) for c in rep["companies"]
        }
        assert fast["total"] == (rep["total"]["kwh"], rep["total"]["toe"], rep["total"]["tco2eq"])
        for key in ("tco2eq", "toe"):
            metric = "green.emissions" if key == "tco2eq" else "green.energy_toe"
            assert spine.platform.metric_value(metric, cx, year=year) == round(rep["total"][key], 3)
    assert portal_parts._totals(cx, 2023) is None

    # the signal: the last year's tCO2eq per employee, as before
    rep = services.report(cx, 2025)
    companies = list(Company.objects.filter(complex=cx))
    got = portal_parts.signals(companies)
    expected = {
        c["company_id"]: round(c["total"]["tco2eq"] / emp, 3)
        for c in rep["companies"]
        if (emp := Company.objects.get(pk=c["company_id"]).employees)
    }
    assert {pk: s[0].value for pk, s in got.items()} == expected and len(expected) == 5
    assert all(s[0].as_of == dt.date(2025, 12, 31) for s in got.values())
    past = portal_parts.signals(companies, as_of=dt.date(2024, 12, 31))
    rep24 = services.report(cx, 2024)
    assert {pk: s[0].value for pk, s in past.items()} == {
        c["company_id"]: round(c["total"]["tco2eq"] / Company.objects.get(pk=c["company_id"]).employees, 3)
        for c in rep24["companies"]
    }

    # the open dataset by division: the same rows
    rows = list(portal_parts.division_rows(cx))
    assert [r[:7] for r in rows] == list(_old_division_rows(cx))
    assert all(r[7] is False for r in rows)  # ingested by the test, not by the demo: not simulated
    assert [r[:2] for r in rows] == [(2025, "other")]  # division 29 alone would be derivable: all in 'other'
    Company.objects.filter(pk=world["b"].pk).update(ksic_code="25912")
    rows = list(portal_parts.division_rows(cx))
    assert [r[:7] for r in rows] == list(_old_division_rows(cx)) and [r[:2] for r in rows] == [(2025, "25")]


@pytest.mark.django_db
def test_energy_totals_follow_the_lake(world, meters, tmp_path):  # noqa: F811 - the fixture
    """Kept per state of the lake: a new ingest is counted on the next request."""
    cx = world["cx"]
    services.ingest_files(cx, [write_csv(tmp_path / "a.csv", quarter_rows("A-electricity", day="2025-03-03"))])
    first = portal_parts._totals(cx, 2025)
    assert set(first["companies"]) == {world["a"].pk}
    services.ingest_files(cx, [write_csv(tmp_path / "b.csv", quarter_rows("B-electricity", day="2025-03-04"))])
    second = portal_parts._totals(cx, 2025)
    assert set(second["companies"]) == {world["a"].pk, world["b"].pk}
    assert second["total"][0] > first["total"][0]


@pytest.mark.django_db
def test_survey_response_rates_equal_the_joined_counts(world):
    """The officers' survey panel counts invitations per survey in one grouped query; the counts
    equal ``selectors.surveys_of``'s (distinct counts over invitations joined with responses)."""
    from techvalley.core.scoping import viewer_for
    from techvalley.surveys import panels, selectors
    from techvalley.surveys import services as surveys
    from techvalley.surveys.models import Invitation, SurveyStatus
    from tests.surveys.conftest import VALID

    cx = world["cx"]
    for _ in range(4):
        CompanyFactory(complex=cx)
    made = []
    for n in range(5):
        survey = surveys.create_survey(cx, f"demand-{n}", template="demand")
        if n != 1:  # one stays a draft
            surveys.set_status(survey, SurveyStatus.OPEN)
        surveys.invite_companies(survey)
        made.append(survey)
    for survey, answering in ((made[0], 3), (made[2], 1), (made[4], 6)):
        for inv in Invitation.objects.filter(survey=survey).order_by("id")[:answering]:
            surveys.submit_response(inv, VALID)
    viewer = viewer_for(world["users"]["officer"])
    old = [s for s in selectors.surveys_of(viewer, cx) if s.status == SurveyStatus.OPEN]
    n_open, new = panels.open_surveys_counted(viewer, cx)
    assert n_open == len(old) == 4
    assert [(s.pk, s.n_invited, s.n_answered) for s in new] == [(s.pk, s.n_invited, s.n_answered) for s in old[:3]]
    assert [s.n_answered for s in new] == [6, 0, 1] and all(s.n_invited == 6 for s in new)
    figures = panels.officer_figures(viewer, cx)
    assert figures[0].value == 4 and [f.value for f in figures[1:4]] == [100, 0, 17]
    _n, fewer = panels.open_surveys_counted(viewer, cx, limit=10)
    assert _n == 4 and [s.pk for s in fewer] == [s.pk for s in old]
    with pytest.raises(PermissionDenied):
        panels.open_surveys_counted(viewer_for(world["users"]["manager_a"]), cx)


@pytest.mark.django_db
def test_measure_events_equal_the_measured_savings(world, meters, tmp_path):  # noqa: F811 - the fixture
    """A company's reduction measures on its transition record: the measured savings are kept per
    state of the lake and of its measures, and equal ``services.measured_savings``."""
    from techvalley.core.scoping import viewer_for

    cx = world["cx"]
    rows = []
    for day, value in (("2025-02-24", 3.0), ("2025-02-25", 3.2), ("2025-03-05", 2.1), ("2025-03-06", 2.3)):
        rows += quarter_rows("A-electricity", day=day, value=value)
    services.ingest_files(cx, [write_csv(tmp_path / "r.csv", rows)])
    a = Company.objects.get(pk=world["a"].pk)
    viewer = viewer_for(world["users"]["officer"])
    services.create_measure(
        a, {"kind": "led", "description": "LED", "expected_kwh_per_year": 1200, "status": "done",
            "live_from": dt.date(2025, 3, 4)},
    )  # fmt: skip

    def old_details():
        return [
            (r["measure"].live_from, r["expected_kwh_per_year"], r["measured_kwh_per_year"])
            for r in services.measured_savings(cx, a)
            if r["measure"].status == "done" and r["measure"].live_from
        ]

    def shown():
        with translation.override("en"):
            return [(e.date, str(e.detail)) for e in portal_parts.events(a, viewer)]

    ((day, expected, measured),) = old_details()
    assert measured is not None and measured > 0
    assert shown() == [(day, f"expected {expected:,.0f} kWh/year · measured {measured:,.0f} kWh/year")]
    assert shown() == shown()  # the second time from memory, the same
    services.create_measure(
        a, {"kind": "fems", "description": "FEMS", "expected_kwh_per_year": 500, "status": "done",
            "live_from": dt.date(2025, 3, 6)},
    )  # fmt: skip
    got = shown()
    assert len(got) == 2 and [d for d, _e in got] == [d for d, _x, _m in old_details()]
    for (_d, detail), (_day, expected, measured) in zip(got, old_details(), strict=True):
        assert f"expected {expected:,.0f} kWh/year" in detail
        assert (f"measured {measured:,.0f} kWh/year" in detail) == (measured is not None)
