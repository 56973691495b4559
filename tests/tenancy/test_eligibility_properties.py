"""Properties of the support-facility caps that must hold for any building (hypothesis)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from techvalley.tenancy.eligibility import check

LOCATIONS = ["industrial_facility_zone", "mixed_zone", "outside_capital", "inside_capital"]
RATIO = {
    "industrial_facility_zone": Decimal("0.3"),
    "mixed_zone": Decimal("0.5"),
    "outside_capital": Decimal("0.5"),
    "inside_capital": Decimal("0.3"),
}
BANDS = [(11, 21, 2, 800), (21, 50, 3, 2000), (50, None, 4, 3000)]


def allowance(location, gfa, area, capacity):
    if location != "industrial_facility_zone":
        return Decimal(0)
    for lo, hi, mult, cap in BANDS:
        if capacity >= lo and (hi is None or capacity < hi):
            return min(min(area * mult, Decimal(cap)), gfa / 10)
    return Decimal(0)


buildings = st.fixed_dictionaries(
    {
        "location": st.sampled_from(LOCATIONS),
        "gfa": st.integers(1_000, 300_000),
        "support_share": st.integers(0, 60),
        "same_share": st.integers(0, 100),
        "area": st.integers(1, 20_000),
        "daycare_area": st.integers(0, 2_000),
        "capacity": st.integers(0, 120),
    }
)


@settings(max_examples=300, deadline=None)
@given(buildings)
def test_cap_figures_follow_the_statute(b):
    gfa = Decimal(b["gfa"])
    b["daycare_area"] = min(b["daycare_area"], b["gfa"] // 5)
    support = (gfa * b["support_share"] / 100).quantize(Decimal(1))
    same = (support * b["same_share"] / 100).quantize(Decimal(1))
    centre = {
        "location": b["location"],
        "gross_floor_area_m2": b["gfa"],
        "support_area_m2": int(support),
        "support_area_by_ksic": {"56221": int(same)} if same else {},
    }
    if b["daycare_area"]:
        centre["daycare"] = {"area_m2": b["daycare_area"], "capacity": b["capacity"]}
    r = check({"ksic": "56221", "use": "support", "area_m2": b["area"], "centre": centre})
    cap = gfa * RATIO[b["location"]] + (
        allowance(b["location"], gfa, Decimal(b["daycare_area"]), b["capacity"]) if b["daycare_area"] else 0
    )
    after = support + b["area"]
    share = (same + b["area"]) / after
    assert r["support_cap_m2"] == float(cap.quantize(Decimal("0.01")))
    assert r["support_after_m2"] == float(after)
    assert abs(r["same_type_share"] - float(share)) < 0.00006
    expected = "eligible" if after <= cap and share <= Decimal("0.5") else "not_eligible"
    assert r["verdict"] == expected, r["reasons"]
    # the allowance never exceeds 10 % of the floor area
    assert r["daycare_allowance_m2"] <= b["gfa"] / 10 + 0.005


@settings(max_examples=200, deadline=None)
@given(buildings, st.integers(1, 5_000))
def test_asking_for_more_area_never_turns_a_refusal_into_an_admission(b, extra):
    centre = {
        "location": b["location"],
        "gross_floor_area_m2": b["gfa"],
        "support_area_m2": b["gfa"] * b["support_share"] // 100,
    }
    b["daycare_area"] = 0
    small = check({"ksic": "56111", "use": "support", "area_m2": b["area"], "centre": centre})
    large = check({"ksic": "56111", "use": "support", "area_m2": b["area"] + extra, "centre": centre})
    if small["verdict"] == "not_eligible":
        assert large["verdict"] == "not_eligible"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["62010", "56221", "C", "industrial_facility_zone", "support", "NaN"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
KEYS = ["ksic", "revision", "venture", "use", "area_m2", "centre", "conditions", "building_use"]
CENTRE_KEYS = [
    "location",
    "gross_floor_area_m2",
    "support_area_m2",
    "support_area_by_ksic",
    "daycare",
    "industrial_zoning",
    "excluded_ksic",
]


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8),
    st.dictionaries(st.sampled_from(CENTRE_KEYS), json_values, max_size=7),
)
def test_any_json_is_answered_or_refused_as_bad_input(application, centre):
    """Whatever JSON arrives, the evaluator answers it or raises BadInput — never anything else."""
    from techvalley.core.validation import BadInput

    application = {"ksic": "56221", "area_m2": 10, **application}
    if isinstance(application.get("centre"), dict) or "centre" not in application:
        application["centre"] = {"location": "mixed_zone", "gross_floor_area_m2": 1000, **centre}
    try:
        r = check(application)
    except BadInput as exc:
        assert " / " in exc.message
    else:
        assert r["verdict"] in ("eligible", "not_eligible", "needs_approval")
        assert r["clauses"] and r["reasons"]
