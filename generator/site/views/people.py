"""Views of the people: what ``people`` and ``person`` pages show."""

from __future__ import annotations

from dataclasses import dataclass

from ...model import Activity, Engagement
from .common import FOLD_AFTER, Context, LetterInfo, Link, letter_info
from .counts import LetterCount, letter_count
from .organisation import EngagementPart, Meeting, route_of


@dataclass(frozen=True, slots=True)
class PersonActivity:
    activity: Activity
    link: Link
    role: Link
    """The role through which the person holds the letter."""
    when: str | None
    """The condition under which the role holds it (plain text); None: always."""
    note: str | None


@dataclass(frozen=True, slots=True)
class PersonLetter:
    letter: LetterInfo
    activities: tuple[PersonActivity, ...]
    summary: LetterCount | None
    """The list is of the model's last letter and has more than ``FOLD_AFTER`` rows: the
    page shows this count, with links to the matrix (per role when the person holds
    several), instead of the list."""


@dataclass(frozen=True, slots=True)
class PersonHandoff:
    link: Link
    role: Link
    """The person's role that receives or sends it."""
    other: Link
    """The role at the other end: the sender of a handoff received, the (last route's)
    receiver of one sent."""
    sla: str


@dataclass(frozen=True, slots=True)
class PersonStage:
    link: Link
    role: Link
    """The person's role that owns the stage."""


@dataclass(frozen=True, slots=True)
class PersonRow:
    person: Link
    roles: tuple[Link, ...]


@dataclass(frozen=True)
class PeopleView:
    people: tuple[PersonRow, ...]


@dataclass(frozen=True)
class PersonView:
    person: str
    """The person's name."""
    roles: tuple[Link, ...]
    letters: tuple[PersonLetter, ...]
    """Only the letters the person holds, in the letter order."""
    received: tuple[PersonHandoff, ...]
    sent: tuple[PersonHandoff, ...]
    stages: tuple[PersonStage, ...]
    meetings: tuple[Meeting, ...]
    """Each cadence once: through the role that chairs it, else the first role that attends."""
    engagements: tuple[EngagementPart, ...]
    """The engagements the person signs, approves or is a contact for, each part with the
    role it is played as when the person holds several."""


def people_view(ctx: Context, ident: str) -> PeopleView:
    pb = ctx.pb
    return PeopleView(
        people=tuple(
            PersonRow(ctx.person(name), ctx.roles(pb.people_index.get(name, ())))
            for name in pb.people_index
        )
    )


def person_view(ctx: Context, ident: str) -> PersonView:
    pb, lookups = ctx.pb, ctx.lookups
    ids = pb.people_index.get(ident, ())
    letters = []
    for key in pb.letter_order:
        rows = [(a, rid) for rid in ids for a in lookups.activities_for(rid, key)]
        rows.sort(key=lambda row: (lookups.position[row[0].id], row[0].role_ids(key).index(row[1])))
        if rows:
            activities = tuple(
                PersonActivity(
                    a, ctx.activity(a), ctx.role(rid), pb.condition(a, key, rid), a.notes.get(rid)
                )
                for a, rid in rows
            )
            last = key == pb.letter_order[-1] and key != pb.accountable_letter
            summary = None
            if last and len(activities) > FOLD_AFTER:
                by_role = sorted(rows, key=lambda row: ids.index(row[1]))
                summary = letter_count(ctx, key, by_role, len(ids) > 1)
            letters.append(PersonLetter(letter_info(pb, key), activities, summary))
    received = sorted(
        (
            (h, rid)
            for rid in ids
            for h in lookups.pointing("roles", rid, "handoffs", "to", "to.role")
        ),
        key=lambda pair: lookups.handoff_position(pair[0]),
    )
    sent = sorted(
        (h for rid in ids for h in lookups.pointing("roles", rid, "handoffs", "from")),
        key=lookups.handoff_position,
    )
    owned = sorted(
        (s for rid in ids for s in lookups.pointing("roles", rid, "stages", "owner")),
        key=lookups.stage_position,
    )
    return PersonView(
        person=ident,
        roles=ctx.roles(ids),
        letters=tuple(letters),
        received=tuple(
            PersonHandoff(
                ctx.handoff(h), ctx.role(rid), ctx.role(h.from_), ctx.sla(h, route_of(h, rid))
            )
            for h, rid in received
        ),
        sent=tuple(
            PersonHandoff(ctx.handoff(h), ctx.role(h.from_), ctx.role(h.receiver), ctx.sla(h))
            for h in sent
        ),
        stages=tuple(PersonStage(ctx.stage(s.id), ctx.role(s.owner or "")) for s in owned),
        meetings=_meetings(ctx, ids),
        engagements=_engagements(ctx, ids),
    )


def _meetings(ctx: Context, ids: tuple[str, ...]) -> tuple[Meeting, ...]:
    """Each cadence the person's roles take part in, once, in the order of ``cadences``."""
    found: dict[int, Meeting] = {}
    for rid in ids:
        for c, part in ctx.lookups.cadences(rid):
            seen = found.get(id(c))
            if seen is None or (part == "chair" and not seen.chairs):
                chair = ctx.role(c.chair) if c.chair else None
                found[id(c)] = Meeting(c, part == "chair", chair, ctx.role(rid))
    order = {id(c): i for i, c in enumerate(ctx.pb.cadences)}
    return tuple(sorted(found.values(), key=lambda m: order.get(id(m.cadence), 0)))


def _engagements(ctx: Context, ids: tuple[str, ...]) -> tuple[EngagementPart, ...]:
    """The engagements the person's roles take part in, once each, in their order."""
    parts: dict[int, list[str]] = {}
    seen: dict[int, Engagement] = {}
    for rid in ids:
        name = f" (as {ctx.pb.role(rid).name})" if len(ids) > 1 else ""
        for e, roles_parts in ctx.lookups.engagements(rid):
            seen[id(e)] = e
            parts.setdefault(id(e), []).extend(f"{p}{name}" for p in roles_parts)
    order = {id(e): i for i, e in enumerate(ctx.pb.engagements)}
    return tuple(
        EngagementPart(ctx.engagement(seen[key]), tuple(parts[key]))
        for key in sorted(seen, key=lambda k: order.get(k, 0))
    )
