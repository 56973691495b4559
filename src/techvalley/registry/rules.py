"""Which complex a registry row belongs to, by address rules kept as data (no database here but
``RuleSet.from_db``).

A whole city's registry (Busan: 11,386 factories in 16 districts) feeds many complexes. Each
complex has rules (``AddressRule``): a 시군구, optionally a 법정동, optionally a text the address
contains. A complex without rules of its own is described by its 시군구 and 법정동 list (the
fields ``techvalley complex edit --sigungu … --dong …`` sets). A row goes to the complex of the
most specific rule it matches (the complex a KICOX row names; then a text; then a 법정동; then a
시군구 alone); when two complexes match it equally it is *ambiguous* and goes to neither, so no
row is ever in two complexes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from techvalley.registry.parsers import company_key, split_address

#: Short and long names of the provinces and metropolitan cities (시도), for matching addresses
#: that write either form ("부산광역시 사하구 …", "부산 사하구 …").
SIDO_SHORT = {
    "서울특별시": "서울",
    "부산광역시": "부산",
    "대구광역시": "대구",
    "인천광역시": "인천",
    "광주광역시": "광주",
    "대전광역시": "대전",
    "울산광역시": "울산",
    "세종특별자치시": "세종",
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
    "제주특별자치도": "제주",
}
MATCHED, UNMATCHED, AMBIGUOUS = "matched", "unmatched", "ambiguous"
#: The most specific kind of claim: the complex a KICOX row names itself.
NAMED = 4


def sido_key(text: str) -> str:
    """ "부산광역시", "부산시" and "부산" → "부산"."""
    text = (text or "").strip()
    if text in SIDO_SHORT:
        return SIDO_SHORT[text]
    for long, short in SIDO_SHORT.items():
        if text == short or text.startswith(short) and long.startswith(text):
            return short
    return text[:2]


def complex_name_key(name: str) -> str:
    """A complex's name for matching a KICOX row's 산업단지명 ("일반" and spacing aside)."""
    return company_key(name).replace("일반", "")


@dataclass(frozen=True)
class Rule:
    """A rule as the matcher uses it (``AddressRule`` rows, or a complex's 시군구 and 법정동)."""

    complex_id: int
    sigungu: str
    legal_dong: str = ""
    address_contains: str = ""
    sido: str = ""
    rule_id: int | None = None  # None: derived from the complex's own fields

    @property
    def specificity(self) -> int:
        return 3 if self.address_contains else 2 if self.legal_dong else 1

    def scope(self) -> tuple[str, str, str, str]:
        return (sido_key(self.sido) if self.sido else "", self.sigungu, self.legal_dong, self.address_contains)

    def matches(self, address: str, sido: str, sigungu: str, dong: str) -> bool:
        if self.sigungu != sigungu:
            return False
        if self.sido and sido and sido_key(self.sido) != sido:  # an address without its 시도 passes
            return False
        if self.legal_dong and self.legal_dong != dong:
            return False
        return not self.address_contains or self.address_contains in address


@dataclass(frozen=True)
class Assignment:
    status: str  # MATCHED, UNMATCHED or AMBIGUOUS
    complex_id: int | None = None
    claimants: tuple[int, ...] = ()  # the complexes an ambiguous row matched


class RuleSet:
    """The rules of every complex, indexed by 시군구; ``assign(row)`` is a few dict look-ups."""

    def __init__(self, rules: Iterable[Rule], complex_names: dict[int, str] | None = None):
        self.rules = list(rules)
        self.by_sigungu: dict[str, list[Rule]] = defaultdict(list)
        for r in self.rules:
            self.by_sigungu[r.sigungu].append(r)
        self.named: dict[str, int] = {complex_name_key(n): cid for cid, n in (complex_names or {}).items()}
        # Rows of one (시도, 시군구, 법정동) go the same way unless a rule there has a text: remembered.
        self._plain = {s for s, rs in self.by_sigungu.items() if not any(r.address_contains for r in rs)}
        self._cache: dict[tuple[str, str, str], Assignment] = {}
        #: The (시도, 시군구) of the addresses assigned so far: where the file has rows.
        self.seen: set[tuple[str, str]] = set()

    @property
    def complex_ids(self) -> set[int]:
        return {r.complex_id for r in self.rules} | set(self.named.values())

    def covers(self, complex_id: int) -> bool:
        """Whether the rows assigned so far include the area of one of the complex's rules (its
        시군구, in its 시도): then a complex that got no row has lost its companies, rather than
        being of another city than the file."""
        for r in self.rules:
            if r.complex_id != complex_id:
                continue
            want = sido_key(r.sido) if r.sido else ""
            if any(sg == r.sigungu and (not want or not sd or sd == want) for sd, sg in self.seen):
                return True
        return False

    @classmethod
    def from_db(cls, complexes=None) -> RuleSet:
        """The rules stored (``AddressRule``), and for each complex without any, its 시군구 and 법정동."""
        from techvalley.core.models import Complex
        from techvalley.registry.models import AddressRule

        qs = Complex.objects.all() if complexes is None else Complex.objects.filter(pk__in=[c.pk for c in complexes])
        cxs = list(qs.only("id", "name", "sigungu", "legal_dongs"))
        stored = list(AddressRule.objects.filter(complex__in=cxs).order_by("id"))
        ruled = {r.complex_id for r in stored}
        rules = [Rule(r.complex_id, r.sigungu, r.legal_dong, r.address_contains, r.sido, rule_id=r.pk) for r in stored]
        for cx in cxs:
            if cx.pk in ruled or not cx.sigungu:
                continue
            dongs = list(cx.legal_dongs or ())
            rules += [Rule(cx.pk, cx.sigungu, d) for d in dongs] if dongs else [Rule(cx.pk, cx.sigungu)]
        return cls(rules, {cx.pk: cx.name for cx in cxs})

    def assign(self, address: str, complex_name: str = "") -> Assignment:
        if complex_name:
            found = self.named.get(complex_name_key(complex_name))
            if found is not None:
                return Assignment(MATCHED, found)
        sigungu, dong = split_address(address)
        candidates = self.by_sigungu.get(sigungu)
        if not candidates:
            return Assignment(UNMATCHED)
        first = address.split(maxsplit=1)[0] if address else ""
        sido = sido_key(first) if first and first != sigungu else ""
        self.seen.add((sido, sigungu))
        key = (sido, sigungu, dong)
        if sigungu in self._plain:
            hit = self._cache.get(key)
            if hit is not None:
                return hit
        best, claimants = 0, set()
        for r in candidates:
            if r.matches(address, sido, sigungu, dong):
                if r.specificity > best:
                    best, claimants = r.specificity, {r.complex_id}
                elif r.specificity == best:
                    claimants.add(r.complex_id)
        if not claimants:
            found = Assignment(UNMATCHED)
        elif len(claimants) == 1:
            found = Assignment(MATCHED, next(iter(claimants)))
        else:
            found = Assignment(AMBIGUOUS, None, tuple(sorted(claimants)))
        if sigungu in self._plain:
            self._cache[key] = found
        return found


def conflicts(rules: Iterable[Rule]) -> list[tuple[Rule, Rule]]:
    """Pairs of rules of different complexes that can claim the same row equally: the same scope
    (one with a 시도, one without counts as the same), or texts of which one contains the other."""
    by_place: dict[tuple[str, str], list[Rule]] = defaultdict(list)
    for r in rules:
        by_place[(r.sigungu, r.legal_dong)].append(r)
    found = []
    for group in by_place.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.complex_id == b.complex_id:
                    continue
                if a.sido and b.sido and sido_key(a.sido) != sido_key(b.sido):
                    continue
                ta, tb = a.address_contains, b.address_contains
                if ta == tb or (ta and tb and (ta in tb or tb in ta)):
                    found.append((a, b))
    return found
