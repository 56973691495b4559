"""Whether an applicant may occupy a knowledge-industry centre (지식산업센터), and why.

Plain Python over the rule data (``rules.py``): no database. ``parse_application`` checks an
application (the JSON of ``techvalley tenancy check``, the self-check form, the API) and
``evaluate`` answers it with a verdict — ``eligible``, ``not_eligible`` or ``needs_approval``
(a business the management body or the district head must recognise, 시행령 제36조의4 ①2) —
the clauses relied on, Korean reasons quoting them and, for a support facility, the cap figures.

Reading of the statute, in order (each step cites its clause):

tenant business (``use = "tenant"``)
  1. manufacturing (KSIC C), knowledge industries (제6조②) and ICT industries (제6조③) are
     admitted (법 제28조의5①1, 시행령 제36조의4①1); some items only under a condition the
     application may state (``conditions``), and manufacturing outside a complex and an
     industrial zone only as an urban factory (제36조의4⑤);
  2. a venture company is admitted whatever its industry (법 제28조의5①2);
  3. "그 외 기타 전문, 과학 및 기술 서비스업" needs the management body's recognition (제6조②29);
  4. otherwise, inside a complex, an industry of 법 제2조제18호 (제6조⑤) may be recognised by
     the management body (제36조의4①2가); outside a complex any business may be recognised by
     the district head (①2나); anything else is not eligible as a tenant business.

support facility (``use = "support"``, 법 제28조의5①3)
  1. not on the exclusion list of 제36조의4② (by KSIC code, by the building use the application
     states, or designated by the centre under ②4);
  2. the centre's support floor area after admission within the cap of ④ (30 % / 50 % of the
     gross floor area by location, plus the day-care allowance of ④1가 in an industrial-facility
     zone, at most 10 % of the gross floor area);
  3. one business type (KSIC 세세분류) at most 50 % of the support floor area after admission (③).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from techvalley.core.validation import BadInput, clean_text
from techvalley.registry import ksic
from techvalley.tenancy.rules import INSIDE_COMPLEX, LOCATIONS, RuleSet, leaves, leaves_under, shipped_rules

ELIGIBLE, NOT_ELIGIBLE, NEEDS_APPROVAL = "eligible", "not_eligible", "needs_approval"
VERDICT_LABELS = {
    ELIGIBLE: ("입주 가능", "Eligible"),
    NOT_ELIGIBLE: ("입주 불가", "Not eligible"),
    NEEDS_APPROVAL: ("인정 필요", "Needs recognition"),
}
USES = ("tenant", "support")
LOCATION_LABELS = {
    "industrial_facility_zone": ("산업단지 안 산업시설구역", "Industrial-facility zone of a complex"),
    "mixed_zone": ("산업단지 안 복합구역", "Mixed zone of a complex"),
    "outside_capital": ("산업단지 밖, 수도권 밖", "Outside a complex, outside the capital region"),
    "inside_capital": ("산업단지 밖, 수도권 안", "Outside a complex, inside the capital region"),
}
#: The largest area anywhere (m²): a building larger than 100 km² is a typing error.
AREA_MAX = Decimal("100000000")
APPLICATION_KEYS = {"ksic", "revision", "venture", "use", "area_m2", "centre", "conditions", "building_use", "name"}
CENTRE_KEYS = {
    "location",
    "gross_floor_area_m2",
    "support_area_m2",
    "support_area_by_ksic",
    "daycare",
    "industrial_zoning",
    "excluded_ksic",
    "name",
    "slug",
}
TWO = Decimal("0.01")
FOUR = Decimal("0.0001")


@dataclass(frozen=True)
class Daycare:
    """A day-care centre (어린이집) kept in the building: floor area, capacity (보육정원), public or not."""

    area_m2: Decimal
    capacity: int
    public: bool = False


@dataclass(frozen=True)
class CentreFacts:
    """What the evaluator needs to know about a centre."""

    location: str
    gross_floor_area_m2: Decimal | None = None
    support_area_m2: Decimal = Decimal(0)
    support_area_by_ksic: dict[str, Decimal] = field(default_factory=dict)
    daycare: Daycare | None = None
    #: Outside a complex: whether the site is in an industrial zone (공업지역); None = not known.
    industrial_zoning: bool | None = None
    #: Facilities the district head or the management body excluded (제36조의4②4), KSIC codes.
    excluded_ksic: tuple[str, ...] = ()
    name: str = ""
    slug: str = ""


@dataclass(frozen=True)
class Application:
    """One applicant: the industry (KSIC code and revision), venture status, use and area."""

    ksic: str
    revision: int
    venture: bool
    use: str
    area_m2: Decimal
    centre: CentreFacts
    conditions: dict[str, bool] = field(default_factory=dict)
    building_use: str = ""
    name: str = ""


@dataclass
class Verdict:
    """The answer: verdict, clauses relied on, reasons (Korean), conditions, cap figures."""

    verdict: str
    clauses: list[str]
    reasons: list[str]
    use: str
    ksic: dict
    venture: bool
    area_m2: float
    centre: dict
    conditions: list[dict] = field(default_factory=list)
    conditional: bool = False
    support: dict | None = None
    rules: dict = field(default_factory=dict)
    #: Internal: the route that decided (for the tenant audit), not part of the JSON contract.
    basis: str = ""

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict][0]

    def as_dict(self) -> dict:
        # by hand: dataclasses.asdict deep-copies every string and was most of a check's time
        d = {
            "verdict": self.verdict,
            "clauses": list(self.clauses),
            "reasons": list(self.reasons),
            "use": self.use,
            "ksic": dict(self.ksic),
            "venture": self.venture,
            "area_m2": self.area_m2,
            "centre": dict(self.centre),
            "conditions": [dict(c) for c in self.conditions],
            "conditional": self.conditional,
            "rules": dict(self.rules),
        }
        support = self.support
        d["verdict_label"] = VERDICT_LABELS[self.verdict][0]
        d["verdict_label_en"] = VERDICT_LABELS[self.verdict][1]
        if support:
            d.update(support)
        return d


# --- input ---------------------------------------------------------------------------------------


def _area(value, name: str, *, positive: bool = False, required: bool = True) -> Decimal | None:
    if value is None:
        if required:
            raise BadInput(f"{name}: 값이 필요합니다 (㎡). / is required (m²).", field=name)
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BadInput(f"{name}: 숫자여야 합니다 (㎡). / must be a number (m²).", field=name)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise BadInput(f"{name}: '{str(value)[:40]}'은(는) 숫자가 아닙니다. / not a number.", field=name) from None
    if not number.is_finite():
        raise BadInput(f"{name}: 유한한 숫자여야 합니다. / must be a finite number.", field=name)
    if number < 0 or (positive and number == 0):
        word = "0보다 커야" if positive else "0 이상이어야"
        raise BadInput(f"{name}: {word} 합니다. / must be {'> 0' if positive else '≥ 0'}.", field=name)
    if number > AREA_MAX:
        raise BadInput(f"{name}: 너무 큽니다 (최대 {AREA_MAX:,} ㎡). / too large.", field=name)
    return number


def _bool(value, name: str, default: bool | None = False) -> bool | None:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise BadInput(f"{name}: true 또는 false여야 합니다. / must be true or false.", field=name)
    return value


def _code(value, name: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise BadInput(f"{name}: 한국표준산업분류 코드(문자열)여야 합니다. / must be a KSIC code (text).", field=name)
    code = clean_text(value, name, max_length=10).strip().upper()
    if not code:
        raise BadInput(f"{name}: 값이 필요합니다. / is required.", field=name)
    return code


def _unknown_keys(data: dict, allowed: set[str], where: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise BadInput(
            f"{where}: 알 수 없는 항목 {', '.join(extra)} (쓸 수 있는 항목: {', '.join(sorted(allowed))}). "
            f"/ unknown keys {', '.join(extra)}.",
            field=f"{where}.{extra[0]}" if where != "application" else extra[0],
        )


def parse_centre(data, revision: int, rules: RuleSet | None = None) -> CentreFacts:
    """A centre given as an object (see docs/tenancy.md)."""
    rules = rules or shipped_rules()
    if not isinstance(data, dict):
        raise BadInput(
            "centre: 객체 또는 등록된 센터의 슬러그여야 합니다. / must be an object or a slug.", field="centre"
        )
    _unknown_keys(data, CENTRE_KEYS, "centre")
    location = data.get("location")
    if not isinstance(location, str) or location not in LOCATIONS:
        raise BadInput(
            f"centre.location: {', '.join(LOCATIONS)} 중 하나여야 합니다. / must be one of {', '.join(LOCATIONS)}.",
            field="centre.location",
        )
    gfa = _area(data.get("gross_floor_area_m2"), "centre.gross_floor_area_m2", positive=True, required=False)
    support = _area(data.get("support_area_m2"), "centre.support_area_m2", required=False)
    by_ksic_raw = data.get("support_area_by_ksic") or {}
    if not isinstance(by_ksic_raw, dict):
        raise BadInput(
            "centre.support_area_by_ksic: {코드: 면적} 객체여야 합니다. / must be an object {code: m²}.",
            field="centre.support_area_by_ksic",
        )
    if len(by_ksic_raw) > 5000:
        raise BadInput("centre.support_area_by_ksic: 항목이 너무 많습니다. / too many entries.")
    by_ksic: dict[str, Decimal] = {}
    table = ksic.table(revision)
    for raw_code, value in by_ksic_raw.items():
        where = f"centre.support_area_by_ksic.{str(raw_code)[:10]}"
        code = _code(raw_code, where)
        ind = table.get(code)
        if ind is None or ind.level != 5:
            raise BadInput(
                f"{where}: 한국표준산업분류 제{revision}차의 세세분류(5자리) 코드여야 합니다. "
                f"/ must be a 5-digit sub-class code of KSIC revision {revision}.",
                field=where,
            )
        by_ksic[code] = by_ksic.get(code, Decimal(0)) + _area(value, where)
    if support is None:  # not given: the support facilities named by industry are all there are
        support = sum(by_ksic.values(), Decimal(0))
    if gfa is not None and support > gfa:
        raise BadInput(
            "centre.support_area_m2: 지원시설 면적이 건축연면적보다 큽니다. "
            "/ support area exceeds the gross floor area.",
            field="centre.support_area_m2",
        )
    if sum(by_ksic.values(), Decimal(0)) > support:
        raise BadInput(
            "centre.support_area_by_ksic: 업종별 면적의 합이 support_area_m2보다 큽니다. "
            "/ the areas by industry add up to more than support_area_m2.",
            field="centre.support_area_by_ksic",
        )
    daycare = None
    if data.get("daycare") is not None:
        d = data["daycare"]
        if not isinstance(d, dict):
            raise BadInput(
                "centre.daycare: {area_m2, capacity} 객체여야 합니다. / must be an object.", field="centre.daycare"
            )
        _unknown_keys(d, {"area_m2", "capacity", "public"}, "centre.daycare")
        cap = d.get("capacity")
        if isinstance(cap, bool) or not isinstance(cap, int) or not 0 <= cap <= 100_000:
            raise BadInput(
                "centre.daycare.capacity: 보육정원(0 이상의 정수)이어야 합니다. "
                "/ the capacity must be a whole number ≥ 0.",
                field="centre.daycare.capacity",
            )
        area = _area(d.get("area_m2"), "centre.daycare.area_m2", positive=True)
        if gfa is not None and area > gfa:
            raise BadInput("centre.daycare.area_m2: 건축연면적보다 큽니다. / exceeds the gross floor area.")
        daycare = Daycare(area, cap, bool(_bool(d.get("public"), "centre.daycare.public")))
    excluded = data.get("excluded_ksic") or []
    if not isinstance(excluded, list):
        raise BadInput("centre.excluded_ksic: 코드 목록이어야 합니다. / must be a list of codes.")
    excluded_codes = tuple(_code(c, "centre.excluded_ksic") for c in excluded[:500])
    return CentreFacts(
        location=location,
        gross_floor_area_m2=gfa,
        support_area_m2=support,
        support_area_by_ksic=by_ksic,
        daycare=daycare,
        industrial_zoning=_bool(data.get("industrial_zoning"), "centre.industrial_zoning", default=None),
        excluded_ksic=excluded_codes,
        name=clean_text(data.get("name") or "", "centre.name", max_length=200),
        slug=clean_text(data.get("slug") or "", "centre.slug", max_length=100),
    )


def parse_application(data, centre_lookup=None, rules: RuleSet | None = None) -> Application:
    """Check an application; ``centre_lookup(slug, revision)`` turns a slug into ``CentreFacts``."""
    rules = rules or shipped_rules()
    if not isinstance(data, dict):
        raise BadInput("신청 내용은 JSON 객체여야 합니다. / the application must be a JSON object.")
    _unknown_keys(data, APPLICATION_KEYS, "application")
    if "ksic" not in data:
        raise BadInput("ksic: 한국표준산업분류 코드가 필요합니다. / the KSIC code is required.", field="ksic")
    code = _code(data["ksic"], "ksic")
    revision = data.get("revision", 11)
    if isinstance(revision, str) and revision.strip().isdigit():
        revision = int(revision)
    if isinstance(revision, float) and revision.is_integer():
        revision = int(revision)
    if isinstance(revision, bool) or not isinstance(revision, int) or revision not in (10, 11):
        raise BadInput("revision: 10 또는 11이어야 합니다. / must be 10 or 11.", field="revision")
    table = ksic.table(revision)
    if code not in table:
        other = 10 if revision == 11 else 11
        hint = (
            f" 제{other}차 분류에는 있습니다: revision {other}으로 지정하세요. / It is a code of revision {other}."
            if code in ksic.table(other)
            else ""
        )
        raise BadInput(
            f"ksic: '{code}'는 한국표준산업분류 제{revision}차에 없는 코드입니다.{hint} "
            f"/ '{code}' is not a code of KSIC revision {revision}.",
            field="ksic",
        )
    use = data.get("use", "tenant")
    if not isinstance(use, str) or use not in USES:
        raise BadInput(
            "use: 'tenant'(입주업체) 또는 'support'(지원시설)여야 합니다. / must be tenant or support.", field="use"
        )
    venture = _bool(data.get("venture", False), "venture")
    area = _area(data.get("area_m2"), "area_m2", positive=True)
    raw_centre = data.get("centre")
    if raw_centre is None:
        raise BadInput("centre: 센터(슬러그 또는 객체)가 필요합니다. / the centre is required.", field="centre")
    if isinstance(raw_centre, str):
        slug = clean_text(raw_centre, "centre", max_length=100).strip()
        if centre_lookup is None:
            raise BadInput(
                f"centre: '{slug}' — 등록된 센터를 찾을 수 없습니다 (객체로 주세요). / cannot look up centre '{slug}'.",
                field="centre",
            )
        centre = centre_lookup(slug, revision)
    else:
        centre = parse_centre(raw_centre, revision, rules)
    conditions_raw = data.get("conditions") or {}
    if not isinstance(conditions_raw, dict):
        raise BadInput("conditions: {조건 id: true/false} 객체여야 합니다. / must be an object.", field="conditions")
    conditions = {}
    for key, value in conditions_raw.items():
        if not isinstance(key, str) or key not in rules.conditions:
            raise BadInput(
                f"conditions: 알 수 없는 조건 '{str(key)[:40]}' "
                f"(쓸 수 있는 조건: {', '.join(sorted(rules.conditions))}). "
                f"/ unknown condition.",
                field=f"conditions.{str(key)[:40]}",
            )
        conditions[key] = _bool(value, f"conditions.{key}")
    building_use = data.get("building_use") or ""
    if building_use and (not isinstance(building_use, str) or building_use not in rules.building_uses):
        raise BadInput(
            f"building_use: {', '.join(rules.building_uses)} 중 하나여야 합니다. / unknown building use.",
            field="building_use",
        )
    if use == "support" and centre.gross_floor_area_m2 is None:
        raise BadInput(
            "centre.gross_floor_area_m2: 지원시설 판정에는 건축연면적이 필요합니다. "
            "/ the gross floor area is required for a support facility.",
            field="centre.gross_floor_area_m2",
        )
    return Application(
        ksic=code,
        revision=revision,
        venture=bool(venture),
        use=use,
        area_m2=area,
        centre=centre,
        conditions=conditions,
        building_use=building_use,
        name=clean_text(data.get("name") or "", "name", max_length=200),
    )


# --- evaluation ----------------------------------------------------------------------------------


def _m2(value: Decimal) -> float:
    return float(value.quantize(TWO, rounding=ROUND_HALF_UP))


def _fmt(value: Decimal) -> str:
    q = value.quantize(TWO, rounding=ROUND_HALF_UP)
    return f"{q:,.2f}".rstrip("0").rstrip(".")


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


class _Trail:
    """Clauses and reasons collected while deciding, each clause once and in order."""

    def __init__(self, rules: RuleSet):
        self.rules = rules
        self.clauses: list[str] = []
        self.reasons: list[str] = []
        self.conditions: list[dict] = []

    def cite(self, *clause_ids: str) -> None:
        for cid in clause_ids:
            c = self.rules.cite(cid)
            if c not in self.clauses:
                self.clauses.append(c)

    def say(self, text: str) -> None:
        self.reasons.append(text)

    def condition(self, cond, status: str) -> None:
        if any(c["id"] == cond.id for c in self.conditions):
            return
        self.conditions.append(
            {"id": cond.id, "clause": self.rules.cite(cond.clause), "text": cond.text, "status": status}
        )


def _condition_status(app: Application, cond) -> str:
    if cond.id not in app.conditions:
        return "unknown"
    return "met" if app.conditions[cond.id] else "not_met"


def _industry(app: Application, code: str) -> dict:
    ind = ksic.table(app.revision)[code]
    return {"code": ind.code, "name": ind.name, "revision": app.revision, "level": ind.level}


def _codes_to_decide(app: Application, rules: RuleSet) -> list[str]:
    return list(leaves_under(app.ksic, app.revision))


def _signature(rules: RuleSet, code: str, revision: int) -> tuple:
    return (
        tuple(id(r) for r in rules.matching(rules.tenant_routes, code, revision)),
        tuple(id(r) for r in rules.matching(rules.recognisable, code, revision)),
        tuple(id(r) for r in rules.matching(rules.exclusions, code, revision)),
    )


def _representative(app: Application, rules: RuleSet) -> str:
    """The 세세분류 code to decide on: the code itself, or every code under it when they all share
    the same clauses; otherwise the applicant must give a finer code."""
    under = _codes_to_decide(app, rules)
    if len(under) == 1:
        return under[0]
    if app.use == "support":
        raise BadInput(
            f"ksic: 지원시설은 같은 업종(세세분류) 면적 상한 때문에 세세분류(5자리) 코드가 필요합니다 "
            f"('{app.ksic}' 아래 {len(under)}개, 예: {', '.join(under[:3])}). "
            f"/ a support facility needs a 5-digit sub-class code ('{app.ksic}' covers {len(under)}).",
            field="ksic",
        )
    first = _signature(rules, under[0], app.revision)
    mixed = [c for c in under[1:] if _signature(rules, c, app.revision) != first]
    if mixed:
        raise BadInput(
            f"ksic: '{app.ksic}' 아래 업종마다 판정이 다릅니다 (예: {under[0]}, {mixed[0]}): 세세분류(5자리) 코드로 "
            f"다시 확인하세요. / the codes under '{app.ksic}' are judged differently: give a 5-digit code.",
            field="ksic",
        )
    return under[0]


def evaluate(app: Application, rules: RuleSet | None = None) -> Verdict:
    """The verdict on an application, with its clauses, reasons and (for support) cap figures."""
    rules = rules or shipped_rules()
    leaf = _representative(app, rules)
    trail = _Trail(rules)
    ind = _industry(app, app.ksic)
    what = f"KSIC {ind['code']} {ind['name']}(제{app.revision}차)"
    if app.use == "tenant":
        verdict, basis = _tenant(app, rules, leaf, trail, what)
        support = None
    else:
        verdict, basis, support = _support(app, rules, leaf, trail, what)
    centre = app.centre
    return Verdict(
        verdict=verdict,
        clauses=trail.clauses,
        reasons=trail.reasons,
        use=app.use,
        ksic=ind,
        venture=app.venture,
        area_m2=_m2(app.area_m2),
        centre={
            "name": centre.name,
            "slug": centre.slug,
            "location": centre.location,
            "location_label": LOCATION_LABELS[centre.location][0],
            "gross_floor_area_m2": _m2(centre.gross_floor_area_m2) if centre.gross_floor_area_m2 is not None else None,
            "support_area_m2": _m2(centre.support_area_m2),
        },
        conditions=trail.conditions,
        conditional=verdict == ELIGIBLE and any(c["status"] == "unknown" for c in trail.conditions),
        support=support,
        rules={"version": rules.version, **rules.statute},
        basis=basis,
    )


def _tenant(app: Application, rules: RuleSet, leaf: str, trail: _Trail, what: str) -> tuple[str, str]:
    inside = app.centre.location in INSIDE_COMPLEX
    routes = rules.matching(rules.tenant_routes, leaf, app.revision)
    admitting = [r for r in routes if not r.recognition]
    recognising = [r for r in routes if r.recognition]
    sure, conditional, failed = [], [], []
    for r in admitting:
        conds = [r.condition] if r.condition else []
        if r.clause == "act-28-5-1-1" and not inside and app.centre.industrial_zoning is not True:
            conds.append(rules.manufacturing_outside)
        statuses = [_condition_status(app, c) for c in conds]
        if "not_met" in statuses:
            failed.append((r, conds))
        elif "unknown" in statuses:
            conditional.append((r, conds))
        else:
            sure.append((r, conds))

    def admit(route, conds) -> None:
        trail.cite(*route.via, route.clause)
        kind = (
            "제조업"
            if route.clause == "act-28-5-1-1"
            else "정보통신산업"
            if route.clause.startswith("decree-6-3")
            else "지식산업"
        )
        trail.say(f"{what}은(는) {rules.quote(route.clause)}에 해당하는 {kind}입니다.")
        if route.clause != "act-28-5-1-1":
            trail.say(f"{rules.quote('decree-36-4-1-1')}은(는) {rules.cite('act-28-5-1-1')}의 입주 대상 시설입니다.")
        for c in conds:
            status = _condition_status(app, c)
            trail.condition(c, status)
            trail.cite(c.clause)
            if status == "unknown":
                trail.say(f"다만 {c.text} ({rules.cite(c.clause)}) — 담당자가 확인합니다.")
            else:
                trail.say(f"조건 확인: {c.text} ({rules.cite(c.clause)})")

    def venture_reason() -> None:
        trail.cite("act-28-5-1-2")
        trail.say(
            f"벤처기업이므로 업종과 관계없이 {rules.quote('act-28-5-1-2')}에 따라 입주할 수 있습니다"
            " (벤처기업확인서로 확인)."
        )

    for r, conds in failed:
        for c in conds:
            trail.condition(c, "not_met")
        trail.say(
            f"{what}은(는) {rules.cite(r.clause)}({r.label})에 해당할 수 있으나 신청 내용상 조건을 갖추지 못했습니다: "
            + "; ".join(c.text for c in conds)
        )
    if sure:
        for r, conds in sure:
            admit(r, conds)
        if app.venture:
            venture_reason()
        return ELIGIBLE, sure[0][0].clause
    advanced = rules.advanced_technology
    if advanced is not None and _condition_status(app, advanced) == "met":
        trail.condition(advanced, "met")
        trail.cite("act-28-5-1-1", advanced.clause)
        trail.say(
            f"{rules.quote(advanced.clause)}은(는) 지식기반산업(법 제2조제8호)으로 {rules.cite('act-28-5-1-1')}의 "
            "입주 대상입니다. 신청 내용상 첨단기술을 활용하는 사업입니다 (고시 기술 확인 필요)."
        )
        return ELIGIBLE, advanced.clause
    if app.venture:
        venture_reason()
        for _route, conds in conditional:
            for c in conds:
                trail.condition(c, _condition_status(app, c))
        return ELIGIBLE, "act-28-5-1-2"
    if conditional:
        for r, conds in conditional:
            admit(r, conds)
        return ELIGIBLE, conditional[0][0].clause
    if any(c.id == rules.manufacturing_outside.id for _, conds in failed for c in conds):
        trail.cite("act-28-5-1-1", rules.manufacturing_outside.clause)
        trail.say(
            f"산업단지나 공업지역이 아닌 곳의 센터에서는 {rules.quote(rules.manufacturing_outside.clause)}에 따라 "
            "도시형공장이 아닌 제조업 시설을 설치할 수 없습니다."
        )
        return NOT_ELIGIBLE, rules.manufacturing_outside.clause
    if recognising:
        r = recognising[0]
        trail.cite("act-28-5-1-1", "decree-36-4-1-1", r.clause)
        trail.say(
            f"{what}은(는) {rules.quote(r.clause)}에 해당합니다. 관리기관이 인정하고 홈페이지에 게시한 산업이어야 "
            "지식산업으로 입주할 수 있습니다."
        )
        if not inside:
            trail.cite("decree-36-4-1-2-2")
            trail.say(
                f"산업단지 밖의 센터이므로 {rules.quote('decree-36-4-1-2-2')}에 따라 구청장이 인정할 수도 있습니다."
            )
        return NEEDS_APPROVAL, r.clause
    trail.say(
        f"{what}은(는) {rules.cite('act-28-5-1-1')}의 제조업·지식산업(시행령 제6조 제2항)·정보통신산업(시행령 제6조 "
        "제3항)에 해당하지 않고, 벤처기업도 아닙니다."
    )
    if inside:
        related = rules.matching(rules.recognisable, leaf, app.revision)
        if related:
            r = related[0]
            trail.cite("act-28-5-1-1", "decree-36-4-1-2-1", r.clause)
            extra = f" ({r.condition_text})" if r.condition_text else ""
            trail.say(
                f"{what}은(는) 법 제2조제18호의 산업인 {rules.quote(r.clause)}{extra}에 해당하므로, "
                f"{rules.quote('decree-36-4-1-2-1')}에 따라 관리기관이 인정하면 입주할 수 있습니다."
            )
            _suggest_advanced(app, rules, trail)
            return NEEDS_APPROVAL, "decree-36-4-1-2-1"
        trail.cite("act-28-5-1", "decree-36-4-1-2-1")
        trail.say(
            f"산업단지 안의 센터에서는 {rules.quote('decree-36-4-1-2-1')}만 인정받을 수 있는데, 이 업종은 시행령 제6조 "
            "제5항 각 호의 산업에 해당하지 않습니다 (관리기본계획의 유치업종·장관 고시 업종인지는 담당자가 확인)."
        )
        _suggest_advanced(app, rules, trail)
        _suggest_support(app, rules, leaf, trail)
        return NOT_ELIGIBLE, "act-28-5-1"
    trail.cite("act-28-5-1-1", "decree-36-4-1-2-2")
    trail.say(
        f"산업단지 밖의 센터이므로 {rules.quote('decree-36-4-1-2-2')}에 따라 구청장이 입주가 필요하다고 인정하면 "
        "입주할 수 있습니다."
    )
    return NEEDS_APPROVAL, "decree-36-4-1-2-2"


def _suggest_advanced(app: Application, rules: RuleSet, trail: _Trail) -> None:
    advanced = rules.advanced_technology
    if advanced is not None and advanced.id not in app.conditions:
        trail.say(
            f"「산업발전법」 제5조의 첨단기술을 활용하는 사업이면 {rules.cite(advanced.clause)}의 "
            f"지식기반산업으로 입주할 수 있습니다 (conditions: {advanced.id})."
        )


def _suggest_support(app: Application, rules: RuleSet, leaf: str, trail: _Trail) -> None:
    if not _excluded(app, rules, leaf, probe=True):
        trail.say(
            f"입주업체의 생산 활동을 지원하는 시설({rules.cite('act-28-5-1-3')})로는 지원시설 면적 상한 안에서 입주를 "
            "검토할 수 있습니다 (use: support)."
        )


def _excluded(app: Application, rules: RuleSet, leaf: str, probe: bool = False, trail: _Trail | None = None):
    """The exclusion (제36조의4②) that applies, as (route or None, clause id, sentence), or None."""
    hits = []
    for r in rules.matching(rules.exclusions, leaf, app.revision):
        if r.unless is not None:
            status = _condition_status(app, r.unless)
            if trail is not None:
                trail.condition(r.unless, status)
            if status == "met":
                if trail is not None:
                    trail.cite(r.unless.clause)
                    trail.say(f"제조업이지만 {r.unless.text} — 신청 내용상 이 예외에 해당합니다.")
                continue
        if r.applies_if is not None:
            status = _condition_status(app, r.applies_if)
            if trail is not None:
                trail.condition(r.applies_if, status)
            if status != "met":
                if trail is not None and status == "unknown":
                    trail.cite(r.clause)
                    trail.say(f"확인 필요: {r.applies_if.text} ({rules.cite(r.clause)})")
                continue
        hits.append((r, r.clause, "ksic"))
    if app.building_use:
        for r in rules.exclusions:
            if r.building_use == app.building_use:
                hits.append((r, r.clause, "building_use"))
                break
    excluded_by_centre = [
        c for c in app.centre.excluded_ksic if c == app.ksic or c in (leaves(app.revision).get(leaf) or ())
    ]
    if excluded_by_centre:
        hits.append((None, "decree-36-4-2-4", "centre"))
    return hits[0] if hits else None


def _support(app: Application, rules: RuleSet, leaf: str, trail: _Trail, what: str):
    centre = app.centre
    trail.cite("act-28-5-1-3", "decree-36-4-2")
    hit = _excluded(app, rules, leaf, trail=trail)
    figures = _support_figures(app, rules, leaf)
    if hit is not None:
        route, clause_id, how = hit
        trail.cite(clause_id)
        if how == "centre":
            trail.say(
                f"{what}은(는) 이 센터에서 {rules.quote('decree-36-4-2-4')}로 지정된 시설이므로 "
                "지원시설로 입주할 수 없습니다."
            )
        elif how == "building_use":
            use_label = rules.building_uses.get(app.building_use, app.building_use)
            trail.say(
                f"신청한 시설은 건축물 용도상 {use_label}이므로 {rules.quote(clause_id)}에 해당하여 "
                "지원시설에서 제외됩니다."
            )
        else:
            trail.say(f"{what}은(는) {rules.quote(clause_id)}에 해당하여 지원시설에서 제외됩니다.")
            if route is not None and route.note:
                trail.say(f"분류 대응: {route.note}")
        if rules.matching([r for r in rules.tenant_routes if not r.recognition], leaf, app.revision):
            trail.say(
                f"이 업종은 지원시설이 아니라 입주업체 시설({rules.cite('act-28-5-1-1')})로 입주할 수 있습니다 "
                "(use: tenant)."
            )
        return NOT_ELIGIBLE, clause_id, figures
    trail.say(
        f"{what}은(는) {rules.cite('decree-36-4-2')} 각 호의 제외 시설에 해당하지 않으므로 "
        f"{rules.quote('act-28-5-1-3')}(지원시설)로 입주할 수 있는 업종입니다."
    )
    cap = rules.caps[centre.location]
    trail.cite(cap["clause"])
    verdict, basis = ELIGIBLE, cap["clause"]
    cap_line = (
        f"지원시설 상한: {rules.quote(cap['clause'])} → 건축연면적 {_fmt(centre.gross_floor_area_m2)}㎡ × "
        f"{_pct(cap['ratio'])} = {_fmt(figures['_base'])}㎡"
    )
    if figures["_allowance"] > 0:
        cap_line += f", 어린이집 가산 {_fmt(figures['_allowance'])}㎡ 포함 {_fmt(figures['_cap'])}㎡"
    trail.say(cap_line + ".")
    _daycare_reasons(app, rules, cap, figures, trail)
    after, limit = figures["_after"], figures["_cap"]
    if after > limit:
        verdict, basis = NOT_ELIGIBLE, cap["clause"]
        trail.say(
            f"입주 후 지원시설 면적 {_fmt(centre.support_area_m2)}㎡ + {_fmt(app.area_m2)}㎡ = {_fmt(after)}㎡가 상한 "
            f"{_fmt(limit)}㎡를 {_fmt(after - limit)}㎡ 넘습니다."
        )
    else:
        trail.say(
            f"입주 후 지원시설 면적 {_fmt(centre.support_area_m2)}㎡ + {_fmt(app.area_m2)}㎡ = {_fmt(after)}㎡로 상한 "
            f"{_fmt(limit)}㎡ 이내입니다 (남는 면적 {_fmt(limit - after)}㎡)."
        )
    trail.cite("decree-36-4-3")
    share = figures["_share"]
    same_line = (
        f"같은 업종(세세분류 {leaf}) 지원시설 면적은 입주 후 {_fmt(figures['_same'])}㎡로 지원시설 총면적 "
        f"{_fmt(after)}㎡의 {_pct(share)}입니다"
    )
    if share > rules.same_type_max:
        verdict = NOT_ELIGIBLE
        if after <= limit:
            basis = "decree-36-4-3"
        trail.say(f"{same_line}: {rules.quote('decree-36-4-3')}에 따라 {_pct(rules.same_type_max)}를 넘을 수 없습니다.")
    else:
        trail.say(f"{same_line} ({rules.cite('decree-36-4-3')}의 {_pct(rules.same_type_max)} 이내).")
    if rules.matching([r for r in rules.tenant_routes if not r.recognition], leaf, app.revision):
        trail.say(
            f"참고: 이 업종은 입주업체 시설({rules.cite('act-28-5-1-1')})로도 입주할 수 있으며, "
            "그 경우 지원시설 상한을 받지 않습니다."
        )
    public = {k: v for k, v in figures.items() if not k.startswith("_")}
    return verdict, basis, public


def _daycare_band(rules: RuleSet, capacity: int) -> dict | None:
    for band in rules.daycare["bands"]:
        if capacity >= band["min_capacity"] and (band["below_capacity"] is None or capacity < band["below_capacity"]):
            return band
    return None


def daycare_allowance(
    rules: RuleSet, location: str, gfa: Decimal, daycare: Daycare | None
) -> tuple[Decimal, dict | None]:
    """The area 제36조의4④1가 adds to the support cap for a day-care centre, and the band used."""
    cap = rules.caps[location]
    if daycare is None or not cap["daycare_allowance"]:
        return Decimal(0), None
    if daycare.public and rules.daycare["public_excluded"]:
        return Decimal(0), None
    band = _daycare_band(rules, daycare.capacity)
    if band is None:
        return Decimal(0), None
    by_band = min(daycare.area_m2 * band["multiplier"], band["max_m2"])
    return min(by_band, gfa * rules.daycare["max_ratio_of_gfa"]), band


def _support_figures(app: Application, rules: RuleSet, leaf: str) -> dict:
    centre = app.centre
    gfa = centre.gross_floor_area_m2
    cap = rules.caps[centre.location]
    base = gfa * cap["ratio"]
    allowance, band = daycare_allowance(rules, centre.location, gfa, centre.daycare)
    limit = base + allowance
    after = centre.support_area_m2 + app.area_m2
    same = centre.support_area_by_ksic.get(leaf, Decimal(0)) + app.area_m2
    share = same / after if after else Decimal(0)
    return {
        "support_cap_m2": _m2(limit),
        "support_after_m2": _m2(after),
        "same_type_share": float(share.quantize(FOUR, rounding=ROUND_HALF_UP)),
        "same_type_area_m2": _m2(same),
        "same_type_ksic": leaf,
        "support_ratio": float(cap["ratio"]),
        "support_base_cap_m2": _m2(base),
        "daycare_allowance_m2": _m2(allowance),
        "daycare_band": rules.cite(band["clause"]) if band else None,
        "support_room_m2": _m2(limit - after),
        "_base": base,
        "_allowance": allowance,
        "_band": band,
        "_cap": limit,
        "_after": after,
        "_same": same,
        "_share": share,
    }


def _daycare_reasons(app: Application, rules: RuleSet, cap: dict, figures: dict, trail: _Trail) -> None:
    daycare = app.centre.daycare
    if daycare is None:
        return
    if not cap["daycare_allowance"]:
        trail.say(
            f"어린이집 가산({rules.cite('decree-36-4-4-1-1')} 단서)은 산업단지 안 산업시설구역의 센터에만 적용되므로 "
            "이 센터에는 더하지 않습니다."
        )
        return
    if daycare.public and rules.daycare["public_excluded"]:
        trail.say(f"국공립어린이집은 {rules.cite('decree-36-4-4-1-1')} 단서의 가산 대상에서 제외됩니다.")
        return
    band = figures["_band"]
    if band is None:
        trail.say(
            f"보육정원 {daycare.capacity}명은 {rules.cite('decree-36-4-4-1-1')} 단서의 가산 구간(11명 이상)에 "
            "해당하지 않아 더하지 않습니다."
        )
        return
    trail.cite(band["clause"])
    by_band = min(daycare.area_m2 * band["multiplier"], band["max_m2"])
    ten = app.centre.gross_floor_area_m2 * rules.daycare["max_ratio_of_gfa"]
    line = (
        f"어린이집 보육정원 {daycare.capacity}명: {rules.quote(band['clause'])} → min({_fmt(daycare.area_m2)}㎡ × "
        f"{band['multiplier']}, {_fmt(band['max_m2'])}㎡) = {_fmt(by_band)}㎡"
    )
    if by_band > ten:
        line += f", 건축연면적의 {_pct(rules.daycare['max_ratio_of_gfa'])}({_fmt(ten)}㎡) 이하로 줄여 {_fmt(ten)}㎡"
    trail.say(line + "를 30%에 더합니다.")


# --- the building itself (제4조의6) ----------------------------------------------------------------


def check_building(
    rules: RuleSet | None,
    *,
    floors_above_ground: int | None,
    units_for_industry: int | None,
    floor_area_above_ground_m2: Decimal | None,
    building_area_m2: Decimal | None,
) -> list[dict]:
    """Whether a building meets the requirements of a 지식산업센터 (시행령 제4조의6): one line per
    requirement, ``ok`` True/False, or None where a figure is not known."""
    rules = rules or shipped_rules()
    req = rules.building_requirements
    ratio = None
    if floor_area_above_ground_m2 is not None and building_area_m2:
        ratio = Decimal(floor_area_above_ground_m2) / Decimal(building_area_m2)
    min_ratio = Decimal(str(req.get("min_floor_area_ratio", "3")))
    return [
        {
            "clause": rules.cite("decree-4-6-1"),
            "text": rules.text("decree-4-6-1"),
            "value": floors_above_ground,
            "ok": None if floors_above_ground is None else floors_above_ground >= req.get("min_floors_above_ground", 3),
        },
        {
            "clause": rules.cite("decree-4-6-2"),
            "text": rules.text("decree-4-6-2"),
            "value": units_for_industry,
            "ok": None if units_for_industry is None else units_for_industry >= req.get("min_units", 6),
        },
        {
            "clause": rules.cite("decree-4-6-3"),
            "text": rules.text("decree-4-6-3"),
            "value": float(ratio.quantize(TWO)) if ratio is not None else None,
            "ok": None if ratio is None else ratio >= min_ratio,
        },
    ]


def check(data: dict, centre_lookup=None, rules: RuleSet | None = None) -> dict:
    """Parse and evaluate an application in one step: the JSON answer of the CLI and the API."""
    rules = rules or shipped_rules()
    return evaluate(parse_application(data, centre_lookup, rules), rules).as_dict()
