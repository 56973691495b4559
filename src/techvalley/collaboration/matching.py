"""Korean text matching: needs → experts, labs, equipment and programmes (and back), explained.

Plain Python, no database. Three parts:

- ``Analyzer``: Korean morphological analysis with kiwipiepy (its model ships with the package).
  A text becomes index terms: nouns (NNG, NNP), roots (XR), verb and adjective stems, foreign
  words and their compounds ("표면 처리" → 표면, 처리, 표면처리), with the spellings of one thing
  rewritten to one form (6가 크롬, Cr(VI), 육가크롬 → 6가크롬) from ``data/synonyms.json``.
- ``Index``: BM25 (bm25s) over the documents' terms. Titles and fields count twice.
- ``Index.search``: the need's terms, plus *related* terms at half weight (도금 → 표면처리), scored by
  BM25, filtered by a hard filter (a programme the company is not eligible for is never
  recommended: ``collaboration.eligibility``), boosted by criteria met, and explained: every
  result lists the terms it matched and the criteria it met.
"""

from __future__ import annotations

import heapq
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

#: Parts of speech that carry a subject: general and proper nouns, roots, foreign words, hanja.
CONTENT_TAGS = {"NNG", "NNP", "XR", "SL", "SH"}
STEM_TAGS = {"VV", "VA"}
RELATED_WEIGHT = 0.5
_SPACES = re.compile(r"\s+")
# bm25s logs every index it builds; the matcher builds them often.
logging.getLogger("bm25s").setLevel(logging.WARNING)
#: A doc's title and fields count this many times (BM25 saturates, so "twice" is a nudge).
FIELD_REPEAT = 2
#: Words remembered by an analyser (cleared when full).
WORD_CACHE = 500_000


@dataclass(frozen=True)
class Lexicon:
    """The synonym and expansion list (``data/synonyms.json``), ready to use."""

    canonical: dict[str, str]
    phrases: re.Pattern | None
    phrase_map: dict[str, str]
    related: dict[str, tuple[str, ...]]
    stopwords: frozenset[str]
    user_words: tuple[str, ...]
    source: str

    @classmethod
    def from_dict(cls, data: dict) -> Lexicon:
        canonical: dict[str, str] = {}
        phrase_map: dict[str, str] = {}
        user_words: set[str] = set()
        for group in data.get("equivalent", []):
            head = group[0]
            user_words.add(head)
            for variant in group:
                key = variant.lower()
                if re.fullmatch(r"[0-9A-Za-z가-힣]+", variant) and not re.search(r"\s", variant):
                    canonical[key] = head
                    if re.search(r"[가-힣]", variant):
                        user_words.add(variant)
                else:
                    phrase_map[key] = head
        pattern = None
        if phrase_map:
            alternatives = sorted(phrase_map, key=len, reverse=True)
            pattern = re.compile(
                "|".join(r"\s+".join(re.escape(p) for p in a.split()) for a in alternatives), re.IGNORECASE
            )
        related: dict[str, set[str]] = {}
        for group in data.get("related", []):
            terms = [canonical.get(t.lower(), t) for t in group]
            for t in terms:
                related.setdefault(t, set()).update(x for x in terms if x != t)
        return cls(
            canonical=canonical,
            phrases=pattern,
            phrase_map=phrase_map,
            related={k: tuple(sorted(v)) for k, v in related.items()},
            stopwords=frozenset(data.get("stopwords", [])),
            user_words=tuple(sorted(w for w in user_words if re.fullmatch(r"\S+", w))),
            source=data.get("source", ""),
        )

    def canon(self, term: str) -> str:
        return self.canonical.get(term.lower(), term)


@cache
def default_lexicon() -> Lexicon:
    path = resources.files("techvalley.collaboration") / "data" / "synonyms.json"
    return Lexicon.from_dict(json.loads(path.read_text(encoding="utf-8")))


class Analyzer:
    """Korean text → index terms, with the lexicon's spellings unified. One Kiwi per analyser
    (Kiwi is not safe to share between threads while tokenising: a lock guards it)."""

    def __init__(self, lexicon: Lexicon | None = None):
        from kiwipiepy import Kiwi

        self.lexicon = lexicon or default_lexicon()
        self._kiwi = Kiwi()
        for word in self.lexicon.user_words:
            if re.search(r"[가-힣]", word):
                self._kiwi.add_user_word(word, "NNP", 0)
        self._lock = threading.Lock()
        self._words: dict[str, tuple[tuple[str, ...], str | None, str | None]] = {}

    def _rewrite(self, text: str) -> str:
        lex = self.lexicon
        if lex.phrases is None:
            return text
        return lex.phrases.sub(lambda m: " " + lex.phrase_map[_SPACES.sub(" ", m.group(0).lower())] + " ", text)

    def terms(self, text: str) -> list[str]:
        """The index terms of a text, in order (repeats kept: they are term frequencies).

        Each word (어절, between spaces) is analysed once and remembered: texts repeat their words
        (도금, 공정에서, 필요합니다), so a text costs a few look-ups once its words have been seen.
        A noun ending one word and a noun starting the next also make a compound ("표면 처리" →
        표면처리), as within a word."""
        if not text or not text.strip():
            return []
        lex = self.lexicon
        out: list[str] = []
        tail = None
        for word in self._rewrite(text).split():
            found = self._words.get(word)
            if found is None:
                found = self._analyse_word(word)
            terms, head, end = found
            if tail is not None and head is not None and self._joins(tail, head):
                compound = lex.canon(tail + head)
                if compound not in lex.stopwords:
                    out.append(compound)
            out.extend(terms)
            tail = end
        return out

    def _joins(self, first: str, second: str) -> bool:
        """Two nouns make a compound unless one is a single syllable (크롬+과, 과+중금속: a particle
        read as a noun), or the compound is a term of the lexicon (열+처리 → 열처리)."""
        if len(first) > 1 and len(second) > 1:
            return True
        return (first + second).lower() in self.lexicon.canonical

    def _analyse_word(self, word: str) -> tuple[tuple[str, ...], str | None, str | None]:
        """(terms, the noun it starts with, the noun it ends with) of one word, remembered."""
        with self._lock:
            tokens = self._kiwi.tokenize(word)
        lex = self.lexicon
        out: list[str] = []
        prev_end, prev_noun, prefix = -10, None, None
        for tok in tokens:
            tag = tok.tag
            form = tok.form
            if tag == "XPN":  # 재-활용, 비-파괴: the prefix belongs to the noun it comes with
                prefix, prev_noun, prev_end = form, None, tok.start + tok.len
                continue
            if tag in CONTENT_TAGS:
                term = form.lower() if tag == "SL" else form
                if tag == "SL" and len(term) < 2:
                    prev_noun = prefix = None
                    continue
                if prefix is not None and tag == "NNG" and tok.start == prev_end:
                    out.append(lex.canon(prefix + form))
                prefix = None
                term = lex.canon(term)
                if term not in lex.stopwords:
                    out.append(term)
                if (
                    prev_noun is not None
                    and tok.start == prev_end
                    and tag in ("NNG", "NNP")
                    and self._joins(prev_noun, form)
                ):
                    compound = lex.canon(prev_noun + form)
                    if compound not in lex.stopwords and compound != term:
                        out.append(compound)
                prev_noun = form if tag in ("NNG", "NNP") else None
                prev_end = tok.start + tok.len
            elif tag in STEM_TAGS and len(form) >= 2:
                term = lex.canon(form)
                if term not in lex.stopwords:
                    out.append(term)
                prev_noun = prefix = None
            else:
                prev_noun = prefix = None
        nouns = ("NNG", "NNP")
        head = tokens[0].form if tokens and tokens[0].tag in nouns and tokens[0].start == 0 else None
        last = tokens[-1] if tokens else None
        end = last.form if last is not None and last.tag in nouns and last.start + last.len == len(word) else None
        found = (tuple(out), head, end)
        if len(self._words) >= WORD_CACHE:
            self._words.clear()
        self._words[word] = found
        return found

    def expand(self, terms: Sequence[str]) -> tuple[list[str], dict[str, str]]:
        """The related terms of a query's terms (not already in it) and what each stands for."""
        have = set(terms)
        extra: dict[str, str] = {}
        for t in terms:
            for r in self.lexicon.related.get(t, ()):
                if r not in have and r not in extra and r not in self.lexicon.stopwords:
                    extra[r] = t
        return list(extra), extra


@cache
def default_analyzer() -> Analyzer:
    return Analyzer()


# --- documents and the index -------------------------------------------------------------


@dataclass
class Document:
    """One thing to find: an expert, lab, equipment, programme or a company's need.

    ``title`` and ``fields`` weigh twice; ``payload`` is whatever the caller needs back (the
    eligibility of a programme, a database id …)."""

    ref: str
    title: str = ""
    fields: Sequence[str] = ()
    text: str = ""
    kind: str = ""
    payload: Any = None


@dataclass
class Hit:
    """A result: the document, its score, the terms that matched (and what they stand for) and
    the criteria it met or failed."""

    doc: Document
    score: float
    matched: list[str]
    related: dict[str, str] = field(default_factory=dict)
    field_terms: list[str] = field(default_factory=list)
    criteria: list[str] = field(default_factory=list)
    cannot_tell: list[str] = field(default_factory=list)
    against: list[str] = field(default_factory=list)
    status: str = "eligible"

    def why(self) -> str:
        """The explanation in Korean: "일치: 도금, 6가크롬 · 관련어: 표면처리(← 도금) · 조건 충족: …"."""
        parts = []
        if self.matched:
            parts.append("일치: " + ", ".join(self.matched))
        if self.related:
            parts.append("관련어: " + ", ".join(f"{t}(← {src})" for t, src in self.related.items()))
        if self.field_terms:
            parts.append("분야·제목 일치: " + ", ".join(self.field_terms))
        if self.criteria:
            parts.append("조건 충족: " + "; ".join(self.criteria))
        if self.cannot_tell:
            parts.append("확인 필요: " + "; ".join(self.cannot_tell))
        return " · ".join(parts) or "일치하는 용어 없음"


class Index:
    """A BM25 index over documents' analysed terms (bm25s, k1=1.2, b=0.75, Lucene IDF by default;
    ``method="robertson"`` gives the classic Okapi formula, for comparing with rank_bm25)."""

    def __init__(
        self,
        docs: Iterable[Document],
        analyzer: Analyzer | None = None,
        *,
        method: str = "lucene",
        keep_corpus: bool = False,
    ):
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on import

        self.analyzer = analyzer or default_analyzer()
        self.docs: list[Document] = list(docs)
        self.doc_terms: list[frozenset[str]] = []
        self.head_terms: list[frozenset[str]] = []
        corpus: list[list[str]] = []
        for d in self.docs:
            head = self.analyzer.terms(" ".join([d.title, *d.fields]))
            body = self.analyzer.terms(d.text)
            corpus.append(head * FIELD_REPEAT + body)
            self.doc_terms.append(frozenset(head) | frozenset(body))
            self.head_terms.append(frozenset(head))
        #: The analysed documents (title and fields twice, then the text), when asked to keep them.
        self.corpus = corpus if keep_corpus else None
        self._bm25 = None
        self.vocab: set[str] = set()
        # Each document's place in the order of refs: ties in score are broken by ref.
        self._ref_rank = np.argsort(np.argsort(np.array([d.ref for d in self.docs], dtype=object), kind="stable"))
        if self.docs:
            self._bm25 = bm25s.BM25(k1=1.2, b=0.75, method=method)
            # Every doc needs one term, else bm25s drops it from the vocabulary's reckoning.
            self._bm25.index([terms or ["\x00"] for terms in corpus], show_progress=False)
            self.vocab = set(self._bm25.vocab_dict)

    def __len__(self) -> int:
        return len(self.docs)

    def scores(self, terms: Sequence[str], related: Sequence[str] = ()) -> np.ndarray:
        """BM25 of every document for the query terms, plus the related terms at half weight.

        The same sums as ``bm25s.BM25.get_scores`` (a repeated term counts again), read from its
        precomputed per-term columns in one ``bincount`` for the terms and their related terms."""
        n = len(self.docs)
        if self._bm25 is None:
            return np.zeros(0, dtype=np.float32)
        columns = self._bm25.scores
        data, indices, indptr = columns["data"], columns["indices"], columns["indptr"]
        vocab = self._bm25.vocab_dict
        rows, weights = [], []
        for group, weight in ((terms, 1.0), (related, RELATED_WEIGHT)):
            for t in group:
                tid = vocab.get(t)
                if tid is None:
                    continue
                a, b = indptr[tid], indptr[tid + 1]
                rows.append(indices[a:b])
                weights.append(data[a:b] if weight == 1.0 else data[a:b] * weight)
        if not rows:
            return np.zeros(n, dtype=np.float32)
        return np.bincount(np.concatenate(rows), weights=np.concatenate(weights), minlength=n).astype(np.float32)

    def search(
        self,
        text: str,
        *,
        limit: int = 10,
        judge: Callable[[Document], tuple[str, list[str], list[str], list[str]]] | None = None,
        boost: float = 0.05,
        exhaustive: bool = True,
        candidates: int = 200,
    ) -> tuple[list[Hit], list[Hit]]:
        """The best documents for a need, and (when ``judge`` is given) the ineligible ones apart.

        ``judge(doc)`` returns (status, met, unmet, unknown): "not_eligible" documents are never
        among the results but come back in the second list; each criterion met lifts the score
        by ``boost`` (at most five). Documents are judged best first until no later one could
        enter the results: the second list holds every refused document that would otherwise
        have ranked among them (with fewer matches than ``limit``, every refused match).
        ``exhaustive=False`` also stops at the best ``candidates``.
        """
        terms = self.analyzer.terms(text)
        related, sources = self.analyzer.expand(terms)
        return self.search_terms(
            terms, related, sources, limit=limit, judge=judge, boost=boost, exhaustive=exhaustive, candidates=candidates
        )

    def search_terms(
        self,
        terms: Sequence[str],
        related: Sequence[str],
        sources: dict[str, str],
        *,
        limit: int = 10,
        judge=None,
        boost: float = 0.05,
        exhaustive: bool = True,
        candidates: int = 200,
    ) -> tuple[list[Hit], list[Hit]]:
        if not self.docs or not terms:
            return [], []
        scores = self.scores(terms, related)
        positive = np.flatnonzero(scores > 0)
        if positive.size == 0:
            return [], []
        if judge is None and positive.size > limit:
            # Only the best ``limit`` can be shown: pick them without sorting every match.
            positive = positive[np.argpartition(-scores[positive], limit - 1)[:limit]]
        elif not exhaustive and positive.size > candidates:
            positive = positive[np.argpartition(-scores[positive], candidates - 1)[:candidates]]
        # Best first; ties by ref, so the order never depends on how the index was built.
        order = positive[np.lexsort((self._ref_rank[positive], -scores[positive]))].tolist()
        kept: list[tuple[float, int, tuple]] = []  # (boosted score, doc, judgement)
        best: list[float] = []  # a min-heap of the best ``limit`` boosted scores so far
        refused: list[Hit] = []
        top_boost = 1 + boost * 5
        for i in order:
            score = float(scores[i])
            # Boosts lift a score by at most ``top_boost``: once even that cannot reach the
            # results, every later (lower) match is out of reach too, eligible or not.
            if len(best) >= limit and score * top_boost < best[0]:
                break
            judgement = ("eligible", (), (), ())
            if judge is not None:
                judgement = judge(self.docs[i])
            status, met = judgement[0], judgement[1]
            if status == "not_eligible":
                # A refusal says why not; which terms matched does not matter there.
                refused.append(Hit(self.docs[i], score, [], against=list(judgement[2]), status=status))
                continue
            boosted = score * (1 + boost * min(len(met), 5))
            kept.append((boosted, i, judgement))
            if len(best) < limit:
                heapq.heappush(best, boosted)
            elif boosted > best[0]:
                heapq.heapreplace(best, boosted)
        kept.sort(key=lambda k: (-k[0], self._ref_rank[k[1]]))
        hits = []
        for boosted, i, judgement in kept[:limit]:
            hit = self._explain(i, float(scores[i]), terms, related, sources, judgement)
            hit.score = boosted
            hits.append(hit)
        return hits, refused

    def _explain(self, i: int, score: float, terms, related, sources, judgement) -> Hit:
        have = self.doc_terms[i]
        matched = list(dict.fromkeys(t for t in terms if t in have))
        rel = {t: sources[t] for t in related if t in have}
        head = list(dict.fromkeys(t for t in terms if t in self.head_terms[i]))
        status, met, unmet, unknown = judgement
        return Hit(self.docs[i], score, matched, rel, head, list(met), list(unknown), list(unmet), status)

    def reverse(self, doc_text: str, limit: int = 10) -> list[Hit]:
        """The reverse direction (a lab → the needs it could answer): the same search."""
        return self.search(doc_text, limit=limit)[0]
