"""The energy Excel export: a fast writer, values equal to the report, never a formula, and
served from memory per state of the lake and of the company names."""

import io
import math
import time
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from techvalley.green import services, views, xlsx
from techvalley.registry.models import Company
from tests.green.test_pages import client, readings  # noqa: F401  (fixture)


def _demo_sized_report(companies=1621):
    return {
        "year": 2025,
        "excluded_negative_rows": 3,
        "factors": {"emission_set": "kr-2020-2022", "electricity_t_per_mwh": 0.4541},
        "companies": [
            {
                "company_id": i,
                "company": f"회사 {i}" if i % 500 else '=HYPERLINK("http://evil.example/","x")',
                "months": [
                    {
                        "month": f"2025-{m:02d}",
                        "kwh": i * 1000.5 + m,
                        "toe": i / 7,
                        "tco2eq": i / 3 + m / 9,
                        "scope1": i / 11,
                        "scope2": i / 13,
                    }  # fmt: skip
                    for m in range(1, 13)
                ],
            }
            for i in range(companies)
        ],
    }


def test_the_writer_keeps_every_value_and_writes_no_formula():
    rep = _demo_sized_report()
    started = time.process_time()  # this process's CPU time: not lengthened by other work on the machine
    data = views.xlsx_bytes(rep)
    seconds = time.process_time() - started
    wb = load_workbook(io.BytesIO(data))
    sheet, notes = wb.worksheets
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(views.XLSX_HEADER) and len(rows) == 1 + 1621 * 12
    want = [
        (c["company_id"], c["company"], m["month"], m["kwh"], m["toe"], m["tco2eq"], m["scope1"], m["scope2"])
        for c in rep["companies"]
        for m in c["months"]
    ]
    for got, (cid, name, month, *numbers) in zip(rows[1:], want, strict=True):
        assert got[0] == cid and got[2] == month
        assert got[1] == ("'" + name if name.startswith("=") else name)
        # XlsxWriter writes 16 significant digits (Excel itself keeps 15).
        assert all(math.isclose(a, b, rel_tol=1e-15) for a, b in zip(got[3:], numbers, strict=True))
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert [r[0] for r in notes.iter_rows(values_only=True)][-1].startswith("제외된")
    # openpyxl needed about 1.6 s of CPU for this sheet (downloads do not pay it at all: the file
    # is built when the lake changes).
    assert seconds < 1.5, seconds


def test_odd_values_stay_readable():
    data = xlsx.workbook([("t", [["a\x00b<&>", float("nan"), None, True, 7, 2.5e-300]], False, None)])
    row = next(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert row == ("ab<&>", None, None, True, 7, 2.5e-300)


@pytest.mark.django_db
def test_the_export_is_built_when_the_lake_changes_and_served_as_a_file(world, readings, monkeypatch):  # noqa: F811
    """The ingest (in the service layer, outside the timed ingest) leaves the workbook under the
    lake: the first download serves it without building; a renamed company or a new lake state
    gets a new file, built on demand when missing."""
    officer = client(world, "officer")
    url = reverse("green:complex_export_xlsx")
    exports = services.lake_for(world["cx"]).root / "_exports"
    assert len(list(exports.glob("energy-2025-default-*.xlsx"))) == 1  # built by the ingest
    built = []
    real = views.xlsx_bytes
    monkeypatch.setattr(views, "xlsx_bytes", lambda rep: built.append(1) or real(rep))
    first = officer.get(url, {"year": 2025})
    assert first.status_code == 200 and first["Content-Disposition"].startswith("attachment")
    content = b"".join(first.streaming_content)
    assert built == []  # a file serve
    second = officer.get(url, {"year": 2025})
    assert b"".join(second.streaming_content) == content and built == []
    rep = services.report(world["cx"], 2025)
    got = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert sorted(r[5] for r in got) == sorted(m["tco2eq"] for c in rep["companies"] for m in c["months"])
    Company.objects.filter(pk=world["a"].pk).update(name="새 이름")
    third = b"".join(officer.get(url, {"year": 2025}).streaming_content)
    assert len(built) == 1
    names = {r[1] for r in load_workbook(io.BytesIO(third)).worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert "새 이름" in names
    assert len(list(exports.glob("energy-2025-default-*.xlsx"))) == 1  # the earlier state's file is gone
    officer.get(url, {"year": 2025})
    assert len(built) == 1
    assert client(world, "manager_a").get(url, {"year": 2025}).status_code in (403, 404)


@pytest.mark.django_db
def test_an_older_lake_without_the_file_builds_it_on_the_first_download(world, readings):  # noqa: F811
    import shutil

    shutil.rmtree(services.lake_for(world["cx"]).root / "_exports")
    response = client(world, "officer").get(reverse("green:complex_export_xlsx"), {"year": 2025})
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"
    assert len(list((services.lake_for(world["cx"]).root / "_exports").glob("*.xlsx"))) == 1
