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
