"""The invoice list (officers: all of the complex; a company: its own), its filters and Excel
download; the course-evaluation summary as a page and an officer's panel."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from techvalley.core import spine
from techvalley.core.scoping import viewer_for
from techvalley.facilities.models import Course, Enrolment, Invoice
from tests.facilities.conftest import XSS

pytestmark = pytest.mark.django_db


def client_for(world, who):
    c = Client()
    if who:
        c.force_login(world["users"][who])
    return c


def make_invoices(world, centre, months=3):
    made = []
    for side in ("a", "b"):
        org = world[side].organisation
        for m in range(1, months + 1):
            made.append(
                Invoice.objects.create(
                    complex=world["cx"],
                    centre=centre,
                    organisation=org,
                    number=f"F-{side}-{m:02d}",
                    month=dt.date(2026, m, 1),
                    total_krw=10_000 * m,
                )
            )
    return made


def test_officers_see_every_invoice_a_company_only_its_own(world, centre):
    make_invoices(world, centre)
    url = reverse("facilities:invoice_list")
    officer = client_for(world, "officer").get(url).content.decode()
    assert "F-a-01" in officer and "F-b-03" in officer
    staff = client_for(world, "centre_staff").get(url).content.decode()
    assert "F-a-01" in staff and "F-b-03" in staff  # the centre's operators
    member = client_for(world, "member_a").get(url).content.decode()
    assert "F-a-01" in member and "F-b-" not in member
    assert 'name="organisation"' not in member  # no searching other organisations
    assert client_for(world, "other_officer").get(url).status_code == 403
    assert client_for(world, "visitor").get(url).status_code == 403
    assert client_for(world, None).get(url).status_code == 302


def test_filters_and_bad_filters(world, centre):
    make_invoices(world, centre)
    officer = client_for(world, "officer")
    url = reverse("facilities:invoice_list")
    page = officer.get(url, {"since": "2026-02", "until": "2026-02", "organisation": "회사B"}).content.decode()
    assert "F-b-02" in page and "F-b-01" not in page and "F-a-02" not in page
    assert officer.get(url, {"since": "2026-13"}).status_code == 400
    assert officer.get(url, {"centre": "x"}).status_code == 400


def test_excel_download_has_the_filtered_rows_and_a_total(world, centre):
    from openpyxl import load_workbook

    invoices = make_invoices(world, centre)
    invoices[0].organisation.name = "=HYPERLINK(1)"
    invoices[0].organisation.save()
    got = client_for(world, "officer").get(reverse("facilities:invoice_list"), {"format": "xlsx", "since": "2026-02"})
    assert got.status_code == 200 and got["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(got.content)).active
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    numbers = sorted(r[0] for r in rows[:-1])
    assert numbers == ["F-a-02", "F-a-03", "F-b-02", "F-b-03"]
    assert rows[-1][5] == 20_000 + 30_000 + 20_000 + 30_000
    assert all(not str(r[3]).startswith("=") for r in rows)  # no formula from a name
    own = client_for(world, "member_a").get(reverse("facilities:invoice_list"), {"format": "xlsx"})
    numbers = [r[0] for r in load_workbook(io.BytesIO(own.content)).active.iter_rows(min_row=3, values_only=True)]
    assert "F-b-01" not in numbers and "F-a-01" in numbers


def test_the_invoice_list_query_count_is_flat(world, centre):
    officer = client_for(world, "officer")
    url = reverse("facilities:invoice_list")
    make_invoices(world, centre, months=2)
    officer.get(url)
    with CaptureQueriesContext(connection) as few:
        officer.get(url)
    Invoice.objects.all().delete()
    make_invoices(world, centre, months=12)
    with CaptureQueriesContext(connection) as many:
        officer.get(url)
    assert len(few) == len(many)


def evaluate(world, course, answers):
    for i, given in enumerate(answers):
        Enrolment.objects.create(
            complex=world["cx"],
            course=course,
            organisation=world["a"].organisation,
            trainee_name=f"수강생 {i}",
            state="completed",
            satisfaction=given,
        )


def test_satisfaction_summary_averages_per_course_and_question(world, centre):
    cmm = Course.objects.create(complex=world["cx"], centre=centre, title=f"CMM {XSS}")
    plc = Course.objects.create(complex=world["cx"], centre=centre, title="PLC")
    evaluate(
        world,
        cmm,
        [
            {"content": 5, "instructor": 4, "facility": 3, "overall": 5},
            {"content": 4, "instructor": 4, "facility": 4, "overall": 4},
            {},  # did not answer
        ],
    )
    evaluate(world, plc, [{"content": 2, "instructor": 3, "facility": 2, "overall": 2}])
    page = client_for(world, "centre_staff").get(reverse("facilities:satisfaction_summary"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "CMM &lt;script&gt;" in body and "2 / 3" in body and "4.50" in body and "67%" in body
    assert "3 / 4" in body  # all courses: 3 answers of 4 trainees
    assert client_for(world, "manager_a").get(reverse("facilities:satisfaction_summary")).status_code == 403

    panels = dict(
        (p.key, figs)
        for p, figs in spine.platform.panels_for(viewer_for(world["users"]["officer"]), world["cx"], "officer")
    )
    figures = {f.key: f for f in panels["facilities-satisfaction"]}
    assert figures["facilities-satisfaction"].value == f"{(5 + 4 + 2) / 3:.2f}"
    assert figures["facilities-satisfaction-answers"].value == 3
    assert figures["facilities-satisfaction"].url == reverse("facilities:satisfaction_summary")
    company = [
        p.key for p, _ in spine.platform.panels_for(viewer_for(world["users"]["manager_a"]), world["cx"], "officer")
    ]
    assert "facilities-satisfaction" not in company
