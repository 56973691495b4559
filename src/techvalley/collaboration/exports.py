"""The cooperation record as an Excel workbook for officials: agreements, follow-up actions and
joint programmes (budget by source, KPIs), Korean headers, formula-safe cells."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from techvalley.collaboration import services
from techvalley.collaboration.models import BudgetSource
from techvalley.core.validation import safe_row

STATUS_KO = {"active": "유효", "expired": "만료", "terminated": "해지"}


def _sheet(wb, title, header, rows, widths):
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(safe_row(row))
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    ws.freeze_panes = "A2"


def cooperation_workbook(agreements, programmes, today: dt.date) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    agreements = list(agreements)
    _sheet(
        wb,
        "협약",
        ["협약명", "당사자", "체결일", "효력 시작", "효력 종료", "상태", "목적", "당사자 의무", "성과", "출처"],
        [
            [
                a.title,
                ", ".join(p.partner.name for p in a.parties.all()),
                a.signed_on,
                a.starts_on,
                a.ends_on,
                STATUS_KO[a.status_on(today)],
                a.purpose,
                a.obligations,
                a.outcomes,
                a.source + (" (세부 추정)" if a.estimated else ""),
            ]
            for a in agreements
        ],
        [40, 40, 12, 12, 12, 8, 40, 40, 40, 30],
    )
    _sheet(
        wb,
        "후속 조치",
        ["협약명", "조치", "담당", "기한", "상태", "완료일", "기한 지남"],
        [
            [
                a.title,
                f.action,
                f.owner,
                f.due_on,
                f.get_status_display(),
                f.done_on,
                "예" if f.is_overdue(today) else "",
            ]
            for a in agreements
            for f in a.follow_ups.all()
        ],
        [40, 40, 20, 12, 10, 12, 8],
    )
    sources = [label for _key, label in BudgetSource.choices]
    rows = []
    for p in programmes:
        budget = services.budget_by_source(p)
        kpis = "; ".join(
            f"{k.name} {k.result if k.result is not None else '—'}/{k.target} {k.unit}" for k in p.kpis.all()
        )
        rows.append(
            [
                p.title,
                p.funder,
                p.starts_on,
                p.ends_on,
                p.get_status_display(),
                ", ".join(x.name for x in p.participants.all()),
                *[budget[k] for k in BudgetSource.values],
                sum(budget.values()),
                kpis,
                "예" if p.estimated else "",
            ]
        )
    _sheet(
        wb,
        "공동사업",
        [
            "사업명",
            "지원 기관",
            "시작",
            "종료",
            "상태",
            "참여 기관",
            *[f"{s} (원)" for s in sources],
            "합계 (원)",
            "성과지표 (실적/목표)",
            "추정",
        ],
        rows,
        [36, 24, 12, 12, 12, 30, 14, 14, 14, 14, 16, 40, 6],
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
