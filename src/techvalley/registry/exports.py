"""Exports of the company list: CSV for other systems, Excel for officials.

Personal data is masked (exports travel), values are words in Korean rather than stored keys,
and every text cell that a spreadsheet would run as a formula (``=HYPERLINK(…)``) is neutralised.
"""

import csv
import io
from pathlib import Path

from django.db.models import QuerySet
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font

from techvalley.core.validation import BadInput, safe_row
from techvalley.registry import labels
from techvalley.registry.models import Company, SizeClass
from techvalley.registry.validators import mask_phone

COLUMNS = [
    ("회사명 / name", "name"),
    ("주소 / address", "address"),
    ("법정동 / dong", "legal_dong"),
    ("업종명 / industry", "industry_name"),
    ("KSIC", "ksic_code"),
    ("KSIC 차수 / revision", "ksic_revision"),
    ("분류 상태 / status", "ksic_status"),
    ("기술수준 / technology level", "tech_intensity"),
    ("종업원 / employees", "employees"),
    ("규모 / size", "size_class"),
    ("추정 항목 / estimated", "estimated"),
    ("등록 여부 / in registry", "in_registry"),
    ("대표 연락처 / contact phone", "phone"),
]
FORMATS = (".xlsx", ".csv")


def _words(c: Company, estimated_names: dict[str, str]) -> dict:
    """The row's values as an official reads them (Korean)."""
    sizes = dict(SizeClass.choices)
    return {
        "ksic_status": str(labels.KSIC_STATUSES.get(c.ksic_status, c.ksic_status)),
        "tech_intensity": str(labels.INTENSITIES.get(c.tech_intensity, c.tech_intensity)),
        "size_class": str(sizes.get(c.size_class, c.size_class)),
        "in_registry": "예" if c.in_registry else "아니오",
        "ksic_revision": f"제{c.ksic_revision}차" if c.ksic_revision else "",
        "estimated": ", ".join(estimated_names.get(f, f) for f in c.estimated_fields),
    }


def rows(companies: QuerySet):
    """One list per company, in COLUMNS order; two queries whatever the number of companies."""
    qs = companies.order_by("name", "id").prefetch_related("contacts")
    with translation.override("ko"):
        estimated_names = {f.name: str(f.verbose_name) for f in Company._meta.concrete_fields}
        for c in qs.iterator(chunk_size=2000):
            contacts = list(c.contacts.all())
            values = {f: getattr(c, f, "") for _, f in COLUMNS}
            values.update(_words(c, estimated_names))
            values["phone"] = mask_phone(contacts[0].phone) if contacts else ""
            yield safe_row(values[f] for _, f in COLUMNS)


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


def check_format(path: Path) -> str:
    """The export format a file name asks for; anything but .xlsx or .csv is refused."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise BadInput(
            f"{Path(path).name}: 내보내기 형식은 .xlsx 또는 .csv만 됩니다. / Export to .xlsx or .csv only.",
            field="output",
        )
    return suffix


def export_companies(companies: QuerySet, path: Path) -> int:
    """Write .xlsx or .csv (UTF-8 with BOM, which Excel opens as Korean) by the file's suffix."""
    path = Path(path)
    if check_format(path) == ".xlsx":
        return write_xlsx(companies, path)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        return write_csv(companies, f)


def all_companies(cx) -> QuerySet:
    return Company.objects.filter(complex=cx)
