"""The card as documents: HTML (also the source of the PDF), PDF, HWPX and the Excel summary.

PDF: WeasyPrint with the Nanum fonts (Debian fonts-nanum), A4, laid out like the paper card.
HWPX: python-hwpx, the format district offices edit in Hancom Office.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from techvalley.core.validation import safe_row
from techvalley.projects.card import CHANNEL_HEADERS, CHANNELS, _months


def card_context(card: dict, *, public: bool = False, communication=None) -> dict:
    """What the card templates read. ``communication``: where 【구민소통 실적】 comes from
    (``projects.communication.Shown``), printed under the table; None prints nothing."""
    headings: list[dict] = []
    for a in card["achievements"]:
        if not headings or headings[-1]["heading"] != a["heading"]:
            headings.append({"heading": a["heading"], "groups": []})
        groups = headings[-1]["groups"]
        if not groups or groups[-1]["subheading"] != a["subheading"]:
            groups.append({"subheading": a["subheading"], "items": []})
        groups[-1]["items"].append({**a, "when": _months(a["start"], a["end"])})
    channels = list(card["communication"]) or CHANNELS
    return {
        "card": card,
        "public": public,
        "achievement_groups": headings,
        "in_term": [p for p in card["yearly_plan"] if p["year"] is not None],
        "after_term": [p for p in card["yearly_plan"] if p["year"] is None],
        "communication": [
            (CHANNEL_HEADERS[CHANNELS.index(ch)] if ch in CHANNELS else ch, card["communication"].get(ch, 0))
            for ch in channels
        ],
        "communication_note": communication.note if communication is not None else "",
    }


def render_html(card: dict, *, public: bool = False, standalone: bool = True, communication=None) -> str:
    """The card as HTML: a document of its own (the HTML and PDF downloads, in Korean as the card
    is, whatever the page's language) or the fragment the card page shows."""
    from django.utils import translation

    if not standalone:
        return render_to_string("projects/_card.html", card_context(card, public=public, communication=communication))
    with translation.override("ko"):
        return render_to_string(
            "projects/card_document.html", card_context(card, public=public, communication=communication)
        )


def render_pdf(card: dict, *, public: bool = False, communication=None) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(card, public=public, communication=communication)).write_pdf()


def render_hwpx(card: dict, *, public: bool = False, communication=None) -> bytes:
    from hwpx import HwpxDocument

    c = card
    doc = HwpxDocument.new()
    doc.add_paragraph(f"관리번호 {c['management_no']}")
    doc.add_paragraph(c["title"])
    dep = c["department"]
    dep_text = " ".join(x for x in (dep["name"], dep["team"]) if x)
    if not public and (dep["contact"] or dep["phone"]):
        dep_text += f" ({dep['contact']} ☎{dep['phone']})"
    coop = " ".join(
        x["name"] + ("" if public or not x["contact"] else f" ({x['contact']} ☎{x['phone']})") for x in c["cooperating"]
    )
    period = f"{c['period']['start'] or ''}년~{c['period']['end'] or ''}년"
    prog = (
        f"{c['progress']['state']}({c['progress']['percent']}%)"
        if c["progress"]["percent"] is not None
        else c["progress"]["state"]
    )
    header = [
        ("사업구분", f"{c['category']}사업" if c["category"] else "", "사업주체", c["owner"]),
        ("사업기간", period, "추진상황(%)", prog),
        ("소요예산", c["budget"]["text"], "완료시기", c["completion"]),
        ("추진부서", dep_text, "협조부서(기관)", coop),
    ]
    table = doc.add_table(len(header), 4)
    for r, row in enumerate(header):
        for k, value in enumerate(row):
            table.cell(r, k).text = value or ""
    doc.add_paragraph("【사업추진계획】")
    doc.add_paragraph("□ 사업추진목표(최종목표)")
    if c["final_goal"]:
        doc.add_paragraph(f"- {c['final_goal']}")
    if c["term_goal"]:
        doc.add_paragraph(f"※ 임기 내 목표 : {c['term_goal']}")
    doc.add_paragraph("□ 사업개요")
    for x in c["overview"]:
        doc.add_paragraph(f"- {x}")
    doc.add_paragraph("□ 세부추진계획")
    for x in c["detailed_plans"]:
        doc.add_paragraph(f"- {x}")
    if c["yearly_plan"]:
        doc.add_paragraph("□ 연차별 추진계획")
        plan = c["yearly_plan"]
        yt = doc.add_table(3, len(plan) + 1)
        yt.cell(0, 0).text = "구분"
        yt.cell(1, 0).text = "추진율"
        yt.cell(2, 0).text = c["yearly_plan_task"] or "세부추진내용"
        for k, p in enumerate(plan, start=1):
            yt.cell(0, k).text = f"{p['year']}년" if p["year"] else "임기 후"
            yt.cell(1, k).text = "" if p["percent"] is None else f"{p['percent']}%"
            yt.cell(2, k).text = p["plan"]
    doc.add_paragraph("【추진실적】")
    for group in card_context(c)["achievement_groups"]:
        doc.add_paragraph(f"□ {group['heading']}")
        for sub in group["groups"]:
            if sub["subheading"]:
                doc.add_paragraph(f"<{sub['subheading']}>")
            for a in sub["items"]:
                doc.add_paragraph(f"- {a['when']} : {a['text']}")
                for note in a["notes"]:
                    doc.add_paragraph(f"  ▷ {note}")
    doc.add_paragraph("【금후계획】")
    for f in c["future_plans"]:
        doc.add_paragraph(f"- {f['text']}")
    doc.add_paragraph("【구민소통 실적】")
    comm = card_context(c)["communication"]
    ct = doc.add_table(2, len(comm))
    for k, (label, count) in enumerate(comm):
        ct.cell(0, k).text = label
        ct.cell(1, k).text = f"{count}회" if count else "-"
    if communication is not None:
        from django.utils import translation

        with translation.override("ko"):
            doc.add_paragraph(f"※ {communication.note}")
    doc.add_paragraph("【기대효과】")
    for x in c["expected_effects"]:
        doc.add_paragraph(f"- {x}")
    buf = io.BytesIO()
    doc.save_to_stream(buf)
    return buf.getvalue()


def render_xlsx_summary(rows, target, communication: dict | None = None) -> None:
    """All pledges on one sheet: planned vs actual, status, budget execution, next steps and the
    구민소통 count with where it comes from (``communication``: {project id: Shown}).

    The sheet is in Korean whatever the page's language (it is the district's working file),
    and text that a spreadsheet would take for a formula is neutralised (``safe_row``)."""
    from django.utils import translation

    with translation.override("ko"):
        _xlsx_summary(rows, target, communication or {})


def _xlsx_summary(rows, target, communication: dict) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "공약 추진현황"
    headers = [
        "관리번호",
        "사업명",
        "분야",
        "추진부서",
        "상태",
        "계획(%)",
        "실적(%)",
        "지연",
        "예산 계획(원)",
        "예산 확보(원)",
        "집행(원)",
        "집행률(%)",
        "기한 지난 금후계획",
        "다가오는 금후계획",
        "구민소통(회)",
        "구민소통 출처",
    ]
    ws.append(headers)
    fill = PatternFill("solid", fgColor="DDE7F0")
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r in rows:
        p = r.project
        ws.append(
            safe_row(
                [
                    p.management_no,
                    p.title,
                    p.field.name if p.field else "",
                    p.department_name,
                    p.get_status_display(),
                    r.planned,
                    r.actual,
                    "지연" if r.behind else "",
                    r.budget.planned,
                    r.budget.secured,
                    r.budget.spent,
                    r.budget.execution_rate,
                    "; ".join(f"{f.text} ({f.due})" for f in r.overdue),
                    "; ".join(f"{f.text} ({f.due})" for f in r.upcoming),
                    *_communication_cells(p, communication.get(p.pk)),
                ]
            )
        )
    widths = (9, 40, 12, 16, 14, 9, 9, 6, 16, 16, 16, 9, 40, 40, 10, 50)
    for col, width in zip("ABCDEFGHIJKLMNOP", widths, strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "C2"
    wb.save(target)


def _communication_cells(project, shown) -> tuple[int, str]:
    """The 구민소통 total and where it comes from, for the summary sheet."""
    if shown is None:
        return sum(int(n or 0) for n in project.communication.values()), "관리카드 기재값"
    return shown.total, shown.note


def write(card: dict, fmt: str, output: Path, *, public: bool = False, communication=None) -> None:
    from techvalley.projects.card import render_text

    if fmt == "text":
        output.write_text(render_text(card), encoding="utf-8")
    elif fmt == "html":
        output.write_text(render_html(card, public=public, communication=communication), encoding="utf-8")
    elif fmt == "pdf":
        output.write_bytes(render_pdf(card, public=public, communication=communication))
    elif fmt == "hwpx":
        output.write_bytes(render_hwpx(card, public=public, communication=communication))
    else:
        raise ValueError(f"unknown format {fmt}")
