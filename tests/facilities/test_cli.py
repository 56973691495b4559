"""The facilities and training commands: list, book (a taken slot exits 3), calendar as
iCalendar, approvals, invoices as PDF, certificates."""

import datetime as dt

import pytest
from typer.testing import CliRunner

from techvalley.cli import app
from techvalley.facilities.models import Booking, Course, Enrolment

runner = CliRunner()
pytestmark = pytest.mark.django_db(transaction=True)


def test_resources_book_and_calendar(world, room, day, tmp_path):
    r = runner.invoke(app, ["facilities", "resources", "--json"])
    assert r.exit_code == 0, r.output
    assert '"회의실 1' in r.stdout
    args = ["facilities", "book", str(room.pk), "--start", f"{day}T10:00", "--end", f"{day}T11:00"]
    r = runner.invoke(app, [*args, "--as", "member_a", "--purpose", "비밀 상담"])
    assert r.exit_code == 0, r.output
    assert Booking.objects.get().organisation_id == world["a"].organisation_id
    r = runner.invoke(app, [*args, "--as", "manager_b"])
    assert r.exit_code == 3 and "slot" in r.output
    r = runner.invoke(
        app, ["facilities", "book", "회의실", "--start", f"{day}T07:00", "--end", f"{day}T08:00", "--as", "manager_b"]
    )
    assert r.exit_code == 2 and "운영 시간" in r.output
    r = runner.invoke(app, [*args, "--as", "visitor"])
    assert r.exit_code == 2
    ics = tmp_path / "room.ics"
    r = runner.invoke(app, ["facilities", "calendar", str(room.pk), "--ics", "-o", str(ics)])
    assert r.exit_code == 0 and ics.read_bytes().count(b"BEGIN:VEVENT") == 1
    assert "비밀".encode() not in ics.read_bytes()  # who and why stay private


def test_approve_and_invoices(world, room, day, tmp_path):
    room.approval_required = True
    room.save()
    args = ["facilities", "book", str(room.pk), "--start", f"{day}T10:00", "--end", f"{day}T12:00", "--as", "member_a"]
    assert runner.invoke(app, args).exit_code == 0
    b = Booking.objects.get()
    assert b.status == "pending"
    assert runner.invoke(app, ["facilities", "approve", str(b.pk), "--as", "manager_a"]).exit_code == 2
    assert runner.invoke(app, ["facilities", "approve", str(b.pk), "--as", "centre_staff"]).exit_code == 0
    b.refresh_from_db()
    assert b.status == "confirmed"
    r = runner.invoke(
        app, ["facilities", "invoices", "--month", f"{day:%Y-%m}", "--as", "centre_staff", "-o", str(tmp_path)]
    )
    assert r.exit_code == 0, r.output
    pdfs = list(tmp_path.glob("invoice-*.pdf"))
    assert len(pdfs) == 1 and pdfs[0].read_bytes().startswith(b"%PDF")


def test_training_certificate(world, centre, tmp_path):
    course = Course.objects.create(complex=world["cx"], centre=centre, title="교육")
    e = Enrolment.objects.create(
        complex=world["cx"],
        course=course,
        organisation_id=world["a"].organisation_id,
        trainee_name="김민준",
        state="completed",
        certificate_code="ABCDEFGHJKMN",
        completed_on=dt.date(2026, 1, 2),
        hours_attended=3,
    )
    pdf = tmp_path / "c.pdf"
    r = runner.invoke(app, ["training", "certificate", str(e.pk), "-o", str(pdf)])
    assert r.exit_code == 0, r.output
    assert pdf.read_bytes().startswith(b"%PDF")
    r = runner.invoke(app, ["training", "enrol", str(course.pk), "--name", "이서연", "--as", "manager_a"])
    assert r.exit_code == 0, r.output
    waiting = Enrolment.objects.get(trainee_name="이서연")
    r = runner.invoke(app, ["training", "certificate", str(waiting.pk), "-o", str(pdf)])
    assert r.exit_code == 2
