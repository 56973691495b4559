"""The monthly report for officials (월간 현황 보고): the dashboard's figures, as PDF, Excel and HWPX.

Built from exactly what an officer's dashboard shows (``figures.sections`` with the same
panels, for the same viewer), so a briefing never quotes a number the platform does not show;
each figure keeps its source, as-of date and the address of the records behind it. The stage
counts and both definitions of "high-tech" come with the rule that defines them.

PDF: WeasyPrint with the Nanum fonts, A4. Excel: openpyxl, one sheet of figures (text that a
spreadsheet would read as a formula neutralised). HWPX: python-hwpx, as plan tracking writes
its management cards. The documents are in Korean (the district's working language).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone, translation

from techvalley.core.validation import safe_row
from techvalley.portal import figures, stages

FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "hwpx": "application/hwp+zip",
}


@dataclass
class Report:
    complex_name: str
    generated: object
    month: str
    rows: list[figures.Row]
    stage_counts: dict[str, int]
    stages: tuple = stages.STAGES
    base_url: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def stage_rows(self) -> list[tuple]:
        return [(s, self.stage_counts.get(s.key, 0)) for s in self.stages]

    def link(self, url: str) -> str:
        return f"{self.base_url}{url}" if url.startswith("/") else url


def build(viewer, cx, base_url: str = "") -> Report:
    """The report's content, in Korean: the officer's dashboard sections, the stage counts."""
    with translation.override("ko"):
        composed = figures.sections(viewer, cx, figures.OFFICER_SECTIONS)
        rows = [
            figures.Row(str(r.section), r.panel, r.figure) for r in figures.rows(composed)
        ]  # section titles as text: rendered outside the override
        now = timezone.localtime()
        return Report(
            complex_name=cx.name,
            generated=now,
            month=f"{now:%Y}년 {now.month}월",
            rows=rows,
            stage_counts=stages.count_stages(cx),
            base_url=base_url.rstrip("/"),
        )


def _text(value) -> str:
    from techvalley.portal.templatetags.portal import as_of, figure

    return str(figure(value)) if not hasattr(value, "isoformat") else str(as_of(value))


def render_html(report: Report) -> str:
    with translation.override("ko"):
        return render_to_string("portal/report_document.html", {"report": report, "text": _text})


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(report)).write_pdf()


HEADERS = ["구분", "패널", "지표", "값", "단위", "출처", "기준일", "근거 자료"]


def table(report: Report) -> list[list]:
    """The figures as rows of the Excel sheet (and of the HWPX table)."""
    from techvalley.portal.templatetags.portal import as_of

    with translation.override("ko"):
        return [
            [
                r.section,
                str(r.panel.title),
                str(r.figure.label),
                figures.plain_value(r.figure.value),
                str(r.figure.unit or ""),
                str(r.figure.source or ""),
                str(as_of(r.figure.as_of)),
                report.link(r.figure.url),
            ]
            for r in report.rows
        ]


def render_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "대시보드 지표"
    ws.append([f"{report.complex_name} 월간 현황 보고 ({report.month})"])
    ws.append([f"작성 {report.generated:%Y-%m-%d %H:%M} · 플랫폼 대시보드의 지표 그대로"])
    ws.append(HEADERS)
    fill = PatternFill("solid", fgColor="DDE7F0")
    for cell in ws[3]:
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in table(report):
        ws.append(safe_row(row))
    for col, width in zip("ABCDEFGH", (16, 22, 30, 14, 10, 40, 18, 40), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"
    st = wb.create_sheet("전환 단계")
    st.append(["단계", "기업 수", "규칙"])
    with translation.override("ko"):
        for s in report.stages:
            st.append(safe_row([str(s.label), report.stage_counts.get(s.key, 0), str(s.rule)]))
    st.column_dimensions["A"].width, st.column_dimensions["C"].width = 14, 100
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render_hwpx(report: Report) -> bytes:
    from hwpx import HwpxDocument

    doc = HwpxDocument.new()
    doc.add_paragraph(f"{report.complex_name} 월간 현황 보고 ({report.month})")
    doc.add_paragraph(f"작성 {report.generated:%Y-%m-%d %H:%M} · 플랫폼 대시보드의 지표 그대로, 출처와 기준일 포함")
    data = table(report)
    current = None
    for r in data:
        if r[0] != current:
            current = r[0]
            doc.add_paragraph(f"□ {current}")
            part = [x for x in data if x[0] == current]
            t = doc.add_table(len(part) + 1, 5)
            for k, h in enumerate(("지표", "값", "출처", "기준일", "근거 자료")):
                t.cell(0, k).text = h
            for i, x in enumerate(part, start=1):
                value = _text(x[3]) + (f" {x[4]}" if x[4] else "")
                for k, v in enumerate((f"{x[1]} · {x[2]}", value, x[5], x[6], x[7])):
                    t.cell(i, k).text = v
    doc.add_paragraph("□ 기업 전환 단계 (전통 제조 → 첨단)")
    with translation.override("ko"):
        st = doc.add_table(len(report.stages) + 1, 3)
        for k, h in enumerate(("단계", "기업 수", "규칙")):
            st.cell(0, k).text = h
        for i, s in enumerate(report.stages, start=1):
            st.cell(i, 0).text = str(s.label)
            st.cell(i, 1).text = f"{report.stage_counts.get(s.key, 0):,}"
            st.cell(i, 2).text = str(s.rule)
    doc.add_paragraph(
        "※ 첨단업종 비중은 두 가지 정의로 표시합니다: 넓은 정의(첨단·중고위기술 제조업과 지식집약 서비스업)와 "
        "좁은 정의(첨단기술 제조업만)."
    )
    buf = io.BytesIO()
    doc.save_to_stream(buf)
    return buf.getvalue()


#: Rendered documents are kept this long by their content: a PDF takes seconds, and officers
#: download the same report again (or in another format) within minutes.
DOCUMENT_CACHE_SECONDS = 600


def fingerprint(report: Report) -> str:
    """What the document shows, as a key: the same figures, stages and minute give the same file."""
    import hashlib
    import json

    content = [
        report.complex_name,
        report.month,
        f"{report.generated:%Y-%m-%d %H:%M}",
        report.base_url,
        table(report),
        report.stage_counts,
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, default=str).encode()).hexdigest()


def render(report: Report, fmt: str) -> bytes:
    from django.core.cache import cache

    key = f"portal:report:{fmt}:{fingerprint(report)}"
    body = cache.get(key)
    if body is None:
        body = {"pdf": render_pdf, "xlsx": render_xlsx, "hwpx": render_hwpx}[fmt](report)
        cache.set(key, body, DOCUMENT_CACHE_SECONDS)
    return body
