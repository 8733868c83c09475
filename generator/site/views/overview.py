"""Views of the overview pages: ``home``, the RACI matrix (``raci``, ``areas``, ``area``),
``engagements``, ``engagement``, ``cadences``, ``glossary`` and ``changes``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...model import (
    Activity,
    Cadence,
    Change,
    Engagement,
    GlossaryEntry,
    Handoff,
    Organisation,
    Team,
)
from ...outputs import OUTPUTS
from ..matrix import matrix_html
from .common import Context, LetterInfo, Link, legend, letter_info
from .lifecycle import StageRow, lifecycle_diagram, stage_rows
from .organisation import TeamRow, team_rows


@dataclass(frozen=True, slots=True)
class Counts:
    roles: int
    teams: int
    activities: int
    stages: int
    handoffs: int
    engagements: int


@dataclass(frozen=True, slots=True)
class Sections:
    """Links to the sections' index pages."""

    lifecycle: str
    handoffs: str
    raci: str
    teams: str
    roles: str
    engagements: str | None
    """None when the playbook has no engagements."""


@dataclass(frozen=True, slots=True)
class Download:
    """A file the RACI page offers."""

    link: Link
    """Its link (its name is the link's label: ``CSV``, ``Excel``)."""
    schemas: tuple[Link, ...]
    """The files that document it (``its schema``)."""


@dataclass(frozen=True, slots=True)
class AreaRow:
    link: Link
    activities: int
    roles: int
    """Roles holding a letter in the area."""


@dataclass(frozen=True, slots=True)
class EngagementRow:
    engagement: Engagement
    link: Link
    party: Link


@dataclass(frozen=True, slots=True)
class NamedRole:
    name: str
    when: str | None
    """The condition under which the role holds the letter (plain text); None: always."""
    note: str | None
    """The activity's note for the role (Markdown)."""


@dataclass(frozen=True, slots=True)
class RoleGroup:
    key: str
    roles: tuple[NamedRole, ...]


@dataclass(frozen=True, slots=True)
class ScopeRow:
    activity: Activity
    link: Link
    party: tuple[RoleGroup, ...]
    """The outside party's roles on the activity, by letter."""
    client: tuple[RoleGroup, ...]
    """The client's roles on the activity, by letter."""


@dataclass(frozen=True, slots=True)
class OutOfScope:
    activity: Activity
    team: str | None
    """The team that does it instead, when its ``doers`` are all of one team."""
    doers: tuple[str, ...]
    """The roles that do it (its R, else its D, else its accountable role)."""
    owner: str | None
    """The accountable role, when it is not among ``doers``."""


@dataclass(frozen=True, slots=True)
class BoundaryHandoff:
    handoff: Handoff
    link: Link
    sla: str


@dataclass(frozen=True, slots=True)
class Signatory:
    role: str
    team: str
    names: tuple[str, ...]
    """The role's holders, when the playbook names them (the sign-off fills them in)."""


@dataclass(frozen=True, slots=True)
class CadenceRow:
    cadence: Cadence
    chair: Link | None
    attendees: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class ModelRow:
    """A responsibility model the playbook defines."""

    name: str
    letters: tuple[LetterInfo, ...]


@dataclass(frozen=True)
class HomeView:
    organisation: Organisation
    maintainer: Link | None
    hours: str | None
    """The organisation's business hours in words; None when it sets none."""
    holidays: tuple[dt.date, ...]
    """The days they do not run."""
    accountable: LetterInfo
    model: str
    """The name of the responsibility model in force."""
    legend: tuple[LetterInfo, ...]
    other_models: tuple[ModelRow, ...]
    """The models the playbook defines that are not in force."""
    teams: tuple[TeamRow, ...]
    stages: tuple[StageRow, ...]
    diagram: str
    """The lifecycle diagram, as one HTML block (``""`` without stages)."""
    counts: Counts
    sections: Sections


@dataclass(frozen=True)
class MatrixView:
    legend: tuple[LetterInfo, ...]
    accountable: LetterInfo
    downloads: tuple[Download, ...]
    """The produced files, in the registry's order (on the matrix's first page only)."""
    all_areas: str | None
    """On a page of one area: the link to the list of areas."""
    part: int
    """On a page of an area that takes several: this page's number, from 1; else 0."""
    parts: tuple[Link, ...]
    """On a page of an area that takes several: each of its pages (``1``, ``2`` …), in
    order; empty otherwise."""
    matrix: str
    """The filterable matrix with its notes, and its rows as cards for phones (HTML)."""


@dataclass(frozen=True)
class AreasView:
    legend: tuple[LetterInfo, ...]
    downloads: tuple[Download, ...]
    activities: int
    areas: tuple[AreaRow, ...]


@dataclass(frozen=True)
class EngagementsView:
    engagements: tuple[EngagementRow, ...]


@dataclass(frozen=True)
class EngagementView:
    engagement: Engagement
    organisation: Organisation
    party: Team
    client_contact: Link | None
    party_contact: Link | None
    printable: str
    """The URL (raw HTML) of the engagement's standalone printable page."""
    in_scope: tuple[ScopeRow, ...]
    out_of_scope: tuple[OutOfScope, ...]
    accountable: LetterInfo
    approver: str | None
    review_window: str | None
    """The review window with the clock it runs on (the approver's)."""
    boundary: tuple[BoundaryHandoff, ...]
    """Handoffs between the outside party and another team."""
    signatories: tuple[Signatory, ...]
    print_footer: str
    """What every printed page's footer says before its page number: the agreement, the
    playbook version and its effective date (plain text)."""


@dataclass(frozen=True)
class CadencesView:
    cadences: tuple[CadenceRow, ...]


@dataclass(frozen=True)
class GlossaryView:
    entries: tuple[GlossaryEntry, ...]
    """Sorted by term, ignoring case, then by context."""


@dataclass(frozen=True)
class ChangesView:
    changes: tuple[Change, ...]
    """Newest first."""


def home_view(ctx: Context, ident: str) -> HomeView:
    pb, url = ctx.pb, ctx.links.href
    org = pb.organisation
    return HomeView(
        organisation=org,
        maintainer=ctx.role(org.maintainer) if org.maintainer else None,
        hours=pb.clock_for(None).describe() if org.business_hours else None,
        holidays=tuple(org.business_hours.holidays or ()) if org.business_hours else (),
        accountable=letter_info(pb, pb.accountable_letter),
        model=org.model,
        legend=legend(pb),
        other_models=tuple(
            ModelRow(name, legend(pb, model))
            for name, model in pb.models.items()
            if name != org.model
        ),
        teams=team_rows(ctx),
        stages=stage_rows(ctx),
        diagram=lifecycle_diagram(ctx),
        counts=Counts(
            roles=len(pb.roles),
            teams=len(pb.teams),
            activities=len(pb.activities),
            stages=len(pb.stages),
            handoffs=len(pb.handoffs),
            engagements=len(pb.engagements),
        ),
        sections=Sections(
            lifecycle=url("lifecycle"),
            handoffs=url("handoffs"),
            raci=url("raci"),
            teams=url("teams"),
            roles=url("roles"),
            engagements=url("engagements") if pb.engagements else None,
        ),
    )


def _downloads(ctx: Context) -> tuple[Download, ...]:
    """The produced files of :data:`OUTPUTS`, each with the files that document it."""
    url = ctx.links.href
    return tuple(
        Download(
            Link(output.label, url(output.key)),
            tuple(Link(o.label, url(o.key)) for o in OUTPUTS if o.describes == output.path),
        )
        for output in OUTPUTS
        if output.describes is None
    )


def matrix_view(ctx: Context, ident: str) -> MatrixView:
    """The matrix of every activity (``ident`` empty) or one page of an area's (``ident``
    its key)."""
    pb, plan = ctx.pb, ctx.plan
    parts: tuple[Link, ...] = ()
    part = 0
    if ident:
        chunk = plan.matrix_pages[ident]
        groups = [(chunk.area, list(chunk.activities))]
        caption = chunk.title("RACI: ")
        if chunk.parts > 1:
            part = chunk.part
            parts = tuple(
                Link(str(c.part), ctx.links.href("matrix-page", key))
                for key, c in plan.matrix_pages.items()
                if c.area == chunk.area
            )
    else:
        groups, caption = list(plan.areas.items()), "Who does what (RACI)"
    return MatrixView(
        legend=legend(pb),
        accountable=letter_info(pb, pb.accountable_letter),
        downloads=() if ident else _downloads(ctx),
        all_areas=ctx.links.href("raci") if ident else None,
        part=part,
        parts=parts,
        matrix=matrix_html(ctx, groups, caption),
    )


def areas_view(ctx: Context, ident: str) -> AreasView:
    lookups = ctx.lookups
    return AreasView(
        legend=legend(ctx.pb),
        downloads=_downloads(ctx),
        activities=len(ctx.pb.activities),
        areas=tuple(
            AreaRow(
                Link(area, ctx.links.href("area", area)),
                len(activities),
                len(lookups.roles_with_letters(activities)),
            )
            for area, activities in ctx.plan.areas.items()
        ),
    )


def engagements_view(ctx: Context, ident: str) -> EngagementsView:
    return EngagementsView(
        engagements=tuple(
            EngagementRow(e, ctx.engagement(e), ctx.team(e.party)) for e in ctx.pb.engagements
        )
    )


def _scope_row(ctx: Context, engagement: Engagement, activity: Activity) -> ScopeRow:
    pb = ctx.pb
    party: list[RoleGroup] = []
    client: list[RoleGroup] = []
    for key in pb.letter_order:
        sides: tuple[list[NamedRole], list[NamedRole]] = ([], [])
        for holder in activity.holders(key):
            role = pb.role(holder.role)
            named = NamedRole(role.name, holder.when, activity.notes.get(holder.role))
            sides[0 if role.team == engagement.party else 1].append(named)
        for side, groups in zip(sides, (party, client), strict=True):
            if side:
                groups.append(RoleGroup(key, tuple(side)))
    return ScopeRow(activity, ctx.activity(activity), tuple(party), tuple(client))


def _out_of_scope(ctx: Context, activity: Activity) -> OutOfScope:
    pb = ctx.pb
    owner = pb.accountable_for(activity)
    fallback = [owner.id] if owner else []
    doers = list(dict.fromkeys(activity.role_ids("R") or activity.role_ids("D") or tuple(fallback)))
    teams = {pb.team_of(rid).name for rid in doers}
    return OutOfScope(
        activity=activity,
        team=teams.pop() if len(teams) == 1 else None,
        doers=tuple(pb.role(rid).name for rid in doers),
        owner=owner.name if owner and owner.id not in doers else None,
    )


def engagement_view(ctx: Context, ident: str) -> EngagementView:
    pb = ctx.pb
    e = pb.engagement(ident)
    approvals = e.approvals
    window = approvals.review_window if approvals else None
    return EngagementView(
        engagement=e,
        organisation=pb.organisation,
        party=pb.team(e.party),
        client_contact=ctx.role(e.client_contact) if e.client_contact else None,
        party_contact=ctx.role(e.party_contact) if e.party_contact else None,
        printable=ctx.links.href("printable", e.id),
        in_scope=tuple(_scope_row(ctx, e, pb.activity(aid)) for aid in e.in_scope),
        out_of_scope=tuple(_out_of_scope(ctx, pb.activity(aid)) for aid in e.out_of_scope),
        accountable=letter_info(pb, pb.accountable_letter),
        approver=pb.role(approvals.approver).name if approvals else None,
        review_window=pb.review_clock(e).words(window) if window else None,
        boundary=tuple(
            BoundaryHandoff(h, ctx.handoff(h), ctx.sla(h))
            for h in ctx.lookups.boundary.get(e.party, ())
        ),
        signatories=tuple(
            Signatory(pb.role(r).name, pb.team_of(r).name, tuple(pb.holders_of(pb.role(r))))
            for r in e.sign_off
        ),
        print_footer=_print_footer(pb.organisation, pb.team(e.party)),
    )


def _print_footer(org: Organisation, party: Team) -> str:
    words = [f"Scope agreement with {party.name}"]
    words.append(f"playbook version {org.version}" if org.version else "unversioned playbook")
    if org.effective:
        words.append(f"effective {org.effective.day} {org.effective:%B %Y}")
    return " · ".join(words)


def cadences_view(ctx: Context, ident: str) -> CadencesView:
    return CadencesView(
        cadences=tuple(
            CadenceRow(c, ctx.role(c.chair) if c.chair else None, ctx.roles(c.attendees))
            for c in ctx.pb.cadences
        )
    )


def glossary_view(ctx: Context, ident: str) -> GlossaryView:
    return GlossaryView(
        entries=tuple(
            sorted(ctx.pb.glossary, key=lambda g: (g.term.lower(), (g.context or "").lower()))
        )
    )


def changes_view(ctx: Context, ident: str) -> ChangesView:
    return ChangesView(changes=tuple(sorted(ctx.pb.changelog, key=lambda c: c.date, reverse=True)))
