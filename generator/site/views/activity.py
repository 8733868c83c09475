"""The view of an ``activity`` page: what the activity is, who holds which letter on it and
when, and the engagements that include or exclude it; and of an ``activities`` page, which
holds some of an area's activities, each in a section of its own (a large playbook)."""

from __future__ import annotations

from dataclasses import dataclass

from ...model import Activity
from .common import Context, HeldBy, LetterInfo, Link, letter_info


@dataclass(frozen=True, slots=True)
class ActivityLetter:
    """One letter of the model on an activity, with its holders."""

    letter: LetterInfo
    holders: tuple[HeldBy, ...]
    words: str
    """The holders as HTML, conditions included (see ``LetterGroup``)."""


@dataclass(frozen=True, slots=True)
class RoleNote:
    """An activity's note for one role."""

    role: Link
    note: str
    """The note (Markdown)."""


@dataclass(frozen=True)
class ActivityView:
    activity: Activity
    stage: Link | None
    """The stage the activity belongs to."""
    row: str
    """The link to the activity's row in the matrix."""
    letters: tuple[ActivityLetter, ...]
    """The letters held on it, in the letter order."""
    notes: tuple[RoleNote, ...]
    """Its notes, by role, in the order written."""
    in_scope: tuple[Link, ...]
    """The engagements whose scope includes it."""
    out_of_scope: tuple[Link, ...]
    """The engagements that say they do not include it."""


def activity_view(ctx: Context, ident: str) -> ActivityView:
    pb, lookups = ctx.pb, ctx.lookups
    a = pb.activity(ident)
    letters = tuple(
        ActivityLetter(letter_info(pb, group.key), group.holders, group.words)
        for group in ctx.letter_groups(a)
    )
    return ActivityView(
        activity=a,
        stage=ctx.stage(a.stage) if a.stage else None,
        row=ctx.links.href("row", a.id),
        letters=letters,
        notes=tuple(RoleNote(ctx.role(role_id), note) for role_id, note in a.notes.items()),
        in_scope=tuple(
            ctx.engagement(e)
            for e in lookups.pointing("activities", ident, "engagements", "in_scope")
        ),
        out_of_scope=tuple(
            ctx.engagement(e)
            for e in lookups.pointing("activities", ident, "engagements", "out_of_scope")
        ),
    )


@dataclass(frozen=True)
class ActivitiesView:
    """A page of an area's activities: each one's section says what its own page would."""

    area: str
    """The area (``Other`` for activities with none)."""
    part: int
    """This page's number among the area's pages of activities, from 1."""
    parts: int
    """How many pages the area's activities take."""
    matrix: str
    """The link to the matrix page with this page's first activity."""
    activities: tuple[ActivityView, ...]
    """The activities of this page, in the order written."""


def activities_view(ctx: Context, ident: str) -> ActivitiesView:
    chunk = ctx.plan.activity_groups[ident]
    return ActivitiesView(
        area=chunk.area,
        part=chunk.part,
        parts=chunk.parts,
        matrix=ctx.links.href("matrix-page", ctx.plan.matrix_of[chunk.activities[0].id]),
        activities=tuple(activity_view(ctx, a.id) for a in chunk.activities),
    )
