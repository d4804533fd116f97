"""The kinds of administrative power (权力类型), read from ``data/kinds.toml``.

The taxonomy is data: ``ItemKind`` (a ``TextChoices``) is built from the file, and
:func:`kind_from_text` reads what a spreadsheet writes for a kind (the label, a short form
such as 许可, or an alias listed in the file)."""

from __future__ import annotations

import tomllib
import unicodedata
from pathlib import Path

from django.db import models

KINDS_FILE = Path(__file__).parent / "data" / "kinds.toml"


def _load() -> list[dict]:
    with KINDS_FILE.open("rb") as f:
        kinds = tomllib.load(f)["kind"]
    for kind in kinds:
        if not kind.get("value") or not kind.get("label"):
            raise ValueError(f"{KINDS_FILE}: every kind needs a value and a label")
    return kinds


_KINDS = _load()

ItemKind = models.TextChoices(
    "ItemKind", [(k["value"].upper(), (k["value"], k["label"])) for k in _KINDS])
ItemKind.__doc__ = "A kind of administrative power (权力类型), in the order lists print them."

# Position of each kind in printed lists.
ORDER: dict[str, int] = {k["value"]: i for i, k in enumerate(_KINDS)}


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


_BY_TEXT: dict[str, str] = {}
for _k in _KINDS:
    for _text in (_k["value"], _k["label"], *_k.get("aliases", ())):
        _BY_TEXT[_fold(_text).lower()] = _k["value"]


def kind_from_text(text: str) -> str | None:
    """The kind's value for a label, short form or alias (spaces and full-width forms
    ignored), or None for an unknown kind."""
    return _BY_TEXT.get(_fold(text).lower())


def label_of(value: str) -> str:
    return dict(ItemKind.choices).get(value, value)


def labels() -> list[str]:
    return [k["label"] for k in _KINDS]
