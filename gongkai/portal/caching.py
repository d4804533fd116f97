"""Caching of anonymous portal pages (being built; see issue 6)."""


def connect() -> None:
    """Register cache invalidation with publishing's visibility listeners."""
