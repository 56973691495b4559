"""Who may apply to a support programme (지원사업 자격): structured criteria checked against what we
know of a company, with a reason in Korean for every criterion — met, not met, or cannot tell.

Plain Python, no database. A programme's eligibility is a dict of optional keys (all documented in
``docs/collaboration.md``)::

    {"manufacturing": true, "ksic_prefix": ["25", "29"], "exclude_ksic_prefix": ["2592"],
     "employees_min": 5, "employees_max": 49, "age_min_years": 0, "age_max_years": 7,
     "revenue_max": 12000000000, "region": "부산 사하구", "in_complex": true,
     "certifications_any": ["벤처", "이노비즈"], "needs_partner": "university"}

The rule that matters most: **a fact we do not know never makes a company eligible**. A criterion
about an unknown fact is "cannot tell" (``unknown``), so the programme as a whole is either
eligible (every criterion met), not eligible (at least one not met) or cannot tell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

MET, UNMET, UNKNOWN = "met", "unmet", "unknown"
ELIGIBLE, NOT_ELIGIBLE, CANNOT_TELL = "eligible", "not_eligible", "unknown"

KEYS = (
    "manufacturing",
    "ksic_prefix",
    "exclude_ksic_prefix",
    "employees_min",
    "employees_max",
    "age_min_years",
    "age_max_years",
    "revenue_max",
    "region",
    "in_complex",
    "certifications_any",
    "needs_partner",
)

#: KSIC (10th and 11th revision) sections by two-digit division.
SECTIONS = (
    ("A", 1, 3),
    ("B", 5, 8),
    ("C", 10, 34),
    ("D", 35, 35),
    ("E", 36, 39),
    ("F", 41, 42),
    ("G", 45, 47),
    ("H", 49, 52),
    ("I", 55, 56),
    ("J", 58, 63),
    ("K", 64, 66),
    ("L", 68, 68),
    ("M", 70, 73),
    ("N", 74, 76),
    ("O", 84, 84),
    ("P", 85, 85),
    ("Q", 86, 87),
    ("R", 90, 91),
    ("S", 94, 96),
    ("T", 97, 98),
    ("U", 99, 99),
)

PARTNER_KINDS = {
    "university": "대학",
    "institute": "연구기관",
    "agency": "지원기관",
    "company": "기업",
    "large_company": "대기업",
    "local_government": "지자체",
}
PARTNER_ALIASES = {
    "대학": "university",
    "대학교": "university",
    "univ": "university",
    "연구소": "institute",
    "연구기관": "institute",
    "출연연": "institute",
    "research_institute": "institute",
    "기관": "agency",
    "지원기관": "agency",
    "기업": "company",
    "대기업": "large_company",
    "지자체": "local_government",
}

#: Long names of provinces and metropolitan cities → the short name everyone writes.
PROVINCES = {
    "서울특별시": "서울",
    "서울시": "서울",
    "부산광역시": "부산",
    "부산시": "부산",
    "대구광역시": "대구",
    "대구시": "대구",
    "인천광역시": "인천",
    "인천시": "인천",
    "광주광역시": "광주",
    "대전광역시": "대전",
    "대전시": "대전",
    "울산광역시": "울산",
    "울산시": "울산",
    "세종특별자치시": "세종",
    "세종시": "세종",
    "경기도": "경기",
    "강원도": "강원",
    "강원특별자치도": "강원",
    "충청북도": "충북",
    "충청남도": "충남",
    "전라북도": "전북",
    "전북특별자치도": "전북",
    "전라남도": "전남",
    "경상북도": "경북",
    "경상남도": "경남",
    "제주도": "제주",
    "제주특별자치도": "제주",
}


class EligibilityError(ValueError):
    """A programme's eligibility that cannot be read (unknown key, wrong type); ``key`` names it."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


# --- the company's side ------------------------------------------------------------------


@dataclass(frozen=True)
class CompanyFacts:
    """What we know of a company (``None``: we do not know it).

    ``founded`` is a date, or a year alone (``founded_year``) when only that is known.
    ``revenue_krw`` is in won. ``region`` is an address or a region ("부산 사하구").
    """

    ksic: str | None = None
    employees: int | None = None
    founded: dt.date | None = None
    founded_year: int | None = None
    revenue_krw: int | None = None
    region: str | None = None
    in_complex: bool | None = None
    certifications: frozenset[str] | None = None
    partner_kinds: frozenset[str] | None = None
    name: str = ""

    def age_years(self, today: dt.date) -> int | None:
        """Full years since founding; with the year alone, this year minus the founding year."""
        if self.founded is not None:
            years = today.year - self.founded.year
            if (today.month, today.day) < (self.founded.month, self.founded.day):
                years -= 1
            return max(years, 0)
        if self.founded_year is not None:
            return max(today.year - self.founded_year, 0)
        return None


def normalise_ksic(code: Any) -> str | None:
    """ "C25921", "25921", "c 2592" → "25921" / "2592"; a section letter alone stays ("C")."""
    if code is None:
        return None
    text = re.sub(r"[\s.\-]", "", str(code)).upper()
    if not text:
        return None
    if re.fullmatch(r"[A-U]", text):
        return text
    match = re.fullmatch(r"[A-U]?(\d{1,5})", text)
    if not match:
        raise EligibilityError(f"KSIC 코드가 아닙니다: '{str(code)[:20]}' / not a KSIC code", key="ksic")
    return match.group(1)


def section_of(code: str | None) -> str | None:
    """The KSIC section letter of a code ("25921" → "C"), or None."""
    if not code:
        return None
    if code.isalpha():
        return code
    if len(code) < 2:
        return None
    division = int(code[:2])
    for letter, lo, hi in SECTIONS:
        if lo <= division <= hi:
            return letter
    return None


def region_parts(text: str | None) -> tuple[str, ...]:
    """ "부산광역시 사하구 다대로 170" → ("부산", "사하구", "다대로", "170"); "부산 사하구" → ("부산", "사하구")."""
    if not text:
        return ()
    words = [w for w in re.split(r"[\s,]+", text.strip()) if w]
    if not words:
        return ()
    first = words[0]
    words[0] = PROVINCES.get(first, first)
    return tuple(words)


def parse_krw(value: Any, key: str = "revenue_max") -> int:
    """An amount in won: a number, or Korean text ("120억원", "1,000억", "5천만원", "3000000000")."""
    if isinstance(value, bool):
        raise EligibilityError(f"{key}: 금액이 아닙니다 / not an amount", key=key)
    if isinstance(value, int | float):
        if value != value or value < 0 or value in (float("inf"),):
            raise EligibilityError(f"{key}: 0 이상의 금액이어야 합니다 / must be an amount ≥ 0", key=key)
        return int(value)
    text = re.sub(r"[\s,원]", "", str(value))
    if not text:
        raise EligibilityError(f"{key}: 금액이 비었습니다 / empty amount", key=key)
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return int(float(text))
    units = {"조": 10**12, "억": 10**8, "만": 10**4, "천": 10**3, "백": 10**2}
    total, rest = 0, text
    for part in re.finditer(r"(\d+(?:\.\d+)?)(조|억|천만|백만|만|천|백)?", text):
        number, unit = part.groups()
        if not number:
            continue
        factor = 1
        for ch in unit or "":
            factor *= units[ch]
        total += float(number) * factor
        rest = rest.replace(part.group(0), "", 1)
    if rest or total <= 0 and text != "0":
        raise EligibilityError(f"{key}: '{str(value)[:30]}'은(는) 금액이 아닙니다 / not an amount", key=key)
    return int(total)


def won(amount: int) -> str:
    """12000000000 → "120억원"; 50000000 → "5,000만원"."""
    if amount >= 10**8 and amount % 10**8 == 0:
        return f"{amount // 10**8:,}억원"
    if amount >= 10**8:
        return f"{amount / 10**8:,.1f}억원"
    if amount >= 10**4 and amount % 10**4 == 0:
        return f"{amount // 10**4:,}만원"
    return f"{amount:,}원"


# --- the programme's side ----------------------------------------------------------------


def _bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "y", "예", "o"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "n", "아니오", "x"):
        return False
    raise EligibilityError(f"{key}: 참/거짓이어야 합니다 / must be true or false", key=key)


def _count(value: Any, key: str) -> int:
    if isinstance(value, bool):
        raise EligibilityError(f"{key}: 0 이상의 정수여야 합니다 / must be a whole number ≥ 0", key=key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 0 or value > 10**9:
        raise EligibilityError(f"{key}: 0 이상의 정수여야 합니다 / must be a whole number ≥ 0", key=key)
    return value


def _strings(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        value = [v for v in re.split(r"[,;|]", value) if v.strip()]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str | int) for v in value):
        raise EligibilityError(f"{key}: 목록이어야 합니다 / must be a list", key=key)
    out = [str(v).strip() for v in value if str(v).strip()]
    if not out:
        raise EligibilityError(f"{key}: 빈 목록입니다 / empty list", key=key)
    return out


def clean(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """A programme's eligibility, checked and put in canonical form (raises ``EligibilityError``).

    Keys with ``null`` are dropped (no criterion). Unknown keys are refused: a criterion nobody
    checks would make an ineligible company look eligible.
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise EligibilityError("eligibility: 객체(JSON object)여야 합니다 / must be an object", key="eligibility")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in KEYS:
            raise EligibilityError(
                f"eligibility: 알 수 없는 조건 '{str(key)[:40]}' (가능: {', '.join(KEYS)}) / unknown key", key=str(key)
            )
        if value is None:
            continue
        if key in ("manufacturing", "in_complex"):
            out[key] = _bool(value, key)
        elif key in ("ksic_prefix", "exclude_ksic_prefix"):
            codes = []
            for v in _strings(value, key):
                try:
                    codes.append(normalise_ksic(v))
                except EligibilityError:
                    raise EligibilityError(
                        f"{key}: KSIC 코드가 아닙니다: '{v[:20]}' / not a KSIC code", key=key
                    ) from None
            out[key] = codes
        elif key in ("employees_min", "employees_max", "age_min_years", "age_max_years"):
            out[key] = _count(value, key)
        elif key == "revenue_max":
            out[key] = parse_krw(value, key)
        elif key == "region":
            regions = _strings(value, key)
            out[key] = [" ".join(region_parts(r)) for r in regions]
        elif key == "certifications_any":
            out[key] = _strings(value, key)
        elif key == "needs_partner":
            kinds = []
            for v in _strings(value, key):
                kind = PARTNER_ALIASES.get(v.lower(), v.lower())
                if kind not in PARTNER_KINDS:
                    raise EligibilityError(
                        f"needs_partner: '{v[:30]}'은(는) 알 수 없는 파트너 종류 (가능: {', '.join(PARTNER_KINDS)})"
                        " / unknown partner kind",
                        key=key,
                    )
                kinds.append(kind)
            out[key] = kinds
    for lo, hi in (("employees_min", "employees_max"), ("age_min_years", "age_max_years")):
        if lo in out and hi in out and out[lo] > out[hi]:
            raise EligibilityError(f"{lo} > {hi}: 범위가 비었습니다 / empty range", key=lo)
    return out


def stored(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """Eligibility as stored (cleaned on the way in), cleaned again for safety: a stored value that
    cannot be read becomes a criterion that is never met by default ("cannot tell")."""
    try:
        return clean(raw)
    except EligibilityError as exc:
        return {"_unreadable": str(exc)}


# --- checking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One criterion checked: its key, met / unmet / unknown, and the reason in Korean."""

    key: str
    status: str
    reason: str


@dataclass(frozen=True)
class Verdict:
    """A programme checked against a company: every criterion with its reason."""

    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def status(self) -> str:
        if any(c.status == UNMET for c in self.checks):
            return NOT_ELIGIBLE
        if any(c.status == UNKNOWN for c in self.checks):
            return CANNOT_TELL
        return ELIGIBLE

    @property
    def eligible(self) -> bool:
        return self.status == ELIGIBLE

    @property
    def reasons_for(self) -> list[str]:
        return [c.reason for c in self.checks if c.status == MET]

    @property
    def reasons_against(self) -> list[str]:
        return [c.reason for c in self.checks if c.status == UNMET]

    @property
    def unknowns(self) -> list[str]:
        return [c.reason for c in self.checks if c.status == UNKNOWN]

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "for": self.reasons_for,
            "against": self.reasons_against,
            "cannot_tell": self.unknowns,
        }


def _codes(codes: Iterable[str]) -> str:
    return ", ".join(codes)


def _ksic_matches(code: str, prefix: str) -> bool:
    if prefix.isalpha():
        return section_of(code) == prefix
    return code.startswith(prefix)


def _check_ksic(rules: dict, facts: CompanyFacts) -> list[Check]:
    out = []
    code = facts.ksic
    if "manufacturing" in rules:
        wanted = rules["manufacturing"]
        label = "제조업(KSIC C) 대상" if wanted else "제조업 이외 업종 대상"
        if not code:
            out.append(Check("manufacturing", UNKNOWN, f"{label} — 귀사 업종(KSIC) 정보 없음"))
        else:
            is_mfg = section_of(code) == "C"
            ok = is_mfg == wanted
            mine = f"귀사 KSIC {code}{'(제조업)' if is_mfg else '(제조업 아님)'}"
            out.append(Check("manufacturing", MET if ok else UNMET, f"{label}, {mine}"))
    if "ksic_prefix" in rules:
        prefixes = rules["ksic_prefix"]
        label = f"업종 KSIC {_codes(prefixes)} 대상"
        if not code:
            out.append(Check("ksic_prefix", UNKNOWN, f"{label} — 귀사 업종(KSIC) 정보 없음"))
        else:
            hit = next((p for p in prefixes if _ksic_matches(code, p)), None)
            if hit:
                out.append(Check("ksic_prefix", MET, f"{label}, 귀사 KSIC {code} 해당"))
            elif len(code) < max(len(p) for p in prefixes) and any(p.startswith(code) for p in prefixes):
                out.append(Check("ksic_prefix", UNKNOWN, f"{label} — 귀사 KSIC {code}만으로는 판단 불가"))
            else:
                out.append(Check("ksic_prefix", UNMET, f"{label}, 귀사 KSIC {code} 해당 없음"))
    if "exclude_ksic_prefix" in rules:
        prefixes = rules["exclude_ksic_prefix"]
        label = f"업종 KSIC {_codes(prefixes)} 제외"
        if not code:
            out.append(Check("exclude_ksic_prefix", UNKNOWN, f"{label} — 귀사 업종(KSIC) 정보 없음"))
        else:
            hit = next((p for p in prefixes if _ksic_matches(code, p)), None)
            if hit:
                out.append(Check("exclude_ksic_prefix", UNMET, f"{label}, 귀사 KSIC {code} 제외 업종"))
            elif any(p.startswith(code) and len(p) > len(code) for p in prefixes if not p.isalpha()):
                out.append(Check("exclude_ksic_prefix", UNKNOWN, f"{label} — 귀사 KSIC {code}만으로는 판단 불가"))
            else:
                out.append(Check("exclude_ksic_prefix", MET, f"{label}, 귀사 KSIC {code} 제외 대상 아님"))
    return out


def _range_check(key_min, key_max, rules, value, what, unit, mine_label) -> list[Check]:
    out = []
    if key_min in rules:
        lo = rules[key_min]
        label = f"{what} {lo}{unit} 이상 대상"
        if value is None:
            out.append(Check(key_min, UNKNOWN, f"{label} — 귀사 {mine_label} 정보 없음"))
        else:
            out.append(Check(key_min, MET if value >= lo else UNMET, f"{label}, 귀사 {value}{unit}"))
    if key_max in rules:
        hi = rules[key_max]
        label = f"{what} {hi}{unit} 이하 대상" if key_max != "age_max_years" else f"{what} {hi}{unit} 이내 대상"
        if value is None:
            out.append(Check(key_max, UNKNOWN, f"{label} — 귀사 {mine_label} 정보 없음"))
        else:
            out.append(Check(key_max, MET if value <= hi else UNMET, f"{label}, 귀사 {value}{unit}"))
    return out


def _check_region(rules: dict, facts: CompanyFacts) -> list[Check]:
    if "region" not in rules:
        return []
    wanted = [region_parts(r) for r in rules["region"]]
    label = f"소재지 {' 또는 '.join(' '.join(w) for w in wanted)} 대상"
    mine = region_parts(facts.region)
    if not mine:
        return [Check("region", UNKNOWN, f"{label} — 귀사 소재지 정보 없음")]
    mine_text = " ".join(mine[:2])
    for w in wanted:
        if mine[: len(w)] == w:
            return [Check("region", MET, f"{label}, 귀사 {mine_text}")]
    # "부산" known, "부산 사하구" wanted: the company's district is not known.
    if any(len(mine) < len(w) and w[: len(mine)] == mine for w in wanted):
        return [Check("region", UNKNOWN, f"{label} — 귀사 소재지 {mine_text}만 알려져 판단 불가")]
    return [Check("region", UNMET, f"{label}, 귀사 {mine_text}")]


def _check_in_complex(rules: dict, facts: CompanyFacts) -> list[Check]:
    if "in_complex" not in rules:
        return []
    wanted = rules["in_complex"]
    label = "산업단지 입주기업 대상" if wanted else "산업단지 밖 기업 대상"
    if facts.in_complex is None:
        return [Check("in_complex", UNKNOWN, f"{label} — 귀사 입주 여부 정보 없음")]
    mine = "귀사 입주기업" if facts.in_complex else "귀사 입주기업 아님"
    return [Check("in_complex", MET if facts.in_complex == wanted else UNMET, f"{label}, {mine}")]


def _check_certifications(rules: dict, facts: CompanyFacts) -> list[Check]:
    if "certifications_any" not in rules:
        return []
    wanted = rules["certifications_any"]
    label = f"{'·'.join(wanted)} 인증 중 하나 보유 대상"
    if facts.certifications is None:
        return [Check("certifications_any", UNKNOWN, f"{label} — 귀사 인증 정보 없음")]
    norm = {c.replace(" ", "").lower() for c in facts.certifications}
    held = [w for w in wanted if w.replace(" ", "").lower() in norm]
    if held:
        return [Check("certifications_any", MET, f"{label}, 귀사 {'·'.join(held)} 보유")]
    mine = "·".join(sorted(facts.certifications)) or "없음"
    return [Check("certifications_any", UNMET, f"{label}, 귀사 보유 인증: {mine}")]


def _check_partner(rules: dict, facts: CompanyFacts) -> list[Check]:
    if "needs_partner" not in rules:
        return []
    kinds = rules["needs_partner"]
    names = "·".join(PARTNER_KINDS[k] for k in kinds)
    label = f"{names} 협력(공동 신청) 필요"
    if facts.partner_kinds is not None and any(k in facts.partner_kinds for k in kinds):
        return [Check("needs_partner", MET, f"{label}, 귀사 {names} 협력 관계 있음")]
    return [Check("needs_partner", UNKNOWN, f"{label} — 협력 {names} 확인 필요 (매칭된 전문가·기관 참고)")]


def check(rules: Mapping[str, Any], facts: CompanyFacts, today: dt.date | None = None) -> Verdict:
    """Check a programme's (cleaned) eligibility against a company. Criteria about facts we do
    not know are "cannot tell"; the programme is eligible only when every criterion is met."""
    today = today or dt.date.today()
    checks: list[Check] = []
    if "_unreadable" in rules:
        checks.append(
            Check("eligibility", UNKNOWN, f"신청 자격을 읽을 수 없음 — 담당자 확인 필요 ({rules['_unreadable']})")
        )
    checks += _check_ksic(rules, facts)
    checks += _range_check("employees_min", "employees_max", rules, facts.employees, "종업원", "명", "종업원 수")
    checks += _range_check("age_min_years", "age_max_years", rules, facts.age_years(today), "업력", "년", "설립연도")
    if "revenue_max" in rules:
        label = f"매출액 {won(rules['revenue_max'])} 이하 대상"
        if facts.revenue_krw is None:
            checks.append(Check("revenue_max", UNKNOWN, f"{label} — 귀사 매출액 정보 없음"))
        else:
            ok = facts.revenue_krw <= rules["revenue_max"]
            checks.append(Check("revenue_max", MET if ok else UNMET, f"{label}, 귀사 {won(facts.revenue_krw)}"))
    checks += _check_region(rules, facts)
    checks += _check_in_complex(rules, facts)
    checks += _check_certifications(rules, facts)
    checks += _check_partner(rules, facts)
    return Verdict(tuple(checks))


def describe(rules: Mapping[str, Any]) -> list[str]:
    """The criteria in words, for a programme's page ("종업원 49명 이하", "제조업(KSIC C)")."""
    out = []
    if "manufacturing" in rules:
        out.append("제조업(KSIC C)" if rules["manufacturing"] else "제조업 이외")
    if "ksic_prefix" in rules:
        out.append(f"업종 KSIC {_codes(rules['ksic_prefix'])}")
    if "exclude_ksic_prefix" in rules:
        out.append(f"KSIC {_codes(rules['exclude_ksic_prefix'])} 제외")
    if "employees_min" in rules:
        out.append(f"종업원 {rules['employees_min']}명 이상")
    if "employees_max" in rules:
        out.append(f"종업원 {rules['employees_max']}명 이하")
    if "age_min_years" in rules:
        out.append(f"업력 {rules['age_min_years']}년 이상")
    if "age_max_years" in rules:
        out.append(f"업력 {rules['age_max_years']}년 이내")
    if "revenue_max" in rules:
        out.append(f"매출액 {won(rules['revenue_max'])} 이하")
    if "region" in rules:
        out.append(f"소재지 {' 또는 '.join(rules['region'])}")
    if "in_complex" in rules:
        out.append("산업단지 입주기업" if rules["in_complex"] else "산업단지 밖 기업")
    if "certifications_any" in rules:
        out.append(f"{'·'.join(rules['certifications_any'])} 중 하나")
    if "needs_partner" in rules:
        out.append(f"{'·'.join(PARTNER_KINDS[k] for k in rules['needs_partner'])} 협력 필요")
    return out
