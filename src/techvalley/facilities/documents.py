"""PDF documents officials and companies need: invoices and training certificates (WeasyPrint,
Korean fonts from fonts-nanum), and iCalendar feeds of bookings."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone

from techvalley.facilities.models import Booking, Enrolment, Invoice


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_to_string(template, context)).write_pdf()


def invoice_pdf(invoice: Invoice) -> bytes:
    rows = list(invoice.bookings.select_related("resource").order_by("start"))
    return _pdf("facilities/pdf/invoice.html", {"invoice": invoice, "rows": rows, "centre": invoice.centre})


def certificate_pdf(enrolment: Enrolment, verify_url: str = "") -> bytes:
    course = enrolment.course
    sessions = list(course.sessions.all())
    return _pdf(
        "facilities/pdf/certificate.html",
        {
            "e": enrolment,
            "course": course,
            "first": sessions[0].start if sessions else None,
            "last": sessions[-1].end if sessions else None,
            "hours": sum(s.hours for s in sessions),
            "verify_url": verify_url,
        },
    )


def ics(bookings, name: str, show_who: bool) -> bytes:
    """An iCalendar feed: one event per live booking (who booked only when ``show_who``)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Techno Valley platform//facilities//KO")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Seoul")
    stamp = timezone.now()
    for b in bookings:
        ev = Event()
        ev.add("uid", f"booking-{b.pk}@techvalley")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", b.start)
        ev.add("dtend", b.end)
        title = f"{b.resource.name}: {b.purpose}" if show_who else f"{b.resource.name}: 예약됨 / booked"
        if show_who:
            title += f" ({b.organisation.name})"
        ev.add("summary", title)
        ev.add("location", b.resource.centre.name + (f" {b.resource.floor}F" if b.resource.floor else ""))
        ev.add("status", "CONFIRMED" if b.status == "confirmed" else "TENTATIVE")
        cal.add_component(ev)
    return cal.to_ical()


def feed_bookings(qs, days_back: int = 30, days_ahead: int = 365):
    now = timezone.now()
    return (
        qs.filter(status__in=["pending", "confirmed"], end__gte=now - dt.timedelta(days=days_back))
        .filter(start__lte=now + dt.timedelta(days=days_ahead))
        .select_related("resource__centre", "organisation")
        .order_by("start")[:5000]
    )


__all__ = ["Booking", "certificate_pdf", "feed_bookings", "ics", "invoice_pdf"]


def invoices_xlsx(invoices, title: str = "청구서 / Invoices") -> bytes:
    """The invoice list as an Excel workbook (Korean and English headers; text cells safe from
    formula injection)."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from techvalley.core.validation import safe_row

    wb = Workbook()
    ws = wb.active
    ws.title = "청구서"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    header = [
        "번호 / Number",
        "월 / Month",
        "센터 / Centre",
        "기관 / Organisation",
        "예약 건수 / Bookings",
        "합계(원) / Total (KRW)",
        "발행일 / Issued",
    ]
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    total = 0
    for inv in invoices:
        total += inv.total_krw
        ws.append(
            safe_row(
                [
                    inv.number,
                    inv.month.strftime("%Y-%m"),
                    inv.centre.name,
                    inv.organisation.name,
                    getattr(inv, "n_bookings", None),
                    inv.total_krw,
                    timezone.localtime(inv.issued_at).date(),
                ]
            )
        )
    ws.append(["합계 / Total", "", "", "", "", total, ""])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    for col, width in zip("ABCDEFG", (22, 10, 28, 32, 12, 16, 12), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3, min_col=6, max_col=6):
        for cell in row:
            cell.number_format = "#,##0"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
