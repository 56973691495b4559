"""Bad input, validated once: the shared checks every entry point (pages, API, CLI, imports) uses.

A check that fails raises ``BadInput``. The API answers it as JSON in the one error shape
(``{"code", "message", "field"}``, status 400 unless said otherwise), pages as the site's
error page (``core.middleware.BadInputMiddleware``), and the CLI prints the message.

Messages are Korean first, then English, as the rest of the platform's messages.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable
from typing import Any

#: Years the platform accepts anywhere (plans, readings, reports).
YEAR_MIN, YEAR_MAX = 1900, 2100
#: The largest page number any list accepts (beyond it a list is empty anyway).
PAGE_MAX = 100_000
#: The largest integer stored anywhere (PostgreSQL bigint).
BIGINT_MAX = 2**63 - 1


class BadInput(ValueError):
    """Input the platform refuses, with a message for the person who sent it.

    ``code`` is a stable machine-readable key (``bad_input``, ``too_large``, ``conflict`` …);
    ``field`` names the parameter or column; ``status`` the HTTP status to answer with.
    """

    def __init__(self, message: str, *, field: str | None = None, code: str = "bad_input", status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.status = status

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


def int_param(
    value: Any, name: str, *, default: int | None = None, lo: int = -BIGINT_MAX, hi: int = BIGINT_MAX
) -> int | None:
    """An integer from a query parameter or form field, within [lo, hi] (``default`` when empty)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        raise BadInput(f"{name}: 정수가 아닙니다. / not a whole number.", field=name)
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        # int() accepts superscripts and other Unicode digits ("²"); only ASCII digits count.
        body = text[1:] if text[:1] in "+-" else text
        if not body.isascii() or not body.isdigit() or len(body) > 19:
            raise BadInput(
                f"{name}: '{text[:40]}'은(는) 정수가 아닙니다. / '{text[:40]}' is not a whole number.", field=name
            )
        number = int(text)
    if not lo <= number <= hi:
        raise BadInput(f"{name}: {lo}~{hi} 사이여야 합니다. / must be between {lo} and {hi}.", field=name)
    return number


def year_param(value: Any, name: str = "year", default: int | None = None) -> int | None:
    return int_param(value, name, default=default, lo=YEAR_MIN, hi=YEAR_MAX)


def page_param(value: Any, name: str = "page") -> int:
    return int_param(value, name, default=1, lo=1, hi=PAGE_MAX)


def finite(value: Any, name: str) -> float:
    """A finite number (no NaN, no infinity, no text that only looks like one)."""
    if isinstance(value, bool):
        raise BadInput(f"{name}: 숫자가 아닙니다. / not a number.", field=name)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise BadInput(f"{name}: '{str(value)[:40]}'은(는) 숫자가 아닙니다. / not a number.", field=name) from None
    if not math.isfinite(number):
        raise BadInput(f"{name}: 유한한 숫자여야 합니다 (NaN·무한대 불가). / must be a finite number.", field=name)
    return number


def clean_text(value: Any, name: str, *, max_length: int | None = None, required: bool = False) -> str:
    """A string without NUL bytes or other control characters (tabs and newlines pass)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadInput(f"{name}: 문자열이어야 합니다. / must be text.", field=name)
    if has_control_chars(value):
        raise BadInput(
            f"{name}: 허용되지 않는 제어 문자(NUL 등)가 있습니다. / contains control characters.", field=name
        )
    if required and not value.strip():
        raise BadInput(f"{name}: 값이 필요합니다. / is required.", field=name)
    if max_length is not None and len(value) > max_length:
        raise BadInput(f"{name}: {max_length}자 이하여야 합니다. / at most {max_length} characters.", field=name)
    return value


_CONTROL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f"}


def has_control_chars(text: str) -> bool:
    return "\x00" in text or any(ch in _CONTROL for ch in text)


def check_size(size: int, limit: int, what: str) -> None:
    """Refuse an upload larger than ``limit`` bytes (status 413)."""
    if size > limit:
        raise BadInput(
            f"{what}: 파일이 너무 큽니다 ({size / 1e6:,.1f} MB, 최대 {limit / 1e6:,.0f} MB). "
            f"/ file too large ({size / 1e6:,.1f} MB, at most {limit / 1e6:,.0f} MB).",
            code="too_large",
            status=413,
        )


def check_zip_container(path_or_file, what: str, max_uncompressed: int, max_ratio: float = 200.0) -> None:
    """Refuse a zip container (.xlsx, .hwpx) that inflates beyond ``max_uncompressed`` bytes or
    whose compression ratio betrays a zip bomb — read from the directory, before anything is inflated."""
    try:
        with zipfile.ZipFile(path_or_file) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise BadInput(f"{what}: 올바른 파일이 아닙니다 (손상되었거나 형식이 다름). / not a valid file.") from None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > max_uncompressed or total / packed > max_ratio and total > 10_000_000:
        raise BadInput(
            f"{what}: 압축을 푼 크기가 너무 큽니다 ({total / 1e6:,.0f} MB). "
            f"/ the file inflates to {total / 1e6:,.0f} MB.",
            code="too_large",
            status=413,
        )
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)


#: Characters that make a spreadsheet treat a cell as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value safe to write into an Excel or CSV cell: text that a spreadsheet would read as a
    formula gets a leading apostrophe (OWASP's advice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


# --- telephone numbers ---------------------------------------------------------------------

#: Korean telephone numbers, digits only: mobile (010, 011, 016–019), Seoul (02), the other area
#: codes (031–033, 041–044, 051–055, 061–064), internet phones (070), toll-free (080) and the
#: 8-digit representative numbers (15xx, 16xx, 18xx).
_PHONE_PATTERNS = (
    re.compile(r"01[016789]\d{7,8}"),
    re.compile(r"02\d{7,8}"),
    re.compile(r"0(?:3[1-3]|4[1-4]|5[1-5]|6[1-4])\d{7,8}"),
    re.compile(r"070\d{8}"),
    re.compile(r"080\d{7,8}"),
    re.compile(r"1[568]\d{6}"),
)


def phone_number(value, name: str = "phone") -> str:
    """A Korean telephone number as written with hyphens (010-1234-5678, 02-123-4567, 1588-1234);
    +82 and separators (spaces, dots, brackets, hyphens) are accepted; '' stays ''."""
    text = clean_text(value or "", name, max_length=40).strip()
    if not text:
        return ""
    if re.search(r"[^\d\s.()+-]", text):
        raise BadInput(
            "전화번호에는 숫자와 -만 쓸 수 있습니다 (예: 010-1234-5678). "
            "/ a phone number has digits and hyphens only (e.g. 010-1234-5678).",
            field=name,
        )
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        if not digits.startswith("82"):
            raise BadInput("국내 전화번호를 적어 주세요. / give a Korean phone number.", field=name)
        digits = "0" + digits[2:].removeprefix("0")
    if not any(p.fullmatch(digits) for p in _PHONE_PATTERNS):
        raise BadInput(
            "전화번호가 올바르지 않습니다 (예: 010-1234-5678, 051-123-4567). "
            "/ not a valid Korean phone number (e.g. 010-1234-5678, 051-123-4567).",
            field=name,
        )
    if len(digits) == 8:
        return f"{digits[:4]}-{digits[4:]}"
    head = 2 if digits.startswith("02") else 3
    rest = digits[head:]
    return f"{digits[:head]}-{rest[:-4]}-{rest[-4:]}"
