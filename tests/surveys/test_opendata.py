"""The open dataset ``surveys.published_results``: counts of published surveys' choice answers —
never a single answer, a free-text answer, a response or a company."""

import pytest

from techvalley.core import spine
from techvalley.surveys import services
from tests.portal.test_opendata import personal_findings
from tests.surveys.conftest import VALID

pytestmark = pytest.mark.django_db
KEY = "surveys.published_results"


def table(cx) -> list[dict]:
    ds = spine.platform.datasets[KEY]
    names = [c.name for c in ds.columns]
    return [dict(zip(names, r, strict=True)) for r in ds.rows(cx)]


def test_only_published_surveys_and_only_counts(demand, world):
    services.submit_response(demand.invitations.get(company=world["a"]), VALID)
    other = {**VALID, "main_business": "auto", "difficulties": ["energy_cost"], "difficulty_detail": "인력 부족"}
    services.submit_response(demand.invitations.get(company=world["b"]), other)
    assert table(world["cx"]) == []  # not published yet
    services.publish_results(demand)
    rows = table(world["cx"])
    by = {(r["question"], r["choice"]): r for r in rows}
    # hand-counted: two responses; both chose energy_cost, one workforce; one metal, one auto
    assert by[("difficulties", "energy_cost")]["count"] == 2 and by[("difficulties", "energy_cost")]["share"] == 100.0
    assert by[("difficulties", "workforce")]["count"] == 1 and by[("difficulties", "workforce")]["share"] == 50.0
    assert by[("main_business", "metal")]["count"] == 1 and by[("main_business", "metal")]["answered"] == 2
    assert all(r["responses"] == 2 and r["survey"] == "demand-2023" for r in rows)
    assert by[("main_business", "metal")]["choice_label"] and by[("main_business", "metal")]["question_label"]
    # no free-text or number question, no answer text, no company, no response id
    codes = {r["question"] for r in rows}
    assert "difficulty_detail" not in codes and "employees" not in codes
    texts = " ".join(str(v) for r in rows for v in r.values())
    assert "전기요금" not in texts and "인력 부족" not in texts
    names = [world["a"].name, world["b"].name, "1234567891"]
    assert personal_findings(world["cx"], [spine.platform.datasets[KEY]], names) == []
    assert spine.platform.datasets[KEY].updated(world["cx"]) is not None
