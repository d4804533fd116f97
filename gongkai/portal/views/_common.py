from django.core.paginator import Paginator
from django.urls import NoReverseMatch, reverse

PER_PAGE = 20


def optional_url(name: str, *args) -> str | None:
    """The address of a page another part of the platform may not provide yet (feeds),
    or None: a link is shown only when its target exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def paginate(items, page_number: int | None, *, per_page: int | None = None):
    """One page of ``items`` and a note when the page asked for does not exist (the last
    page is shown instead: a list shrinks when items are withdrawn)."""
    paginator = Paginator(items, per_page or PER_PAGE)
    wanted = page_number or 1
    page = paginator.get_page(wanted)
    note = None
    if wanted > paginator.num_pages:
        note = f"没有第{wanted}页，以下为最后一页（第{page.number}页）。"
    return page, note
