"""Views of the lifecycle: what ``lifecycle`` and ``stage`` pages show."""

from __future__ import annotations

from dataclasses import dataclass

from ... import diagrams
from ...model import Activity, Stage
from .common import Context, LetterGroup, Link, diagram_block
from .handoffs import outcome_row


@dataclass(frozen=True, slots=True)
class Transition:
    """An allowed move to another stage."""

    link: Link
    back: bool
    """It goes back to an earlier stage (or the same one)."""


@dataclass(frozen=True, slots=True)
class StageRow:
    """A stage in a list of stages."""

    stage: Stage
    link: Link
    owner: Link | None
    time_allowed: str | None
    """The time limit with the clock it runs on (the owner's)."""
    next: tuple[Transition, ...]


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """An activity with the roles on it by letter."""

    activity: Activity
    link: Link
    letters: tuple[LetterGroup, ...]


@dataclass(frozen=True, slots=True)
class HandoffLine:
    """A handoff with its clocks in words (``""`` without clocks)."""

    link: Link
    sla: str


@dataclass(frozen=True, slots=True)
class ComesHere:
    """A handoff whose rejection sends the record to this stage."""

    handoff: Link
    when: str | None
    """When that outcome applies (plain text); None: whenever it is rejected."""
    move: str
    """``stays here`` (the handoff happens at this stage), ``comes back here`` (from a later
    stage) or ``comes here``."""


@dataclass(frozen=True)
class LifecycleView:
    stages: tuple[StageRow, ...]
    owned: int
    """How many stages name an owner."""
    recycle: bool
    """Some transition goes back to an earlier stage."""
    diagram: str
    """The lifecycle diagram, as one HTML block."""


@dataclass(frozen=True)
class StageView:
    stage: Stage
    owner: Link | None
    owner_team: str | None
    time_allowed: str | None
    """The time limit with the clock it runs on (the owner's)."""
    comes_from: tuple[Link, ...]
    first: bool
    """It is the first stage (where records start)."""
    goes_to: tuple[Transition, ...]
    activities: tuple[ActivityRow, ...]
    handoffs: tuple[HandoffLine, ...]
    """Handoffs made at this stage."""
    rejected_here: tuple[ComesHere, ...]
    """Handoffs whose rejection sends the record to this stage."""


def stage_rows(ctx: Context) -> tuple[StageRow, ...]:
    pb = ctx.pb
    return tuple(
        StageRow(
            stage=s,
            link=ctx.stage(s.id),
            owner=ctx.role(s.owner) if s.owner else None,
            time_allowed=pb.stage_clock(s).words(s.max_duration) if s.max_duration else None,
            next=tuple(
                Transition(ctx.stage(t), (s.id, t) in pb.recycle_edges) for t in pb.next_stages(s)
            ),
        )
        for s in pb.stages
    )


def lifecycle_diagram(ctx: Context) -> str:
    if not ctx.pb.stages:
        return ""
    links = ctx.links
    return diagram_block(
        diagrams.lifecycle_figure(ctx.pb, link=lambda sid: links.href("stage", sid))
    )


def lifecycle_view(ctx: Context, ident: str) -> LifecycleView:
    return LifecycleView(
        stages=stage_rows(ctx),
        owned=sum(1 for s in ctx.pb.stages if s.owner),
        recycle=bool(ctx.pb.recycle_edges),
        diagram=lifecycle_diagram(ctx),
    )


def stage_view(ctx: Context, ident: str) -> StageView:
    pb, lookups = ctx.pb, ctx.lookups
    s = pb.stage(ident)
    limit = s.max_duration
    return StageView(
        stage=s,
        owner=ctx.role(s.owner) if s.owner else None,
        owner_team=pb.team_of(s.owner).name if s.owner else None,
        time_allowed=pb.stage_clock(s).words(limit) if limit else None,
        comes_from=tuple(ctx.stage(p.id) for p in lookups.incoming.get(s.id, ())),
        first=pb.stages[0].id == s.id,
        goes_to=tuple(
            Transition(ctx.stage(t), (s.id, t) in pb.recycle_edges) for t in pb.next_stages(s)
        ),
        activities=tuple(
            ActivityRow(a, ctx.activity(a), ctx.letter_groups(a, brief=True))
            for a in lookups.pointing("stages", ident, "activities", "stage")
        ),
        handoffs=tuple(
            HandoffLine(ctx.handoff(h), ctx.sla(h))
            for h in lookups.pointing("stages", ident, "handoffs", "stage")
        ),
        rejected_here=_comes_here(ctx, ident),
    )


_HERE = {"stays at": "stays here", "goes back to": "comes back here", "moves to": "comes here"}


def _comes_here(ctx: Context, ident: str) -> tuple[ComesHere, ...]:
    found = []
    for h in ctx.lookups.pointing("stages", ident, "handoffs", "on_reject.to"):
        for outcome in h.outcomes:
            if outcome.to == ident:
                row = outcome_row(ctx, h, outcome)
                found.append(ComesHere(ctx.handoff(h), row.when, _HERE[row.move]))
    return tuple(found)
