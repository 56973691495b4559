"""Agreements and follow-ups, programmes, needs and the pipeline; pages, scoping and the demo step."""

import datetime as dt
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from techvalley.collaboration import selectors, services
from techvalley.collaboration.demo import load_collaboration_demo
from techvalley.collaboration.models import Agreement, Expert, FollowUp, SupportProgramme
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def four_party(cx):
    return services.record_agreement(
        cx,
        title="신평·장림산단 환경개선 및 창업기업 활성화를 위한 업무 협약",
        signed_on=dt.date(2023, 6, 20),
        ends_on=dt.date(2026, 12, 31),
        parties=[
            ("사하구", "government"),
            ("산단공 부산지역본부", "agency"),
            ("(주)포유산업", "company"),
            ("SK에코플랜트", "company"),
        ],
    )


def test_n_party_agreement_with_term_and_follow_ups(cx, four_party):
    assert four_party.parties.count() == 4
    assert four_party.status_on(TODAY) == "active" and four_party.expires_within(TODAY, 90)
    assert four_party.status_on(dt.date(2027, 1, 1)) == "expired"
    late = services.add_follow_up(four_party, action="간담회", owner="전략사업과", due_on=dt.date(2026, 8, 31))
    services.add_follow_up(four_party, action="홍보", owner="전략사업과", due_on=dt.date(2027, 1, 31))
    assert late.is_overdue(TODAY)
    services.set_follow_up_status(late, "done", today=TODAY)
    late.refresh_from_db()
    assert late.done_on == TODAY and not late.is_overdue(TODAY)
    with pytest.raises(BadInput):
        services.set_follow_up_status(late, "finished")
    # the same agreement recorded again changes nothing
    again = services.record_agreement(
        cx,
        title=four_party.title,
        signed_on=four_party.signed_on,
        parties=[("사하구", "government"), ("SK에코플랜트", "company")],
    )
    assert again.pk == four_party.pk and Agreement.objects.count() == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"parties": [("사하구", "government")]},
        {"parties": [("사하구", "government"), ("사하구", "government")]},
        {"ends_on": dt.date(2020, 1, 1)},
        {"title": ""},
    ],
)
def test_agreement_refuses_bad_input(cx, kwargs):
    values = {
        "title": "협약",
        "signed_on": dt.date(2023, 3, 1),
        "parties": [("사하구", "government"), ("동아대", "university")],
    } | kwargs
    with pytest.raises(BadInput):
        services.record_agreement(cx, **values)


def test_overdue_follow_ups_are_for_officers_only(world, four_party):
    services.add_follow_up(four_party, action="late", owner="x", due_on=dt.date(2020, 1, 1))
    officer = viewer_for(world["users"]["officer"])
    assert selectors.overdue_follow_ups(officer, world["cx"], TODAY).count() == 1
    for name in ("manager_a", "university", "other_officer"):
        assert selectors.overdue_follow_ups(viewer_for(world["users"][name]), world["cx"], TODAY).count() == 0


def test_programme_budget_by_source_and_kpis(cx):
    p = services.record_programme(
        cx,
        title="고등직업교육거점지구사업",
        budget=[("national", 2024, "10억원"), ("district", 2024, 100_000_000)],
        kpis=[("교육 이수", "명", 300, 210)],
        participants=[("부산보건대학교", "university")],
    )
    assert services.budget_by_source(p) == {"national": 1_000_000_000, "city": 0, "district": 100_000_000, "private": 0}
    assert p.kpis.get().achievement == 70.0
    with pytest.raises(BadInput):
        services.set_budget_line(p, "lottery", 2024, 1)


def test_needs_are_private_to_the_company_and_officers(world):
    need = services.record_need(world["a"], kind="technology", title="도금", text="6가 크롬")
    cx = world["cx"]
    users = world["users"]
    assert list(selectors.needs(viewer_for(users["member_a"]), cx)) == [need]
    assert list(selectors.needs(viewer_for(users["officer"]), cx)) == [need]
    for name in ("manager_b", "university", "other_officer", "visitor", "anonymous"):
        assert list(selectors.needs(viewer_for(users[name]), cx)) == [], name
    client = Client()
    client.force_login(users["manager_b"])
    assert client.get(reverse("collaboration:need_detail", args=[need.pk])).status_code == 403


def test_pipeline_match_contact_project_outcomes(world):
    company = world["a"]
    lab = Expert.objects.create(complex=world["cx"], ref="L1", unit="표면공학연구실", text="도금")
    need = services.record_need(company, kind="technology", title="도금", text="6가 크롬 대체")
    e = services.start_engagement(company, need=need, expert=lab, on=dt.date(2026, 1, 5))
    need.refresh_from_db()
    assert need.status == "in_progress"
    services.advance_engagement(e, "contacted", dt.date(2026, 1, 20))
    services.advance_engagement(e, "joint_project", dt.date(2026, 3, 1))
    with pytest.raises(BadInput):
        services.advance_engagement(e, "contacted", dt.date(2026, 3, 2))
    services.add_outcome(e, kind="patent", on=dt.date(2026, 10, 1), description="3가 크롬 도금액")
    e.refresh_from_db()
    assert e.stage == "outcome" and e.outcome_on == dt.date(2026, 10, 1)
    assert (e.contacted_on, e.project_on) == (dt.date(2026, 1, 20), dt.date(2026, 3, 1))
    # an expert taken up counts as a partner of the company for "needs_partner"
    assert "institute" in selectors.facts_for_company(company).partner_kinds


def test_recommended_programmes_from_the_registry(world):
    company = world["a"]
    company.ksic_code, company.employees, company.founded_on = "25922", 62, dt.date(2001, 5, 1)
    company.address = "부산광역시 사하구 장림로 1"
    company.save()
    for ref, rules, deadline in [
        ("OK", {"manufacturing": True, "region": "부산"}, dt.date(2027, 1, 31)),
        ("SMALL", {"employees_max": 49}, dt.date(2027, 1, 31)),
        ("CERT", {"certifications_any": ["벤처"]}, dt.date(2027, 1, 31)),
        ("PAST", {}, dt.date(2020, 1, 1)),
    ]:
        SupportProgramme.objects.create(complex=world["cx"], ref=ref, title=ref, eligibility=rules, deadline=deadline)
    rec = selectors.recommended_programmes(viewer_for(world["users"]["member_a"]), company, TODAY)
    assert [r["programme"].ref for r in rec["eligible"]] == ["OK"]
    assert [r["programme"].ref for r in rec["cannot_tell"]] == ["CERT"]
    assert [r["programme"].ref for r in rec["not_eligible"]] == ["SMALL"]
    assert rec["not_eligible"][0]["verdict"].reasons_against == ["종업원 49명 이하 대상, 귀사 62명"]
    assert rec["closed"] == 1


def _officer_client(world):
    client = Client()
    client.force_login(world["users"]["officer"])
    return client


def test_main_pages_render_for_officer_and_company(world):
    load_collaboration_demo(world["cx"])
    need = services.record_need(world["a"], kind="technology", title="도금 수요", text="6가 크롬 도금 폐수")
    officer = _officer_client(world)
    member = Client()
    member.force_login(world["users"]["member_a"])
    agreement = Agreement.objects.get(title__startswith="신평·장림산단")
    pages = [
        reverse("collaboration:index"),
        reverse("collaboration:agreement_list"),
        agreement.get_absolute_url(),
        reverse("collaboration:programme_list"),
        reverse("collaboration:catalogue_list"),
        reverse("collaboration:expert_list"),
        reverse("collaboration:match") + "?text=도금+폐수&employees=62&ksic=25922",
        reverse("collaboration:need_list"),
        need.get_absolute_url(),
        reverse("collaboration:company", args=[world["a"].pk]),
    ]
    for url in pages:
        for client in (officer, member):
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
            assert b"<script>alert(1)</script>" not in r.content
    r = officer.get(agreement.get_absolute_url())
    assert "(주)포유산업" in r.content.decode() and "SK에코플랜트" in r.content.decode()
    r = member.get(need.get_absolute_url())
    assert "표면공학연구실" in r.content.decode()


def test_officer_adds_and_closes_a_follow_up_from_the_page(world, four_party):
    officer = _officer_client(world)
    r = officer.post(
        reverse("collaboration:follow_up_add", args=[four_party.pk]),
        {"action": "간담회", "owner": "전략사업과", "due_on": "2026-12-01"},
    )
    assert r.status_code == 302
    f = FollowUp.objects.get()
    officer.post(reverse("collaboration:follow_up_status", args=[f.pk]), {"status": "done"})
    f.refresh_from_db()
    assert f.status == "done"


def test_agreement_list_query_count_does_not_grow_with_rows(world):
    cx = world["cx"]
    officer = _officer_client(world)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert officer.get(reverse("collaboration:agreement_list")).status_code == 200
        return len(ctx.captured_queries)

    services.record_agreement(
        cx, title="a0", signed_on=dt.date(2023, 1, 1), parties=[("x", "government"), ("y", "university")]
    )
    few = count()
    for i in range(1, 12):
        services.record_agreement(
            cx, title=f"a{i}", signed_on=dt.date(2023, 1, 1), parties=[("x", "government"), (f"y{i}", "university")]
        )
    assert count() == few


def test_demo_step_is_deterministic_marked_and_fast(cx):
    start = time.perf_counter()
    first = load_collaboration_demo(cx)
    assert time.perf_counter() - start < 10
    assert first["agreements"] == 4 and first["joint_programmes"] == 2
    assert first == load_collaboration_demo(cx) | {"needs": first["needs"]}
    assert Agreement.objects.count() == 4
    assert all(a.estimated and a.source for a in Agreement.objects.all())
    assert all(e.estimated for e in Expert.objects.all())
    assert all(p.estimated for p in SupportProgramme.objects.all())
    four = Agreement.objects.get(title__startswith="신평·장림산단")
    assert sorted(four.parties.values_list("partner__name", flat=True)) == sorted(
        ["부산광역시 사하구", "한국산업단지공단 부산지역본부", "(주)포유산업", "SK에코플랜트"]
    )
    assert {a.signed_on.strftime("%Y-%m") for a in Agreement.objects.all()} == {
        "2023-03",
        "2023-06",
        "2023-11",
        "2023-12",
    }


def test_a_need_also_finds_other_modules_records_through_the_spine(world, monkeypatch):
    from techvalley.core import spine

    seen = []

    def search(viewer, complex, query, limit):
        seen.append(query)
        return (
            [spine.SearchHit(f"염수분무시험기 {query}", f"/facilities/r/{query}/", "시설")] if query == "도금" else []
        )

    providers = [*spine.platform.search_providers, spine.SearchProvider("facilities", "시설", search)]
    monkeypatch.setattr(spine.platform, "search_providers", providers)
    need = services.record_need(world["a"], kind="equipment", title="도금 시험", text="도금층 염수분무 시험")
    hits = selectors.spine_hits_for_need(viewer_for(world["users"]["member_a"]), world["cx"], need.text)
    assert [h["hit"].title for h in hits] == ["염수분무시험기 도금"] and "도금" in seen
    client = Client()
    client.force_login(world["users"]["member_a"])
    assert "염수분무시험기 도금" in client.get(need.get_absolute_url()).content.decode()


def test_officers_export_the_cooperation_record_to_excel(world, four_party):
    import io

    from openpyxl import load_workbook

    services.add_follow_up(four_party, action="=HYPERLINK(1)", owner="담당", due_on=dt.date(2020, 1, 1))
    services.record_programme(world["cx"], title="SW중심대학 사업", budget=[("national", 2024, 2_000_000_000)])
    r = _officer_client(world).get(reverse("collaboration:agreement_export"))
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["협약", "후속 조치", "공동사업"]
    assert wb["협약"]["B2"].value.count(",") == 3
    assert wb["후속 조치"]["B2"].value == "'=HYPERLINK(1)" and wb["후속 조치"]["G2"].value == "예"
    assert wb["공동사업"]["G2"].value == 2_000_000_000
    member = Client()
    member.force_login(world["users"]["member_a"])
    assert member.get(reverse("collaboration:agreement_export")).status_code == 403


def test_officer_records_outcomes_and_terminates_an_agreement(world, four_party):
    officer = _officer_client(world)
    url = reverse("collaboration:agreement_edit", args=[four_party.pk])
    assert officer.get(url).status_code == 200
    r = officer.post(url, {"title": four_party.title, "outcomes": "간담회 2회", "terminated": "on", "is_public": "on"})
    assert r.status_code == 302
    four_party.refresh_from_db()
    assert four_party.outcomes == "간담회 2회" and four_party.status_on(TODAY) == "terminated"
    r = officer.post(url, {"title": four_party.title, "ends_on": "2020-01-01", "is_public": "on"})
    assert r.status_code == 400
