"""The module's spine contributions: each company's transition events and signals, and the open
datasets (nothing personal in them)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from techvalley.collaboration import services, transition
from techvalley.collaboration.models import Expert
from techvalley.core import spine
from techvalley.core.scoping import ANONYMOUS, viewer_for
from tests.factories import CompanyFactory


@pytest.fixture
def story(world):
    cx, company = world["cx"], world["a"]
    public = services.record_agreement(
        cx,
        title="신평·장림산단 환경개선 업무 협약",
        signed_on=dt.date(2023, 6, 20),
        parties=[("부산광역시 사하구", "government"), (company.name, "company", "참여기업")],
    )
    private = services.record_agreement(
        cx,
        title="비공개 기술협력 협약",
        signed_on=dt.date(2024, 2, 1),
        parties=[("부산광역시 사하구", "government"), (company.name, "company")],
        is_public=False,
    )
    services.add_follow_up(
        private, action="회의", owner="홍길동 010-9999-8888 hong@example.com", due_on=dt.date(2024, 3, 1)
    )
    programme = services.record_programme(
        cx,
        title="고등직업교육거점지구사업",
        funder="교육부",
        starts_on=dt.date(2024, 3, 1),
        budget=[("national", 2024, 10**9)],
    )
    services.add_participant(programme, company.name, "company")
    expert = Expert.objects.create(
        complex=cx, ref="E1", org="동아대학교", unit="표면처리연구실", text="도금", contact="김교수 010-1234-5678"
    )
    need = services.record_need(company, kind="technology", title="도금 폐수", text="6가 크롬")
    engagement = services.start_engagement(company, need=need, expert=expert, on=dt.date(2024, 5, 1))
    services.advance_engagement(engagement, "joint_project", dt.date(2024, 7, 1))
    services.add_outcome(engagement, kind="patent", on=dt.date(2025, 3, 2), description="무전해 도금액 특허")
    services.add_outcome(engagement, kind="tech_transfer", on=dt.date(2025, 9, 1), value=30_000_000)
    services.add_outcome(engagement, kind="hire", on=dt.date(2025, 10, 1))
    return {"public": public, "private": private, "programme": programme, "engagement": engagement}


def test_a_company_party_is_the_registry_company_of_that_name(world, story):
    parties = {p.partner.name: p.partner.company_id for p in story["public"].parties.select_related("partner")}
    assert parties[world["a"].name] == world["a"].pk and parties["부산광역시 사하구"] is None


def test_events_are_scoped_to_the_viewer(world, story):
    company = world["a"]
    mine = transition.events(company, viewer_for(world["users"]["member_a"]))
    kinds = [e.kind for e in mine]
    assert kinds == [
        "collaboration.agreement",
        "collaboration.agreement",
        "collaboration.programme",
        "collaboration.joint_project",
        "collaboration.outcome.patent",
        "collaboration.outcome.tech_transfer",
        "collaboration.outcome.hire",
    ]
    assert "무전해 도금액 특허" in [e.detail for e in mine]
    assert [e.kind for e in transition.events(company, viewer_for(world["users"]["officer"]))] == kinds
    for who in ("manager_b", "other_officer"):
        seen = transition.events(company, viewer_for(world["users"][who]))
        assert [e.kind for e in seen] == ["collaboration.agreement", "collaboration.programme"], who
    public = transition.events(company, ANONYMOUS)
    assert [str(e.label) for e in public][0].endswith("신평·장림산단 환경개선 업무 협약")
    assert all("비공개" not in str(e.label) for e in public)
    # through the spine, merged with the other modules' events, oldest first
    merged = spine.platform.timeline(company, viewer_for(world["users"]["member_a"]))
    assert [e.kind for e in merged if e.kind.startswith("collaboration")] == kinds


def test_signals_count_cooperation_and_technology_outcomes_as_of_a_date(world, story):
    a, b = world["a"], world["b"]
    now = transition.signals([a, b])
    by_key = {s.key: s.value for s in now[a.pk]}
    # two agreements + one programme + one joint project; patent + tech transfer (a hire is not technology)
    assert by_key == {"collaborations": 4, "collaboration_outcomes": 2}
    assert {s.key: s.value for s in now[b.pk]} == {"collaborations": 0, "collaboration_outcomes": 0}
    early = {s.key: s.value for s in transition.signals([a], as_of=dt.date(2024, 3, 31))[a.pk]}
    assert early == {"collaborations": 3, "collaboration_outcomes": 0}
    assert set(by_key) <= set(spine.SIGNAL_KEYS)
    merged = spine.platform.signals([a, b])
    assert merged[a.pk]["collaboration_outcomes"].value == 2


def test_signals_cost_the_same_queries_for_2_or_40_companies(world, story):
    few = [world["a"], world["b"]]
    many = few + [CompanyFactory(complex=world["cx"]) for _ in range(38)]
    with CaptureQueriesContext(connection) as q_few:
        transition.signals(few)
    with CaptureQueriesContext(connection) as q_many:
        result = transition.signals(many)
    assert len(q_few) == len(q_many) == 4 and len(result) == 40


def test_datasets_are_registered_and_hold_nothing_personal(world, story):
    cx = world["cx"]
    services.save_support_programme(
        cx,
        {"ref": "S1", "title": "뿌리기업 공정개선", "agency": "부산테크노파크", "eligibility": {"employees_max": 49}},
    )
    keys = [d.key for d in spine.platform.datasets_sorted() if d.key.startswith("collaboration.")]
    assert keys == ["collaboration.agreements", "collaboration.programmes", "collaboration.support_programmes"]
    personal = re.compile(r"phone|e-?mail|contact|representative|owner|business_no|전화|담당자")
    looks_personal = re.compile(r"\d{2,3}-\d{3,4}-\d{4}|[\w.]+@[\w.]+")
    for key in keys:
        dataset = spine.platform.datasets[key]
        rows = list(dataset.rows(cx))
        assert rows, key
        for column in dataset.columns:
            assert not personal.search(column.name), (key, column.name)
        for row in rows:
            assert len(row) == len(dataset.columns)
            for value, column in zip(row, dataset.columns, strict=True):
                assert not (isinstance(value, str) and looks_personal.search(value)), (key, column.name, value)
                if value is not None:
                    expected = {"string": str, "integer": int, "date": dt.date, "boolean": bool}[column.type]
                    assert isinstance(value, expected), (key, column.name, value)
        assert isinstance(dataset.updated(cx), dt.date)
    agreements = list(spine.platform.datasets["collaboration.agreements"].rows(cx))
    assert [r[0] for r in agreements] == ["신평·장림산단 환경개선 업무 협약"]  # the private one is left out
    assert agreements[0][4] == "in force" and agreements[0][7] == 2
    programme = list(spine.platform.datasets["collaboration.programmes"].rows(cx))[0]
    assert programme[6] == 10**9 and programme[10] == 10**9
    support = list(spine.platform.datasets["collaboration.support_programmes"].rows(cx))[0]
    assert "49" in support[5]
