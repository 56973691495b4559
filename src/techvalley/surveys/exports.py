"""Responses to Excel and CSV, in the import layout (so an export can be imported again), and a
sheet of the questions with their Korean and English labels. Cells are formula-safe."""

from __future__ import annotations

import csv
import io

from django.utils import timezone

from techvalley.core.validation import safe_row
from techvalley.surveys import questions as q


def _columns(survey) -> list:
    return [x for x in survey.questions.all() if x.type != q.FILE]


def submitted(moment) -> str:
    """When a response came in, in the site's time zone (Asia/Seoul) with its offset stated, as pages
    show it: ``2026-11-26T06:22+09:00`` (not the stored UTC ``2026-11-25 21:22``)."""
    return timezone.localtime(moment).isoformat(timespec="minutes")


def rows(survey, *, identifying: bool = True) -> tuple[list[str], list[list]]:
    """Header (``ref``, ``company``, ``submitted``, question codes) and one row per response. A
    response without an external reference is named ``#id``; anonymous ones have no company (and
    their ``submitted`` is the day only, see ``services.store_anonymous``). ``submitted`` is site
    time with its offset (``2026-11-26T06:22+09:00``)."""
    questions = _columns(survey)
    specs = [x.spec() for x in questions]
    header = ["ref"] + (["company"] if identifying else []) + ["submitted"] + [s.code for s in specs]
    out = []
    for r in survey.responses.select_related("company").order_by("id"):
        company = ""
        if identifying and r.company is not None:
            company = r.company.brn or r.company.name
        row = [r.ref or f"#{r.pk}"] + ([company] if identifying else []) + [submitted(r.submitted_at)]
        row += [q.answer_cell(s, r.answers.get(s.code)) for s in specs]
        out.append(row)
    return header, out


def responses_csv(survey) -> str:
    header, body = rows(survey)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for row in body:
        w.writerow(safe_row(row))
    return buf.getvalue()


def responses_xlsx(survey) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, body = rows(survey)
    wb = Workbook()
    ws = wb.active
    ws.title = "응답"
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in body:
        ws.append(safe_row(row))
    ws.freeze_panes = "A2"
    qs = wb.create_sheet("문항")
    qs.append(["code", "type", "질문", "question", "선택지 / choices", "행 / rows", "조건 / condition"])
    for cell in qs[1]:
        cell.font = Font(bold=True)
    for x in survey.questions.all():
        qs.append(
            safe_row(
                [
                    x.code,
                    x.type,
                    x.label_ko,
                    x.label_en,
                    "; ".join(f"{c['value']}={c.get('ko', '')}" for c in x.choices),
                    "; ".join(f"{r['value']}={r.get('ko', '')}" for r in x.rows),
                    "" if not x.condition else _condition_text(x.condition),
                ]
            )
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _condition_text(cond: dict) -> str:
    return f"{cond.get('question')} {cond.get('op', 'equals')} {cond.get('value', '')}".strip()
