"""Plain Excel workbooks (values only) for the energy exports, written with XlsxWriter.

openpyxl builds a cell object per value and took about 1.6 s for the complex's monthly sheet on
the demo (1,621 companies × 12 months). XlsxWriter in constant-memory mode streams the rows and
takes about 0.65 s for the same sheet. The complex's workbook is built when the lake changes
(after an ingest or a compaction, ``services.after_lake_change``) into a file under the lake
keyed by the lake's state, and a download serves that file (``services.energy_xlsx``). What it
writes:

* numbers as numbers (non-finite ones as empty cells), booleans as booleans, everything else as
  text: no string is ever turned into a formula, a URL or a number, and text a spreadsheet would
  read as a formula still gets the leading apostrophe of ``safe_cell`` (so a copy-paste into
  another sheet stays inert); characters XML cannot carry are dropped;
* a bold header row, frozen; column widths; one or more sheets.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Iterable, Sequence

import xlsxwriter

from techvalley.core.validation import safe_cell

#: Characters XML 1.0 cannot carry (control characters other than tab, newline, return).
_BAD_XML = {c: None for c in range(32) if c not in (9, 10, 13)}

_OPTIONS = {
    "in_memory": True,
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def _write_row(sheet, r: int, row: Sequence, style=None) -> None:
    for c, value in enumerate(row):
        kind = type(value)
        if kind is int or kind is float:
            if kind is int or math.isfinite(value):
                sheet.write_number(r, c, value, style)
        elif value is None or value == "":
            continue
        elif kind is bool:
            sheet.write_boolean(r, c, value, style)
        elif isinstance(value, int | float):  # numpy and Decimal-like numbers
            if math.isfinite(float(value)):
                sheet.write_number(r, c, float(value), style)
        else:
            sheet.write_string(r, c, str(safe_cell(str(value).translate(_BAD_XML))), style)


def workbook(sheets: Sequence[tuple[str, Iterable[Sequence], bool, Sequence[int] | None]]) -> bytes:
    """The .xlsx bytes of ``sheets``: (title, rows, first row is a bold frozen header, widths)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, _OPTIONS)
    bold = book.add_format({"bold": True})
    for title, rows, header, widths in sheets:
        sheet = book.add_worksheet(title[:31])
        for i, width in enumerate(widths or ()):
            sheet.set_column(i, i, width)
        rows = iter(rows)
        r = 0
        if header:
            sheet.freeze_panes(1, 0)
            first = next(rows, None)
            if first is not None:
                _write_row(sheet, 0, first, bold)
                r = 1
        for row in rows:  # constant-memory mode: rows strictly in order
            _write_row(sheet, r, row)
            r += 1
    book.close()
    return out.getvalue()


#: The factor sheet of the Excel export: Korean label, value, and the key of the report JSON.
FACTOR_LABELS = {
    "emission_set": "배출계수 버전",
    "electricity_t_per_mwh": "전력 배출계수 (tCO2eq/MWh)",
    "published": "공표",
    "basis_ko": "기준",
    "energy": "에너지 환산 버전",
    "energy_basis_ko": "에너지 환산 기준",
}
REPORT_HEADER = ["기업 ID", "기업명", "월", "kWh", "toe", "tCO2eq", "Scope 1", "Scope 2"]


def report_workbook(rep: dict) -> bytes:
    """The complex's annual report as an Excel workbook: a row per company and month, and the
    factors used. Values only (no formulas); text that looks like a formula is neutralised."""
    rows = (
        [c["company_id"], c["company"], m["month"], m["kwh"], m["toe"], m["tco2eq"], m["scope1"], m["scope2"]]
        for c in rep["companies"]
        for m in c["months"]
    )
    notes = [[label, str(rep["factors"].get(key, "")), key] for key, label in FACTOR_LABELS.items()]
    notes.append(["제외된 음수 검침 (건)", rep["excluded_negative_rows"], "excluded_negative_rows"])
    return workbook(
        [
            (f"{rep['year']}년 월별", itertools.chain([REPORT_HEADER], rows), True, [9, 30, 9, 14, 12, 12, 12, 12]),
            ("배출계수", notes, False, [28, 40, 24]),
        ]
    )
