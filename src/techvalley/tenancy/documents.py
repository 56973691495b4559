"""Documents for inspections: the tenant audit as an Excel workbook (openpyxl)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from techvalley.core.validation import safe_row
from techvalley.tenancy.selectors import active_rules

FINDING_KO = {"illegal": "위반", "doubtful": "확인 필요", "ok": "적합"}
FILLS = {"illegal": "F8D7DA", "doubtful": "FFF3CD"}
HEADERS = [
    "판정",
    "센터",
    "호실",
    "층",
    "면적(㎡)",
    "호실 용도",
    "입주자",
    "업종코드",
    "업종명",
    "분류차수",
    "벤처",
    "사용 형태",
    "입주일",
    "평가",
    "근거 조항",
    "사유",
]


def audit_workbook(complex, rows) -> bytes:
    """The tenant audit (입주자 점검표): one sheet of findings, worst first, with the rule version."""
    rules = active_rules()
    wb = Workbook()
    ws = wb.active
    ws.title = "점검표"
    ws.append(safe_row([f"{complex.name} 지식산업센터 입주자 점검표"]))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(safe_row([f"규칙 {rules.version} · {rules.statute.get('act', '')} · {rules.statute.get('decree', '')}"]))
    ws.append(
        safe_row(
            ["위반 = 법 제28조의5 제1항의 입주대상시설이 아닌 용도(법 제28조의7 제1항 제3호, 제28조의8 시정명령 대상)"]
        )
    )
    ws.append([])
    ws.append(HEADERS)
    for cell in ws[5]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(
            safe_row(
                [
                    FINDING_KO[r.finding],
                    r.centre,
                    r.unit,
                    r.floor,
                    r.area_m2,
                    r.unit_use,
                    r.tenant,
                    r.ksic,
                    r.ksic_name,
                    r.revision,
                    "예" if r.venture else "",
                    r.lease_use,
                    r.since,
                    r.verdict,
                    ", ".join(r.clauses),
                    " ".join(r.reasons),
                ]
            )
        )
        if r.finding in FILLS:
            ws.cell(ws.max_row, 1).fill = PatternFill("solid", fgColor=FILLS[r.finding])
        ws.cell(ws.max_row, 16).alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCDEFGHIJKLMNOP", (10, 22, 8, 5, 10, 18, 24, 9, 28, 6, 5, 12, 11, 14, 40, 80), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A6"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
