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

    def as_dict(self) -> dict:
        return {"line": self.line, "reason": self.reason}


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


def read_registry(path: str | Path) -> ParsedFile:
    """Read any supported registry file; rows that cannot be used are in ``errors``."""
    path = Path(path)
    if not path.is_file():
        raise RegistryFileError(f"파일이 없습니다. / No such file: {path}")
    data = path.read_bytes()
    if not data.strip():
        raise RegistryFileError(f"빈 파일입니다. / The file is empty: {path.name}")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    text, encoding = decode(data)
    stripped = text.lstrip()
    if stripped[:1] in "[{":
        return _read_json(text, encoding)
    return _read_csv(text, encoding)


def _map_headers(headers: list[str]) -> tuple[list[str | None], str]:
    mapped = [HEADER_ALIASES.get((h or "").strip().lstrip("\ufeff")) for h in headers]
    if "name" not in mapped:
        raise RegistryFileError(
            "회사명 열(회사명 또는 cmpnyNm)을 찾을 수 없습니다. 공장등록현황 파일이 맞는지 확인하세요. / "
            f"No company-name column (회사명 or cmpnyNm) among the headers: {', '.join(h for h in headers if h)}"
        )
    fmt = "kicox" if KICOX_MARKERS & {(h or "").strip() for h in headers} else "busan"
    return mapped, fmt


def _row_from(values: dict[str, str], line: int, errors: list[RowError]) -> RegistryRow | None:
    name = (values.get("name") or "").strip()
    if not name:
        errors.append(RowError(line, "회사명이 비어 있습니다. / Company name is empty."))
        return None
    address = " ".join((values.get("address") or "").split())
    complex_name = (values.get("complex_name") or "").strip()
    if not address and not complex_name:
        errors.append(RowError(line, "공장 주소가 비어 있습니다. / Factory address is empty."))
        return None
    brn = digits_only(values.get("brn") or "")
    if brn and not brn_is_valid(brn):
        errors.append(
            RowError(line, f"사업자등록번호 검증번호가 맞지 않습니다: {values.get('brn')} / Invalid business number.")
        )
        return None
    employees = None
    raw_emp = (values.get("employees") or "").strip().replace(",", "")
    if raw_emp:
        if not raw_emp.isdigit():
            errors.append(RowError(line, f"종업원수가 숫자가 아닙니다: {raw_emp} / Employees is not a number."))
            return None
        employees = int(raw_emp)
    return RegistryRow(
        line=line,
        name=" ".join(name.split()),
        address=address,
        industry_name=" ".join((values.get("industry_name") or "").split()),
        industry_code=(values.get("industry_code") or "").strip(),
        phone=(values.get("phone") or "").strip(),
        complex_name=complex_name,
        brn=brn,
        representative=(values.get("representative") or "").strip(),
        employees=employees,
        main_products=(values.get("main_products") or "").strip(),
    )


def _read_csv(text: str, encoding: str) -> ParsedFile:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise RegistryFileError(f"CSV 머리글을 읽을 수 없습니다. / Cannot read the CSV header: {exc}") from exc
    mapped, fmt = _map_headers(headers)
    parsed = ParsedFile(fmt=f"{fmt}-csv", encoding=encoding)
    width = len(headers)
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != width:
                parsed.errors.append(
                    RowError(
                        line,
                        f"열 개수가 {len(values)}개입니다 ({width}개여야 함). / "
                        f"{len(values)} columns instead of {width}.",
                    )
                )
                continue
            row = _row_from({k: v for k, v in zip(mapped, values, strict=True) if k}, line, parsed.errors)
            if row:
                parsed.rows.append(row)
    except csv.Error as exc:
        raise RegistryFileError(
            f"CSV 형식 오류 {reader.line_num}행: {exc} / Malformed CSV at line {reader.line_num}: {exc}"
        ) from exc
    return parsed


def _find_records(doc) -> list | None:
    """The first list of objects in an API response (response.body.items.item, data, …)."""
    if isinstance(doc, list):
        return doc if all(isinstance(x, dict) for x in doc) else None
    if isinstance(doc, dict):
        for key in ("item", "items", "data", "body", "response", "records", "rows"):
            if key in doc:
                found = _find_records(doc[key])
                if found is not None:
                    return found
        for value in doc.values():
            found = _find_records(value)
            if found is not None:
                return found
    return None


def _read_json(text: str, encoding: str) -> ParsedFile:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegistryFileError(
            f"JSON 형식 오류 {exc.lineno}행: {exc.msg} / Malformed JSON at line {exc.lineno}."
        ) from exc
    records = _find_records(doc)
    if records is None:
        raise RegistryFileError("JSON에서 공장 목록을 찾을 수 없습니다. / No list of factory records in the JSON.")
    headers = sorted({k for r in records for k in r})
    mapped, fmt = _map_headers(headers)
    lookup = dict(zip(headers, mapped, strict=True))
    parsed = ParsedFile(fmt=f"{fmt}-json", encoding=encoding)
    for index, record in enumerate(records, start=1):
        values = {lookup[k]: "" if v is None else str(v) for k, v in record.items() if lookup.get(k)}
        row = _row_from(values, index, parsed.errors)  # "line" is the record's position
        if row:
            parsed.rows.append(row)
    return parsed


def _read_xlsx(data: bytes) -> ParsedFile:
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
        row = _row_from({k: v for k, v in zip(mapped, cells, strict=False) if k}, line, parsed.errors)
        if row:
            parsed.rows.append(row)
    wb.close()
    return parsed


# --- addresses and business keys -----------------------------------------------------------

DONG_TOKEN = re.compile(r"^[가-힣0-9]+(동|가|리)$")
ADMIN_DONG = re.compile(r"제?\d+동$")
LEGAL_FORMS = re.compile(r"\(주\)|㈜|주식회사|\(유\)|유한회사|\(합\)|합자회사|\(사\)|사단법인|\(재\)|재단법인")


def split_address(address: str) -> tuple[str, str]:
    """(시군구, 법정동) of a Korean address, road-name or lot-number; empty strings if unknown.

    Road-name addresses carry the 법정동 in the first parentheses: "다산로 203 (다대동)";
    lot-number addresses name it as a word: "사하구 장림동 123-4".
    """
    tokens = address.split()
    sigungu = next((t for t in tokens[1:3] if t.endswith(("구", "군", "시")) and t != tokens[0]), "")
    for group in re.findall(r"\(([^()]*)\)?", address):
        first = group.split(",")[0].strip()
        if DONG_TOKEN.match(first):
            return sigungu, legal_dong_of(first)
    for token in tokens[1:]:
        if DONG_TOKEN.match(token) and token != sigungu:
            return sigungu, legal_dong_of(token)
    return sigungu, ""


def legal_dong_of(dong: str) -> str:
    """Administrative dong → legal dong: 장림제1동, 장림1동 → 장림동."""
    return ADMIN_DONG.sub("동", dong)


def company_key(name: str) -> str:
    """A company name without legal form, spacing or punctuation: (주)대호 = 주식회사 대호."""
    return normalize(LEGAL_FORMS.sub("", name)) or normalize(name)


def address_key(address: str) -> str:
    """The address up to its parentheses: "다산로 203 (다대동, 공장)" = "다산로 203(다대동)"."""
    return normalize(address.split("(")[0])


def business_key(row: RegistryRow) -> str:
    """Who a row is about, stable across registry releases (row numbers are not)."""
    if row.brn:
        return f"brn:{row.brn}|{address_key(row.address)}"
    return f"{company_key(row.name)}|{address_key(row.address) or normalize(row.complex_name)}"
