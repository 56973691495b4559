import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from techvalley.cli import app

runner = CliRunner()


def test_ksic_resolve_json():
    r = runner.invoke(app, ["ksic", "resolve", "--json", "도금업 외 2종", "용접기제조업"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data[0] | {} == data[0] and data[0]["code"] == "25922" and data[0]["status"] == "resolved"
    assert data[1]["code"] is None and data[1]["status"] == "review"
    assert {"input", "code", "revision", "level", "status", "confidence"} <= set(data[0])


def test_ksic_resolve_file_in_cp949(tmp_path):
    f = tmp_path / "names.txt"
    f.write_bytes("도금업\n\n1차 금속 제조업\n".encode("cp949"))
    data = json.loads(runner.invoke(app, ["ksic", "resolve", "--file", str(f), "--json"]).stdout)
    assert [d["code"] for d in data] == ["25922", "24"]


@pytest.mark.django_db(transaction=True)
def test_registry_import_cli_exit_codes(cx, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(
        "순번,회사명,공장대표주소,업종명,전화번호\n1,가,부산광역시 사하구 장림로 1 (장림동),도금업,\n".encode("cp949")
    )
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        "순번,회사명,공장대표주소,업종명,전화번호\n1,,부산광역시 사하구 장림로 1 (장림동),도금업,\n".encode("cp949")
    )
    r = runner.invoke(app, ["registry", "import", str(good), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["created"] == 1
    r = runner.invoke(app, ["registry", "import", str(good), "--json"])
    assert json.loads(r.stdout)["unchanged"] == 1
    r = runner.invoke(app, ["registry", "import", str(bad), "--json"])
    assert r.exit_code == 1 and json.loads(r.stdout)["invalid"] == 1
    r = runner.invoke(app, ["registry", "import", str(tmp_path / "nope.csv")])
    assert r.exit_code == 2


def test_help_of_every_command_runs():
    for args in (["--help"], ["registry", "--help"], ["ksic", "resolve", "--help"], ["demo", "--help"]):
        assert runner.invoke(app, args).exit_code == 0


def test_installed_entry_point(tmp_path):
    env = {**os.environ, "TECHVALLEY_DATA_DIR": str(tmp_path)}
    r = subprocess.run(
        [sys.executable, "-m", "techvalley", "ksic", "resolve", "--json", "도금업"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0 and json.loads(r.stdout)[0]["code"] == "25922"


@pytest.mark.django_db(transaction=True)
def test_registry_export_xlsx(world, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "companies.xlsx"
    r = runner.invoke(app, ["registry", "export", "-o", str(target)])
    assert r.exit_code == 0, r.output
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][0].startswith("회사명") and len(rows) == 3


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.django_db(transaction=True)
def test_complex_commands_validate_and_audit(tmp_path):
    from techvalley.core.models import AuditEntry, Complex

    r = runner.invoke(app, ["complex", "add", "Bad Slug!", "--name", "x"])
    assert r.exit_code == 2 and "영문 소문자" in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)  # a message, not a traceback
    r = runner.invoke(
        app,
        [
            "complex",
            "add",
            "saha",
            "--name",
            "사하 단지",
            "--sigungu",
            "사하구",
            "--dong",
            "장림동",
            "--area-km2",
            "2.81",
        ],
    )
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, ["complex", "add", "saha", "--name", "again"]).exit_code == 2
    for bad in (["--area-km2", "NaN"], ["--area-km2", "-1"], ["--founded-year", "²"], ["--dong", "장림동,신평동"]):
        r = runner.invoke(app, ["complex", "edit", "saha", *bad])
        assert r.exit_code == 2 and "/" in r.output, (bad, r.output)
    r = runner.invoke(app, ["complex", "edit", "saha", "--dong", "장림동", "--dong", "신평동", "--name-en", "Saha"])
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, ["complex", "edit", "nowhere", "--name", "x"]).exit_code == 2
    listed = json.loads(runner.invoke(app, ["complex", "list", "--json"]).stdout)
    assert [(c["slug"], c["legal_dongs"], c["name_en"]) for c in listed] == [("saha", ["장림동", "신평동"], "Saha")]
    cx = Complex.objects.get(slug="saha")
    entries = list(AuditEntry.objects.filter(model="core.Complex").order_by("id"))
    assert [e.action for e in entries] == ["create", "update"]
    assert all(e.complex_id == cx.pk and e.actor_label.startswith("cli:") for e in entries)
    assert entries[1].changes["legal_dongs"] == [["장림동"], ["장림동", "신평동"]]


@pytest.mark.django_db(transaction=True)
def test_orgs_users_and_tokens_from_the_command_line(cx, tmp_path):
    from django.contrib.auth import authenticate

    from techvalley.core.models import ApiToken, AuditEntry, Membership

    assert runner.invoke(app, ["org", "add", "--kind", "district", "사하구청"]).exit_code == 0
    assert runner.invoke(app, ["org", "add", "--kind", "company", "대한정밀"]).exit_code == 0
    r = runner.invoke(app, ["org", "add", "--kind", "district", "사하구청"])
    assert r.exit_code == 2 and "이미 있습니다" in r.output
    assert runner.invoke(app, ["org", "add", "--kind", "factory", "X"]).exit_code == 2
    orgs = json.loads(runner.invoke(app, ["org", "list", "--json"]).stdout)
    assert {o["name"]: o["kind"] for o in orgs} == {"사하구청": "district", "대한정밀": "company"}

    # No password given: one is generated, shown once, and works.
    r = runner.invoke(app, ["user", "add", "officer", "--org", "사하구청", "--role", "officer"])
    assert r.exit_code == 0, r.output
    password = r.stdout.strip().rsplit(" ", 1)[-1]
    assert authenticate(username="officer", password=password) is not None
    # From a file; a weak one is refused with Django's reasons, in Korean then English.
    (tmp_path / "pw").write_text("correct-horse-battery-9\n", encoding="utf-8")
    r = runner.invoke(
        app, ["user", "add", "kim", "--org", "대한정밀", "--role", "manager", "--password-file", str(tmp_path / "pw")]
    )
    assert r.exit_code == 0, r.output
    assert authenticate(username="kim", password="correct-horse-battery-9") is not None
    r = runner.invoke(app, ["user", "add", "lee", "--org", "대한정밀", "--role", "member", "--password", "1234"])
    assert r.exit_code == 2 and "비밀번호" in r.output and "too short" in one_line(r.output)
    for bad in (
        ["user", "add", "park", "--org", "대한정밀", "--role", "officer"],  # officers belong to a district office
        ["user", "add", "park", "--org", "대한정밀", "--role", "boss"],
        ["user", "add", "park", "--org", "없는기관", "--role", "member"],
        ["user", "add", "kim", "--org", "대한정밀", "--role", "member"],  # exists
        ["user", "add", "park", "--org", "대한정밀", "--role", "member", "--email", "not-an-email"],
        ["user", "add", "pa rk", "--org", "대한정밀", "--role", "member"],
    ):
        r = runner.invoke(app, bad)
        assert r.exit_code == 2 and isinstance(r.exception, SystemExit | None), (bad, r.output)
    assert not Membership.objects.filter(user__username__in=["lee", "park", "pa rk"]).exists()
    assert runner.invoke(app, ["user", "role", "kim", "--org", "대한정밀", "--role", "member"]).exit_code == 0
    assert Membership.objects.get(user__username="kim").role == "member"
    users = {u["username"]: u for u in json.loads(runner.invoke(app, ["user", "list", "--json"]).stdout)}
    assert users["officer"]["roles"] == [{"complex": cx.slug, "organisation": "사하구청", "role": "officer"}]

    # Tokens: the key goes to stdout once; lists never show it; revoking ends it; the audit has no key.
    r = runner.invoke(app, ["token", "create", "officer", "--name", "연계 시스템"])
    assert r.exit_code == 0, r.output
    key = r.stdout.strip().splitlines()[-1]
    token = ApiToken.objects.get(key=key)
    listing = runner.invoke(app, ["token", "list", "--json"]).stdout
    assert key not in listing and json.loads(listing)[0]["name"] == "연계 시스템"
    assert runner.invoke(app, ["token", "create", "nobody"]).exit_code == 2
    assert runner.invoke(app, ["token", "revoke", str(token.pk)]).exit_code == 0
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert runner.invoke(app, ["token", "revoke", str(token.pk)]).exit_code == 2
    assert runner.invoke(app, ["token", "revoke", "x"]).exit_code == 2
    trail = AuditEntry.objects.filter(model__in=["core.ApiToken", "core.Membership", "auth.User", "core.Organisation"])
    assert {(e.model, e.action) for e in trail} >= {
        ("core.ApiToken", "create"),
        ("core.ApiToken", "delete"),
        ("core.Membership", "create"),
        ("core.Membership", "update"),
        ("auth.User", "create"),
        ("core.Organisation", "create"),
    }
    assert all(key not in json.dumps(e.changes) and password not in json.dumps(e.changes) for e in trail)
    assert all(e.complex_id == cx.pk for e in trail)


@pytest.mark.django_db(transaction=True)
def test_without_a_complex_commands_say_how_to_add_one(tmp_path):
    card = tmp_path / "card.txt"
    card.write_text("x", encoding="utf-8")
    for args in (["registry", "import", str(card)], ["card", "import", str(card)], ["org", "list"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, (args, r.output)
        assert "techvalley complex add" in one_line(r.output) and "techvalley setup" in one_line(r.output)


@pytest.mark.django_db(transaction=True)
def test_the_only_complex_is_used_when_none_is_named(tmp_path):
    assert runner.invoke(app, ["complex", "add", "gamcheon", "--name", "감천", "--sigungu", "사하구"]).exit_code == 0
    assert runner.invoke(app, ["org", "add", "--kind", "district", "사하구청"]).exit_code == 0
    assert runner.invoke(app, ["complex", "add", "noksan", "--name", "녹산"]).exit_code == 0
    r = runner.invoke(app, ["org", "add", "--kind", "district", "강서구청"])
    assert r.exit_code == 2 and "--complex" in r.output  # two complexes: say which
    assert runner.invoke(app, ["org", "add", "--complex", "noksan", "--kind", "district", "강서구청"]).exit_code == 0


@pytest.mark.django_db(transaction=True)
def test_setup_without_questions(tmp_path):
    from django.contrib.auth import authenticate

    (tmp_path / "pw").write_text("day-one-officer-pass\n", encoding="utf-8")
    args = ["setup", "--no-input", "--slug", "saha", "--name", "사하 단지", "--sigungu", "사하구"]
    args += ["--dong", "장림동", "--officer", "first", "--password-file", str(tmp_path / "pw")]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert authenticate(username="first", password="day-one-officer-pass") is not None
    users = json.loads(runner.invoke(app, ["user", "list", "--json"]).stdout)
    assert users[0]["roles"] == [{"complex": "saha", "organisation": "사하구청", "role": "officer"}]
    r = runner.invoke(app, ["setup", "--no-input", "--slug", "other"])
    assert r.exit_code == 2 and "--no-input" in r.output


def test_help_of_core_commands_runs():
    for args in (["complex", "--help"], ["org", "add", "--help"], ["user", "add", "--help"], ["token", "--help"]):
        assert runner.invoke(app, args).exit_code == 0
    for args in (["setup", "--help"], ["migrate", "--help"], ["token", "revoke", "--help"]):
        assert runner.invoke(app, args).exit_code == 0


def test_commands_in_the_operations_guide_exist():
    """Every `techvalley …` command the operations guide names answers --help."""
    import re
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[1] / "docs" / "operations.md").read_text(encoding="utf-8")
    groups = {g.name for g in app.registered_groups}
    named = set()
    # A command starts a line of a code block, or follows a backtick or "$(".
    for first, second in re.findall(r"(?:^|`|\$\()techvalley ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?", guide, re.M):
        named.add((first, second) if first in groups and second else (first,))
    assert ("setup",) in named and ("complex", "add") in named and ("user", "role") in named
    for command in sorted(named):
        r = runner.invoke(app, [*command, "--help"])
        assert r.exit_code == 0, (command, r.output)


@pytest.mark.django_db(transaction=True)
def test_passwords_accounts_and_admins(cx, tmp_path):
    from django.contrib.auth import authenticate, get_user_model

    from techvalley.core.models import AuditEntry

    assert runner.invoke(app, ["org", "add", "--kind", "district", "사하구청"]).exit_code == 0
    (tmp_path / "pw").write_text("first-pass-phrase-77\n", encoding="utf-8")
    args = ["user", "add", "kim", "--org", "사하구청", "--role", "officer", "--password-file", str(tmp_path / "pw")]
    assert runner.invoke(app, args).exit_code == 0
    # A forgotten password: a new one, generated and shown once.
    r = runner.invoke(app, ["user", "password", "kim", "--generate"])
    assert r.exit_code == 0, r.output
    new = r.stdout.strip().rsplit(" ", 1)[-1]
    assert authenticate(username="kim", password=new) is not None
    assert authenticate(username="kim", password="first-pass-phrase-77") is None
    (tmp_path / "weak").write_text("1234\n", encoding="utf-8")
    assert runner.invoke(app, ["user", "password", "kim", "--password-file", str(tmp_path / "weak")]).exit_code == 2
    # Switched off: no sign-in, no new tokens; on again.
    assert runner.invoke(app, ["user", "edit", "kim", "--inactive", "--email", "kim@saha.go.kr"]).exit_code == 0
    assert authenticate(username="kim", password=new) is None
    assert runner.invoke(app, ["token", "create", "kim"]).exit_code == 2
    assert runner.invoke(app, ["user", "edit", "kim", "--email", "no"]).exit_code == 2
    assert runner.invoke(app, ["user", "edit", "kim"]).exit_code == 2
    assert runner.invoke(app, ["user", "edit", "kim", "--active"]).exit_code == 0
    assert authenticate(username="kim", password=new) is not None
    # An administrator, through the same checks.
    r = runner.invoke(app, ["createadmin", "--username", "root", "--password", "1234"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["createadmin", "--username", "root", "--password", "admin-pass-phrase-88"])
    assert r.exit_code == 0, r.output
    assert get_user_model().objects.get(username="root").is_superuser
    changes = [e.changes for e in AuditEntry.objects.filter(model="auth.User").order_by("id")]
    assert any("password" in c for c in changes) and any(c.get("is_active") == [True, False] for c in changes)
    assert all(new not in str(c) and "admin-pass-phrase-88" not in str(c) for c in changes)
