"""Slugs: names made into the file names of pages (people) and anchors (areas)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

SLUG_MAX = 60
_WINDOWS_DEVICES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{p}{n}" for p in ("com", "lpt") for n in range(10)]
)


def slugify(value: str, fallback: str = "item") -> str:
    """ASCII slug with accents folded: ``Zoë Núñez`` → ``zoe-nunez``.

    At most ``SLUG_MAX`` characters; a name with no ASCII letter or digit left gives
    ``fallback``, and a Windows device name (``con``, ``lpt1`` …) gets ``-`` + ``fallback``.
    """
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    slug = slug[:SLUG_MAX].rstrip("-")
    if slug in _WINDOWS_DEVICES:
        slug = f"{slug}-{fallback}"
    return slug or fallback


def unique_slugs(names: Iterable[str], fallback: str = "item") -> dict[str, str]:
    """Deterministic slugs for ``names``: collisions get ``-2``, ``-3`` … in sorted order."""
    taken: set[str] = {"index"}
    out: dict[str, str] = {}
    for name in sorted(set(names)):
        base = slugify(name, fallback)
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        out[name] = slug
    return out
