"""Where answers come from, and each source cut into passages.

- FAQs (``answers.selectors.faqs_in_scope``): the agency's own and those it inherits,
  matched in the database on the question's words (question, answer, other phrasings);
- the portal's search index (``gongkai.portal.search``): published items, policy
  interpretations, normative documents and annual reports, a few searches of the
  question's words; decisions are left out (a party's decision answers no question);
- the agency's guide (``guide``), always when the question is asked on an agency's
  pages, else when the search finds a guide (a question naming the agency);
- replied messages (``gongkai.interaction.selectors.public_replies``), matched in the
  database on their subject and texts — when the message board is installed.

Every source is read the way its public page shows it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from django.db.models import Q

from gongkai.answers import selectors as answer_selectors
from gongkai.answers.engine import guide
from gongkai.answers.engine.analysis import Analysis
from gongkai.portal.search import text as search_text

KIND_LABELS = {
    "faq": "常见问题",
    "publication": "政府信息",
    "interpretation": "政策解读",
    "normative": "规范性文件",
    "report": "年度报告",
    "guide": "公开指南",
    "message": "留言答复",
}
INDEX_KINDS = ("publication", "interpretation", "normative", "report", "guide")
MAX_FAQS = 80
MAX_MESSAGES = 40
PER_SEARCH = 8
MAX_SEARCHES = 6
MAX_PASSAGE = 220
MAX_ATTACHMENT_TEXT = 4000
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


@dataclass
class Source:
    kind: str
    key: str  # stable identity: "faq:12", "publication:5", "guide:7", "message:3"
    title: str
    url: str
    agency: object = None
    context: str = ""  # what the passages are about (a title, an FAQ's question)
    passages: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)  # per passage ("" for none)
    faq_question: str = ""  # an FAQ's question and other phrasings (normalised)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def split_passages(text: str) -> list[str]:
    """Paragraphs, and a long paragraph in runs of whole sentences of about MAX_PASSAGE."""
    out: list[str] = []
    for paragraph in text.splitlines():
        paragraph = search_text.collapse_space(paragraph)
        if not paragraph:
            continue
        if len(paragraph) <= MAX_PASSAGE:
            out.append(paragraph)
            continue
        chunk = ""
        for sentence in _SENTENCE_END.split(paragraph):
            if chunk and len(chunk) + len(sentence) > MAX_PASSAGE:
                out.append(chunk)
                chunk = ""
            chunk += sentence
        if chunk:
            out.append(chunk)
    return out


# --- FAQs -------------------------------------------------------------------------------------------

def _faq_source(faq) -> Source:
    return Source(kind="faq", key=f"faq:{faq.pk}", title=faq.question, url=faq.get_absolute_url(),
                  agency=faq.agency, context=faq.question, passages=[faq.answer], anchors=[""],
                  faq_question=search_text.normalise(f"{faq.question} {faq.keywords}"))


def faq_sources(analysis: Analysis, agency) -> list[Source]:
    terms = [t for t in analysis.terms if len(t) >= 2] or analysis.terms
    if not terms:
        return []
    match = Q()
    for term in terms:
        match |= Q(question__icontains=term) | Q(answer__icontains=term) | Q(keywords__icontains=term)
    faqs = answer_selectors.faqs_in_scope(agency).filter(match).order_by("-published_on", "-id")
    return [_faq_source(f) for f in faqs[:MAX_FAQS]]


# --- the search index ----------------------------------------------------------------------------------

def _queries(analysis: Analysis) -> list[str]:
    """What to look up: every asked word together, the two strongest together, then each
    word alone (the index finds what holds every word of a query)."""
    words = analysis.key_words
    queries: list[str] = []
    if len(words) >= 2:
        queries.append(" ".join(words[:4]))
        queries.append(" ".join(words[:2]))
    queries += words
    expansions = [f for c in analysis.concepts for f, w in c.forms.items()
                  if f != c.word and len(f) >= 2 and w < 1]
    queries += expansions[:2]
    return list(dict.fromkeys(queries))[:MAX_SEARCHES]


def index_sources(analysis: Analysis, agency) -> list[Source]:
    from gongkai.portal.search import SearchQuery, search

    hits = {}
    for text in _queries(analysis):
        results = search(SearchQuery(text=text, agency_id=agency.pk if agency else None,
                                     include_subtree=True, per_page=PER_SEARCH))
        for hit in results.hits:
            if hit.kind in INDEX_KINDS:
                hits.setdefault((hit.kind, hit.pk), hit)
    return _sources_of_hits(list(hits.values()))


def _sources_of_hits(hits) -> list[Source]:
    from gongkai.portal.search import sources as index_sources_module
    from gongkai.publishing.models import PublicationAttachment

    out: list[Source] = []
    item_ids = [h.publication.pk for h in hits if h.publication is not None]
    attachments: dict[int, list[str]] = {}
    if item_ids:
        for pk, text in (PublicationAttachment.objects.filter(publication_id__in=item_ids, is_active=True)
                         .exclude(text="").order_by("id").values_list("publication_id", "text")):
            attachments.setdefault(pk, []).append(text[:MAX_ATTACHMENT_TEXT])
    reports = [h.pk for h in hits if h.kind == "report"]
    shown_reports = index_sources_module.shown_many("report", reports) if reports else {}
    for hit in hits:
        if hit.publication is not None:
            item = hit.publication
            body = search_text.html_to_text(item.body)
            passages = split_passages("\n".join([body, *attachments.get(item.pk, [])]))
            if not passages:
                passages = [item.title]
            out.append(Source(kind=hit.kind, key=f"publication:{item.pk}", title=item.title,
                              url=hit.url, agency=item.agency, context=item.title,
                              passages=passages, anchors=[""] * len(passages)))
        elif hit.kind == "report" and hit.pk in shown_reports:
            shown = shown_reports[hit.pk]
            passages = split_passages("\n".join(x for x in shown.texts if x))
            out.append(Source(kind="report", key=f"report:{hit.pk}", title=shown.title,
                              url=shown.url, agency=shown.agency, context=shown.title,
                              passages=passages, anchors=[""] * len(passages)))
        elif hit.kind == "guide":
            out.append(guide_source(hit.agency))
    return [s for s in out if s.passages]


# --- the guide --------------------------------------------------------------------------------------------

def guide_source(agency) -> Source:
    from django.urls import reverse

    passages = guide.guide_passages(agency)
    return Source(kind="guide", key=f"guide:{agency.pk}", title=f"{agency.name}政府信息公开指南",
                  url=reverse("portal:agency-guide", args=[agency.code]), agency=agency,
                  context="政府信息公开指南",
                  passages=[f"{p.text}" for p in passages],
                  anchors=[p.anchor for p in passages])


def guide_headings(agency) -> list[str]:
    return [p.heading for p in guide.guide_passages(agency)]


# --- replied messages --------------------------------------------------------------------------------------

@functools.cache
def _public_replies():
    """``interaction.selectors.public_replies`` when the message board is installed."""
    try:
        from gongkai.interaction.selectors import public_replies
    except ImportError:
        return None
    return public_replies


def _searchable_fields(model) -> list[str]:
    """The message's public texts the database can match (the masked ones when the board
    keeps them apart)."""
    names = {f.name for f in model._meta.get_fields()}
    public = [n for n in ("public_subject", "public_content", "public_reply") if n in names]
    return public or [n for n in ("subject",) if n in names]


def message_sources(analysis: Analysis, agency) -> list[Source]:
    public_replies = _public_replies()
    if public_replies is None:
        return []
    terms = [t for t in analysis.terms if len(t) >= 2]
    if not terms:
        return []
    replies = public_replies(agency=agency)
    fields = _searchable_fields(replies.model)
    match = Q()
    for term in terms:
        for name in fields:
            match |= Q(**{f"{name}__icontains": term})
    out = []
    for message in replies.filter(match)[:MAX_MESSAGES]:
        reply = search_text.collapse_space(str(getattr(message, "public_reply", "") or ""))
        # Only the masked texts the office published: never the writer's own subject.
        subject = search_text.collapse_space(str(getattr(message, "public_subject", "") or ""))
        if not reply or not subject:
            continue
        passages = split_passages(reply)
        out.append(Source(kind="message", key=f"message:{message.pk}", title=subject,
                          url=message.get_absolute_url(), agency=message.agency,
                          context=f"{subject} {getattr(message, 'public_content', '') or ''}",
                          passages=passages, anchors=[""] * len(passages)))
    return out
