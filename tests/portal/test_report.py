"""The monthly report is made of the dashboard's figures: the same values, sources and dates."""

import io
import re
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from techvalley.core import spine
from techvalley.core.scoping import viewer_for
from techvalley.portal import figures, report, stages
from techvalley.portal.templatetags.portal import figure as fmt
from tests.portal.conftest import registered

PANEL = spine.Panel(
    "test-report",
    "test panel",
    lambda v, cx: [
        spine.Figure("test-count", "booked hours", 1234, "h", "booking records", "2026-10-31", "/bookings/"),
        spine.Figure("test-share", "share", 12.3, "%", "a survey", "2026-10-01", "/survey/"),
    ],
)


def dashboard_figures(world):
    """What the officer's dashboard shows: (key, formatted value) per figure card."""
    c = Client()
    c.force_login(world["users"]["officer"])
    html = c.get(reverse("portal:dashboard")).content.decode()
    return re.findall(r'data-figure="([^"]+)">\s*<div class="figure">(?:<a [^>]+>)?([^<]+)', html)


@pytest.mark.django_db
def test_excel_report_equals_the_dashboard(world):
    with registered(panels=[PANEL]):
        shown = dashboard_figures(world)
        c = Client()
        c.force_login(world["users"]["officer"])
        r = c.get(reverse("portal:report_download", args=["xlsx"]))
        built = report.build(viewer_for(world["users"]["officer"]), world["cx"])
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["대시보드 지표"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [row[3] for row in rows] == [figures.plain_value(r.figure.value) for r in built.rows]
    # every figure the dashboard shows (officer's actions and the complex) is in the sheet, same value
    by_label = {(row[1], row[2]): row for row in rows}
    assert ("test panel", "booked hours") in by_label and by_label[("test panel", "booked hours")][3] == 1234
    assert by_label[("test panel", "booked hours")][5:8] == (
        "booking records",
        "2026-10-31",
        "http://testserver/bookings/",
    )
    for key, value in shown:
        same = [
            i
            for i, r in enumerate(built.rows)
            if r.figure.key == key
            and str(fmt(r.figure.value)).strip() == value.strip()
            and rows[i][3] == figures.plain_value(r.figure.value)
        ]
        assert same, (key, value)
    stage_sheet = {row[0]: row[1] for row in wb["전환 단계"].iter_rows(min_row=2, values_only=True)}
    counts = stages.count_stages(world["cx"])
    assert list(stage_sheet.values()) == [counts[s.key] for s in stages.STAGES]


@pytest.mark.django_db
def test_pdf_and_hwpx_report_carry_the_same_figures(world):
    with registered(panels=[PANEL]):
        shown = dashboard_figures(world)
        c = Client()
        c.force_login(world["users"]["officer"])
        pdf = c.get(reverse("portal:report_download", args=["pdf"]))
        hwpx = c.get(reverse("portal:report_download", args=["hwpx"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = re.sub(r"\s+", "", text)
    assert "1,234" in text and "bookingrecords" in flat and "2026-10-31" in text
    for _key, value in shown:
        assert value.strip().replace(" ", "") in flat
    with zipfile.ZipFile(io.BytesIO(hwpx.content)) as z:
        xml = " ".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist() if n.endswith(".xml"))
    assert "1,234 h" in xml and "booking records" in xml and "첨단" in xml
    for _key, value in shown:
        assert value.strip() in xml


@pytest.mark.django_db
def test_report_is_for_officers(world):
    for role in ("anonymous", "manager_a", "other_officer"):
        c = Client()
        if world["users"][role]:
            c.force_login(world["users"][role])
        r = c.get(reverse("portal:report_download", args=["xlsx"]))
        assert r.status_code in (302, 403), role


@pytest.mark.django_db
def test_an_officer_of_another_complex_is_taken_to_their_own_report(world):
    c = Client()
    c.force_login(world["users"]["other_officer"])
    r = c.get(reverse("portal:report") + "?complex=" + world["cx"].slug)
    assert r.status_code == 302 and r["Location"].endswith("?complex=noksan")
    assert c.get(r["Location"]).status_code == 200
