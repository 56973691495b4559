"""Exports of the company list: CSV for other systems, Excel for officials. Personal data masked."""

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from techvalley.core.models import Complex
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


def rows(cx: Complex):
    qs = Company.objects.filter(complex=cx).order_by("name", "id").prefetch_related("contacts")
    for c in qs.iterator(chunk_size=2000):
        contacts = list(c.contacts.all())
        values = {f: getattr(c, f, "") for _, f in COLUMNS}
        values["estimated"] = ", ".join(c.estimated_fields)
        values["phone"] = mask_phone(contacts[0].phone) if contacts else ""
        yield [values[f] for _, f in COLUMNS]


def export_companies(cx: Complex, path: Path) -> int:
    path = Path(path)
    n = 0
    if path.suffix.lower() == ".xlsx":
        wb = Workbook(write_only=False)
        ws = wb.active
        ws.title = "입주기업"
        ws.append([h for h, _ in COLUMNS])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows(cx):
            ws.append(row)
            n += 1
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        wb.save(path)
        return n
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow([h for h, _ in COLUMNS])
        for row in rows(cx):
            w.writerow(row)
            n += 1
    return n
