"""Views of the people: what ``people`` and ``person`` pages show."""

from __future__ import annotations

from dataclasses import dataclass

from ...model import Activity
from .common import Context, LetterInfo, Link, letter_info
from .organisation import Meeting, route_of


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


@dataclass(frozen=True, slots=True)
class PersonHandoff:
    link: Link
    role: Link
    """The person's role that receives or sends it."""
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


def people_view(ctx: Context, ident: str) -> PeopleView:
    pb = ctx.pb
    return PeopleView(
        people=tuple(
            PersonRow(ctx.person(name), ctx.roles(pb.people_index.get(name, ())))
            for name in pb.people_with_pages
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
            letters.append(PersonLetter(letter_info(pb, key), activities))
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
            PersonHandoff(ctx.handoff(h), ctx.role(rid), ctx.sla(h, route_of(h, rid)))
            for h, rid in received
        ),
        sent=tuple(PersonHandoff(ctx.handoff(h), ctx.role(h.from_), ctx.sla(h)) for h in sent),
        stages=tuple(PersonStage(ctx.stage(s.id), ctx.role(s.owner or "")) for s in owned),
        meetings=tuple(
            Meeting(c, part == "chair", ctx.role(c.chair) if c.chair else None, ctx.role(rid))
            for rid in ids
            for c, part in lookups.cadences(rid)
        ),
    )
