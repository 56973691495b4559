"""Support facilities and training from the command line: resources, bookings (book, cancel,
approve, no-show), calendars as iCalendar, invoices, the e-mail outbox, waitlist offers, the
race check; courses, enrolment, completion and certificates.

Commands that act for someone take ``--as USER``: the rules and permissions are that user's,
and the audit trail names them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from techvalley.core.cli import clear_errors, cli_actor, complex_or_exit, console, django_setup, fail, out

facilities_app = typer.Typer(
    help="Support facilities: rooms, equipment, bookings (지원시설 예약).", no_args_is_help=True
)
training_app = typer.Typer(
    help="Worker training: courses, enrolment, certificates (근로자 교육).", no_args_is_help=True
)

AS_HELP = "the user acting (their organisation, rules and permissions)"


def _user(username: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise fail(f"사용자 '{username}'이(가) 없습니다. / No user '{username}'.")
    return user


@contextlib.contextmanager
def _acting(username: str):
    """Act as the user: bad input and refusals end the command with their message."""
    from django.core.exceptions import PermissionDenied

    from techvalley.core.audit import acting_as

    user = _user(username)
    with clear_errors(), acting_as(user, f"cli:{user.get_username()}"):
        try:
            yield user
        except PermissionDenied as exc:
            raise fail(str(exc)) from None


def _resource(ref: str, cx):
    from techvalley.facilities.models import Resource

    qs = Resource.objects.filter(complex=cx).select_related("centre")
    found = qs.filter(pk=int(ref)).first() if ref.isdigit() else None
    if found is None:
        matches = list(qs.filter(name__icontains=ref)[:5])
        if len(matches) != 1:
            names = ", ".join(f"{r.pk}: {r.name}" for r in matches) or "—"
            raise fail(f"자원 '{ref}'을(를) 하나로 정할 수 없습니다 ({names}). / No single resource '{ref}' ({names}).")
        found = matches[0]
    return found


def _booking(pk: int):
    from techvalley.facilities.models import Booking

    found = Booking.objects.select_related("resource__centre", "organisation").filter(pk=pk).first()
    if found is None:
        raise fail(f"예약 {pk}이(가) 없습니다. / No booking {pk}.")
    return found


def _row(b) -> dict:
    from django.utils import timezone

    return {
        "id": b.pk,
        "resource": b.resource.name,
        "organisation": b.organisation.name,
        "start": timezone.localtime(b.start).isoformat(),
        "end": timezone.localtime(b.end).isoformat(),
        "status": b.status,
        "fee_krw": b.fee_krw,
        "purpose": b.purpose,
    }


@facilities_app.command("resources")
def resources(
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    kind: Annotated[str, typer.Option("--kind", help="meeting | seminar | lab | education | equipment …")] = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Bookable rooms and equipment with their hours, rules and fees."""
    django_setup()
    from techvalley.facilities import selectors

    cx = complex_or_exit(complex)
    rows = list(selectors.resources(cx, kind))
    if as_json:
        out.print_json(
            json.dumps(
                [
                    {
                        "id": r.pk,
                        "name": r.name,
                        "kind": r.kind,
                        "centre": r.centre.name,
                        "hours": f"{r.opens_at:%H:%M}-{r.closes_at:%H:%M}",
                        "approval_required": r.approval_required,
                        "qualification_required": r.qualification_required,
                        "fee_tenant": r.fee_tenant,
                        "estimated": r.estimated,
                    }
                    for r in rows
                ],
                ensure_ascii=False,
            )
        )
        return
    table = Table("id", "자원 / resource", "종류 / kind", "센터 / centre", "시간 / hours", "규칙 / rules", "요금 / fee")
    for r in rows:
        rules = " ".join(x for x, on in (("승인", r.approval_required), ("자격", r.qualification_required)) if on)
        table.add_row(
            str(r.pk),
            r.name,
            r.get_kind_display(),
            r.centre.name,
            f"{r.opens_at:%H:%M}–{r.closes_at:%H:%M}",
            rules,
            f"{r.fee_tenant:,}",
        )
    console.print(table)
    if not rows:
        console.print("예약할 수 있는 자원이 없습니다 (techvalley demo). / No bookable resources.")


@facilities_app.command("book")
def book(
    resource: Annotated[str, typer.Argument(help="resource id or (part of) its name")],
    start: Annotated[str, typer.Option("--start", help="ISO 8601, Asia/Seoul: 2026-03-02T10:00")],
    end: Annotated[str, typer.Option("--end", help="ISO 8601, Asia/Seoul")],
    username: Annotated[str, typer.Option("--as", help=AS_HELP)],
    purpose: Annotated[str, typer.Option("--purpose")] = "회의",
    weeks: Annotated[int, typer.Option("--weeks", help="the same time every week (all or none)")] = 1,
    override_reason: Annotated[str, typer.Option("--override-reason", help="operators: skip the rules")] = "",
    complex: Annotated[str | None, typer.Option("--complex")] = None,
) -> None:
    """Book a resource for the user's organisation. Exit code 3 when the slot is taken."""
    django_setup()
    from techvalley.facilities import services

    cx = complex_or_exit(complex)
    res = _resource(resource, cx)
    with _acting(username) as user:
        try:
            if weeks > 1:
                made = services.book_series(
                    user, res, start, end, purpose, weeks=weeks, override_reason=override_reason
                )
            else:
                made = [services.book(user, res, start, end, purpose, override_reason=override_reason)]
        except services.SlotTaken as exc:
            raise fail(exc.message, code=3) from None
    for b in made:
        console.print(f"[green]{b.get_status_display()}[/] #{b.pk} {res.name} {_row(b)['start']} – {_row(b)['end']}")


@facilities_app.command("bookings")
def bookings(
    date: Annotated[str, typer.Option("--date", help="YYYY-MM-DD (default: today)")] = "",
    pending: Annotated[bool, typer.Option("--pending", help="only those awaiting approval")] = False,
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The complex's bookings of a day (or all awaiting approval), as an operator sees them."""
    django_setup()
    from django.utils import timezone

    from techvalley.facilities.models import Booking
    from techvalley.facilities.selectors import day_start

    cx = complex_or_exit(complex)
    qs = Booking.objects.filter(complex=cx).select_related("resource", "organisation").order_by("start")
    if pending:
        qs = qs.filter(status="pending")
    else:
        with clear_errors():
            from techvalley.facilities.views import _date

            day = _date(date, timezone.localdate())
        qs = qs.filter(start__gte=day_start(day), start__lt=day_start(day + dt.timedelta(days=1)))
    rows = [_row(b) for b in qs[:1000]]
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("id", "시간 / when", "자원 / resource", "기관 / organisation", "상태 / status", "목적 / purpose")
    for r in rows:
        table.add_row(
            str(r["id"]),
            f"{r['start'][:16]}–{r['end'][11:16]}",
            r["resource"],
            r["organisation"],
            r["status"],
            r["purpose"],
        )
    console.print(table)


def _act(booking_id: int, username: str, action: str, note: str = "") -> None:
    django_setup()
    from techvalley.facilities import services

    b = _booking(booking_id)
    with _acting(username) as user:
        if action == "cancel":
            b = services.cancel(user, b)
        elif action in ("approve", "reject"):
            b = services.decide(user, b, action == "approve", note)
        elif action == "no-show":
            b = services.mark_no_show(user, b)
        elif action == "accept":
            b = services.accept_offer(user, b)
    console.print(f"#{b.pk}: {b.get_status_display()}{' · 늦은 취소 / late' if b.late_cancel else ''}")


@facilities_app.command("cancel")
def cancel(booking: int, username: Annotated[str, typer.Option("--as", help=AS_HELP)]) -> None:
    """Cancel a booking (late inside the deadline); the slot is offered to the waitlist."""
    _act(booking, username, "cancel")


@facilities_app.command("approve")
def approve(booking: int, username: Annotated[str, typer.Option("--as", help=AS_HELP)], note: str = "") -> None:
    """Approve a booking awaiting approval (operators)."""
    _act(booking, username, "approve", note)


@facilities_app.command("reject")
def reject(booking: int, username: Annotated[str, typer.Option("--as", help=AS_HELP)], note: str = "") -> None:
    """Reject a booking awaiting approval (operators); the slot goes to the waitlist."""
    _act(booking, username, "reject", note)


@facilities_app.command("no-show")
def no_show(booking: int, username: Annotated[str, typer.Option("--as", help=AS_HELP)]) -> None:
    """Record that nobody came (operators); counts against the organisation for 90 days."""
    _act(booking, username, "no-show")


@facilities_app.command("calendar")
def calendar(
    resource: Annotated[str, typer.Argument(help="resource id or (part of) its name")],
    ics: Annotated[bool, typer.Option("--ics", help="write an iCalendar file")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="file to write (default: stdout)")] = None,
    month: Annotated[str, typer.Option("--month", help="YYYY-MM for the table (default: this month)")] = "",
    complex: Annotated[str | None, typer.Option("--complex")] = None,
) -> None:
    """A resource's bookings: a month table, or with --ics an iCalendar file (no names: who
    booked is private)."""
    django_setup()
    from django.utils import timezone

    from techvalley.facilities import documents, selectors
    from techvalley.facilities.models import LIVE

    cx = complex_or_exit(complex)
    res = _resource(resource, cx)
    if ics:
        body = documents.ics(documents.feed_bookings(res.bookings.all()), res.name, show_who=False)
        if output:
            output.write_bytes(body)
            console.print(f"{output} ({body.count(b'BEGIN:VEVENT')} events)")
        else:
            typer.echo(body.decode())
        return
    with clear_errors():
        from techvalley.facilities.views import _date

        day = _date(f"{month}-01" if month else None, timezone.localdate())
    first = day.replace(day=1)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    rows = res.bookings.filter(
        status__in=LIVE, start__gte=selectors.day_start(first), start__lt=selectors.day_start(after)
    ).values_list("start", "end")
    by_day: dict = {}
    for start, end in rows:
        s, e = timezone.localtime(start), timezone.localtime(end)
        by_day.setdefault(s.date(), []).append(f"{s:%H:%M}–{e:%H:%M}")
    table = Table("날짜 / day", "예약 / bookings")
    for d, spans in sorted(by_day.items()):
        table.add_row(f"{d:%Y-%m-%d %a}", ", ".join(spans))
    console.print(table)


@facilities_app.command("invoices")
def invoices(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM")],
    username: Annotated[str, typer.Option("--as", help=AS_HELP)],
    centre: Annotated[
        int | None, typer.Option("--centre", help="centre id (default: every centre you operate)")
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="folder for the PDFs")] = None,
    complex: Annotated[str | None, typer.Option("--complex")] = None,
) -> None:
    """Issue a month's invoices (operators) and, with -o, write each as PDF."""
    django_setup()
    from techvalley.core.scoping import viewer_for
    from techvalley.facilities import documents, selectors, services

    cx = complex_or_exit(complex)
    with clear_errors():
        from techvalley.facilities.views import _date

        first = _date(f"{month}-01")
    with _acting(username) as user:
        centres = selectors.operated_centres(viewer_for(user), cx)
        if centre is not None:
            centres = centres.filter(pk=centre)
        made = [i for c in centres for i in services.issue_invoices(user, c, first)]
    if output:
        output.mkdir(parents=True, exist_ok=True)
    for inv in made:
        line = f"{inv.number} {inv.organisation.name} {inv.total_krw:,} KRW"
        if output:
            path = output / f"invoice-{inv.number}.pdf"
            path.write_bytes(documents.invoice_pdf(inv))
            line += f" → {path}"
        console.print(line)
    console.print(f"{len(made)} invoices")


@facilities_app.command("send-mail")
def send_mail(limit: int = 200) -> None:
    """Send the outbox's waiting e-mails with Django's e-mail backend (files in DATA_DIR/mail
    unless EMAIL_BACKEND is configured)."""
    django_setup()
    from techvalley.facilities import services

    console.print(services.send_outbox(limit))


@facilities_app.command("consents-backfill")
def consents_backfill(dry_run: Annotated[bool, typer.Option("--dry-run", help="count only")] = False) -> None:
    """Record the consent of bookings, waitlist entries and enrolments made before consents were
    kept (same purpose, items and period from their end), so `techvalley privacy purge` erases
    them in time. Run once after upgrading; running it again records nothing new."""
    django_setup()
    from techvalley.core.audit import acting_as
    from techvalley.facilities import services

    with acting_as(None, cli_actor()):
        counts = services.backfill_consents(dry_run=dry_run)
    verb = "기록할 대상 / to record" if dry_run else "기록함 / recorded"
    for kind, n in counts.items():
        console.print(f"{kind}: {n} {verb}", highlight=False)


@facilities_app.command("tick")
def tick() -> None:
    """Expire waitlist offers not accepted in time and offer their slots to the next in line;
    delete e-mails sent more than 90 days ago (they hold addresses and names)."""
    django_setup()
    from techvalley.facilities import services

    console.print(f"{services.expire_offers()} offers expired")
    console.print(f"{services.prune_outbox()} old e-mails deleted from the outbox")


@facilities_app.command("race")
def race_check(clients: int = 32, rounds: int = 3) -> None:
    """Race CLIENTS users for one slot ROUNDS times in the configured database (a scratch
    database: it adds a centre, a room and users) and print the outcome as JSON."""
    import sys

    sys.argv = [sys.argv[0], "--clients", str(clients), "--rounds", str(rounds)]
    from techvalley.facilities import race

    race.main()


# --- training ---------------------------------------------------------------------------------


@training_app.command("courses")
def courses(complex: Annotated[str | None, typer.Option("--complex")] = None) -> None:
    """Courses with their places taken and waiting."""
    django_setup()
    from techvalley.core.scoping import ANONYMOUS
    from techvalley.facilities import selectors

    cx = complex_or_exit(complex)
    table = Table("id", "과정 / course", "대상 / audience", "정원 / places", "대기 / waiting", "협력 / partner")
    for c in selectors.courses(ANONYMOUS, cx):
        table.add_row(
            str(c.pk), c.title, c.get_audience_display(), f"{c.enrolled}/{c.capacity}", str(c.waiting), c.partner
        )
    console.print(table)


@training_app.command("enrol")
def enrol(
    course: int,
    name: Annotated[str, typer.Option("--name", help="the employee's name")],
    username: Annotated[str, typer.Option("--as", help=AS_HELP)],
    email: str = "",
) -> None:
    """Enrol a named employee (the organisation's managers); beyond capacity: the waitlist."""
    django_setup()
    from techvalley.facilities import services
    from techvalley.facilities.models import Course

    c = Course.objects.filter(pk=course).first()
    if c is None:
        raise fail(f"과정 {course}이(가) 없습니다. / No course {course}.")
    with _acting(username) as user:
        e = services.enrol(user, c, name, email)
    console.print(f"#{e.pk} {e.trainee_name}: {e.get_state_display()}")


@training_app.command("complete")
def complete(course: int, username: Annotated[str, typer.Option("--as", help=AS_HELP)]) -> None:
    """Close a course: completion from attendance, certificate codes, equipment qualifications."""
    django_setup()
    from techvalley.facilities import services
    from techvalley.facilities.models import Course

    c = Course.objects.select_related("centre").filter(pk=course).first()
    if c is None:
        raise fail(f"과정 {course}이(가) 없습니다. / No course {course}.")
    with _acting(username) as user:
        console.print(services.complete_course(user, c))


@training_app.command("certificate")
def certificate(
    enrolment: int,
    output: Annotated[Path, typer.Option("-o", "--output", help="the PDF file to write")],
    base_url: Annotated[str, typer.Option("--base-url", help="the platform's address, for the check URL")] = "",
) -> None:
    """Write the completion certificate of an enrolment as PDF (Korean fonts, verification code)."""
    django_setup()
    from django.urls import reverse

    from techvalley.facilities import documents
    from techvalley.facilities.models import Enrolment

    e = Enrolment.objects.select_related("course__centre__operator", "organisation").filter(pk=enrolment).first()
    if e is None:
        raise fail(f"수강 신청 {enrolment}이(가) 없습니다. / No enrolment {enrolment}.")
    if e.state != "completed":
        raise fail(f"수료하지 않았습니다 ({e.get_state_display()}). / Not completed ({e.state}).")
    url = f"{base_url.rstrip('/')}{reverse('facilities:verify')}?code={e.certificate_code}"
    output.write_bytes(documents.certificate_pdf(e, url))
    console.print(f"{output} · {e.trainee_name} · {e.certificate_code}")


GROUPS = {"facilities": facilities_app, "training": training_app}
