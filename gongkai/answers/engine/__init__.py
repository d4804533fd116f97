"""Answers from published information (智能问答): a question → at most three answers,
best first, each the best passage of a source with links to it — or none, honestly,
when nothing published fits.

1. ``analysis``: normalise, segment (rjieba), drop stop words, expand into concepts.
2. ``sources``: candidate sources — FAQs, the search index (items, interpretations,
   normative documents, annual reports, the guide), replied messages — cut into passages.
3. Scoring, here: each passage gets the share of the question's concepts it holds, each
   concept weighted by how specific it is (longer words, and rarer among the candidates'
   passages: an inverse document frequency over the pool, BM25's), a concept in the
   source's title counting for a little less than one in the passage; plus the share of
   the question's bigrams the passage holds; an FAQ whose question matches is boosted.
   The best passage per source; near-identical passages merged, their sources listed
   together; answers below ``THRESHOLD`` dropped — that is the "nothing fits".

No external service is called; everything runs in the request.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from gongkai.answers.engine import analysis as qa
from gongkai.answers.engine import sources as src
from gongkai.portal.search import text as search_text

MAX_ANSWERS = 3
THRESHOLD = 0.5  # the score an answer needs (calibrated with bench/answers_eval.py)
RELATIVE = 0.55  # and this share of the best answer's score
DUPLICATE = 0.7  # bigram Jaccard above which two passages are the same answer
TITLE_SHARE = 0.6  # a concept found only in the source's title counts this much
FAQ_QUESTION_BONUS = 0.15
BIGRAM_SHARE = 0.25
UNKNOWN_SHARE = 0.35


@dataclass
class SourceLink:
    title: str
    url: str
    kind: str
    kind_label: str


@dataclass
class Answer:
    text: str
    score: float
    sources: list[SourceLink]
    kind: str
    terms: list[str] = field(default_factory=list)

    @property
    def text_html(self) -> str:
        """The passage, escaped, with the question's words marked."""
        return mark(self.text, self.terms)


@dataclass
class Result:
    question: str
    answers: list[Answer]
    terms: list[str]
    elapsed_ms: float = 0.0


def mark(text: str, terms: list[str]) -> str:
    parsed = search_text.parse_query(" ".join(terms))
    return search_text.highlight(text, parsed)


@dataclass
class _Scored:
    source: src.Source
    passage: str
    anchor: str
    score: float
    grams: set[str]


def _idf(analysis: qa.Analysis, pool: list[_Text]) -> dict[str, float]:
    """Per concept: BM25's idf over the candidates' passages, the pool counted as at
    least 20 passages so that a small pool does not make every word look common. A
    concept no candidate holds (a word nothing published uses: 东西, 护照) keeps the
    highest idf but counts for ``UNKNOWN_SHARE`` of it: a question padded with everyday
    words still finds its answer, one about something else entirely does not."""
    n = max(len(pool), 20)
    out = {}
    for concept in analysis.concepts:
        df = sum(1 for p in pool if any(form in p for form in concept.forms))
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        out[concept.word] = idf if df else idf * UNKNOWN_SHARE
    return out


class _Text:
    """Normalised text and its words: in a passage a two-character form must be one of
    its words (房价 is not in 客房价格); a longer one or a single character may occur
    anywhere, and so may anything in an FAQ's question (short, written to be matched)."""

    __slots__ = ("text", "words")

    def __init__(self, text: str, *, by_words: bool = True):
        self.text = text
        self.words = frozenset(qa.words(text)) if by_words else None

    def __contains__(self, form: str) -> bool:
        if len(form) == 2 and self.words is not None:
            return form in self.words
        return form in self.text


def _coverage(analysis: qa.Analysis, weights: dict[str, float], passage: _Text, context: _Text) -> float:
    total = matched = 0.0
    for concept in analysis.concepts:
        weight = weights[concept.word]
        total += weight
        best = 0.0
        for form, share in concept.forms.items():
            if form in passage:
                best = max(best, share)
            elif form in context:
                best = max(best, share * TITLE_SHARE)
        matched += weight * best
    return matched / total if total else 0.0


def _bigram_share(question_grams: set[str], text: str) -> float:
    if not question_grams:
        return 0.0
    grams = qa.bigrams(text)
    return len(question_grams & grams) / len(question_grams)


def _length_factor(passage: str) -> float:
    """A slight preference for a passage that is to the point."""
    return 1.0 / (1.0 + 0.08 * max(0.0, math.log(max(len(passage), 1) / 120)))


def _score_sources(analysis: qa.Analysis, sources: list[src.Source]) -> list[_Scored]:
    normalised = {s.key: [_Text(t) for t in search_text.normalise_many([s.context, *s.passages])]
                  for s in sources}
    pool = [p for s in sources for p in normalised[s.key][1:]]
    idf = _idf(analysis, pool)
    weights = {c.word: c.weight * idf[c.word] for c in analysis.concepts}
    question_grams = qa.question_bigrams(analysis)
    out = []
    for source in sources:
        context, *passages = normalised[source.key]
        faq_question, empty = _Text(source.faq_question, by_words=False), _Text("")
        best: _Scored | None = None
        for n, passage in enumerate(passages):
            coverage = _coverage(analysis, weights, passage, context)
            share = _bigram_share(question_grams, f"{context.text} {passage.text}")
            score = ((1 - BIGRAM_SHARE) * coverage + BIGRAM_SHARE * share) * _length_factor(passage.text)
            if source.kind == "faq":
                asked = _coverage(analysis, weights, faq_question, empty)
                asked_share = _bigram_share(question_grams, source.faq_question)
                question_score = (1 - BIGRAM_SHARE) * asked + BIGRAM_SHARE * asked_share
                score = max(score, question_score) + FAQ_QUESTION_BONUS * question_score
            if best is None or score > best.score:
                best = _Scored(source, source.passages[n], source.anchors[n], score, qa.bigrams(passage.text))
        if best is not None:
            out.append(best)
    return out


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _link(scored: _Scored) -> SourceLink:
    url = scored.source.url + (f"#{scored.anchor}" if scored.anchor else "")
    return SourceLink(title=scored.source.title, url=url, kind=scored.source.kind,
                      kind_label=scored.source.kind_label)


def candidates(analysis: qa.Analysis, agency=None) -> list[src.Source]:
    found = src.faq_sources(analysis, agency) + src.index_sources(analysis, agency)
    if agency is not None and not any(s.key == f"guide:{agency.pk}" for s in found):
        found.append(src.guide_source(agency))
    found += src.message_sources(analysis, agency)
    unique: dict[str, src.Source] = {}
    for source in found:
        unique.setdefault(source.key, source)
    return list(unique.values())


def answer(question: str, *, agency=None, limit: int = MAX_ANSWERS) -> Result:
    """At most ``limit`` answers to ``question``, asked on ``agency``'s pages (or the
    portal's, None), best first; none when nothing fits."""
    started = time.perf_counter()
    analysis = qa.analyse(question)
    terms = analysis.terms
    result = Result(question=analysis.question, answers=[], terms=terms)
    if not analysis.concepts:
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        return result
    scored = sorted(_score_sources(analysis, candidates(analysis, agency)),
                    key=lambda s: (-s.score, s.source.kind != "faq", s.source.key))
    kept: list[tuple[_Scored, Answer]] = []
    for item in scored:
        if item.score < THRESHOLD or (kept and item.score < RELATIVE * kept[0][0].score):
            break
        twin = next((a for s, a in kept if _jaccard(s.grams, item.grams) >= DUPLICATE), None)
        if twin is not None:
            if all(link.url != _link(item).url for link in twin.sources):
                twin.sources.append(_link(item))
            continue
        if len(kept) == limit:
            continue  # a later one may still be a twin of a kept answer
        kept.append((item, Answer(text=item.passage, score=round(item.score, 3), sources=[_link(item)],
                                  kind=item.source.kind, terms=terms)))
    result.answers = [a for _, a in kept]
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result
