"""An agency's guide (政府信息公开指南, 条例第十二条) as passages: the guide page's own
text, rendered from the portal's template with the figures the page shows (so an answer
can never say something the guide does not), cut into its paragraphs, list items and
table rows, each with the anchor of its part of the page.

The context below restates the guide view's (``portal.views.catalogue.agency_guide``)
from the same sources: the deadlines of ``foi.deadlines`` and the fee schedule."""

from __future__ import annotations

import html
from dataclasses import dataclass
from html.parser import HTMLParser

from django.template import Context
from django.template.loader import get_template
from django.template.loader_tags import BlockNode

from gongkai.portal.guide import guide_context

TEMPLATE = "portal/agency_guide.html"
BLOCKS = {"p", "li", "tr", "h2", "h3", "caption"}
HEADINGS = {"h2", "h3"}


@dataclass(frozen=True)
class GuidePassage:
    text: str
    heading: str  # the part of the guide it is in (一、… / （三）…)
    anchor: str  # an id on the guide page ("" when none)


def _content_block():
    template = get_template(TEMPLATE).template
    for node in template.nodelist.get_nodes_by_type(BlockNode):
        if node.name == "content":
            return node
    raise LookupError(f"{TEMPLATE} has no content block")


class _Cutter(HTMLParser):
    """Blocks of the rendered guide with their heading and nearest anchor."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[GuidePassage] = []
        self.stack: list[tuple[str, str]] = []  # (tag, id)
        self.buffer: list[str] | None = None
        self.block: str = ""
        self.block_anchor = ""
        self.cells = 0
        self.heading = ""
        self.heading_anchor = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.stack.append((tag, attrs.get("id") or ""))
        if tag in BLOCKS and self.buffer is None:
            self.buffer, self.block, self.cells = [], tag, 0
            self.block_anchor = next((i for _, i in reversed(self.stack) if i), "")
        elif tag in ("td", "th") and self.buffer is not None:
            if self.cells:
                self.buffer.append("：" if self.cells == 1 else "；")
            self.cells += 1

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break
        if tag == self.block and self.buffer is not None:
            text = " ".join("".join(self.buffer).split())
            self.buffer = None
            if not text:
                return
            if tag in HEADINGS:
                if tag == "h2":
                    self.heading, self.heading_anchor = text, self.block_anchor
                else:
                    self.heading = f"{self.heading.split(' ')[0]} {text}"
                return
            if tag == "caption":
                return
            self.out.append(GuidePassage(text=text, heading=self.heading,
                                         anchor=self.block_anchor or self.heading_anchor))

    def handle_data(self, data):
        if self.buffer is not None:
            self.buffer.append(data)


def guide_passages(agency) -> list[GuidePassage]:
    """The guide of ``agency`` as the public page shows it, block by block."""
    rendered = _content_block().nodelist.render(Context(guide_context(agency)))
    cutter = _Cutter()
    cutter.feed(rendered)
    cutter.close()
    return [p for p in cutter.out if len(p.text) >= 8 and p.text != html.unescape(agency.name)]
