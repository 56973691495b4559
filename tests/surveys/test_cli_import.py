"""The command-line contract: create from a template, show --json, import-responses (CSV in UTF-8 or
CP949, Excel; all-or-nothing; idempotent by ref; errors with line and column), analyse --json."""

import json

import pytest
from typer.testing import CliRunner

from techvalley.cli import app
from techvalley.surveys.models import Invitation, Response, Survey

runner = CliRunner()
pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "ref,company,main_business,employees,difficulties,training_needed,training_topics,participation,infrastructure_rating.parking,support_priority,difficulty_detail\n"  # noqa: E501
ROWS = [
    "P-001,1234567891,metal,25,energy_cost;workforce,yes,automation,4,2,training;energy;rnd,전기요금이 너무 올라 부담이 큽니다\n",  # noqa: E501
    "P-002,,금속가공·표면처리,8,인력 확보,아니오,,5,1,smart_factory>rnd>finance,전기 요금 부담이 큽니다\n",
    "P-003,,machinery,120,space,no,,3,,,주차장이 부족합니다\n",
]


def invoke(*args):
    return runner.invoke(app, list(args))


@pytest.fixture
def survey(world):
    world["a"].brn = "1234567891"
    world["a"].ksic_code = "25911"
    world["a"].save()
    r = invoke("survey", "create", "demand-2023", "--template", "demand", "--complex", world["cx"].slug, "--json")
    assert r.exit_code == 0, r.output
    return Survey.objects.get(slug="demand-2023")


def test_create_and_show(survey, world):
    r = invoke("survey", "show", "demand-2023", "--json", "--complex", world["cx"].slug)
    doc = json.loads(r.stdout)
    first = doc["questions"][0]
    assert first["code"] == "main_business" and first["type"] == "single"
    assert first["label"] == {"ko": "주력 사업 분야는 무엇입니까?", "en": "What is your main line of business?"}
    assert {x["type"] for x in doc["questions"]} >= {"matrix", "ranking", "scale", "file", "long_text"}
    r = invoke("survey", "create", "demand-2023", "--complex", world["cx"].slug)
    assert r.exit_code == 2 and "이미 있습니다" in r.output
    r = invoke("survey", "show", "nope", "--complex", world["cx"].slug)
    assert r.exit_code == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_import_csv_idempotent_by_ref(survey, world, tmp_path, encoding):
    f = tmp_path / "answers.csv"
    f.write_bytes((HEADER + "".join(ROWS)).encode(encoding))
    cx = world["cx"].slug
    r = invoke("survey", "import-responses", "demand-2023", str(f), "--json", "--complex", cx)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) | {"errors": []} == {
        "ok": True,
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "dry_run": False,
    }
    p1 = Response.objects.get(ref="P-001")
    assert p1.company == world["a"] and p1.segment["division"] == "25"
    assert p1.answers["difficulties"] == ["workforce", "energy_cost"]
    assert p1.answers["infrastructure_rating"] == {"parking": "2"}
    p2 = Response.objects.get(ref="P-002")
    assert p2.company is None and p2.answers["main_business"] == "metal" and p2.answers["training_needed"] == "no"
    assert p2.answers["support_priority"] == ["smart_factory", "rnd", "finance"]
    assert Invitation.objects.get(survey=survey, company=world["a"]).answered_at is not None
    # the same file again changes nothing
    r = invoke("survey", "import-responses", "demand-2023", str(f), "--json", "--complex", cx)
    assert json.loads(r.stdout)["unchanged"] == 3 and Response.objects.count() == 3
    # a changed answer updates the response with that ref
    f.write_bytes((HEADER + ROWS[0].replace(",4,2,", ",5,2,")).encode(encoding))
    r = invoke("survey", "import-responses", "demand-2023", str(f), "--json", "--complex", cx)
    assert json.loads(r.stdout)["updated"] == 1 and Response.objects.get(ref="P-001").answers["participation"] == 5


def test_import_excel(survey, world, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.strip().split(","))
    for row in ROWS:
        ws.append([int(c) if c.isdigit() and len(c) < 5 else c for c in row.strip().split(",")])
    wb.save(tmp_path / "answers.xlsx")
    r = invoke(
        "survey",
        "import-responses",
        "demand-2023",
        str(tmp_path / "answers.xlsx"),
        "--json",
        "--complex",
        world["cx"].slug,
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["created"] == 3
    assert Response.objects.get(ref="P-001").answers["employees"] == 25


def test_a_bad_file_changes_nothing_and_says_where(survey, world, tmp_path):
    f = tmp_path / "bad.csv"
    bad = [
        ROWS[0],
        ROWS[1].replace(",8,", ",여덟,"),  # line 3: not a number
        ROWS[2].replace("machinery", "shipbuilding"),  # line 4: not a choice
        "P-001,,metal,3,space,no,,3,,,\n",  # line 5: same ref as line 2
        "P-005,없는회사,metal,3,space,no,,3,,,\n",  # line 6: unknown company
        "P-006,,metal,3,space,no,automation,3,,,\n",  # line 7: answers a hidden question
    ]
    f.write_text(HEADER + "".join(bad), encoding="utf-8")
    r = invoke("survey", "import-responses", "demand-2023", str(f), "--complex", world["cx"].slug)
    assert r.exit_code == 2
    assert "bad.csv:3 [employees]" in r.output and "숫자가 아닙니다" in r.output
    assert "bad.csv:4 [main_business]" in r.output
    assert "bad.csv:5 [ref]" in r.output
    assert "bad.csv:6 [company]" in r.output
    assert "bad.csv:7 [training_topics]" in r.output
    assert "nothing changed" in r.output
    assert not Response.objects.exists()
    f.write_text("ref,colour\n1,red\n", encoding="utf-8")
    r = invoke("survey", "import-responses", "demand-2023", str(f), "--json", "--complex", world["cx"].slug)
    doc = json.loads(r.stdout)
    assert r.exit_code == 2 and doc["errors"][0]["line"] == 1 and doc["errors"][0]["column"] == "colour"
    f.write_bytes(b"\xff\xfe\x00garbage")
    r = invoke("survey", "import-responses", "demand-2023", str(f), "--complex", world["cx"].slug)
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_analyse_json_contract(survey, world, tmp_path):
    f = tmp_path / "answers.csv"
    f.write_text(HEADER + "".join(ROWS), encoding="utf-8")
    invoke("survey", "import-responses", "demand-2023", str(f), "--complex", world["cx"].slug)
    r = invoke("survey", "analyse", "demand-2023", "--json", "--complex", world["cx"].slug)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    by = {x["code"]: x for x in doc["questions"]}
    assert by["main_business"]["answered"] == 3
    assert by["main_business"]["counts"] == {
        "metal": 2,
        "machinery": 1,
        "auto": 0,
        "electric": 0,
        "food": 0,
        "other": 0,
    }
    assert by["difficulties"]["counts"]["energy_cost"] == 1 and by["difficulties"]["counts"]["workforce"] == 2
    themes = by["difficulty_detail"]["themes"]
    assert themes and themes[0]["keywords"][0] == "전기요금"
    assert sorted(themes[0]["responses"]) == ["P-001", "P-002"]
    assert set(themes[0]) >= {"label", "keywords", "responses", "quotes"}
    r = invoke("survey", "analyse", "demand-2023", "--json", "--by", "division", "--complex", world["cx"].slug)
    tables = json.loads(r.stdout)["crosstabs"]
    assert tables["main_business"]["rows"]["25"]["metal"] == 1
    assert tables["main_business"]["rows"]["unknown"] == {
        "metal": 1,
        "machinery": 1,
        "auto": 0,
        "electric": 0,
        "food": 0,
        "other": 0,
    }
