"""Exports of the company list: CSV for other systems, Excel for officials.

Personal data is masked (exports travel), values are words in Korean rather than stored keys,
and every text cell that a spreadsheet would run as a formula (``=HYPERLINK(…)``) is neutralised.
"""

import csv
import io
import json
from pathlib import Path

from django.db.models import QuerySet
from django.utils import translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from techvalley.core.privacy import mask_phone
from techvalley.core.validation import BadInput, safe_row
from techvalley.registry import labels
from techvalley.registry.models import Company, SizeClass

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


#: The columns read from the database, in this order (plain tuples: no model instances).
_FIELDS = (
    "id",
    "name",
    "address",
    "legal_dong",
    "industry_name",
    "ksic_code",
    "ksic_revision",
    "ksic_status",
    "tech_intensity",
    "employees",
    "size_class",
    "estimated_fields",
    "in_registry",
)
#: Rows read at a time (a complex may have 100,000 companies).
CHUNK = 2000


def rows(companies: QuerySet):
    """One list per company, in COLUMNS order, in Korean words; two queries a chunk of companies
    (theirs and their first contacts), whatever their number."""
    from techvalley.registry.models import Contact

    with translation.override("ko"):
        estimated_names = {f.name: str(f.verbose_name) for f in Company._meta.concrete_fields}
        statuses = {k: str(v) for k, v in labels.KSIC_STATUSES.items()}
        intensities = {k: str(v) for k, v in labels.INTENSITIES.items()}
        sizes = {k: str(v) for k, v in SizeClass.choices}
    revisions = {}
    qs = companies.order_by("name", "id").values_list(*_FIELDS)
    for chunk in _chunks(qs.iterator(chunk_size=CHUNK), CHUNK):
        phones: dict[int, str] = {}
        contacts = (
            Contact.objects.filter(company_id__in=[r[0] for r in chunk])
            .order_by("company_id", "id")
            .values_list("company_id", "phone")
        )
        for company_id, phone in contacts:
            phones.setdefault(company_id, phone)
        for cid, name, address, dong, industry, code, rev, status, level, emp, size, estimated, listed in chunk:
            if rev not in revisions:
                revisions[rev] = f"제{rev}차" if rev else ""
            if isinstance(estimated, str):  # JSON text on some database drivers
                estimated = json.loads(estimated)
            yield safe_row(
                (
                    name,
                    address,
                    dong,
                    industry,
                    code,
                    revisions[rev],
                    statuses.get(status, status),
                    intensities.get(level, level),
                    emp,
                    sizes.get(size, size),
                    ", ".join(estimated_names.get(f, f) for f in estimated or ()),
                    "예" if listed else "아니오",
                    mask_phone(phones[cid]) if cid in phones else "",
                )
            )


def _chunks(iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


WIDTHS = (28, 48, 8, 36, 8, 8, 10, 14, 10, 10, 20, 10, 16)


def write_xlsx(companies: QuerySet, target) -> int:
    """The companies as an Excel sheet, streamed (openpyxl's write-only mode: each row is
    written as it comes, in constant memory), header bold and frozen, with a filter."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("입주기업")
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title, _f in COLUMNS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    n = 0
    for row in rows(companies):
        ws.append(row)
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{n + 1}"
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
