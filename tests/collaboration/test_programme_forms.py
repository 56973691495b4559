"""Joint programmes changed on the web: the programme, its budget lines by source, its KPIs and its
partners — validated by the services, refused with a message on the form, audited, and the
buttons shown only to officers. Needs carry their urgency, budget and wanted-by date."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.collaboration import services
from techvalley.collaboration.models import BudgetLine, Kpi, Need, Partner, Programme
from techvalley.core.models import AuditEntry
from techvalley.core.validation import BadInput


@pytest.fixture
def programme(cx):
    return services.record_programme(
        cx,
        title="고등직업교육거점지구사업",
        funder="교육부",
        starts_on=dt.date(2024, 3, 1),
        ends_on=dt.date(2028, 2, 28),
        budget=[("national", 2024, 1_000_000_000)],
        kpis=[("재직자 교육", "명", 200, 80)],
    )


def _client(world, who):
    client = Client()
    if world["users"][who] is not None:
        client.force_login(world["users"][who])
    return client


# --- services ---------------------------------------------------------------------------


def test_save_programme_checks_every_field(cx, programme):
    made = services.save_programme(
        cx, {"title": " SW중심대학 사업 ", "funder": "과기정통부", "starts_on": "2024-03-01", "status": "selected"}
    )
    assert made.title == "SW중심대학 사업" and made.starts_on == dt.date(2024, 3, 1) and made.is_public
    with pytest.raises(BadInput) as clash:
        services.save_programme(cx, {"title": "고등직업교육거점지구사업"})
    assert clash.value.status == 409 and clash.value.field == "title"
    for bad, field in (
        ({"title": ""}, "title"),
        ({"title": "x", "starts_on": "2025-01-01", "ends_on": "2024-01-01"}, "ends_on"),
        ({"title": "x", "starts_on": "2025-13-01"}, "starts_on"),
        ({"title": "x", "status": "won"}, "status"),
        ({"title": "x", "agreement": "999999"}, "agreement"),
        ({"title": "x\x00"}, "title"),
    ):
        with pytest.raises(BadInput) as exc:
            services.save_programme(cx, bad)
        assert exc.value.field == field, bad
    # renaming to its own title is not a clash
    assert (
        services.save_programme(cx, {"title": programme.title, "funder": "교육부·부산시"}, programme).pk == programme.pk
    )


def test_budget_lines_by_source_and_year(programme):
    line = services.save_budget_line(
        programme, {"source": "city", "year": "2025", "amount_krw": "3억 5천만", "executed_krw": "1억"}
    )
    assert (line.amount_krw, line.executed_krw, line.year) == (350_000_000, 100_000_000, 2025)
    assert services.budget_by_source(programme)["city"] == 350_000_000
    with pytest.raises(BadInput) as clash:
        services.save_budget_line(programme, {"source": "city", "year": "2025", "amount_krw": "1"})
    assert clash.value.status == 409
    for bad, field in (
        ({"source": "lottery", "amount_krw": "1"}, "source"),
        ({"source": "district", "amount_krw": ""}, "amount_krw"),
        ({"source": "district", "amount_krw": "많이"}, "amount_krw"),
        ({"source": "district", "amount_krw": "-5"}, "amount_krw"),
        ({"source": "district", "year": "²⁰²⁵", "amount_krw": "1"}, "year"),
        ({"source": "district", "year": "1800", "amount_krw": "1"}, "year"),
        ({"source": "district", "amount_krw": "100", "executed_krw": "200"}, "executed_krw"),
    ):
        with pytest.raises(BadInput) as exc:
            services.save_budget_line(programme, bad)
        assert exc.value.field == field, bad
    services.save_budget_line(programme, {"source": "city", "year": "2026", "amount_krw": "5000"}, line)
    line.refresh_from_db()
    assert line.year == 2026 and line.executed_krw is None
    services.delete_budget_line(line)
    assert not BudgetLine.objects.filter(pk=line.pk).exists()


def test_kpis_target_and_actual(programme):
    kpi = services.save_kpi(programme, {"name": "취업자", "unit": "명", "target": "30", "result": "12"})
    assert kpi.achievement == 40.0
    for bad, field in (
        ({"name": "", "target": "1"}, "name"),
        ({"name": "x", "target": ""}, "target"),
        ({"name": "x", "target": "NaN"}, "target"),
        ({"name": "x", "target": "-1"}, "target"),
        ({"name": "x", "target": "1", "result": "0.001"}, "result"),
        ({"name": "재직자 교육", "target": "1"}, "name"),
    ):
        with pytest.raises(BadInput) as exc:
            services.save_kpi(programme, bad)
        assert exc.value.field == field, bad
    services.save_kpi(programme, {"name": "취업자 수", "unit": "명", "target": "30", "result": ""}, kpi)
    kpi.refresh_from_db()
    assert kpi.name == "취업자 수" and kpi.result is None and kpi.target == Decimal("30")


def test_participants_are_partners_of_the_complex_and_audited(cx, programme):
    uni = services.add_participant(programme, "동아대학교", "university")
    again = services.add_participant(programme, "동아대학교", "university")
    assert uni.pk == again.pk and list(programme.participants.all()) == [uni]
    entries = AuditEntry.objects.filter(model="collaboration.Programme", object_id=str(programme.pk))
    assert [e.changes["participants"] for e in entries if "participants" in e.changes] == [[[], ["동아대학교"]]]
    services.remove_participant(programme, uni)
    assert programme.participants.count() == 0 and Partner.objects.filter(pk=uni.pk).exists()
    with pytest.raises(BadInput):
        services.add_participant(programme, "  ", "university")
    with pytest.raises(BadInput):
        services.add_participant(programme, "새 기관", "alien")
    services.partner(cx, "부산보건대학교", "university")
    with pytest.raises(BadInput) as clash:
        services.save_partner(uni, {"name": "부산보건대학교", "kind": "university"})
    assert clash.value.status == 409


def test_need_has_urgency_budget_and_wanted_by(world):
    need = services.record_need(
        world["a"],
        kind="technology",
        title="도금 폐수",
        text="6가 크롬",
        urgency="high",
        budget_krw="5천만",
        needed_by="2027-03-31",
    )
    assert (need.urgency, need.budget_krw, need.needed_by) == ("high", 50_000_000, dt.date(2027, 3, 31))
    with pytest.raises(BadInput) as exc:
        services.record_need(world["a"], kind="technology", title="x", text="y", urgency="yesterday")
    assert exc.value.field == "urgency"
    services.update_need(need, urgency="low", budget_krw="")
    need.refresh_from_db()
    assert need.urgency == "low" and need.budget_krw is None


# --- pages ------------------------------------------------------------------------------


def test_officer_creates_and_edits_a_programme_on_the_web(world):
    officer = _client(world, "officer")
    r = officer.post(
        reverse("collaboration:programme_new"),
        {"title": "SW중심대학 사업", "funder": "과기정통부", "status": "selected", "is_public": "on"},
    )
    assert r.status_code == 302
    made = Programme.objects.get(title="SW중심대학 사업")
    assert AuditEntry.objects.filter(model="collaboration.Programme", object_id=str(made.pk), action="create").exists()
    # a clash is shown on the form, with what was typed, in Korean first
    r = officer.post(reverse("collaboration:programme_new"), {"title": "SW중심대학 사업", "status": "selected"})
    assert r.status_code == 409
    text = r.content.decode()
    assert "이미 있습니다" in text and 'value="SW중심대학 사업"' in text and "errorlist" in text
    r = officer.post(
        reverse("collaboration:programme_edit", args=[made.pk]),
        {"title": "SW중심대학 사업", "starts_on": "2025-01-01", "ends_on": "2024-01-01", "status": "selected"},
    )
    assert r.status_code == 400 and "시작일보다 앞섭니다" in r.content.decode()
    r = officer.post(
        reverse("collaboration:programme_edit", args=[made.pk]),
        {"title": "SW중심대학 사업", "starts_on": "2024-03-01", "status": "completed"},
    )
    assert r.status_code == 302
    made.refresh_from_db()
    assert made.status == "completed" and not made.is_public


def test_officer_adds_budget_kpi_and_partner_from_the_programme_page(world, programme):
    officer = _client(world, "officer")
    page = officer.get(programme.get_absolute_url()).content.decode()
    for form_id in ("budget-add", "kpi-add", "participant-add"):
        assert f'id="{form_id}"' in page
    r = officer.post(
        reverse("collaboration:budget_add", args=[programme.pk]),
        {"source": "city", "year": "2025", "amount_krw": "2억", "executed_krw": "5천만"},
    )
    assert r.status_code == 302 and r["Location"].endswith("#budget")
    r = officer.post(
        reverse("collaboration:budget_add", args=[programme.pk]),
        {"source": "district", "year": "2025", "amount_krw": "1억", "executed_krw": "2억"},
    )
    assert r.status_code == 400 and "집행액" in r.content.decode()
    r = officer.post(
        reverse("collaboration:kpi_add", args=[programme.pk]),
        {"name": "취업자", "unit": "명", "target": "30", "result": "45"},
    )
    assert r.status_code == 302
    r = officer.post(
        reverse("collaboration:participant_add", args=[programme.pk]), {"name": "동아대학교", "kind": "university"}
    )
    assert r.status_code == 302
    page = officer.get(programme.get_absolute_url()).content.decode()
    assert (
        "200,000,000" in page and "50,000,000" in page and "취업자" in page and "150" in page and "동아대학교" in page
    )
    kpi = Kpi.objects.get(programme=programme, name="취업자")
    r = officer.post(
        reverse("collaboration:kpi_edit", args=[kpi.pk]), {"name": "취업자", "target": "30", "result": "x"}
    )
    assert r.status_code == 400 and "숫자가 아닙니다" in r.content.decode()
    line = BudgetLine.objects.get(programme=programme, source="city")
    assert officer.post(reverse("collaboration:budget_delete", args=[line.pk])).status_code == 302
    assert AuditEntry.objects.filter(model="collaboration.BudgetLine", object_id=str(line.pk), action="delete").exists()


def test_no_editing_buttons_for_who_may_not_edit(world, programme):
    for who in ("anonymous", "visitor", "manager_a", "university", "other_officer"):
        client = _client(world, who)
        page = client.get(programme.get_absolute_url()).content.decode()
        assert "budget-add" not in page and reverse("collaboration:programme_edit", args=[programme.pk]) not in page
        listing = client.get(reverse("collaboration:programme_list"), {"complex": world["cx"].slug})
        assert reverse("collaboration:programme_new") not in listing.content.decode()
        r = client.post(reverse("collaboration:budget_add", args=[programme.pk]), {"source": "city", "amount_krw": "1"})
        assert r.status_code in (302, 403, 404) and not BudgetLine.objects.filter(source="city").exists()
    officer = _client(world, "officer")
    assert (
        reverse("collaboration:programme_new") in officer.get(reverse("collaboration:programme_list")).content.decode()
    )


def test_company_enters_a_need_with_urgency_on_the_web(world):
    manager = _client(world, "manager_a")
    url = reverse("collaboration:need_new", args=[world["a"].pk])
    r = manager.post(
        url, {"kind": "technology", "title": "열처리", "text": "변형", "urgency": "high", "budget_krw": "수억"}
    )
    assert r.status_code == 400 and "금액이 아닙니다" in r.content.decode()
    r = manager.post(
        url,
        {
            "kind": "technology",
            "title": "열처리",
            "text": "변형",
            "urgency": "high",
            "budget_krw": "3천만",
            "needed_by": "2027-01-31",
        },
    )
    assert r.status_code == 302
    need = Need.objects.get(title="열처리")
    assert need.budget_krw == 30_000_000 and need.urgency == "high"
    page = manager.get(need.get_absolute_url()).content.decode()
    assert "30,000,000" in page and "2027-01-31" in page


def test_officer_names_the_registry_company_of_a_partner(world, programme):
    officer = _client(world, "officer")
    found = services.add_participant(programme, "포유산업", "company")
    url = reverse("collaboration:partner_edit", args=[found.pk])
    r = officer.post(url, {"name": "(주)포유산업", "kind": "company", "company": "없는 회사"})
    assert r.status_code == 400 and "기업 등록부에" in r.content.decode()
    r = officer.post(url, {"name": "(주)포유산업", "kind": "company", "company": world["a"].name})
    assert r.status_code == 302
    found.refresh_from_db()
    assert found.company_id == world["a"].pk and found.name == "(주)포유산업"
    listing = officer.get(reverse("collaboration:partner_list")).content.decode()
    assert "(주)포유산업" in listing
    assert _client(world, "manager_a").get(reverse("collaboration:partner_list")).status_code == 403


def test_programme_page_queries_do_not_grow_with_its_lines(world, programme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer = _client(world, "officer")
    url = programme.get_absolute_url()
    officer.get(url)
    with CaptureQueriesContext(connection) as few:
        assert officer.get(url).status_code == 200
    for year in range(2000, 2030):
        services.save_budget_line(programme, {"source": "private", "year": str(year), "amount_krw": "1000"})
        services.save_kpi(programme, {"name": f"지표 {year}", "target": "1"})
        services.add_participant(programme, f"기관 {year}", "agency")
    with CaptureQueriesContext(connection) as many:
        assert officer.get(url).status_code == 200
    assert len(many) == len(few)
