"""The public pages of the question box: the answers to a question (/answers/?q=), an
FAQ, and an agency's FAQs. Thin: the engine answers, the selectors read."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe

from gongkai.answers import engine, selectors
from gongkai.answers.forms import QuestionForm
from gongkai.core import selectors as core_selectors


def message_board_url() -> str:
    """The message board's form when the board is installed, else the portal's home."""
    try:
        return reverse("portal:message-new")
    except NoReverseMatch:
        return reverse("portal:home")


def answers(request):
    """智能问答: the best passages of what is published, with their sources; when nothing
    fits, says so and offers the message board and the request form."""
    form = QuestionForm(request.GET)
    question = form.question()
    agency = form.agency_obj()
    result = engine.answer(question, agency=agency) if question else None
    return render(request, "answers/answers.html", {
        "question": question,
        "agency": agency,
        "hide_agency_bar": agency is None,
        "agency_error": form.agency_error(),
        "result": result,
        "answers": [
            {"text_html": mark_safe(a.text_html),  # noqa: S308 - escaped by search.text.highlight
             "sources": a.sources, "kind": a.kind}
            for a in (result.answers if result else [])
        ],
        "message_url": message_board_url(),
        "apply_url": reverse("portal:apply") + (f"?agency={agency.code}" if agency else ""),
    })


def faq_detail(request, pk: int):
    faq = selectors.public_faq_get(pk=pk)
    return render(request, "answers/faq_detail.html", {"faq": faq, "agency": faq.agency})


def agency_faqs(request, code: str):
    agency = core_selectors.agency_get_public(code=code)
    return render(request, "answers/faq_list.html", {
        "agency": agency, "faqs": selectors.public_faqs_of(agency)})
