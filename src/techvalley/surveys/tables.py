"""Reading response files (CSV in UTF-8 or CP949, Excel) into a header and rows — no database.

The first non-empty row is the header; every later row keeps its line number in the file
(Excel: its row number) so that errors can say where they are. Files that cannot be read
are refused with a message; nothing here knows about surveys.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from techvalley.core.validation import BadInput, check_size, check_zip_container

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000


def decode(data: bytes, what: str) -> str:
    """UTF-8 (with or without a BOM), else CP949 (what Korean Excel saves as CSV)."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadInput(
        f"{what}: 문자 인코딩을 알 수 없습니다 (UTF-8 또는 CP949로 저장하세요). "
        f"/ unknown text encoding: save as UTF-8 or CP949."
    )


def read(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """``(header, [(line, cells)])`` of a CSV (comma, semicolon or tab separated) or an .xlsx file."""
    what = Path(filename).name or "file"
    check_size(len(data), MAX_BYTES, what)
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        rows = _xlsx_rows(data, what)
    elif filename.lower().endswith(".xls"):
        raise BadInput(
            f"{what}: 예전 Excel(.xls)은 읽지 않습니다. .xlsx 또는 CSV로 저장하세요. / save as .xlsx or CSV."
        )
    else:
        rows = _csv_rows(decode(data, what), what)
    rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        raise BadInput(f"{what}: 빈 파일입니다. / the file is empty.")
    (_, header), body = rows[0], rows[1:]
    header = [h.strip() for h in header]
    if len(header) > MAX_COLUMNS:
        raise BadInput(f"{what}: 열이 너무 많습니다 ({len(header)}). / too many columns.")
    if len(body) > MAX_ROWS:
        raise BadInput(
            f"{what}: 행이 너무 많습니다 ({len(body):,}행, 최대 {MAX_ROWS:,}). / too many rows (at most {MAX_ROWS:,}).",
            code="too_large",
            status=413,
        )
    return header, body


def _csv_rows(text: str, what: str) -> list[tuple[int, list[str]]]:
    if "\x00" in text:
        raise BadInput(f"{what}: NUL 문자가 있어 CSV로 읽을 수 없습니다. / contains NUL bytes.")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    try:
        for cells in reader:
            out.append((reader.line_num, cells))
    except csv.Error as exc:
        raise BadInput(
            f"{what}: {reader.line_num}행을 CSV로 읽을 수 없습니다 ({exc}). / line {reader.line_num}: {exc}"
        ) from None
    return out


def _xlsx_rows(data: bytes, what: str) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    buf = io.BytesIO(data)
    check_zip_container(buf, what, max_uncompressed=300 * 1024 * 1024)
    try:
        wb = load_workbook(buf, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise BadInput(
            f"{what}: Excel 파일을 열 수 없습니다 ({type(exc).__name__}). / cannot open the workbook."
        ) from None
    ws = wb.worksheets[0]
    out = []
    for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if n > MAX_ROWS + 10:
            break
        out.append((n, [_cell(v) for v in row]))
    wb.close()
    return out


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
