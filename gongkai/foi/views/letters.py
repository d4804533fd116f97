"""The letters of a request in the back office: the live preview of a letter from the
form being filled in (HTML fragment, marked 预览, numbered only when issued), and the
downloads of issued letters (DOCX / PDF), each download audited.

Same refusals as the request's other pages: a missing or foreign request is 404 before
anything else; the preview needs the office that handles the request (403 otherwise)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST

from gongkai.core.errors import DomainError
from gongkai.core.views.base import staff_required
from gongkai.foi import permissions, selectors
from gongkai.foi.letters import SEAL_MARK, preview_letter
from gongkai.foi.models import LetterKind
from gongkai.foi.services import letters as svc

# Sent by letter_preview.js: answer with the fragment alone.
PREVIEW_HEADER = "HTTP_X_LETTER_PREVIEW"


def _fields(post) -> dict[str, str]:
    """The form's fields without their form prefix ("reply-content" -> "content")."""
    fields = {}
    for key in post:
        if key in ("csrfmiddlewaretoken", "letter_kind"):
            continue
        fields[key.rsplit("-", 1)[-1]] = post.get(key, "")
    return fields


@staff_required
@require_POST
def letter_preview(request, pk: int):
    """The letter the posted form would issue, as an HTML fragment (a page without JS)."""
    foi = selectors.request_get_for_user(user=request.user, pk=pk)
    if not permissions.can_handle_request(request.user, foi):
        raise PermissionDenied("只有本机关公开办可以预览和出具告知文书")
    kind = request.POST.get("letter_kind") or request.GET.get("kind") or LetterKind.REPLY
    letter, error = None, ""
    try:
        letter = preview_letter(kind, foi, _fields(request.POST))
    except DomainError as exc:
        error = exc.message
    context = {
        "foi": foi, "letter": letter, "error": error, "seal_mark": SEAL_MARK,
        "rows": list(zip(letter.paragraphs, letter.clerk, strict=True)) if letter else [],
    }
    template = ("foi/staff/_letter_preview.html" if request.META.get(PREVIEW_HEADER)
                else "foi/staff/letter_preview_page.html")
    return render(request, template, context, status=400 if error else 200)


@staff_required
def letter_file(request, pk: int, letter_pk: int, fmt: str):
    """An issued letter's DOCX or PDF; the download is recorded in the audit trail."""
    foi = selectors.request_get_for_user(user=request.user, pk=pk)
    if fmt not in svc.LETTER_FORMATS:
        raise Http404("没有这种格式")
    letter = foi.letters.filter(pk=letter_pk).first()
    stored = getattr(letter, fmt, None) if letter else None
    if not stored:
        raise Http404("告知文书不存在")
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("告知文书文件不存在") from None
    svc.letter_record_download(actor=request.user, letter=letter, fmt=fmt)
    return FileResponse(handle, as_attachment=True, content_type=svc.LETTER_FORMATS[fmt],
                        filename=f"{letter.title}-{letter.document_number}.{fmt}")
