"""The levels that exercise a power (行使层级): 省级, 市级, 县级 (and 乡镇级 where a list
delegates to townships). An item may be exercised at several levels; the canonical text
lists them in this order, joined by 、 ("省级、市级、县级"), so that two lists that write
"省、市、县" and "省级/市级/县级" compare equal."""

from __future__ import annotations

import re
import unicodedata

LEVELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("省级", ("省级", "省", "省本级")),
    ("市级", ("市级", "市", "设区的市", "市本级", "地市级")),
    ("县级", ("县级", "县", "区", "县区", "县市区")),
    ("乡镇级", ("乡镇级", "乡镇", "乡", "镇", "街道")),
)
# Compound names that contain a separator, read as one level before splitting.
_COMPOUNDS = {"县(市、区)": "县级", "县(市,区)": "县级", "县(市区)": "县级", "县(区)": "县级",
              "县(市)": "县级", "乡镇(街道)": "乡镇级", "乡(镇)": "乡镇级"}
_SEPARATORS = re.compile(r"[、,，;；/／\s]+|和|及")
_THREE = {"省市县三级": ("省级", "市级", "县级"), "省市县": ("省级", "市级", "县级"),
          "市县两级": ("市级", "县级"), "市县": ("市级", "县级"), "省市": ("省级", "市级")}


class UnknownLevel(ValueError):
    """A token that names no level; ``str(exc)`` is the token."""


def normalise(text: str) -> str:
    """The canonical text of the levels written in ``text`` ("" for none). Raises
    :class:`UnknownLevel` for a token that is not a level."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return ""
    for compound, level in _COMPOUNDS.items():
        text = text.replace(compound, f"、{level}、")
    found: set[str] = set()
    for token in _SEPARATORS.split(text):
        token = token.strip()
        if not token:
            continue
        if token in _THREE:
            found.update(_THREE[token])
            continue
        for level, names in LEVELS:
            if token in names:
                found.add(level)
                break
        else:
            raise UnknownLevel(token)
    return "、".join(level for level, _ in LEVELS if level in found)


def choices() -> list[str]:
    return [level for level, _ in LEVELS]
