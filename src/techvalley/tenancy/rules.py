"""The rule data of knowledge-industry-centre eligibility (지식산업센터 입주 자격), as plain Python.

The rules are data (``data/kic_rules.json``, see its SOURCE.md): every clause of the statute the
evaluator relies on, with its citation and text; the KSIC codes of revisions 10 and 11 each clause
admits or excludes; the caps. ``RuleSet`` checks a rule document (the shipped file, or a version an
officer edited and stored) and expands the KSIC prefixes to 세세분류 codes with the registry's KSIC
tables, once. No database here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

from techvalley.core.validation import BadInput
from techvalley.registry import ksic

REVISIONS = (10, 11)
LOCATIONS = ("industrial_facility_zone", "mixed_zone", "outside_capital", "inside_capital")
INSIDE_COMPLEX = frozenset({"industrial_facility_zone", "mixed_zone"})


def _decimal(value, where: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise BadInput(f"규칙 자료 {where}: 숫자가 아닙니다. / not a number.", field=where) from None
    if not number.is_finite() or number < 0:
        raise BadInput(f"규칙 자료 {where}: 0 이상의 숫자여야 합니다. / must be a number ≥ 0.", field=where)
    return number


@cache
def leaves(revision: int) -> dict[str, frozenset[str]]:
    """Every 세세분류 (level 5) code of a revision → the codes of all its ancestors and itself."""
    table = ksic.table(revision)
    out = {}
    for ind in table.values():
        if ind.level == 5:
            out[ind.code] = frozenset(a.code for a in ksic.ancestors(ind))
    return out


@cache
def _descendant_leaves(revision: int) -> dict[str, tuple[str, ...]]:
    by_node: dict[str, list[str]] = {}
    for leaf, chain in leaves(revision).items():
        for node in chain:
            by_node.setdefault(node, []).append(leaf)
    return {k: tuple(sorted(v)) for k, v in by_node.items()}


def leaves_under(code: str, revision: int) -> tuple[str, ...]:
    """The 세세분류 codes under a code (the code itself for a 세세분류; itself if it has none)."""
    found = _descendant_leaves(revision).get(code)
    return found if found else (code,)


@dataclass(frozen=True)
class Condition:
    """A fact the statute makes a clause depend on, which an application may state (true/false)."""

    id: str
    clause: str
    text: str


@dataclass(frozen=True)
class Route:
    """One entry of the rule data that matches KSIC codes: a tenant route, a recognisable industry or
    a support-facility exclusion."""

    kind: str  # tenant | recognisable | exclusion
    clause: str
    label: str
    codes: dict[int, frozenset[str]]
    excluded: dict[int, frozenset[str]]
    via: tuple[str, ...] = ()
    condition: Condition | None = None  # tenant: admitted only if it holds
    unless: Condition | None = None  # exclusion: excluded unless it holds
    applies_if: Condition | None = None  # exclusion: excluded only if it holds
    recognition: str = ""  # "management_body": a body must recognise the industry (제6조②29)
    building_use: str = ""
    condition_text: str = ""
    note: str = ""

    def matches(self, chain: frozenset[str], revision: int) -> bool:
        return bool(self.codes.get(revision, frozenset()) & chain) and not (
            self.excluded.get(revision, frozenset()) & chain
        )


@dataclass
class RuleSet:
    """A checked rule document, with its KSIC codes expanded."""

    document: dict
    version: str
    statute: dict
    clauses: dict[str, dict]
    tenant_routes: list[Route]
    recognisable: list[Route]
    exclusions: list[Route]
    caps: dict[str, dict]
    daycare: dict
    same_type_max: Decimal
    manufacturing_outside: Condition
    advanced_technology: Condition | None
    building_uses: dict[str, str]
    building_requirements: dict
    conditions: dict[str, Condition] = field(default_factory=dict)

    # --- reading --------------------------------------------------------------------------
    def cite(self, clause_id: str) -> str:
        return self.clauses[clause_id]["cite"]

    def text(self, clause_id: str) -> str:
        return self.clauses[clause_id]["text"]

    def quote(self, clause_id: str) -> str:
        """「시행령 제6조 제3항 제1호」 “컴퓨터 프로그래밍, …” — a clause with its text."""
        return f"{self.cite(clause_id)} “{self.text(clause_id)}”"

    def matching(self, routes: list[Route], code: str, revision: int) -> list[Route]:
        chain = leaves(revision).get(code) or frozenset({code})
        return [r for r in routes if r.matches(chain, revision)]

    def codes_of(self, route: Route, revision: int) -> list[str]:
        """The 세세분류 codes a route admits or excludes in a revision (expanded)."""
        return sorted(c for c, chain in leaves(revision).items() if route.matches(chain, revision))

    # --- building -------------------------------------------------------------------------
    @classmethod
    def from_document(cls, doc: dict) -> RuleSet:
        """Check a rule document and expand it; anything wrong is a ``BadInput`` naming the entry."""
        if not isinstance(doc, dict):
            raise BadInput("규칙 자료는 JSON 객체여야 합니다. / the rule data must be a JSON object.")
        for key in ("version", "statute", "clauses", "tenant_routes", "support_exclusions", "support_caps"):
            if key not in doc:
                raise BadInput(f"규칙 자료에 '{key}'가 없습니다. / the rule data lacks '{key}'.", field=key)
        clauses = doc["clauses"]
        if not isinstance(clauses, dict) or not clauses:
            raise BadInput("규칙 자료 clauses: 조항 목록이 비어 있습니다. / no clauses.", field="clauses")
        for cid, c in clauses.items():
            if not isinstance(c, dict) or not str(c.get("cite", "")).strip() or not str(c.get("text", "")).strip():
                raise BadInput(
                    f"규칙 자료 조항 '{cid}': cite와 text가 모두 필요합니다. / clause '{cid}' needs cite and text.",
                    field=f"clauses.{cid}",
                )
        conditions: dict[str, Condition] = {}

        def clause_id(value, where: str) -> str:
            if value not in clauses:
                raise BadInput(
                    f"규칙 자료 {where}: 조항 '{value}'이(가) clauses에 없습니다. / unknown clause '{value}'.",
                    field=where,
                )
            return value

        def condition(value, where: str) -> Condition | None:
            if value is None:
                return None
            if not isinstance(value, dict) or not value.get("id") or not value.get("text"):
                raise BadInput(f"규칙 자료 {where}: 조건에는 id와 text가 필요합니다. / a condition needs id and text.")
            cond = Condition(str(value["id"]), clause_id(value.get("clause"), where), str(value["text"]))
            known = conditions.get(cond.id)
            if known is not None and known != cond:
                raise BadInput(
                    f"규칙 자료 {where}: 조건 id '{cond.id}'가 두 번 다르게 쓰였습니다. / condition id reused."
                )
            conditions[cond.id] = cond
            return cond

        def codes(value, where: str) -> dict[int, frozenset[str]]:
            value = value or {}
            if not isinstance(value, dict):
                raise BadInput(f'규칙 자료 {where}: {{"10": [...], "11": [...]}} 형식이어야 합니다. / bad codes.')
            out = {}
            for rev_key, listed in value.items():
                try:
                    rev = int(rev_key)
                except ValueError:
                    rev = 0
                if rev not in REVISIONS:
                    raise BadInput(f"규칙 자료 {where}: 분류 차수 '{rev_key}'는 10 또는 11이어야 합니다. / revision.")
                if not isinstance(listed, list):
                    raise BadInput(f"규칙 자료 {where}: 코드 목록이어야 합니다. / must be a list of codes.")
                table = ksic.table(rev)
                for code in listed:
                    if str(code) not in table:
                        raise BadInput(
                            f"규칙 자료 {where}: '{code}'는 한국표준산업분류 제{rev}차에 없는 코드입니다. "
                            f"/ '{code}' is not a code of KSIC revision {rev}.",
                            field=where,
                        )
                out[rev] = frozenset(str(c) for c in listed)
            return out

        def route(kind: str, entry: dict, where: str) -> Route:
            if not isinstance(entry, dict):
                raise BadInput(f"규칙 자료 {where}: 객체여야 합니다. / must be an object.")
            return Route(
                kind=kind,
                clause=clause_id(entry.get("clause"), where),
                label=str(entry.get("label") or clauses[entry.get("clause")]["text"]),
                codes=codes(entry.get("ksic"), f"{where}.ksic"),
                excluded=codes(entry.get("exclude"), f"{where}.exclude"),
                via=tuple(clause_id(v, f"{where}.via") for v in entry.get("via", ())),
                condition=condition(entry.get("condition"), f"{where}.condition"),
                unless=condition(entry.get("unless"), f"{where}.unless"),
                applies_if=condition(entry.get("applies_if"), f"{where}.applies_if"),
                recognition=str(entry.get("recognition") or ""),
                building_use=str(entry.get("building_use") or ""),
                condition_text=str(entry.get("condition_text") or ""),
                note=str(entry.get("mapping_note") or ""),
            )

        tenant = [route("tenant", e, f"tenant_routes[{i}]") for i, e in enumerate(doc["tenant_routes"])]
        recognisable = [
            route("recognisable", e, f"recognisable_industries[{i}]")
            for i, e in enumerate(doc.get("recognisable_industries", []))
        ]
        exclusions = [
            route("exclusion", e, f"support_exclusions[{i}]") for i, e in enumerate(doc["support_exclusions"])
        ]
        building_uses = dict(doc.get("building_uses") or {})
        for r in exclusions:
            if r.building_use and r.building_use not in building_uses:
                raise BadInput(f"규칙 자료: 건축물 용도 '{r.building_use}'가 building_uses에 없습니다. / unknown use.")
        caps = {}
        for loc in LOCATIONS:
            cap = (doc["support_caps"] or {}).get(loc)
            if not isinstance(cap, dict):
                raise BadInput(f"규칙 자료 support_caps: '{loc}'가 없습니다. / missing cap for {loc}.")
            ratio = _decimal(cap.get("ratio"), f"support_caps.{loc}.ratio")
            if ratio > 1:
                raise BadInput(f"규칙 자료 support_caps.{loc}.ratio: 1 이하여야 합니다. / must be ≤ 1.")
            caps[loc] = {
                "ratio": ratio,
                "clause": clause_id(cap.get("clause"), f"support_caps.{loc}"),
                "daycare_allowance": bool(cap.get("daycare_allowance")),
                "label": str(cap.get("label") or loc),
            }
        daycare_doc = doc.get("daycare_allowance") or {}
        bands = []
        for i, b in enumerate(daycare_doc.get("bands", [])):
            where = f"daycare_allowance.bands[{i}]"
            below = b.get("below_capacity")
            bands.append(
                {
                    "min_capacity": int(b["min_capacity"]),
                    "below_capacity": int(below) if below is not None else None,
                    "multiplier": _decimal(b["multiplier"], where),
                    "max_m2": _decimal(b["max_m2"], where),
                    "clause": clause_id(b.get("clause"), where),
                }
            )
        bands.sort(key=lambda b: b["min_capacity"])
        daycare = {
            "max_ratio_of_gfa": _decimal(
                daycare_doc.get("max_ratio_of_gfa", "0"), "daycare_allowance.max_ratio_of_gfa"
            ),
            "public_excluded": bool(daycare_doc.get("public_excluded", True)),
            "bands": bands,
        }
        same_type = doc.get("same_type") or {}
        manufacturing = doc.get("manufacturing_outside") or {}
        mo = condition(manufacturing.get("condition"), "manufacturing_outside.condition")
        if mo is None:
            raise BadInput("규칙 자료 manufacturing_outside.condition이 없습니다. / missing.")
        advanced = condition((doc.get("advanced_technology") or {}).get("condition"), "advanced_technology.condition")
        for t in tenant:
            for c in t.via:
                clause_id(c, "tenant_routes.via")
        return cls(
            document=doc,
            version=str(doc["version"]),
            statute=dict(doc["statute"]),
            clauses=clauses,
            tenant_routes=tenant,
            recognisable=recognisable,
            exclusions=exclusions,
            caps=caps,
            daycare=daycare,
            same_type_max=_decimal(same_type.get("max_share", "0.5"), "same_type.max_share"),
            manufacturing_outside=mo,
            advanced_technology=advanced,
            building_uses=building_uses,
            building_requirements=dict(doc.get("building_requirements") or {}),
            conditions=conditions,
        )


def shipped_document() -> dict:
    """The rule document shipped with the platform (``data/kic_rules.json``)."""
    path = resources.files("techvalley.tenancy") / "data" / "kic_rules.json"
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def shipped_rules() -> RuleSet:
    return RuleSet.from_document(shipped_document())


_by_text: dict[str, RuleSet] = {}


def rules_from_document(doc: dict) -> RuleSet:
    """A checked rule set for a (stored) document, cached by its content."""
    key = json.dumps(doc, sort_keys=True, ensure_ascii=False)
    found = _by_text.get(key)
    if found is None:
        found = RuleSet.from_document(doc)
        if len(_by_text) > 16:
            _by_text.clear()
        _by_text[key] = found
    return found


def diff_documents(old, new, path: str = "", limit: int = 50) -> list[str]:
    """What changed between two rule documents, one line per changed value ("support_caps.mixed_zone.ratio:
    0.50 → 0.40"), for an officer reviewing a version. Lists are compared item by item."""
    out: list[str] = []

    def walk(a, b, where: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b), key=str):
                walk(a.get(key, _MISSING), b.get(key, _MISSING), f"{where}.{key}" if where else str(key))
        elif isinstance(a, list) and isinstance(b, list):
            for i in range(max(len(a), len(b))):
                walk(a[i] if i < len(a) else _MISSING, b[i] if i < len(b) else _MISSING, f"{where}[{i}]")
        elif a != b:
            out.append(f"{where}: {_short(a)} → {_short(b)}")

    walk(old, new, path)
    return out


class _Missing:
    def __repr__(self) -> str:
        return "(없음)"


_MISSING = _Missing()


def _short(value) -> str:
    text = "(없음)" if value is _MISSING else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "…"
