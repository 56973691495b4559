"""The command-line contract: collab import experts|programmes FILE, match need … --json."""

import json

import pytest
from typer.testing import CliRunner

from techvalley.cli import app
from techvalley.collaboration.models import Expert, SupportProgramme

runner = CliRunner()
pytestmark = pytest.mark.django_db(transaction=True)

EXPERTS = [
    {
        "ref": "E1",
        "org": "동아대학교",
        "unit": "표면공학연구실",
        "fields": ["도금", "표면처리"],
        "text": "6가 크롬 대체 도금",
    },
    {"ref": "E2", "org": "부산대학교", "unit": "로봇연구실", "fields": ["로봇"], "text": "협동로봇 자동화"},
    {"ref": "E3", "org": "부경대학교", "unit": "수처리연구실", "fields": ["폐수"], "text": "도금 폐수 중금속 처리"},
]
PROGRAMMES = [
    {
        "ref": "P1",
        "title": "뿌리기업 도금 공정개선",
        "agency": "사하구",
        "text": "도금 6가 크롬 저감 설비",
        "eligibility": {"employees_max": 49, "manufacturing": True},
    },
    {
        "ref": "P2",
        "title": "도금 폐수 환경개선",
        "agency": "부산시",
        "text": "도금 폐수 처리",
        "eligibility": {"region": "부산"},
    },
    {"ref": "P3", "title": "로봇 도입", "agency": "진흥원", "text": "협동로봇", "eligibility": {}},
]


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(*args):
    result = runner.invoke(app, list(args))
    return result


def test_import_is_whole_and_idempotent_by_ref(cx, tmp_path):
    r = run("collab", "import", "experts", write(tmp_path, "e.json", EXPERTS), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["created"] == 3
    r = run("collab", "import", "experts", write(tmp_path, "e.json", EXPERTS), "--json")
    assert json.loads(r.stdout) | {} == {
        "what": "experts",
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "total": 3,
        "ignored_keys": [],
    }
    changed = [dict(EXPERTS[0], text="3가 크롬 도금")]
    r = run("collab", "import", "experts", write(tmp_path, "e2.json", changed), "--json")
    assert json.loads(r.stdout)["updated"] == 1 and Expert.objects.count() == 3
    assert Expert.objects.get(ref="E1").text == "3가 크롬 도금"


@pytest.mark.parametrize(
    "bad",
    [
        PROGRAMMES + [{"ref": "P9", "title": "x", "eligibility": {"employees_mx": 3}}],
        PROGRAMMES + [{"ref": "P1", "title": "dup"}],
        PROGRAMMES + [{"title": "no ref"}],
        PROGRAMMES + [{"ref": "P8", "title": "x", "deadline": "next week"}],
        {"not": "a list"},
    ],
)
def test_a_bad_item_refuses_the_whole_file(cx, tmp_path, bad):
    r = run("collab", "import", "programmes", write(tmp_path, "p.json", bad))
    assert r.exit_code == 2, r.output
    assert SupportProgramme.objects.count() == 0


def test_not_json_exits_2(cx, tmp_path):
    path = tmp_path / "p.json"
    path.write_text("[{'ref': NaN}]")
    assert run("collab", "import", "programmes", str(path)).exit_code == 2
    assert run("collab", "import", "programmes", str(tmp_path / "missing.json")).exit_code == 2


def test_match_need_contract(cx, tmp_path):
    run("collab", "import", "experts", write(tmp_path, "e.json", EXPERTS))
    run("collab", "import", "programmes", write(tmp_path, "p.json", PROGRAMMES))
    r = run(
        "match",
        "need",
        "--text",
        "도금 폐수의 6가 크롬을 줄이고 싶습니다",
        "--ksic",
        "25922",
        "--employees",
        "62",
        "--founded",
        "2001",
        "--in-complex",
        "--region",
        "부산 사하구",
        "--json",
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert set(data) == {"experts", "programmes", "not_eligible"}
    experts = [e["ref"] for e in data["experts"]]
    assert experts[:2] == ["E1", "E3"] or experts[:2] == ["E3", "E1"]
    assert "E2" not in experts
    for row in data["experts"] + data["programmes"]:
        assert {"ref", "score", "why"} <= set(row) and isinstance(row["score"], float) and row["why"]
    assert [p["ref"] for p in data["programmes"]] == ["P2"]
    assert data["not_eligible"] == [
        {
            "ref": "P1",
            "why_not": "종업원 49명 이하 대상, 귀사 62명",
            "score": data["not_eligible"][0]["score"],
            "title": "뿌리기업 도금 공정개선",
        }
    ]
    scores = [e["score"] for e in data["experts"]]
    assert scores == sorted(scores, reverse=True)


def test_match_need_bad_input(cx):
    assert run("match", "need", "--text", "", "--json").exit_code == 2
    assert run("match", "need", "--text", "도금", "--founded", "20x1", "--json").exit_code == 2
    assert run("match", "need", "--text", "도금", "--ksic", "abc", "--json").exit_code == 2


def test_export_round_trip(cx, tmp_path):
    run("collab", "import", "programmes", write(tmp_path, "p.json", PROGRAMMES))
    for fmt in ("json", "csv"):
        out = tmp_path / f"out.{fmt}"
        r = run("collab", "export", "programmes", "-o", str(out))
        assert r.exit_code == 0, r.output
        r = run("collab", "import", "programmes", str(out), "--json")
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)["unchanged"] == 3


def test_imports_are_audited_and_large_files_go_in_bulk(cx, tmp_path):
    from techvalley.core.models import AuditEntry

    many = [{"ref": f"X{i:05d}", "org": "대학", "unit": f"연구실 {i}", "text": "도금 열처리"} for i in range(3000)]
    r = run("collab", "import", "experts", write(tmp_path, "many.json", many), "--json")
    assert r.exit_code == 0, r.output
    assert Expert.objects.count() == 3000
    assert AuditEntry.objects.filter(model="collaboration.Expert", action="create").count() == 3000
    many[5]["text"] = "용접"
    r = run("collab", "import", "experts", write(tmp_path, "many.json", many), "--json")
    assert json.loads(r.stdout)["updated"] == 1
    entry = AuditEntry.objects.get(model="collaboration.Expert", action="update")
    assert entry.changes == {"text": ["도금 열처리", "용접"]} and entry.actor_label.startswith("cli:")


def test_a_fresh_installation_imports_into_its_default_complex(db, tmp_path, settings):
    pytest.importorskip("techvalley.core.services")
    from techvalley.core.models import Complex

    assert not Complex.objects.exists()
    r = run("match", "need", "--text", "도금", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout) == {"experts": [], "programmes": [], "not_eligible": []}
    r = run("collab", "import", "experts", write(tmp_path, "e.json", EXPERTS), "--json")
    assert r.exit_code == 0, r.output
    assert Complex.objects.get().slug == settings.TECHVALLEY_DEFAULT_COMPLEX
    r = run("match", "need", "--text", "도금 폐수", "--json")
    assert [e["ref"] for e in json.loads(r.stdout)["experts"]][:1] == ["E3"]
