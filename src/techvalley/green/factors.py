"""Energy conversion and emission factors, versioned, as plain data (data/factors.json).

A factor set turns a reading in its unit into final energy (kWh, MJ, toe) and tCO2eq. The
electricity factor depends on the emission set chosen (the emissions-trading scheme keeps the
factor in force at allocation time), so a report can be re-run with another set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@cache
def data() -> dict:
    path = resources.files("techvalley.green") / "data" / "factors.json"
    return json.loads(path.read_text(encoding="utf-8"))


def kinds() -> dict[str, dict]:
    return data()["kinds"]


def emission_sets() -> dict[str, dict]:
    return data()["emission_sets"]


def default_set() -> str:
    return data()["default_emission_set"]


@dataclass(frozen=True)
class KindFactors:
    kind: str
    unit: str
    scope: int
    kwh_per_unit: float
    mj_per_unit: float
    toe_per_unit: float
    tco2_per_unit: float


class UnknownFactorSet(ValueError):
    pass


def factor_rows(emission_set: str | None = None) -> list[KindFactors]:
    """Per energy kind: kWh, MJ, toe and tCO2eq per unit of the meter, under an emission set."""
    name = emission_set or default_set()
    if name not in emission_sets():
        raise UnknownFactorSet(
            f"알 수 없는 배출계수 버전 {name}. / Unknown factor set {name}; known: " + ", ".join(emission_sets())
        )
    elec = emission_sets()[name]["electricity_t_per_mwh"]
    toe_mj = data()["energy"]["toe_mj"]
    rows = []
    for kind, k in kinds().items():
        mj = float(k["mj_per_unit"])
        if kind == "electricity":
            tco2 = elec / 1000  # t per MWh → t per kWh
        elif kind == "solar":
            tco2 = 0.0
        else:
            tco2 = mj / 1e6 * data()["fuel_emissions"][kind]["kg_co2_per_tj"] / 1000  # MJ→TJ, kg→t
        rows.append(KindFactors(kind, k["unit"], int(k["scope"]), mj / 3.6, mj, mj / toe_mj, tco2))
    return rows


def values_sql(emission_set: str | None = None) -> str:
    """The factor table as a VALUES list that DuckDB and Spark SQL both read."""
    rows = ", ".join(
        f"('{f.kind}', {f.scope}, {f.kwh_per_unit!r}, {f.mj_per_unit!r}, {f.toe_per_unit!r}, {f.tco2_per_unit!r})"
        for f in factor_rows(emission_set)
    )
    return f"SELECT * FROM (VALUES {rows}) AS f(kind, scope, kwh_per_unit, mj_per_unit, toe_per_unit, tco2_per_unit)"


def describe(emission_set: str | None = None) -> dict:
    """What a report shows next to its figures: the versions and their sources."""
    name = emission_set or default_set()
    return {
        "emission_set": name,
        **emission_sets()[name],
        "energy": data()["energy"]["version"],
        "energy_basis": data()["energy"]["basis"],
        "energy_basis_ko": data()["energy"]["basis_ko"],
    }
