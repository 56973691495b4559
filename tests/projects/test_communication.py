"""The card's 구민소통 실적 read from the ``surveys.communications`` metric through the spine — and the
card's own figures when no app provides it or when the officer keeps them. Plan tracking's side:
the metric here is a stand-in registered by the test (the surveys side tests the real one)."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from techvalley.core import spine
from techvalley.core.validation import BadInput
from techvalley.projects import communication, services
from techvalley.projects.card import parse_card, render_text
from tests.projects.test_documents import hwpx_text, pdf_text

pytestmark = pytest.mark.django_db

#: What the stand-in metric counts: {kind: {year: n}} for all records / the public ones.
ALL = {"briefing": {2023: 2, 2021: 5}, "report": {2023: 1}, "expert": {2023: 3}, "press": {2024: 1}}
PUBLIC = {"briefing": {2023: 1}, "press": {2024: 1}}


@pytest.fixture
def metric(monkeypatch):
    """A stand-in for the surveys app's metric, remembering how it was asked."""
    calls = []

    def compute(complex, *, years=None, public_only=False):
        calls.append({"years": None if years is None else list(years), "public_only": public_only})
        source = PUBLIC if public_only else ALL
        by_kind = {
            k: {y: n for y, n in by_year.items() if years is None or y in list(years)} for k, by_year in source.items()
        }
        return {"by_kind": by_kind, "as_of": "2026-11-25", "latest": "2024-04-12"}

    monkeypatch.setitem(
        spine.platform.metrics, communication.METRIC, spine.Metric(communication.METRIC, "구민소통", compute)
    )
    return calls


@pytest.fixture
def no_metric(monkeypatch):
    """No app provides the metric (surveys not installed)."""
    monkeypatch.delitem(spine.platform.metrics, communication.METRIC, raising=False)


def officer(world):
    c = Client()
    c.force_login(world["users"]["officer"])
    return c


def test_counts_from_the_records_within_the_pledge_period(pledge, metric):
    shown = communication.shown(pledge)
    # 2021 lies before the pledge's period (2022~2027): not counted
    assert shown.origin == communication.RECORDS and shown.years == (2022, 2027)
    expected = {"설명회·보고회": 3, "만족도·설문조사": 0, "민간전문가 자문": 3, "언론·방송 보도": 1, "기타": 0}
    assert shown.counts == expected
    assert metric == [{"years": [2022, 2023, 2024, 2025, 2026, 2027], "public_only": False}]
    assert "2026-11-25" in shown.note and "2024-04-12" in shown.note
    public = communication.shown(pledge, public=True)
    assert public.counts["설명회·보고회"] == 1 and metric[-1]["public_only"] is True


def test_card_render_round_trips_with_the_counted_figures(pledge, metric):
    card, shown = communication.card_as_shown(pledge)
    text = render_text(card)
    assert "설명회, 보고회 등\t만족도, 설문조사\t민간전문가 자문\t언론·방송 보도\t기 타\n3회\t-\t3회\t1회\t-" in text
    assert parse_card(text).card["communication"] == shown.counts
    # the card as stored keeps what it says (기타 1회): the history is not rewritten by the records
    assert services.card_of(pledge)["communication"]["기타"] == 1


def test_without_the_metric_the_card_shows_its_own_figures(world, pledge, no_metric):
    shown = communication.shown(pledge)
    assert shown.origin == communication.ABSENT and shown.counts["기타"] == 1 and shown.records is None
    page = officer(world).get(reverse("projects:card_page", args=[pledge.pk])).content.decode()
    assert 'id="communication-source"' in page and "관리카드 기재값" in page and "1회" in page
    assert 'id="communication-source-save"' not in page  # nothing to choose between
    public = Client().get(reverse("projects:pledge_public", args=[pledge.pk])).content.decode()
    assert "관리카드 기재값" in public
    txt = Client().get(reverse("projects:card_download", args=[pledge.pk, "txt"])).content.decode()
    assert parse_card(txt).card["communication"]["기타"] == 1


def test_pages_and_documents_show_the_counts_and_their_source(world, pledge, metric):
    c = officer(world)
    page = c.get(reverse("projects:card_page", args=[pledge.pk])).content.decode()
    assert "구민소통 기록에서 집계" in page and "2026-11-25" in page and 'id="communication-source-save"' in page
    public = Client().get(reverse("projects:pledge_public", args=[pledge.pk])).content.decode()
    assert 'id="communication"' in public and "2026-11-25" in public
    # the public page counts only public records
    assert '<td class="num">1회</td>' in public and "3회" not in public
    pdf = pdf_text(c.get(reverse("projects:card_download", args=[pledge.pk, "pdf"])).content)
    assert "3회" in pdf and "2026-11-25" in pdf
    hwpx = hwpx_text(c.get(reverse("projects:card_download", args=[pledge.pk, "hwpx"])).content)
    assert "※ 출처: 구청의 구민소통 기록" in hwpx and "3회" in hwpx
    data = c.get(f"/api/plan/pledges/{pledge.pk}/card").json()
    assert data["communication"]["민간전문가 자문"] == 3 and data["communication_source"]["origin"] == "records"
    assert data["communication_source"]["card"]["기타"] == 1
    sheet = load_workbook(io.BytesIO(c.get(reverse("projects:export_xlsx")).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-2:] == ("구민소통(회)", "구민소통 출처") and rows[1][-2] == 7 and "2026-11-25" in rows[1][-1]


def test_the_officer_keeps_the_cards_own_figures(world, pledge, metric):
    c = officer(world)
    url = reverse("projects:communication_source", args=[pledge.pk])
    assert c.post(url, {"source": "card"}).status_code == 302
    pledge.refresh_from_db()
    shown = communication.shown(pledge)
    assert shown.origin == communication.KEPT and shown.counts["기타"] == 1 and shown.records["설명회·보고회"] == 3
    page = c.get(reverse("projects:card_page", args=[pledge.pk])).content.decode()
    assert "담당자가 구민소통 기록 대신 유지" in page
    txt = c.get(reverse("projects:card_download", args=[pledge.pk, "txt"])).content.decode()
    assert parse_card(txt).card["communication"]["기타"] == 1
    # a bad choice is a 400 with the site's page, not a 500; the change is audited
    assert c.post(url, {"source": "guess"}).status_code == 400
    with pytest.raises(BadInput):
        services.set_communication_source(pledge, "guess")
    from techvalley.core.models import AuditEntry

    entry = AuditEntry.objects.filter(model="projects.Project", object_id=str(pledge.pk)).latest("id")
    assert entry.changes["communication_source"] == ["records", "card"]


def test_the_pledge_list_reads_the_metric_once(world, pledge, metric):
    for i in range(3):
        card = services.card_of(pledge)
        card["management_no"] = f"9-{i}"
        services.import_card(card, world["cx"])
    officer(world).get(reverse("projects:export_xlsx"))
    assert len(metric) == 1


def test_a_sub_project_keeps_its_own_figures(pledge, metric):
    sub = services.add_subproject(pledge, "착수보고회")
    assert communication.shown(sub).origin == communication.OWN and metric == []


@pytest.mark.django_db(transaction=True)
def test_the_command_line_renders_the_card_as_shown(world, metric, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from techvalley.cli import app
    from techvalley.projects.demo import data_file

    services.import_card_file(data_file("cards/saha-3-1.txt"), world["cx"], publish=True)
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, ["card", "render", "3-1", "--format", "text", "--complex", world["cx"].slug])
    assert r.exit_code == 0, r.output
    card = parse_card((tmp_path / "3-1.txt").read_text(encoding="utf-8")).card
    assert card["communication"]["설명회·보고회"] == 3 and card["communication"]["기타"] == 0
    r = CliRunner().invoke(app, ["card", "render", "--format", "xlsx", "--complex", world["cx"].slug])
    assert r.exit_code == 0, r.output
    sheet = load_workbook(next(tmp_path.glob("pledges-*.xlsx"))).active
    assert [c.value for c in sheet[2]][-2] == 7


def test_documents_say_the_source_in_korean_whatever_the_page_language(pledge, metric):
    from django.utils import translation

    from techvalley.projects import documents

    card, shown = communication.card_as_shown(pledge)
    with translation.override("en"):
        assert shown.note.startswith("Source: communication records")  # the page, in English
        html = documents.render_html(card, communication=shown)
        fragment = documents.render_html(card, communication=shown, standalone=False)
    assert "※ 출처: 구청의 구민소통 기록(2022~2027년), 2026-11-25 기준; 최근 기록 2024-04-12" in html
    assert "Source: communication records" in fragment
