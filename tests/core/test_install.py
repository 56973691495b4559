"""Installing for a real complex, without the demo: from an empty data directory to working pages.

Every step runs the installed command in a fresh process on a fresh ``TECHVALLEY_DATA_DIR``,
as a district office would on day one (docs/operations.md, "Installing for your complex").
"""

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import techvalley

SRC = Path(techvalley.__file__).parent
CARD = SRC / "projects" / "data" / "cards" / "saha-3-1.txt"
SLUG = "saha-valley"  # not the installation's default slug: commands must find it on their own

REGISTRY_ROWS = [
    "순번,회사명,공장대표주소,업종명,전화번호",
    "1,(주)장림정밀,부산광역시 사하구 장림로 93 (장림동),도금업,051-000-0001",
    '2,신평금속(주),"부산광역시 사하구 다산로 120, 2층 (신평동)",절삭가공 및 유사처리업,',
    "3,다대기계,부산광역시 사하구 다대로 500 (다대동),기타 일반목적용 기계 제조업,",
    "4,감천식품,부산광역시 사하구 감천로 1 (감천동),떡류 제조업,",
]


def environment(data_dir: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE", "TECHVALLEY_SECRET_KEY")
        and not k.startswith("TECHVALLEY_")
    }
    env.update(TECHVALLEY_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="techvalley.settings", USER="installer")
    return env


def techvalley_cmd(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "techvalley", *args],
        env=environment(data_dir),
        cwd=data_dir,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result


# Runs inside the installation's process: Django's test client on the real database.
PAGES_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from django.test import Client
    from techvalley.core.models import AuditEntry

    c = Client(HTTP_HOST="localhost")
    pages = {}
    for path in ("/", "/registry/companies/", "/plan/"):
        pages["anonymous " + path] = c.get(path).status_code
    login = c.post("/login/", {"username": "officer", "password": sys.argv[1]})
    pages["login"] = login.status_code
    for path in ("/", "/registry/companies/", "/plan/", "/green/complex/", "/audit/"):
        pages["officer " + path] = c.get(path).status_code
    audit = c.get("/audit/").content.decode()
    print(json.dumps({
        "pages": pages,
        "companies": c.get("/registry/companies/").content.decode().count("장림정밀"),
        "audit_models": sorted(set(AuditEntry.objects.values_list("model", flat=True))),
        "audit_actors": sorted(set(AuditEntry.objects.values_list("actor_label", flat=True))),
        "audit_page_names_complex": "saha-valley" in audit or "사하 테크노밸리" in audit,
    }))
    """
)


def test_install_for_a_complex_from_an_empty_data_directory(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    password_file = tmp_path / "officer-password"
    password = "saha-officer-2026!"
    password_file.write_text(password + "\n", encoding="utf-8")

    # Nothing yet: a command that needs a complex says how to add one, without a traceback.
    r = techvalley_cmd(data, "registry", "import", str(tmp_path / "nothing.csv"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    message = " ".join(r.stderr.split())
    assert "techvalley complex add SLUG" in message and "techvalley setup" in message and "demo" not in message

    ok(techvalley_cmd(data, "migrate"))
    assert (data / "techvalley.sqlite3").exists()
    ok(
        techvalley_cmd(
            data,
            "complex",
            "add",
            SLUG,
            "--name",
            "사하 테크노밸리",
            "--name-en",
            "Saha Techno Valley",
            "--sigungu",
            "사하구",
            "--dong",
            "장림동",
            "--dong",
            "신평동",
            "--area-km2",
            "2.81",
        )
    )
    listed = json.loads(ok(techvalley_cmd(data, "complex", "list", "--json")).stdout)
    assert [(c["slug"], c["legal_dongs"], c["area_km2"]) for c in listed] == [(SLUG, ["장림동", "신평동"], 2.81)]
    ok(techvalley_cmd(data, "org", "add", "--complex", SLUG, "--kind", "district", "사하구청"))
    ok(
        techvalley_cmd(
            data,
            "user",
            "add",
            "officer",
            "--org",
            "사하구청",
            "--role",
            "officer",
            "--complex",
            SLUG,
            "--password-file",
            str(password_file),
        )
    )

    # The registry as published (CP949): rows of the complex's 법정동 belong to it, others not.
    registry = tmp_path / "registry.csv"
    registry.write_bytes(("\n".join(REGISTRY_ROWS) + "\n").encode("cp949"))
    imported = json.loads(ok(techvalley_cmd(data, "registry", "import", str(registry), "--json")).stdout)
    assert imported["created"] == 2 and imported["outside"] == 2, imported

    card = ok(techvalley_cmd(data, "card", "import", str(CARD)))
    assert "3-1" in card.stdout

    readings = tmp_path / "readings"
    ok(techvalley_cmd(data, "green", "simulate", "--meters", "5", "--days", "2", "--out", str(readings)))
    ingested = json.loads(ok(techvalley_cmd(data, "green", "ingest", str(readings), "--json")).stdout)
    assert ingested["accepted"] > 0, ingested

    r = subprocess.run(
        [sys.executable, "-c", PAGES_SCRIPT, password],
        env=environment(data),
        cwd=data,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    seen = json.loads(r.stdout.strip().splitlines()[-1])
    assert seen["pages"] == {
        "anonymous /": 200,
        "anonymous /registry/companies/": 200,
        "anonymous /plan/": 200,
        "login": 302,
        "officer /": 200,
        "officer /registry/companies/": 200,
        "officer /plan/": 200,
        "officer /green/complex/": 200,
        "officer /audit/": 200,
    }, seen
    assert seen["companies"] >= 1
    # The installation's own records are in the audit trail, made by the command line's user.
    assert {"core.Complex", "core.Organisation", "core.Membership", "auth.User"} <= set(seen["audit_models"])
    assert "cli:installer" in seen["audit_actors"]
    assert seen["audit_page_names_complex"]


def test_setup_asks_for_the_complex_the_district_office_and_the_first_officer(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    answers = (
        "\n".join(["gamcheon", "감천 일반산업단지", "사하구", "감천동, 구평동", "", "first-officer", "", ""]) + "\n"
    )
    r = ok(techvalley_cmd(data, "setup", stdin=answers))
    generated = [line for line in r.stdout.splitlines() if "shown once" in line]
    assert len(generated) == 1
    users = json.loads(ok(techvalley_cmd(data, "user", "list", "--json")).stdout)
    assert users == [
        {
            "username": "first-officer",
            "email": "",
            "active": True,
            "superuser": False,
            "roles": [{"complex": "gamcheon", "organisation": "사하구청", "role": "officer"}],
        }
    ]
    listed = json.loads(ok(techvalley_cmd(data, "complex", "list", "--json")).stdout)
    assert listed[0]["legal_dongs"] == ["감천동", "구평동"]
    # Non-interactive: a second officer for the same office, then a refusal with its reason.
    ok(
        techvalley_cmd(
            data, "setup", "--no-input", "--slug", "gamcheon", "--district", "사하구청", "--officer", "second"
        )
    )
    r = techvalley_cmd(
        data, "setup", "--no-input", "--slug", "gamcheon", "--district", "사하구청", "--officer", "second"
    )
    assert r.returncode == 2 and "이미 있습니다" in r.stderr and "Traceback" not in r.stderr


def test_secret_key_made_once_when_four_processes_start_together(tmp_path):
    """Four processes on an empty data directory at once: none crashes, all use the same key."""
    script = textwrap.dedent(
        """
        import os, sys, time
        import dj_database_url, django.conf  # the slow imports happen before the start line
        time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
        import techvalley.settings as s
        print(s.SECRET_KEY)
        """
    )
    for attempt in range(5):
        data = tmp_path / f"data{attempt}"
        start = time.time() + 1.5
        env = environment(data)
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(start)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        results = [(p.wait(timeout=60), p.stdout.read().strip(), p.stderr.read()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        assert all(code == 0 for code, _, _ in results), [err for _, _, err in results]
        keys = {key for _, key, _ in results}
        assert len(keys) == 1 and len(keys.pop()) > 50
        assert oct((data / "secret_key").stat().st_mode)[-3:] == "600"
        assert [p.name for p in data.iterdir() if "secret" in p.name] == ["secret_key"]  # no temporary files left


def test_an_unreachable_database_is_a_message_not_a_traceback(tmp_path):
    env = environment(tmp_path) | {"DATABASE_URL": "postgres://nobody:secret@127.0.0.1:1/techvalley"}
    r = subprocess.run(
        [sys.executable, "-m", "techvalley", "complex", "list"], env=env, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "데이터베이스를 쓸 수 없습니다" in r.stderr and "DATABASE_URL" in r.stderr


def test_an_empty_secret_key_file_is_mended(tmp_path):
    (tmp_path / "secret_key").write_text("")
    r = subprocess.run(
        [sys.executable, "-c", "import techvalley.settings as s; print(s.SECRET_KEY)"],
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.strip()) > 50 and (tmp_path / "secret_key").read_text().strip() == r.stdout.strip()
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


@pytest.mark.django_db
def test_core_services_refuse_bad_input_with_korean_first_messages(cx):
    from techvalley.core import services
    from techvalley.core.models import AuditEntry, Complex, Organisation
    from techvalley.core.validation import BadInput

    district = services.add_organisation(cx, "district", "사하구청")
    refused = [
        lambda: services.add_complex("saha\x00", "x"),
        lambda: services.add_complex("saha", "이름\x00"),
        lambda: services.add_complex("saha", ""),
        lambda: services.add_complex("UPPER", "x"),
        lambda: services.add_complex(cx.slug, "again"),
        lambda: services.add_complex("saha", "x", legal_dongs=["장림동", ""]),
        lambda: services.add_complex("saha", "x", area_km2="inf"),
        lambda: services.add_complex("saha", "x", center_lat=91),
        lambda: services.add_complex("saha", "x", colour="red"),
        lambda: services.update_complex("nowhere", name="x"),
        lambda: services.add_organisation(cx, "factory", "x"),
        lambda: services.add_organisation(cx, "district", "사하구청"),
        lambda: services.add_organisation("nowhere", "district", "x"),
        lambda: services.add_user("kim\x00", None, district, "officer"),
        lambda: services.add_user("kim", None, district, "boss"),
        lambda: services.add_user("kim", None, district, None),
        lambda: services.add_user("kim", "short", district, "officer"),
        lambda: services.add_user("kim", "password123", district, "officer"),  # a common password
        lambda: services.revoke_token("²"),
        lambda: services.revoke_token(99),
    ]
    for i, call in enumerate(refused):
        with pytest.raises(BadInput) as caught:
            call()
        message = caught.value.message
        assert re.search("[가-힣]", message.split(" / ")[0]) and " / " in message, (i, message)
    assert not Complex.objects.filter(slug="saha").exists()
    assert list(Organisation.objects.filter(complex=cx).values_list("name", flat=True)) == ["사하구청"]
    assert AuditEntry.objects.filter(model="core.Organisation").count() == 1
    services.add_complex("saha", "사하", legal_dongs=["장림동", "장림동", " 신평동 "], area_km2="2.805")
    saha = Complex.objects.get(slug="saha")
    assert saha.legal_dongs == ["장림동", "신평동"] and str(saha.area_km2) == "2.81"
