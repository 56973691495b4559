"""Reading factory-registry files into plain rows (no database here).

Layouts understood, detected from the headers:

* the Busan city factory-registration file (부산광역시 제조업 공장등록현황): 순번, 회사명,
  공장대표주소, 업종명, 전화번호 — CSV as published (CP949) or UTF-8, or .xlsx;
* KICOX factory-registry exports (한국산업단지공단 공장등록 Open API): irsttNm, cmpnyNm,
  indutyNm, indutyCode … as JSON (the API's envelope or a bare list) or CSV, or .xlsx.

Every row keeps its line number (the line in the file; the sheet row for Excel) so that a
bad row can be reported where the user will find it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from techvalley.registry.ksic import normalize
from techvalley.registry.validators import brn_is_valid, digits_only

# Column names seen in real files → our field names.
HEADER_ALIASES = {
    "순번": "seq",
    "번호": "seq",
    "회사명": "name",
    "업체명": "name",
    "회사이름": "name",
    "cmpnyNm": "name",
    "공장대표주소": "address",
    "공장주소": "address",
    "주소": "address",
    "소재지": "address",
    "도로명주소": "address",
    "rnAdres": "address",
    "rdnmadr": "address",
    "adres": "address",
    "fctryAdres": "address",
    "업종명": "industry_name",
    "업종": "industry_name",
    "indutyNm": "industry_name",
    "업종코드": "industry_code",
    "indutyCode": "industry_code",
    "전화번호": "phone",
    "telno": "phone",
    "irsttNm": "complex_name",
    "산업단지명": "complex_name",
    "단지명": "complex_name",
    "사업자등록번호": "brn",
    "bizrno": "brn",
    "대표자": "representative",
    "대표자명": "representative",
    "rprsntvNm": "representative",
    "종업원수": "employees",
    "empCo": "employees",
    "생산품": "main_products",
    "mainPrdctNm": "main_products",
}
KICOX_MARKERS = {"cmpnyNm", "irsttNm", "indutyNm", "indutyCode"}
#: Fields a JSON record may give as a number; every other field must be text.
NUMERIC_FIELDS = {"seq", "employees", "industry_code", "brn", "phone"}
#: The most rows a registry file may have (Busan's whole registry has about 20,000).
MAX_ROWS = 300_000
MAX_JSON_DEPTH = 12
MAX_EMPLOYEES = 10_000_000
# The characters core.validation.clean_text refuses (NUL and other controls; tab and newlines pass).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RegistryFileError(ValueError):
    """The file as a whole cannot be read as a registry (wrong format, encoding, headers)."""


@dataclass(slots=True)
class RegistryRow:
    line: int
    name: str
    address: str = ""
    industry_name: str = ""
    industry_code: str = ""
    phone: str = ""
    complex_name: str = ""
    brn: str = ""
    representative: str = ""
    employees: int | None = None
    main_products: str = ""


@dataclass(slots=True)
class RowError:
    line: int
    reason: str
    #: What the row said it was about, so that a skipped row never makes its company look gone.
    name: str = ""
    address: str = ""
    field: str = ""

    def as_dict(self) -> dict:
        out = {"line": self.line, "reason": self.reason}
        if self.field:
            out["field"] = self.field
        return out


@dataclass
class ParsedFile:
    fmt: str
    encoding: str
    rows: list[RegistryRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding of a file that is UTF-8 (with or without BOM) or CP949 (EUC-KR)."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise RegistryFileError(
        "파일 인코딩을 알 수 없습니다 (UTF-8 또는 CP949만 지원). / "
        "Unknown text encoding: only UTF-8 and CP949 (EUC-KR) are supported."
    )


def read_registry(path: str | Path, max_rows: int = MAX_ROWS) -> ParsedFile:
    """Read any supported registry file; rows that cannot be used are in ``errors``.

    A file without a single data row is refused: imported as a full registry, it would mark
    every company as gone.
    """
    path = Path(path)
    if not path.is_file():
        raise RegistryFileError(f"파일이 없습니다. / No such file: {path}")
    data = path.read_bytes()
    if not data.strip():
        raise RegistryFileError(f"빈 파일입니다. / The file is empty: {path.name}")
    if data[:4] == b"PK\x03\x04":
        parsed = _read_xlsx(data, max_rows)
    else:
        text, encoding = decode(data)
        stripped = text.lstrip()
        parsed = _read_json(text, encoding, max_rows) if stripped[:1] in "[{" else _read_csv(text, encoding, max_rows)
    if not parsed.rows and not parsed.errors:
        raise RegistryFileError(
            f"데이터 행이 없습니다(머리글만 있음): {path.name} / The file has no data rows, only a header."
        )
    return parsed


def _too_many_rows(max_rows: int) -> RegistryFileError:
    return RegistryFileError(
        f"행이 너무 많습니다(최대 {max_rows:,}행). 파일을 나누어 가져오세요. / Too many rows (at most {max_rows:,})."
    )


def _map_headers(headers: list[str]) -> tuple[list[str | None], str]:
    mapped = [HEADER_ALIASES.get((h or "").strip().lstrip("\ufeff")) for h in headers]
    if "name" not in mapped:
        raise RegistryFileError(
            "회사명 열(회사명 또는 cmpnyNm)을 찾을 수 없습니다. 공장등록현황 파일이 맞는지 확인하세요. / "
            f"No company-name column (회사명 or cmpnyNm) among the headers: {', '.join(h for h in headers if h)}"
        )
    fmt = "kicox" if KICOX_MARKERS & {(h or "").strip() for h in headers} else "busan"
    return mapped, fmt


def _row_error(errors, line, values, reason, field) -> None:
    name = " ".join((values.get("name") or "").split())
    address = " ".join((values.get("address") or "").split())
    errors.append(RowError(line, reason, name, address, field))


def _row_from(values: dict[str, str], line: int, errors: list[RowError], controls: bool = True) -> RegistryRow | None:
    """One row from its values by field; ``controls=False`` when the caller already knows the
    text has no control characters (a CSV is searched once, not row by row)."""
    get = values.get
    if controls and CONTROL_CHARS.search("".join(values.values())):
        key = next(k for k, v in values.items() if CONTROL_CHARS.search(v))
        msg = f"{key}: 허용되지 않는 제어 문자(NUL 등)가 있습니다. / {key} contains control characters."
        _row_error(errors, line, values, msg, key)
        return None
    name = " ".join((get("name") or "").split())
    if not name:
        _row_error(errors, line, values, "회사명이 비어 있습니다. / Company name is empty.", "name")
        return None
    address = " ".join((get("address") or "").split())
    complex_name = (get("complex_name") or "").strip()
    if not address and not complex_name:
        _row_error(errors, line, values, "공장 주소가 비어 있습니다. / Factory address is empty.", "address")
        return None
    raw_brn = get("brn")
    brn = digits_only(raw_brn) if raw_brn else ""
    if brn and not brn_is_valid(brn):
        msg = f"사업자등록번호 검증번호가 맞지 않습니다: {raw_brn} / Invalid business number."
        _row_error(errors, line, values, msg, "brn")
        return None
    employees = None
    raw_emp = get("employees")
    if raw_emp:
        raw_emp = raw_emp.strip().replace(",", "")
    if raw_emp:
        # str.isdigit() accepts superscripts ("²") that int() refuses: ASCII digits only.
        if not (raw_emp.isascii() and raw_emp.isdigit()) or int(raw_emp) > MAX_EMPLOYEES:
            msg = f"종업원수가 올바른 숫자가 아닙니다: {raw_emp[:20]} / Employees is not a valid number."
            _row_error(errors, line, values, msg, "employees")
            return None
        employees = int(raw_emp)
    industry_name = get("industry_name")
    return RegistryRow(
        line,
        name,
        address,
        " ".join(industry_name.split()) if industry_name else "",
        (get("industry_code") or "").strip(),
        (get("phone") or "").strip(),
        complex_name,
        brn,
        (get("representative") or "").strip(),
        employees,
        (get("main_products") or "").strip(),
    )


def _read_csv(text: str, encoding: str, max_rows: int = MAX_ROWS) -> ParsedFile:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise RegistryFileError(f"CSV 머리글을 읽을 수 없습니다. / Cannot read the CSV header: {exc}") from exc
    mapped, fmt = _map_headers(headers)
    parsed = ParsedFile(fmt=f"{fmt}-csv", encoding=encoding)
    width = len(headers)
    controls = CONTROL_CHARS.search(text) is not None  # rows are checked one by one only if needed
    used = [(i, k) for i, k in enumerate(mapped) if k]
    keys = [k for _i, k in used]
    pick = itemgetter(*[i for i, _k in used]) if len(used) > 1 else (lambda values: (values[used[0][0]],))
    count = 0
    try:
        for values in reader:
            line = reader.line_num
            if not "".join(values).strip():
                continue
            count += 1
            if count > max_rows:
                raise _too_many_rows(max_rows)
            if len(values) != width:
                known = {k: v for k, v in zip(mapped, values, strict=False) if k}
                parsed.errors.append(
                    RowError(
                        line,
                        f"열 개수가 {len(values)}개입니다 ({width}개여야 함). / "
                        f"{len(values)} columns instead of {width}.",
                        " ".join((known.get("name") or "").split()),
                        " ".join((known.get("address") or "").split()),
                    )
                )
                continue
            row = _row_from(dict(zip(keys, pick(values), strict=True)), line, parsed.errors, controls)
            if row:
                parsed.rows.append(row)
    except csv.Error as exc:
        raise RegistryFileError(
            f"CSV 형식 오류 {reader.line_num}행: {exc} / Malformed CSV at line {reader.line_num}: {exc}"
        ) from exc
    return parsed


def _find_records(doc, depth: int = 0) -> list | None:
    """The first list of objects in an API response (response.body.items.item, data, …)."""
    if depth > MAX_JSON_DEPTH:
        return None
    if isinstance(doc, list):
        return doc if doc and all(isinstance(x, dict) for x in doc) else None
    if isinstance(doc, dict):
        for key in ("item", "items", "data", "body", "response", "records", "rows"):
            if key in doc:
                found = _find_records(doc[key], depth + 1)
                if found is not None:
                    return found
        for value in doc.values():
            found = _find_records(value, depth + 1)
            if found is not None:
                return found
    return None


def _json_value(value, field: str, key: str) -> str:
    """A JSON value as text: strings as they are; numbers only for numeric fields; never
    true/false, lists or objects (``cmpnyNm: true`` is not a company called "True")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and field in NUMERIC_FIELDS:
        return str(value)
    ko, en = {bool: ("참/거짓", "true/false"), list: ("목록", "a list"), dict: ("객체", "an object")}.get(
        type(value), ("숫자", "a number")
    )
    raise ValueError(f"{key}: 문자열이어야 합니다({ko} 값은 안 됨). / {key} must be text, not {en}.")


def _read_json(text: str, encoding: str, max_rows: int = MAX_ROWS) -> ParsedFile:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegistryFileError(
            f"JSON 형식 오류 {exc.lineno}행: {exc.msg} / Malformed JSON at line {exc.lineno}."
        ) from exc
    except RecursionError as exc:
        raise RegistryFileError("JSON이 너무 깊게 중첩되어 있습니다. / The JSON is nested too deeply.") from exc
    records = _find_records(doc)
    if records is None:
        raise RegistryFileError("JSON에서 공장 목록을 찾을 수 없습니다. / No list of factory records in the JSON.")
    if len(records) > max_rows:
        raise _too_many_rows(max_rows)
    headers = sorted({k for r in records for k in r})
    mapped, fmt = _map_headers(headers)
    lookup = dict(zip(headers, mapped, strict=True))
    parsed = ParsedFile(fmt=f"{fmt}-json", encoding=encoding)
    for index, record in enumerate(records, start=1):  # "line" is the record's position
        values: dict[str, str] = {}
        try:
            for k, v in record.items():
                if lookup.get(k):
                    values[lookup[k]] = _json_value(v, lookup[k], k)
        except ValueError as exc:
            raw_name = record.get(next((k for k in record if lookup.get(k) == "name"), ""), "")
            raw_addr = record.get(next((k for k in record if lookup.get(k) == "address"), ""), "")
            parsed.errors.append(
                RowError(
                    index,
                    str(exc),
                    raw_name if isinstance(raw_name, str) else "",
                    raw_addr if isinstance(raw_addr, str) else "",
                    str(exc).split(":")[0],
                )
            )
            continue
        row = _row_from(values, index, parsed.errors)
        if row:
            parsed.rows.append(row)
    return parsed


def _read_xlsx(data: bytes, max_rows: int = MAX_ROWS) -> ParsedFile:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken archive
        raise RegistryFileError(f"엑셀 파일을 열 수 없습니다. / Cannot open the Excel file: {exc}") from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header_line, mapped, fmt = 0, None, "busan"
    for header_line, values in enumerate(rows, start=1):  # the header may follow a title block
        cells = ["" if v is None else str(v).strip() for v in values]
        if any(HEADER_ALIASES.get(c) == "name" for c in cells):
            mapped, fmt = _map_headers(cells)
            break
        if header_line > 20:
            break
    if mapped is None:
        raise RegistryFileError(
            "엑셀 첫 시트에서 회사명 열을 찾을 수 없습니다. / No company-name column in the first sheet."
        )
    parsed = ParsedFile(fmt=f"{fmt}-xlsx", encoding="xlsx")
    for line, values in enumerate(rows, start=header_line + 1):
        cells = ["" if v is None else str(v) for v in values]
        if not any(c.strip() for c in cells):
            continue
        if len(parsed.rows) + len(parsed.errors) >= max_rows:
            wb.close()
            raise _too_many_rows(max_rows)
        row = _row_from({k: v for k, v in zip(mapped, cells, strict=False) if k}, line, parsed.errors)
        if row:
            parsed.rows.append(row)
    wb.close()
    return parsed


# --- addresses and business keys -----------------------------------------------------------

SIGUNGU_ENDINGS = ("구", "군", "시")
PARENTHESES = re.compile(r"\(([^()]*)\)?")
DONG_TOKEN = re.compile(r"^[가-힣0-9]+(동|가|리)$")
ADMIN_DONG = re.compile(r"제?\d+동$")
LEGAL_FORMS = re.compile(r"\(주\)|㈜|주식회사|\(유\)|유한회사|\(합\)|합자회사|\(사\)|사단법인|\(재\)|재단법인")


def split_address(address: str) -> tuple[str, str]:
    """(시군구, 법정동) of a Korean address, road-name or lot-number; empty strings if unknown.

    Road-name addresses carry the 법정동 in the first parentheses: "다산로 203 (다대동)";
    lot-number addresses name it as a word: "사하구 장림동 123-4".
    """
    tokens = address.split()
    sigungu = ""
    for t in tokens[1:3]:
        if t.endswith(SIGUNGU_ENDINGS) and t != tokens[0]:
            sigungu = t
            break
    for group in PARENTHESES.findall(address):
        first = group.split(",")[0].strip()
        if DONG_TOKEN.match(first):
            return sigungu, legal_dong_of(first)
    for token in tokens[1:]:
        if DONG_TOKEN.match(token) and token != sigungu:
            return sigungu, legal_dong_of(token)
    return sigungu, ""


def legal_dong_of(dong: str) -> str:
    """Administrative dong → legal dong: 장림제1동, 장림1동 → 장림동."""
    found = _LEGAL_DONGS.get(dong)
    if found is None:
        found = _LEGAL_DONGS[dong] = ADMIN_DONG.sub("동", dong)
    return found


_LEGAL_DONGS: dict[str, str] = {}  # a country has a few thousand dongs: remembered once each


def company_key(name: str) -> str:
    """A company name without legal form, spacing or punctuation: (주)대호 = 주식회사 대호."""
    return normalize(LEGAL_FORMS.sub("", name)) or normalize(name)


def address_key(address: str) -> str:
    """The address up to its parentheses: "다산로 203 (다대동, 공장)" = "다산로 203(다대동)"."""
    return normalize(address.split("(")[0])


def business_key(row: RegistryRow, name_key: str | None = None) -> str:
    """Who a row is about, stable across registry releases (row numbers are not).
    ``name_key``: the row's ``company_key(name)`` if already computed."""
    if row.brn:
        return f"brn:{row.brn}|{address_key(row.address)}"
    name_key = company_key(row.name) if name_key is None else name_key
    return f"{name_key}|{address_key(row.address) or normalize(row.complex_name)}"
