"""Views of the lifecycle and the handoffs: what ``lifecycle``, ``stage``, ``handoffs`` and
``handoff`` pages show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ... import diagrams
from ...model import Activity, Duration, Handoff, Rejection, Stage
from .common import Context, LetterGroup, Link, clock_name

SWIMLANE_MAX = 40
"""Handoffs above which the handoffs page draws no swimlane (it would be too wide)."""


def diagram_block(svg: str, wide: bool = False) -> str:
    """An SVG as one raw HTML block: a block-level wrapper keeps Markdown out of it.

    A wide diagram keeps its size and scrolls sideways instead of shrinking.
    """
    extra = " pb-diagram--wide" if wide else ""
    label = ' tabindex="0" role="region" aria-label="Handoff swimlane"' if wide else ""
    return f'<div class="pb-diagram{extra}"{label}>{svg}</div>'


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
class HandoffRow:
    """A handoff in the list of handoffs."""

    handoff: Handoff
    link: Link
    sender: Link
    sender_team: str
    receiver: Link
    receiver_team: str
    stage: Link | None
    sla: str


@dataclass(frozen=True, slots=True)
class ClockRow:
    """One clock of a handoff."""

    name: str
    """Its key in the YAML (``first_contact``)."""
    limit: Duration
    words: str
    """``first contact within 1 business day (Mon–Fri 09:00–17:00 UTC)``."""


@dataclass(frozen=True)
class LifecycleView:
    stages: tuple[StageRow, ...]
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
    rejected_here: tuple[Link, ...]
    """Handoffs whose rejection sends the record back to this stage."""


@dataclass(frozen=True)
class HandoffsView:
    handoffs: tuple[HandoffRow, ...]
    swimlane: str | None
    """The swimlane diagram as one HTML block; None above ``SWIMLANE_MAX`` handoffs."""


@dataclass(frozen=True)
class HandoffView:
    handoff: Handoff
    sender: Link
    sender_team: str
    receiver: Link
    receiver_team: str
    stage: Link | None
    clocks: tuple[ClockRow, ...]
    clock_team: str | None
    """The team whose own business hours the clocks run on; None: the organisation's."""
    clock_hours: str
    """Those business hours in words."""
    clock_holidays: tuple[dt.date, ...]
    """The days they do not run."""
    business: bool
    """Some clock counts business time."""
    calendar: bool
    """Some clock counts calendar time."""
    on_reject: Rejection | None
    reject_to: Link | None
    """The stage a rejected record goes back to."""


def stage_rows(ctx: Context) -> tuple[StageRow, ...]:
    pb = ctx.pb
    return tuple(
        StageRow(
            stage=s,
            link=ctx.stage(s.id),
            owner=ctx.role(s.owner) if s.owner else None,
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
    return diagram_block(diagrams.lifecycle_svg(ctx.pb, link=lambda sid: links.href("stage", sid)))


def lifecycle_view(ctx: Context, ident: str) -> LifecycleView:
    return LifecycleView(
        stages=stage_rows(ctx), recycle=bool(ctx.pb.recycle_edges), diagram=lifecycle_diagram(ctx)
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
            ActivityRow(a, ctx.activity(a), ctx.letter_groups(a))
            for a in lookups.pointing("stages", ident, "activities", "stage")
        ),
        handoffs=tuple(
            HandoffLine(ctx.handoff(h), ctx.sla(h))
            for h in lookups.pointing("stages", ident, "handoffs", "stage")
        ),
        rejected_here=tuple(
            ctx.handoff(h) for h in lookups.pointing("stages", ident, "handoffs", "on_reject.to")
        ),
    )


def handoffs_view(ctx: Context, ident: str) -> HandoffsView:
    pb = ctx.pb
    rows = tuple(
        HandoffRow(
            handoff=h,
            link=ctx.handoff(h),
            sender=ctx.role(h.from_),
            sender_team=pb.team_of(h.from_).name,
            receiver=ctx.role(h.to),
            receiver_team=pb.team_of(h.to).name,
            stage=ctx.stage(h.stage) if h.stage else None,
            sla=ctx.sla(h),
        )
        for h in pb.handoffs
    )
    swimlane = None
    if rows and len(rows) <= SWIMLANE_MAX:
        links = ctx.links
        svg = diagrams.swimlane_svg(pb, link=lambda hid: links.href("handoff", hid))
        swimlane = diagram_block(svg, wide=True)
    return HandoffsView(handoffs=rows, swimlane=swimlane)


def handoff_view(ctx: Context, ident: str) -> HandoffView:
    pb = ctx.pb
    h = pb.handoff(ident)
    clock = pb.sla_clock(h)
    business = [d.business for d in h.sla.values()]
    return HandoffView(
        handoff=h,
        sender=ctx.role(h.from_),
        sender_team=pb.team_of(h.from_).name,
        receiver=ctx.role(h.to),
        receiver_team=pb.team_of(h.to).name,
        stage=ctx.stage(h.stage) if h.stage else None,
        clocks=tuple(
            ClockRow(name, d, f"{clock_name(name)} within {clock.words(d)}")
            for name, d in h.sla.items()
        ),
        clock_team=clock.team,
        clock_hours=clock.describe(),
        clock_holidays=tuple(clock.hours.holidays or ()),
        business=any(business),
        calendar=not all(business),
        on_reject=h.on_reject,
        reject_to=ctx.stage(h.on_reject.to) if h.on_reject else None,
    )
