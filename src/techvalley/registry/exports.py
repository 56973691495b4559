"""Exports of the company list: CSV for other systems, Excel for officials. Personal data masked."""

import csv
import io
from pathlib import Path

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font

from techvalley.registry.models import Company
from techvalley.registry.validators import mask_phone

COLUMNS = [
    ("회사명 / name", "name"),
    ("주소 / address", "address"),
    ("법정동 / dong", "legal_dong"),
    ("업종명 / industry", "industry_name"),
    ("KSIC", "ksic_code"),
    ("KSIC 차수 / revision", "ksic_revision"),
    ("분류 상태 / status", "ksic_status"),
    ("기술수준 / intensity", "tech_intensity"),
    ("종업원 / employees", "employees"),
    ("규모 / size", "size_class"),
    ("추정 항목 / estimated", "estimated"),
    ("등록 여부 / in registry", "in_registry"),
    ("대표 연락처 / contact phone", "phone"),
]


def rows(companies: QuerySet):
    """One list per company, in COLUMNS order; two queries whatever the number of companies."""
    qs = companies.order_by("name", "id").prefetch_related("contacts")
    for c in qs.iterator(chunk_size=2000):
        contacts = list(c.contacts.all())
        values = {f: getattr(c, f, "") for _, f in COLUMNS}
        values["estimated"] = ", ".join(c.estimated_fields)
        values["phone"] = mask_phone(contacts[0].phone) if contacts else ""
        yield [values[f] for _, f in COLUMNS]


def write_xlsx(companies: QuerySet, target) -> int:
    wb = Workbook()
    ws = wb.active
    ws.title = "입주기업"
    ws.append([h for h, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    n = 0
    for row in rows(companies):
        ws.append(row)
        n += 1
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for col, width in zip("ABCDEFGHIJKLM", (28, 48, 8, 36, 8, 8, 10, 14, 10, 10, 20, 10, 16), strict=True):
        ws.column_dimensions[col].width = width
    wb.save(target)
    return n


def write_csv(companies: QuerySet, target: io.TextIOBase) -> int:
    w = csv.writer(target)
    w.writerow([h for h, _ in COLUMNS])
    n = 0
    for row in rows(companies):
        w.writerow(row)
        n += 1
    return n


def export_companies(companies: QuerySet, path: Path) -> int:
    """Write .xlsx or .csv (UTF-8 with BOM, which Excel opens as Korean) by the file's suffix."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return write_xlsx(companies, path)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        return write_csv(companies, f)


def all_companies(cx) -> QuerySet:
    return Company.objects.filter(complex=cx)
