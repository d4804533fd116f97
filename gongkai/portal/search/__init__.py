"""Chinese full-text search over published items (being built; see issue 6)."""


def connect() -> None:
    """Register the index with publishing's visibility listeners."""
