"""The words of a complaint or a message, for counting: Chinese segmentation (``rjieba``)
with the domain's own words added, minus a stop-word list, plus the phrases those words
make; and personal data masked out of a summary before it is stored.

Both lists are data (``data/stopwords.txt``, ``data/domain_words.txt``): next year's
new product (a new kind of prepaid card, a new delivery service) is a line in a file.

What counts:

- a **term** is a segment of at least two characters that is not a stop word and is not
  made only of digits, Latin letters or punctuation (order numbers, amounts, phone
  fragments say nothing about the subject);
- a **phrase** is two terms standing next to each other in the text, with nothing but
  a stop word-free gap of zero segments between them (``电池`` ``起火`` → ``电池起火``);
  punctuation and stop words break a phrase;
- a text counts each term and each phrase **once** however often it repeats it, so a
  count is the number of complaints (or messages) that mention it.

A text contributes at most :data:`MAX_TERMS` terms and as many phrases (the first ones),
so a pasted contract does not weigh more than a hundred ordinary complaints.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
MIN_TERM_CHARS = 2
MAX_TERM_CHARS = 20
MAX_TERMS = 30
PHRASE_JOINER = ""  # phrases are shown and stored run together, as Chinese is written

_HAS_CJK = re.compile(r"[\u3400-\u9fff]")
_DIGITS = re.compile(r"[0-9０-９]")
_lock = threading.Lock()


def _words(name: str) -> list[str]:
    lines = (DATA / name).read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@cache
def stop_words() -> frozenset[str]:
    return frozenset(_words("stopwords.txt"))


@cache
def domain_words() -> tuple[str, ...]:
    return tuple(_words("domain_words.txt"))


_segmenter = None


def segmenter():
    """The process's own ``rjieba.Jieba`` with the domain words added (not the module's
    default instance: other areas segment text too, with words of their own)."""
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                import rjieba

                jieba = rjieba.Jieba()
                for word in domain_words():
                    jieba.add_word(word, None, None)
                _segmenter = jieba
    return _segmenter


def is_term(segment: str) -> bool:
    return (MIN_TERM_CHARS <= len(segment) <= MAX_TERM_CHARS
            and bool(_HAS_CJK.search(segment)) and segment not in stop_words())


def terms_and_phrases(text: str) -> tuple[list[str], list[str]]:
    """The distinct terms and phrases of ``text``, in order of first appearance, at most
    :data:`MAX_TERMS` of each."""
    terms: dict[str, None] = {}
    phrases: dict[str, None] = {}
    previous = None
    for segment in segmenter().cut(text or ""):
        segment = segment.strip()
        if not segment:
            continue  # spaces neither make nor break a phrase
        if is_term(segment):
            if len(terms) < MAX_TERMS:
                terms.setdefault(segment)
            if previous is not None and previous != segment and len(phrases) < MAX_TERMS:
                phrase = previous + PHRASE_JOINER + segment
                if len(phrase) <= MAX_TERM_CHARS * 2:
                    phrases.setdefault(phrase)
            previous = segment
        else:
            previous = None
    return list(terms), list(phrases)


# Numbers that reach a person, whatever their checksum: the screening's own patterns
# (``publishing.screening``) want a valid ID or card checksum, so as not to flag
# innocent numbers in a published document, but a complainant types their numbers with
# typos, spaces and dashes, and nothing in a number says anything about the subject.
_D = "[0-9０-９]"
_PERSONAL_NUMBERS = re.compile(
    "|".join((
        rf"(?:\+?(?:86|８６)[\s\-－]?)?1{_D}{{2}}[\s\-－]{_D}{{4}}[\s\-－]{_D}{{4}}",  # 138-1234-5678
        rf"0{_D}{{2,3}}[\-－\s]{_D}{{7,8}}",  # landline 0571-88886666
        rf"{_D}{{4}}(?:\s{_D}{{4}}){{3,4}}(?:\s{_D}{{1,3}})?",  # bank card 6222 0212 3456 7890
        rf"{_D}{{7,}}[xXｘＸ]?",  # any other run of seven digits or more (IDs, cards, phones)
    )))
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)")
_KEEP_HEAD, _KEEP_TAIL = 3, 2


def _mask_number(match: re.Match) -> str:
    value = match.group(0)
    positions = [i for i, c in enumerate(value) if _DIGITS.match(c) or c in "xXｘＸ"]
    hidden = set(positions[_KEEP_HEAD:len(positions) - _KEEP_TAIL])
    return "".join("*" if i in hidden else c for i, c in enumerate(value))


def mask_personal_data(text: str) -> str:
    """``text`` with resident ID numbers, mobile and landline numbers, bank card numbers
    and e-mail addresses masked: first the leak screening of publishing (the platform's
    default patterns), then any run of seven or more digits, a phone number written with
    spaces or dashes, and an e-mail's local part. Summaries are stored masked: the
    analysis needs the subject of a complaint, never how to reach the complainant. A
    text with fewer than seven digits and no ``@`` cannot hold any of them and is
    returned as it is (most summaries: the check costs one regular-expression pass)."""
    if not text or (len(_DIGITS.findall(text)) < 7 and "@" not in text):
        return text
    from gongkai.publishing.screening import redact, screen_text

    masked = redact(text, screen_text(text))
    masked = _PERSONAL_NUMBERS.sub(_mask_number, masked)
    return _EMAIL.sub(lambda m: "***@" + m.group(1), masked)
