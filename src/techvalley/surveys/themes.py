"""Themes in Korean free-text answers: kiwipiepy nouns and noun phrases, grouped by keyword.

Each answer becomes a set of terms: the nouns Kiwi finds (general and proper nouns, foreign
words such as "LED", two characters or more) and the noun phrases made of nouns that follow
one another ("전기 요금" → "전기요금", "스마트 공장 구축" → "스마트공장구축" is not made:
phrases are pairs, which read as the compounds Korean writes together). Terms every answer
uses (stop-words such as 필요·지원·생각, or a term in most answers) say nothing and are dropped.

Grouping is greedy keyword extraction: the term found in the most answers not yet placed
(a phrase wins a tie over its parts) seeds a theme; the theme takes every unplaced answer
with that term; its keywords are the terms most typical of its answers (frequent in the
theme, rarer outside). Repeat while a term is shared by at least ``min_size`` answers. The
answers left form no theme. Representative quotes are the answers holding most of the
theme's keywords, shorter first. The same input gives the same themes.
"""

from __future__ import annotations

import math
import os
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

NOUN_TAGS = ("NNG", "NNP", "SL")
#: Words of almost every answer to a demand survey: they would make every theme the same.
STOPWORDS = frozenset(
    "것 수 등 때 점 곳 분 중 내 외 측 쪽 개 명 년 월 일 번 건 필요 생각 정도 부분 관련 경우 가지 우리 회사 당사 저희 "
    "기업 업체 현재 이번 정말 지원 요청 희망 바람 부탁 문제 사항 내용 방안 의견 확대 강화 개선 추진 마련 도움 "
    "가능 이상 이하 위 대해 통해 대한 또한 및 좀 많이 부족 어려움 애로 부담 올해 작년 내년 관심 사례 구청 구청장 "
    "산단 단지 특히 다른 최근 계속 항상 매우 직원 명".split()
)
#: A term in more than this share of the answers is too general to name a theme.
MAX_SHARE = 0.6

_kiwi = None
_kiwi_lock = threading.Lock()


def kiwi():
    """One Kiwi instance per process (loading its model takes a few seconds)."""
    global _kiwi
    with _kiwi_lock:
        if _kiwi is None:
            from kiwipiepy import Kiwi

            # Batches run on worker threads (at least two: Kiwi refuses a batch in single-thread mode).
            _kiwi = Kiwi(num_workers=max(2, min(4, os.cpu_count() or 2)))
    return _kiwi


@dataclass
class Theme:
    label: str
    keywords: list[str]
    responses: list[str]
    quotes: list[str]
    size: int = 0
    terms: Counter = field(default_factory=Counter, repr=False)

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "keywords": self.keywords,
            "count": self.size,
            "responses": self.responses,
            "quotes": self.quotes,
        }


def terms_of(tokens: Iterable) -> set[str]:
    """Nouns and two-noun phrases of one analysed answer (Kiwi tokens with ``form``, ``tag``,
    ``start``, ``len``)."""
    out: set[str] = set()
    prev = None
    for tok in tokens:
        tag = tok.tag.split("-")[0]
        if tag in NOUN_TAGS:
            form = tok.form.upper() if tag == "SL" else tok.form
            if len(form) >= 2 and form not in STOPWORDS:
                out.add(form)
            adjacent = prev is not None and prev.start + prev.len == tok.start
            if prev is not None and tag != "SL" and prev.tag in ("NNG", "NNP"):
                if (
                    prev.form not in STOPWORDS
                    and form not in STOPWORDS
                    and (adjacent or len(prev.form) + len(form) <= 6)
                ):
                    out.add(prev.form + form)
            prev = tok
        else:
            prev = None
    return out


def analyse_texts(texts: Sequence[str], analyser=None) -> list[set[str]]:
    """The term set of every text (Kiwi runs over the batch)."""
    k = analyser or kiwi()
    unique = list(dict.fromkeys(texts))  # the same answer ("없음", a pasted sentence) is analysed once
    terms = {text: terms_of(tokens) for text, tokens in zip(unique, k.tokenize(unique), strict=True)}
    return [terms[t] for t in texts]


def extract_themes(
    docs: Sequence[tuple[str, str]],
    *,
    limit: int = 8,
    min_size: int = 2,
    keywords: int = 5,
    quotes: int = 3,
    kiwi=None,
    term_sets: Sequence[set[str]] | None = None,
) -> list[Theme]:
    """Themes of ``docs`` (``(response id or ref, text)``), largest first, at most ``limit``."""
    if not docs:
        return []
    sets = list(term_sets) if term_sets is not None else analyse_texts([t for _, t in docs], kiwi)
    n = len(sets)
    df: Counter = Counter()
    for s in sets:
        df.update(s)
    too_common = {t for t, c in df.items() if n >= 5 and c / n > MAX_SHARE}
    sets = [s - too_common for s in sets]
    unplaced = set(range(n))
    themes: list[Theme] = []
    while unplaced and len(themes) < limit:
        local: Counter = Counter()
        for i in unplaced:
            local.update(sets[i])
        if not local:
            break
        # Most answers first; a phrase (longer) before its parts; then the term itself for a stable order.
        seed, size = min(local.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
        if size < min_size:
            break
        members = sorted(i for i in unplaced if seed in sets[i])
        inside: Counter = Counter()
        for i in members:
            inside.update(sets[i])
        outside_n = max(n - len(members), 1)

        def typical(term: str, inside=inside, members=members, outside_n=outside_n) -> float:
            share_in = inside[term] / len(members)
            share_out = (df[term] - inside[term]) / outside_n
            return share_in * math.log((share_in + 0.01) / (share_out + 0.01) + 1)

        def lift(term: str, inside=inside, members=members, outside_n=outside_n) -> float:
            return (inside[term] / len(members) + 0.01) / ((df[term] - inside[term]) / outside_n + 0.01)

        # Keywords besides the seed: terms clearly more common in the theme than outside it.
        ranked = sorted(
            (t for t in inside if inside[t] >= min(2, len(members)) and lift(t) >= 1.5), key=lambda t: (-typical(t), t)
        )
        kws = [seed] + [t for t in ranked if t != seed and not (t in seed or seed in t)][: keywords - 1]
        kwset = set(kws)
        best = sorted(members, key=lambda i: (-len(sets[i] & kwset), len(docs[i][1]), i))
        themes.append(
            Theme(
                label=" · ".join(kws[:2]),
                keywords=kws,
                responses=[docs[i][0] for i in members],
                quotes=[docs[i][1] for i in best[:quotes]],
                size=len(members),
                terms=inside,
            )
        )
        unplaced -= set(members)
    return sorted(themes, key=lambda t: (-t.size, t.label))
