"""Question types, display conditions and answer validation — plain logic, no database.

A question is described by a ``Spec`` (the ``Question`` model builds one with ``.spec()``):
its ``code`` (the column name in imports and exports), its ``type``, its choices (each
``{"value", "ko", "en"}``), the rows of a matrix, a ``config`` (scale bounds, number bounds,
text length, how many choices) and an optional display ``condition`` on an earlier answer.

``clean_answer(spec, raw)`` turns what a form, an API or a file sent into the stored value or
raises ``AnswerError`` with a message in Korean and English that names the question.
``visible(spec, answers)`` says whether the question is shown given the earlier answers;
``clean_answers(specs, raw)`` validates a whole response: hidden questions are dropped,
required questions that are shown must be answered.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SINGLE, MULTIPLE, SCALE, NUMBER = "single", "multiple", "scale", "number"
SHORT_TEXT, LONG_TEXT, MATRIX, RANKING, FILE = "short_text", "long_text", "matrix", "ranking", "file"
TYPES = (SINGLE, MULTIPLE, SCALE, NUMBER, SHORT_TEXT, LONG_TEXT, MATRIX, RANKING, FILE)
#: Types whose answers are counted by choice.
CHOICE_TYPES = (SINGLE, MULTIPLE, SCALE, MATRIX, RANKING)
TEXT_TYPES = (SHORT_TEXT, LONG_TEXT)

SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000
#: Uploaded files: at most this many bytes, with one of these extensions.
FILE_MAX_BYTES = 10 * 1024 * 1024
FILE_EXTENSIONS = (
    "pdf",
    "hwp",
    "hwpx",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "jpg",
    "jpeg",
    "png",
    "zip",
    "txt",
)

#: Condition operators: the earlier answer equals / is one of / is not / contains / ≥ / ≤ / was given.
OPERATORS = ("equals", "not_equals", "in", "not_in", "contains", "gte", "lte", "answered")


class AnswerError(ValueError):
    """An answer the question cannot take; ``code`` names the question."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class SpecError(ValueError):
    """A question or condition that cannot be built (unknown type, choice codes repeated …)."""


@dataclass(frozen=True)
class Spec:
    code: str
    type: str
    label_ko: str = ""
    label_en: str = ""
    required: bool = False
    choices: tuple = ()
    rows: tuple = ()
    config: Mapping = field(default_factory=dict)
    condition: Mapping | None = None

    @property
    def choice_values(self) -> list[str]:
        return [c["value"] for c in self.choices]

    @property
    def row_values(self) -> list[str]:
        return [r["value"] for r in self.rows]

    def scale_bounds(self) -> tuple[int, int]:
        return int(self.config.get("min", 1)), int(self.config.get("max", 5))

    def label(self, lang: str = "ko") -> str:
        return (self.label_en if lang == "en" and self.label_en else self.label_ko) or self.code


def _bi(ko: str, en: str) -> str:
    return f"{ko} / {en}"


# --- building ---------------------------------------------------------------------------------


def check_spec(spec: Spec, earlier: Mapping[str, Spec]) -> None:
    """Refuse a question that could not be answered or shown: called by the builder."""
    if spec.type not in TYPES:
        raise SpecError(_bi(f"{spec.code}: 알 수 없는 문항 유형 '{spec.type}'", f"unknown question type '{spec.type}'"))
    if not spec.code or not spec.code.replace("_", "").replace("-", "").isalnum() or not spec.code.isascii():
        raise SpecError(
            _bi(
                f"문항 코드 '{spec.code}'는 영문·숫자·_·-만 쓸 수 있습니다",
                "question codes use ASCII letters, digits, _ and -",
            )
        )
    if spec.code in ("company", "ref", "submitted"):
        raise SpecError(_bi(f"'{spec.code}'는 예약된 열 이름입니다", f"'{spec.code}' is a reserved column name"))
    values = spec.choice_values
    if len(set(values)) != len(values):
        raise SpecError(_bi(f"{spec.code}: 선택지 코드가 중복됩니다", "choice values repeat"))
    if spec.type in (SINGLE, MULTIPLE, RANKING, MATRIX) and not values:
        raise SpecError(_bi(f"{spec.code}: 선택지가 필요합니다", "choices are needed"))
    if spec.type == MATRIX and not spec.rows:
        raise SpecError(_bi(f"{spec.code}: 행렬 문항에는 행이 필요합니다", "a matrix needs rows"))
    if spec.type == SCALE:
        lo, hi = spec.scale_bounds()
        if not lo < hi or hi - lo > 20:
            raise SpecError(_bi(f"{spec.code}: 척도 범위가 올바르지 않습니다", "scale bounds are wrong"))
    if spec.condition:
        check_condition(spec, earlier)


def check_condition(spec: Spec, earlier: Mapping[str, Spec]) -> None:
    cond = spec.condition or {}
    target = cond.get("question")
    if target not in earlier:
        raise SpecError(
            _bi(
                f"{spec.code}: 표시 조건은 앞선 문항을 가리켜야 합니다 ('{target}')",
                f"a display condition must refer to an earlier question ('{target}')",
            )
        )
    op = cond.get("op", "equals")
    if op not in OPERATORS:
        raise SpecError(_bi(f"{spec.code}: 알 수 없는 조건 '{op}'", f"unknown condition operator '{op}'"))
    other = earlier[target]
    if op in ("equals", "not_equals", "in", "not_in", "contains") and other.choice_values:
        wanted = cond.get("value")
        wanted = wanted if isinstance(wanted, list) else [wanted]
        unknown = [w for w in wanted if str(w) not in other.choice_values]
        if unknown and other.type != SCALE:
            raise SpecError(
                _bi(
                    f"{spec.code}: 조건 값 {unknown}이(가) '{target}'의 선택지에 없습니다",
                    f"condition values {unknown} are not choices of '{target}'",
                )
            )


# --- conditions -------------------------------------------------------------------------------


def visible(spec: Spec, answers: Mapping[str, Any]) -> bool:
    """Whether the question is shown, given the answers so far (a question hidden because its
    condition's question is itself unanswered stays hidden)."""
    cond = spec.condition
    if not cond:
        return True
    value = answers.get(cond.get("question"))
    op = cond.get("op", "equals")
    if op == "answered":
        return not _empty(value)
    if _empty(value):
        return False
    wanted = cond.get("value")
    given = value if isinstance(value, list) else [value]
    given_s = {str(v) for v in given}
    if op == "equals":
        return str(wanted) in given_s if isinstance(value, list) else str(value) == str(wanted)
    if op == "not_equals":
        return str(wanted) not in given_s
    if op in ("in", "contains"):
        wanted_l = wanted if isinstance(wanted, list) else [wanted]
        return bool(given_s & {str(w) for w in wanted_l})
    if op == "not_in":
        wanted_l = wanted if isinstance(wanted, list) else [wanted]
        return not (given_s & {str(w) for w in wanted_l})
    try:
        number, bound = float(value), float(wanted)
    except (TypeError, ValueError):
        return False
    return number >= bound if op == "gte" else number <= bound


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


# --- answers ----------------------------------------------------------------------------------


def _choice(spec: Spec, raw: Any, labels: bool) -> str:
    """A choice value from its value or (when ``labels``) its Korean or English label."""
    text = str(raw).strip()
    if text in spec.choice_values:
        return text
    if labels:
        for c in spec.choices:
            if text in (c.get("ko"), c.get("en")) or text.casefold() == str(c.get("en", "")).casefold():
                return c["value"]
    shown = ", ".join(spec.choice_values[:12])
    raise AnswerError(spec.code, _bi(f"'{text[:40]}'은(는) 선택지가 아닙니다 ({shown})", f"not a choice ({shown})"))


def _split(raw: Any) -> list[str]:
    if isinstance(raw, (list, tuple)):
        return [str(x).strip() for x in raw if str(x).strip()]
    text = str(raw)
    for sep in (";", "|", ">", "\n"):
        if sep in text:
            return [p.strip() for p in text.split(sep) if p.strip()]
    return [text.strip()] if text.strip() else []


def _number(spec: Spec, raw: Any) -> float:
    if isinstance(raw, bool):
        raise AnswerError(spec.code, _bi("숫자가 아닙니다", "not a number"))
    text = str(raw).strip().replace(",", "") if isinstance(raw, str) else raw
    try:
        number = float(text)
    except (TypeError, ValueError, OverflowError):
        raise AnswerError(spec.code, _bi(f"'{str(raw)[:40]}'은(는) 숫자가 아닙니다", "not a number")) from None
    if not math.isfinite(number):
        raise AnswerError(spec.code, _bi("유한한 숫자여야 합니다", "must be a finite number"))
    return number


def _text(spec: Spec, raw: Any, limit: int) -> str:
    text = str(raw) if not isinstance(raw, str) else raw
    if "\x00" in text or any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
        raise AnswerError(spec.code, _bi("허용되지 않는 제어 문자가 있습니다", "contains control characters"))
    text = text.strip()
    limit = int(spec.config.get("max_length", limit))
    if len(text) > limit:
        raise AnswerError(
            spec.code, _bi(f"{limit}자 이하로 적어 주세요 ({len(text)}자)", f"at most {limit} characters")
        )
    return text


def clean_answer(spec: Spec, raw: Any, *, labels: bool = True) -> Any:
    """The stored form of one answer, or ``None`` for no answer. Raises ``AnswerError``."""
    if _empty(raw) or (isinstance(raw, str) and not raw.strip()):
        return None
    t = spec.type
    if t == SINGLE:
        if isinstance(raw, (list, dict)):
            raise AnswerError(spec.code, _bi("하나만 고르세요", "choose one"))
        return _choice(spec, raw, labels)
    if t == MULTIPLE:
        values = [_choice(spec, v, labels) for v in _split(raw)]
        if len(set(values)) != len(values):
            raise AnswerError(spec.code, _bi("같은 선택지를 두 번 골랐습니다", "a choice is repeated"))
        most = spec.config.get("max_choices")
        if most and len(values) > int(most):
            raise AnswerError(spec.code, _bi(f"{most}개까지 고를 수 있습니다", f"choose at most {most}"))
        order = spec.choice_values
        return sorted(values, key=order.index) or None
    if t == SCALE:
        number = _number(spec, raw)
        lo, hi = spec.scale_bounds()
        if number != int(number) or not lo <= number <= hi:
            raise AnswerError(spec.code, _bi(f"{lo}~{hi} 사이의 정수여야 합니다", f"a whole number from {lo} to {hi}"))
        return int(number)
    if t == NUMBER:
        number = _number(spec, raw)
        lo, hi = spec.config.get("min"), spec.config.get("max")
        if lo is not None and number < float(lo) or hi is not None and number > float(hi):
            raise AnswerError(
                spec.code,
                _bi(f"{lo if lo is not None else ''}~{hi if hi is not None else ''} 범위여야 합니다", "out of range"),
            )
        if spec.config.get("integer", False):
            if number != int(number):
                raise AnswerError(spec.code, _bi("정수여야 합니다", "must be a whole number"))
            return int(number)
        return int(number) if number == int(number) and abs(number) < 2**53 else number
    if t == SHORT_TEXT:
        return _text(spec, raw, SHORT_TEXT_MAX) or None
    if t == LONG_TEXT:
        return _text(spec, raw, LONG_TEXT_MAX) or None
    if t == MATRIX:
        pairs = _matrix_pairs(spec, raw)
        out = {}
        for row, col in pairs.items():
            if row not in spec.row_values:
                raise AnswerError(spec.code, _bi(f"'{row}'은(는) 이 표의 행이 아닙니다", f"'{row}' is not a row"))
            value = clean_answer(Spec(code=f"{spec.code}.{row}", type=SINGLE, choices=spec.choices), col, labels=labels)
            if value is not None:
                out[row] = value
        return {r: out[r] for r in spec.row_values if r in out} or None
    if t == RANKING:
        values = [_choice(spec, v, labels) for v in _split(raw)]
        if len(set(values)) != len(values):
            raise AnswerError(spec.code, _bi("같은 항목을 두 번 순위에 넣었습니다", "an item is ranked twice"))
        need = int(spec.config.get("rank_count") or len(spec.choice_values))
        if len(values) != min(need, len(spec.choice_values)):
            raise AnswerError(spec.code, _bi(f"{need}개 항목에 순위를 매겨 주세요", f"rank {need} items"))
        return values
    if t == FILE:
        if not isinstance(raw, Mapping) or not raw.get("name"):
            raise AnswerError(spec.code, _bi("파일은 양식에서 올려 주세요", "files are uploaded through the form"))
        return check_file(spec, str(raw["name"]), int(raw.get("size", 0)), raw)
    raise AnswerError(spec.code, _bi("알 수 없는 문항 유형", "unknown question type"))


def check_file(spec: Spec, name: str, size: int, extra: Mapping | None = None) -> dict:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in FILE_EXTENSIONS:
        raise AnswerError(
            spec.code, _bi(f"허용되지 않는 파일 형식입니다 ({', '.join(FILE_EXTENSIONS)})", "file type not allowed")
        )
    if size > FILE_MAX_BYTES:
        raise AnswerError(spec.code, _bi("파일은 10 MB 이하여야 합니다", "files of at most 10 MB"))
    out = {"name": name[-150:], "size": size}
    if extra and extra.get("path"):
        out["path"] = str(extra["path"])
    return out


def _matrix_pairs(spec: Spec, raw: Any) -> dict[str, Any]:
    if isinstance(raw, Mapping):
        return {str(k): v for k, v in raw.items()}
    pairs = {}
    for part in _split(raw):
        row, sep, col = part.partition("=")
        if not sep:
            raise AnswerError(
                spec.code, _bi("행=선택 형식으로 적어 주세요 (예: a=1;b=2)", "write row=choice (a=1;b=2)")
            )
        pairs[row.strip()] = col.strip()
    return pairs


def clean_answers(specs: Iterable[Spec], raw: Mapping[str, Any], *, labels: bool = True, partial: bool = False):
    """Validate a whole response in question order. Returns ``(answers, errors)`` where errors maps
    a question code to its message. Hidden questions are dropped; shown required ones must be
    answered (unless ``partial``, a draft)."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in specs:
        if not visible(spec, answers):
            continue
        try:
            value = clean_answer(spec, raw.get(spec.code), labels=labels)
        except AnswerError as exc:
            errors[spec.code] = exc.message
            continue
        if value is None:
            if spec.required and not partial:
                errors[spec.code] = _bi("응답이 필요합니다", "an answer is required")
            continue
        if spec.type == MATRIX and spec.required and not partial and len(value) < len(spec.rows):
            errors[spec.code] = _bi("모든 행에 답해 주세요", "answer every row")
            continue
        answers[spec.code] = value
    return answers, errors


def answer_text(spec: Spec, value: Any, lang: str = "ko") -> str:
    """An answer as a person reads it (labels, not codes): for pages and exports."""
    if value is None:
        return ""
    names = {
        c["value"]: (c.get("en") if lang == "en" and c.get("en") else c.get("ko")) or c["value"] for c in spec.choices
    }
    if spec.type in (SINGLE,):
        return str(names.get(value, value))
    if spec.type == MULTIPLE:
        return "; ".join(str(names.get(v, v)) for v in value)
    if spec.type == RANKING:
        return " > ".join(str(names.get(v, v)) for v in value)
    if spec.type == MATRIX:
        rows = {
            r["value"]: (r.get("en") if lang == "en" and r.get("en") else r.get("ko")) or r["value"] for r in spec.rows
        }
        return "; ".join(f"{rows.get(r, r)}={names.get(v, v)}" for r, v in value.items())
    if spec.type == FILE:
        return str(value.get("name", ""))
    return str(value)


def answer_cell(spec: Spec, value: Any) -> Any:
    """An answer in the import format (codes), so an export can be imported again."""
    if value is None:
        return ""
    if spec.type in (MULTIPLE,):
        return ";".join(value)
    if spec.type == RANKING:
        return ";".join(value)
    if spec.type == MATRIX:
        return ";".join(f"{r}={v}" for r, v in value.items())
    if spec.type == FILE:
        return value.get("name", "")
    return value
