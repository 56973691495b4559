"""``techvalley tenancy check``: the documented JSON in, the documented answer out, exit 2 on bad input."""

import json

import pytest
from typer.testing import CliRunner

from techvalley.cli import app

runner = CliRunner()


def run(tmp_path, application, *args):
    f = tmp_path / "application.json"
    f.write_text(
        application if isinstance(application, str) else json.dumps(application, ensure_ascii=False), encoding="utf-8"
    )
    return runner.invoke(app, ["tenancy", "check", str(f), *args])


def test_check_json_support_facility(tmp_path):
    r = run(
        tmp_path,
        {
            "ksic": "56221",
            "revision": 11,
            "venture": False,
            "use": "support",
            "area_m2": 200,
            "centre": {
                "location": "industrial_facility_zone",
                "gross_floor_area_m2": 20000,
                "support_area_m2": 5000,
                "support_area_by_ksic": {"56221": 2300, "56111": 1500},
                "daycare": {"area_m2": 300, "capacity": 15},
            },
        },
        "--json",
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    # cap: 20,000 × 30 % = 6,000 + min(2 × 300, 800) = 600 (≤ 10 % = 2,000) → 6,600
    assert data["support_cap_m2"] == 6600.0
    assert data["support_after_m2"] == 5200.0
    # same type: (2,300 + 200) / 5,200 = 0.4808
    assert data["same_type_share"] == 0.4808
    assert data["verdict"] == "eligible"
    assert "시행령 제36조의4 제4항 제1호 가목 1)" in data["clauses"]
    assert all(isinstance(r, str) and r for r in data["reasons"])


def test_check_json_defaults_and_human_output(tmp_path):
    app_json = {"ksic": "62010", "area_m2": 99.5, "centre": {"location": "mixed_zone"}}
    r = run(tmp_path, app_json, "--json")
    data = json.loads(r.stdout)
    assert data["verdict"] == "eligible" and data["ksic"]["revision"] == 11 and data["venture"] is False
    assert "support_cap_m2" not in data
    human = run(tmp_path, app_json)
    assert human.exit_code == 0 and "입주 가능" in human.stdout and "시행령 제6조 제3항 제1호" in human.stdout


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "JSON"),
        ('{"ksic": "62010", "area_m2": NaN, "centre": {"location": "mixed_zone"}}', "JSON"),
        ("[1, 2]", "객체"),
        ({"ksic": "62010", "area_m2": 10, "centre": {"location": "moon"}}, "centre.location"),
        ({"ksic": "99999", "area_m2": 10, "centre": {"location": "mixed_zone"}}, "99999"),
        ({"ksic": "56221", "use": "support", "area_m2": 10, "centre": {"location": "mixed_zone"}}, "gross_floor_area"),
    ],
)
def test_bad_input_exits_2_with_a_message(tmp_path, content, needle):
    r = run(tmp_path, content, "--json")
    assert r.exit_code == 2, r.output
    assert needle in r.output
    assert "Traceback" not in r.output


def test_missing_file_exits_2(tmp_path):
    r = runner.invoke(app, ["tenancy", "check", str(tmp_path / "none.json")])
    assert r.exit_code == 2 and "읽을 수 없습니다" in r.output


@pytest.mark.django_db(transaction=True)
def test_check_a_stored_centre_by_slug(cx, tmp_path):
    from techvalley.tenancy.models import Centre

    Centre.objects.create(
        complex=cx, slug="sk-v1", name="서부산 SK V1", location="industrial_facility_zone", gross_floor_area_m2=166000
    )
    r = run(tmp_path, {"ksic": "56221", "use": "support", "area_m2": 100, "centre": "sk-v1"}, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["support_cap_m2"] == 49800.0 and data["centre"]["slug"] == "sk-v1"
    missing = run(tmp_path, {"ksic": "56221", "use": "support", "area_m2": 100, "centre": "nowhere"})
    assert missing.exit_code == 2 and "nowhere" in missing.output


@pytest.mark.django_db(transaction=True)
def test_audit_command_writes_the_inspection_workbook(cx, tmp_path):
    import datetime as dt

    from openpyxl import load_workbook

    from techvalley.tenancy.demo import load_tenancy_demo

    load_tenancy_demo(cx, today=dt.date(2026, 11, 25))
    r = runner.invoke(app, ["tenancy", "audit", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows[0]["finding"] == "illegal" and {"centre", "unit", "tenant", "clauses", "reasons"} <= set(rows[0])
    out = tmp_path / "audit.xlsx"
    assert runner.invoke(app, ["tenancy", "audit", "-o", str(out)]).exit_code == 0
    assert load_workbook(out).active["A6"].value == "위반"
