"""The domain rules that warn: small functions, each registered under a stable code.

A rule reads the :class:`~generator.model.Playbook` and yields :class:`Finding` objects;
:mod:`.validate` places them in the files. Codes are the contract's (DESIGN.md, "Warning
codes") and never change; a new rule gets a new code.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Set
from dataclasses import dataclass
from typing import Any

from .model import SECTIONS, WARNING_CODES, DataPath, Playbook

BOTTLENECK_SHARE = 0.40
BOTTLENECK_MIN_ACTIVITIES = 10
HOLDING_SECTIONS = frozenset({"people"})
"""Sections whose references say who holds a role, not what the role does."""


@dataclass(frozen=True)
class Finding:
    """A warning about ``entry`` of ``section``, at ``path`` inside it."""

    section: str
    entry: Any
    path: DataPath
    message: str


Check = Callable[[Playbook], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A registered warning.

    Attributes:
        code: The stable name of the warning (``unused-role``).
        check: The function that finds it.
        needs: None when the rule holds on a partial playbook (one with entries that failed
            their shape check); else the rule judges the whole playbook and is left out while
            an entry is missing or a reference into one of these sections is broken, since
            fixing the error may well remove the warning.
    """

    code: str
    check: Check
    needs: frozenset[str] | None = None


RULES: dict[str, Rule] = {}
"""Every warning rule by code, in the order they run."""


def rule(code: str, *, needs: Iterable[str] | None = None) -> Callable[[Check], Check]:
    """Register the decorated function as the rule for warning ``code``."""

    def register(check: Check) -> Check:
        if code not in WARNING_CODES:
            raise ValueError(f"warning code '{code}' is not in WARNING_CODES")
        if code in RULES:
            raise ValueError(f"warning code '{code}' is registered twice")
        RULES[code] = Rule(code, check, None if needs is None else frozenset(needs))
        return check

    return register


def warnings(
    playbook: Playbook, *, partial: bool = False, dangling: Set[str] = frozenset()
) -> Iterator[tuple[Rule, Finding]]:
    """Every warning of ``playbook``, with its rule. ``partial``: some entries failed their
    shape check; ``dangling``: sections some reference points into without finding its
    target."""
    for found in RULES.values():
        if found.needs is not None and (partial or found.needs & dangling):
            continue
        for finding in found.check(playbook):
            yield found, finding


UNUSED_ALLOW = "unused-allow"


def allowed(
    playbook: Playbook, found: Iterable[tuple[Rule, Finding]], *, complete: bool = True
) -> Iterator[tuple[str, Finding]]:
    """(code, finding) for every warning that no ``allow`` silences: the entry's own, or
    the organisation's (everywhere). With ``complete`` (every rule ran on the whole
    playbook), an ``allow`` that silenced nothing is an ``unused-allow`` warning itself."""
    everywhere = set(playbook.organisation.allow)
    used: set[tuple[int, str]] = set()
    kept: list[tuple[str, Finding]] = []
    for rule_, finding in found:
        code = rule_.code
        if code in getattr(finding.entry, "allow", ()):
            used.add((id(finding.entry), code))
        elif code in everywhere:
            used.add((id(playbook.organisation), code))
        else:
            kept.append((code, finding))
    if complete:
        for finding in _unused(playbook, used):
            if UNUSED_ALLOW in finding.entry.allow or UNUSED_ALLOW in everywhere:
                continue
            kept.append((UNUSED_ALLOW, finding))
    yield from kept


def _unused(playbook: Playbook, used: Set[tuple[int, str]]) -> Iterator[Finding]:
    for section, entry in playbook.entries():
        for j, code in enumerate(getattr(entry, "allow", ())):
            if code == UNUSED_ALLOW or (id(entry), code) in used:
                continue
            if section == "organisation":
                where = "the playbook has none"
            else:
                key = SECTIONS[section].key
                name = f" '{getattr(entry, key)}'" if key else ""
                where = f"none is about {SECTIONS[section].noun}{name}"
            yield Finding(
                section,
                entry,
                ("allow", j),
                f"allow '{code}' silences nothing: {where}; remove it",
            )


@rule("unused-role", needs={"roles"})
def unused_role(playbook: Playbook) -> Iterator[Finding]:
    """A role nothing points at (holding it under ``people`` is not a responsibility)."""
    for role in playbook.roles:
        refs = playbook.pointing_at("roles", role.id)
        if all(ref.section in HOLDING_SECTIONS for ref in refs):
            yield Finding(
                "roles",
                role,
                (),
                f"role '{role.id}' has no responsibilities (no letter, stage, handoff, cadence "
                "or engagement mentions it)",
            )


@rule("consulted-and-informed")
def consulted_and_informed(playbook: Playbook) -> Iterator[Finding]:
    """A role both consulted and informed on one activity: consulting includes informing."""
    letters = playbook.model.letters
    if "C" not in letters or "I" not in letters:
        return
    for activity in playbook.activities:
        both = set(activity.role_ids("C")) & set(activity.role_ids("I"))
        for role_id in sorted(both):
            yield Finding(
                "activities",
                activity,
                ("raci", "I"),
                f"role '{role_id}' is both Consulted (C) and Informed (I) on activity "
                f"'{activity.id}'; being consulted includes being informed",
            )


def _reach(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for target in edges.get(queue.popleft(), ()):
            if target not in seen and target in edges:
                seen.add(target)
                queue.append(target)
    return seen


def _transitions(playbook: Playbook) -> dict[str, set[str]]:
    """Stage → the stages a record may move to: ``next`` (or the following stage), plus the
    ``to`` of every outcome of a rejection of the handoffs at the stage."""
    edges = {s.id: set(playbook.next_stages(s)) for s in playbook.stages}
    for handoff in playbook.handoffs:
        if handoff.stage in edges:
            edges[handoff.stage].update(outcome.to for outcome in handoff.outcomes)
    return edges


@rule("unreachable-stage", needs={"stages"})
def unreachable_stage(playbook: Playbook) -> Iterator[Finding]:
    """A stage no transition reaches from the first stage."""
    if not playbook.stages:
        return
    first = playbook.stages[0].id
    reached = _reach(first, _transitions(playbook))
    for stage in playbook.stages:
        if stage.id not in reached:
            yield Finding(
                "stages",
                stage,
                (),
                f"stage '{stage.id}' is not reached by any transition from the first stage "
                f"'{first}'",
            )


@rule("dead-end-stage", needs={"stages"})
def dead_end_stage(playbook: Playbook) -> Iterator[Finding]:
    """A stage from which no terminal stage can be reached."""
    reverse: dict[str, set[str]] = {s.id: set() for s in playbook.stages}
    for source, targets in _transitions(playbook).items():
        for target in targets:
            reverse.setdefault(target, set()).add(source)
    can_finish: set[str] = set()
    for stage in playbook.stages:
        if stage.terminal:
            can_finish |= _reach(stage.id, reverse)
    for stage in playbook.stages:
        if stage.id not in can_finish:
            yield Finding(
                "stages",
                stage,
                (),
                f"stage '{stage.id}' is a dead end: no terminal stage can be reached from it",
            )


@rule("scope-without-party", needs={"teams", "activities"})
def scope_without_party(playbook: Playbook) -> Iterator[Finding]:
    """An activity in an engagement's scope on which no role of the external party has a
    letter."""
    for engagement in playbook.engagements:
        party_roles = {r.id for r in playbook.roles_of_team(engagement.party)}
        for j, activity_id in enumerate(engagement.in_scope):
            activity = playbook.find("activities", activity_id)
            if activity is not None and not any(
                set(activity.role_ids(letter)) & party_roles for letter in activity.raci
            ):
                yield Finding(
                    "engagements",
                    engagement,
                    ("in_scope", j),
                    f"activity '{activity_id}' is in the scope of engagement "
                    f"'{engagement.id}' but no role of '{engagement.party}' has a letter on it",
                )


@rule("bottleneck", needs={"roles"})
def bottleneck(playbook: Playbook) -> Iterator[Finding]:
    """One role holding the accountable letter without a condition (the owner when none
    applies) on more than 40 % of at least 10 activities."""
    total = len(playbook.activities)
    letter = playbook.model.accountable
    if total < BOTTLENECK_MIN_ACTIVITIES or letter is None:
        return
    name = playbook.model.letters[letter].name
    counts = Counter(
        holder.role
        for activity in playbook.activities
        for holder in activity.holders(letter)
        if holder.when is None
    )
    for role_id, count in sorted(counts.items()):
        role = playbook.find("roles", role_id)
        if count > BOTTLENECK_SHARE * total and role is not None:
            yield Finding(
                "roles",
                role,
                (),
                f"role '{role_id}' is {name} ({letter}) for {count} of {total} activities "
                f"({100 * count / total:.0f} %); more than {100 * BOTTLENECK_SHARE:.0f} % "
                "makes it a bottleneck",
            )


_ASSUMED = (
    "no business hours are set, so Mon–Fri 09:00–17:00 is assumed (set organisation.business_hours)"
)


@rule("default-hours")
def default_hours(playbook: Playbook) -> Iterator[Finding]:
    """A duration in business units on a clock nobody set: the same clock the pages name
    (:meth:`Playbook.sla_clock`, ``stage_clock``, ``review_clock``)."""
    for handoff in playbook.handoffs:
        if any(playbook.sla_clock(handoff, route).assumed for route in handoff.routes):
            for clock in handoff.clocks:
                business = [d for d in (clock.within, clock.target) if d and d.business]
                if business:
                    yield Finding(
                        "handoffs", handoff, ("sla", clock.key), f"'{business[0]}': {_ASSUMED}"
                    )
    for stage in playbook.stages:
        limit = stage.max_duration
        if limit and limit.business and playbook.stage_clock(stage).assumed:
            yield Finding("stages", stage, ("max_duration",), f"'{limit}': {_ASSUMED}")
    for engagement in playbook.engagements:
        window = engagement.approvals.review_window if engagement.approvals else None
        if window and window.business and playbook.review_clock(engagement).assumed:
            yield Finding(
                "engagements",
                engagement,
                ("approvals", "review_window"),
                f"'{window}': {_ASSUMED}",
            )
