"""A long list of a letter's activities said as a count, with links to the matrix filtered
to the role and the letter (role and person pages)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from ...model import Activity
from .common import Context, Link, letter_info


@dataclass(frozen=True, slots=True)
class MatrixLink:
    """The matrix, or one area's page of it, filtered to a role and a letter."""

    area: str | None
    """The area the page shows (plain text; ``Prospecting (2 of 3)`` when the area takes
    several pages); None: the whole matrix, on one page."""
    count: int
    """How many activities the filter shows there."""
    url: str
    """The page's address with the filter (``?role=…&amp;letter=…``), as raw HTML."""


@dataclass(frozen=True, slots=True)
class RoleCount:
    """One role's activities of a letter, counted, with the matrix pages that show them."""

    role: Link | None
    """The role, on the page of a person who holds several; None: the page's own role."""
    count: int
    links: tuple[MatrixLink, ...]
    """One link to the matrix on one page; one per matrix page with any of them, in the
    pages' order, when the matrix is split by area."""


@dataclass(frozen=True, slots=True)
class LetterCount:
    """A long list of the last letter's activities, shown as a count with links to the
    matrix filtered to the role and letter instead of the list."""

    words: str
    """``You are told about 37 activities`` (plain text)."""
    count: int
    """How many activities, each counted once."""
    roles: tuple[RoleCount, ...]


_COUNT_WORDS = {"Informed": "You are told about {n} activities"}
"""How a page says the count of a letter's activities, by the letter's name."""


def letter_count(
    ctx: Context, key: str, rows: Sequence[tuple[Activity, str]], by_role: bool
) -> LetterCount:
    """The count of ``rows`` (activity, role id holding ``key`` on it), with links to the
    matrix filtered to each role (split by role only when ``by_role``) and the letter."""
    pb, plan = ctx.pb, ctx.plan
    roles: dict[str, list[Activity]] = {}
    for a, rid in rows:
        roles.setdefault(rid, []).append(a)
    counts = []
    for rid, activities in roles.items():
        query = f"?role={quote(rid)}&amp;letter={quote(key)}"
        if plan.split:
            pages = Counter(plan.matrix_of[a.id] for a in activities)
            links = tuple(
                MatrixLink(chunk.title(""), pages[key], ctx.links.href("matrix-page", key) + query)
                for key, chunk in plan.matrix_pages.items()
                if key in pages
            )
        else:
            links = (MatrixLink(None, len(activities), ctx.links.href("raci") + query),)
        counts.append(RoleCount(ctx.role(rid) if by_role else None, len(activities), links))
    n = len({a.id for a, _ in rows})
    name = letter_info(pb, key).name
    words = _COUNT_WORDS.get(name, "You are {name} ({key}) on {n} activities")
    return LetterCount(words.format(n=n, name=name, key=key), n, tuple(counts))
