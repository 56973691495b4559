"""Every fuel and every factor version against figures computed by hand."""

import pytest

from techvalley.green import factors, services
from tests.green.conftest import write_csv

# One month of readings: each meter's total for January 2025 is QTY (split over two intervals).
QTY = {"electricity": 1000.0, "city_gas": 1000.0, "lpg": 1000.0, "diesel": 1000.0, "steam": 10.0, "solar": 500.0}
ELECTRICITY = {"kr-2014-2016": 0.4594, "kr-gir-2021": 0.4781, "kr-2020-2022": 0.4541, "kr-2023": 0.4173}
# By hand: MJ = qty × NCV; tCO2 = MJ / 10^6 (TJ) × kgCO2/TJ / 1000; toe = MJ / 41,868.
FUEL_MJ = {"city_gas": 38_900.0, "lpg": 47_300.0, "diesel": 36_300.0, "steam": 10_000.0}
FUEL_T = {"city_gas": 0.0389 * 56.1, "lpg": 0.0473 * 63.1, "diesel": 0.0363 * 74.1, "steam": 0.010 * 66.0}


def test_factor_rows_by_hand():
    for name, t_per_mwh in ELECTRICITY.items():
        rows = {f.kind: f for f in factors.factor_rows(name)}
        assert rows["electricity"].tco2_per_unit * 1000 == pytest.approx(t_per_mwh)
        assert rows["electricity"].kwh_per_unit == 1 and rows["electricity"].toe_per_unit == pytest.approx(3.6 / 41868)
        for kind, mj in FUEL_MJ.items():
            qty = QTY[kind]
            assert rows[kind].mj_per_unit * qty == pytest.approx(mj)
            assert rows[kind].tco2_per_unit * qty == pytest.approx(FUEL_T[kind])
        assert rows["solar"].tco2_per_unit == 0
    with pytest.raises(factors.UnknownFactorSet):
        factors.factor_rows("kr-1999")


@pytest.mark.django_db
@pytest.mark.parametrize("emission_set", sorted(ELECTRICITY))
def test_report_by_hand_for_every_fuel_and_version(world, meters, tmp_path, emission_set):
    rows = []
    for kind, qty in QTY.items():
        rows += [(f"A-{kind}", "2025-01-10 10:00:00", qty / 2), (f"A-{kind}", "2025-01-10 10:15:00", qty / 2)]
    services.ingest_files(world["cx"], [write_csv(tmp_path / "r.csv", rows)])
    rep = services.report(world["cx"], 2025, emission_set=emission_set)
    a = next(c for c in rep["companies"] if c["company_id"] == world["a"].pk)
    month = a["months"][0]
    assert month["month"] == "2025-01"
    mj = 1000 * 3.6 + sum(FUEL_MJ.values())  # solar is generation: not consumption
    assert month["kwh"] == pytest.approx(mj / 3.6)
    assert month["toe"] == pytest.approx(mj / 41868)
    assert month["scope2"] == pytest.approx(ELECTRICITY[emission_set] + FUEL_T["steam"])
    assert month["scope1"] == pytest.approx(FUEL_T["city_gas"] + FUEL_T["lpg"] + FUEL_T["diesel"])
    assert month["tco2eq"] == pytest.approx(month["scope1"] + month["scope2"])
    assert rep["factors"]["emission_set"] == emission_set
    assert rep["factors"]["electricity_t_per_mwh"] == ELECTRICITY[emission_set]
    assert rep["total"]["tco2eq"] == pytest.approx(a["total"]["tco2eq"])
