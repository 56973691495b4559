"""Reading the cooperation module's import files and keeping an upload between its preview and
its import: JSON lists, CSV in UTF-8 or CP949 (as Korean spreadsheets save it) and Excel
workbooks, each refused with a clear message (``BadInput``) when it is not what it claims to be.
Nothing here writes to the database; ``services`` validates the items and writes them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from techvalley.core.models import Complex
from techvalley.core.validation import BadInput, check_size, check_zip_container, has_control_chars

MAX_IMPORT_BYTES = 50_000_000
MAX_ITEMS = 200_000

# --- reading import files ----------------------------------------------------------------


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def read_json_items(data: bytes | str, what: str, keys: tuple[str, ...] = ()) -> list[dict]:
    """A JSON list of objects (or an object holding one such list under ``keys``/"items")."""
    if isinstance(data, bytes):
        check_size(len(data), MAX_IMPORT_BYTES, what)
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadInput(f"{what}: UTF-8 JSON이 아닙니다. / not UTF-8 JSON.") from None
    try:
        parsed = json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise BadInput(f"{what}: JSON을 읽을 수 없습니다 ({str(exc)[:120]}). / not valid JSON.") from None
    if isinstance(parsed, dict):
        for key in (*keys, "items"):
            if isinstance(parsed.get(key), list):
                parsed = parsed[key]
                break
    if not isinstance(parsed, list):
        raise BadInput(f"{what}: 항목의 목록(JSON 배열)이어야 합니다. / must be a JSON list of items.")
    if len(parsed) > MAX_ITEMS:
        raise BadInput(
            f"{what}: 항목이 너무 많습니다 (최대 {MAX_ITEMS:,}). / too many items.", code="too_large", status=413
        )
    for i, item in enumerate(parsed, 1):
        if not isinstance(item, dict):
            raise BadInput(f"{what}: {i}번째 항목이 객체가 아닙니다. / item {i} is not an object.")
    return parsed


def read_file(path: Path | str, what: str) -> bytes:
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{what}: 파일이 없습니다: {path} / no such file.")
    check_size(path.stat().st_size, MAX_IMPORT_BYTES, what)
    return path.read_bytes()


#: Column names of an expertise sheet (CSV or Excel), in English or Korean, → the import's keys.
EXPERT_HEADERS = {
    "ref": "ref",
    "식별자": "ref",
    "외부식별자": "ref",
    "org": "org",
    "기관": "org",
    "소속기관": "org",
    "unit": "unit",
    "소속": "unit",
    "학과": "unit",
    "연구실": "unit",
    "fields": "fields",
    "분야": "fields",
    "전문분야": "fields",
    "keywords": "keywords",
    "키워드": "keywords",
    "text": "text",
    "설명": "text",
    "소개": "text",
    "name": "name",
    "이름": "name",
    "성명": "name",
    "kind": "kind",
    "종류": "kind",
    "contact": "contact",
    "연락처": "contact",
    "public_consent": "public_consent",
    "공개동의": "public_consent",
    "공개 동의": "public_consent",
    "estimated": "estimated",
}
MAX_XLSX_INFLATED = 200_000_000


def read_expert_items(data: bytes | str, filename: str = "") -> list[dict]:
    """The items of an expertise file: JSON (the command line's format), CSV in UTF-8 or CP949
    (as Korean spreadsheets save it), or the first sheet of an Excel workbook; a header row of
    the import's keys (or their Korean names) for the last two."""
    name = (filename or "").lower()
    if isinstance(data, bytes) and (data[:4] == b"PK\x03\x04" or name.endswith(".xlsx")):
        return _expert_sheet_rows(_xlsx_rows(data, name or "experts.xlsx"), name or "experts.xlsx")
    if isinstance(data, bytes):
        check_size(len(data), MAX_IMPORT_BYTES, "experts")
        head = data.lstrip()[:1]
        if head in (b"[", b"{") or data.startswith(b"\xef\xbb\xbf[") or data.startswith(b"\xef\xbb\xbf{"):
            return read_json_items(data, "experts", ("experts",))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp949")
            except UnicodeDecodeError:
                raise BadInput(
                    f"{name or 'experts'}: UTF-8도 CP949도 아닌 파일입니다. / neither UTF-8 nor CP949 text."
                ) from None
    else:
        text = data
        if text.lstrip()[:1] in ("[", "{"):
            return read_json_items(text, "experts", ("experts",))
    if has_control_chars(text.replace("\r", "").replace("\t", "")):
        raise BadInput(f"{name or 'experts.csv'}: 제어 문자가 있습니다. / contains control characters.")
    return _expert_sheet_rows(list(csv.reader(io.StringIO(text))), name or "experts.csv")


def _xlsx_rows(data: bytes, name: str) -> list[list]:
    from openpyxl import load_workbook

    check_size(len(data), MAX_IMPORT_BYTES, name)
    check_zip_container(io.BytesIO(data), name, MAX_XLSX_INFLATED)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a broken workbook
        raise BadInput(f"{name}: 엑셀 파일을 열 수 없습니다. / cannot open the Excel file.") from None
    try:
        rows = []
        for values in wb.worksheets[0].iter_rows(values_only=True):
            rows.append(["" if v is None else v for v in values])
            if len(rows) > MAX_ITEMS + 1:
                raise BadInput(f"{name}: 행이 너무 많습니다. / too many rows.", code="too_large", status=413)
        return rows
    finally:
        wb.close()


def _expert_sheet_rows(rows: list[list], name: str) -> list[dict]:
    rows = [r for r in rows if any(str(c).strip() for c in r)]
    if not rows:
        raise BadInput(f"{name}: 비어 있습니다. / the file is empty.")
    header = [
        EXPERT_HEADERS.get(str(c).strip().lstrip("\ufeff").lower(), EXPERT_HEADERS.get(str(c).strip(), ""))
        for c in rows[0]
    ]
    if "ref" not in header:
        raise BadInput(f"{name}: 첫 줄에 ref(식별자) 열이 필요합니다. / the first row needs a ref column.", field="ref")
    if len(rows) - 1 > MAX_ITEMS:
        raise BadInput(f"{name}: 행이 너무 많습니다. / too many rows.", code="too_large", status=413)
    items = []
    for values in rows[1:]:
        item = {}
        for key, value in zip(header, values, strict=False):
            if not key:
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            item[key] = value.lstrip("'") if isinstance(value, str) and value.startswith("'=") else value
        items.append(item)
    return items


# --- staged uploads: the file between its preview and its import ---------------------------


def _staging_dir() -> Path:
    from django.conf import settings

    path = Path(settings.DATA_DIR) / "collaboration-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


STAGED_MAX_AGE_S = 24 * 3600


def stage_upload(cx: Complex, data: bytes, filename: str) -> str:
    """Keep an uploaded file until it is confirmed; the token is its SHA-256 (so the same file
    staged twice is one), the complex is part of its name. Files older than a day are removed."""
    import hashlib
    import time

    folder = _staging_dir()
    cutoff = time.time() - STAGED_MAX_AGE_S
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = hashlib.sha256(data).hexdigest()
    suffix = Path(filename).suffix.lower() if Path(filename).suffix.lower() in (".json", ".csv", ".xlsx") else ".bin"
    (folder / f"{cx.pk}-{token}{suffix}").write_bytes(data)
    return token


def staged_upload(cx: Complex, token: str) -> tuple[bytes, str]:
    """The staged file of this complex with that token (and its name for the format), or BadInput."""
    import re

    if not isinstance(token, str) or not re.fullmatch(r"[0-9a-f]{64}", token):
        raise BadInput("올리신 파일을 다시 골라 주세요. / choose the file again.", field="token")
    for found in _staging_dir().glob(f"{cx.pk}-{token}.*"):
        return found.read_bytes(), f"upload{found.suffix}"
    raise BadInput(
        "미리보기한 파일이 없습니다 (하루가 지났거나 이미 가져왔습니다). 다시 올려 주세요. "
        "/ the previewed file is gone (older than a day or already imported): upload it again.",
        field="token",
        code="gone",
        status=410,
    )


def discard_upload(cx: Complex, token: str) -> None:
    for found in _staging_dir().glob(f"{cx.pk}-{token}.*"):
        found.unlink(missing_ok=True)
