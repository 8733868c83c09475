"""The errors that are not plain references: the letters an activity holds, a handoff's
routes and clocks, an engagement's dates and scope, and the model named.

A mixin of :class:`~generator.validate._Checker`: it reads the entries that passed their
shape check and reports through :meth:`error`.
"""

from __future__ import annotations

from typing import Any

from .errors import PathKey
from .hints import letters_of, one_letter_per_key, suggest
from .load import Source
from .model import (
    BUILTIN_MODELS,
    Activity,
    ClockSpec,
    Duration,
    Engagement,
    Handoff,
    Playbook,
    ResponsibilityModel,
)

_MINUTES = {"minute": 1, "hour": 60, "day": 24 * 60, "week": 7 * 24 * 60, "month": 30 * 24 * 60}


def _minutes(duration: Duration, day: int, week: int) -> float:
    """About how long ``duration`` is, in minutes of its own kind: calendar minutes, or
    working minutes of a ``day``-minute working day and a ``week``-day working week."""
    if not duration.business:
        return duration.value * _MINUTES[duration.unit]
    days = {"day": 1, "week": week, "month": week * 30 / 7}.get(duration.unit)
    if days is not None:
        return duration.value * days * day
    return duration.value * _MINUTES[duration.unit]


def _working_time(playbook: Playbook, role_id: str) -> tuple[int, int]:
    """The working day (in minutes) and week (in days) of a role's clock."""
    hours = playbook.clock_for(role_id).hours
    start, end = hours.start or "09:00", hours.end or "17:00"
    day = (int(end[:2]) * 60 + int(end[3:])) - (int(start[:2]) * 60 + int(start[3:]))
    return max(day, 1), len(hours.days or ()) or 5


class RuleErrors:
    """The domain rules that are errors (the warnings are :mod:`.rules`')."""

    source: Source
    entries: dict[str, list[tuple[int, Any]]]
    raw_ids: dict[str, dict[str, None]]
    models: dict[str, ResponsibilityModel]
    organisation: Any

    def error(self, path: PathKey, message: str, **kw: Any) -> None:
        raise NotImplementedError

    def model_name(self) -> str | None:
        raise NotImplementedError

    def model(self) -> ResponsibilityModel | None:
        """The responsibility model in force, when it is known and valid."""
        name = self.model_name() or ""
        return self.models.get(name) or BUILTIN_MODELS.get(name)

    def clocks(self) -> Playbook | None:
        """A playbook of the organisation, teams and roles, for their clocks (None without
        a valid organisation)."""
        if self.organisation is None:
            return None
        return Playbook.model_construct(
            organisation=self.organisation,
            teams=tuple(t for _, t in self.entries["teams"]),
            roles=tuple(r for _, r in self.entries["roles"]),
        )

    def check_rules(self) -> None:
        """The errors that are not plain references."""
        self.check_model_name()
        for i, stage in self.entries["stages"]:
            if stage.terminal and stage.next:
                self.error(
                    ("stages", i, "next"), f"stage '{stage.id}' is terminal and cannot have 'next'"
                )
        clocks = self.clocks()
        for i, handoff in self.entries["handoffs"]:
            self.check_handoff(("handoffs", i), handoff, clocks)
        name, model = self.model_name() or "", self.model()
        for i, activity in self.entries["activities"]:
            self.check_notes(("activities", i), activity)
            if model is not None:
                self.check_letters(("activities", i), activity, name, model)
        for i, engagement in self.entries["engagements"]:
            self.check_engagement(("engagements", i), engagement)

    def check_model_name(self) -> None:
        name = self.model_name()
        if name is None or name in BUILTIN_MODELS or name in self.models:
            return
        raw_models = self.source.data.get("models")
        if isinstance(raw_models, dict) and name in raw_models:
            return  # the model is defined with an error, reported there
        known = list(BUILTIN_MODELS) + list(self.models)
        self.error(
            ("organisation", "model"),
            f"unknown responsibility model '{name}'{suggest(name, known)}; "
            "use RACI, RASCI, DACI or a key of 'models'",
        )

    def check_handoff(self, path: PathKey, handoff: Handoff, clocks: Playbook | None) -> None:
        """Not to itself; every route but the last has a condition; each clock's target is
        shorter than its limit."""
        routes = handoff.routes
        single = isinstance(handoff.to, str)
        for j, route in enumerate(routes):
            at: PathKey = (*path, "to") if single else (*path, "to", j, "role")
            if route.role == handoff.from_:
                self.error(at, f"handoff '{handoff.id}' goes from role '{handoff.from_}' to itself")
            if route.when is None and j < len(routes) - 1:
                self.error(
                    (*path, "to", j),
                    f"route {j + 1} of {len(routes)} (to '{route.role}') has no 'when': every "
                    "route but the last needs one (the last is taken otherwise)",
                )
        day, week = _working_time(clocks, handoff.receiver) if clocks else (8 * 60, 5)
        for key, value in handoff.sla.items():
            if not isinstance(value, ClockSpec) or value.target is None:
                continue
            target, within = value.target, value.within
            if target.business != within.business:
                continue  # business and calendar time do not compare without a calendar
            if _minutes(target, day, week) >= _minutes(within, day, week):
                self.error(
                    (*path, "sla", key, "target"),
                    f"target '{target}' is not shorter than within '{within}': the target is "
                    "the aim, within the committed limit",
                )

    def check_notes(self, path: PathKey, activity: Activity) -> None:
        """A note belongs to a role with a letter on the activity (an unknown role is
        reported by the reference check), and is not letters (``x: "A, R"``)."""
        if not activity.notes:
            return
        holders = {role_id for letter in activity.raci for role_id in activity.role_ids(letter)}
        model = self.model()
        keys = tuple(model.letters) if model else ()
        for role_id, note in activity.notes.items():
            letters = letters_of(note) or [note.strip()]
            if letters and all(letter in keys for letter in letters):
                self.error(
                    (*path, "notes", role_id),
                    f"'{note}' is letters, not a note: under raci, "
                    f"{one_letter_per_key(letters, role_id)}",
                )
            elif role_id in self.raw_ids["roles"] and role_id not in holders:
                self.error(
                    (*path, "notes", role_id),
                    f"note for role '{role_id}', which has no letter on activity '{activity.id}'",
                    at_key=True,
                )

    def check_letters(
        self, path: PathKey, activity: Activity, name: str, model: ResponsibilityModel
    ) -> None:
        """Every letter is the model's, and each is held as often as the model requires (said
        with :meth:`~generator.model.Letter.count_phrase`, as the pages say it): the minimum
        counts every holder, the maximum those without a condition; an accountable letter
        has exactly one holder without a condition (the owner when none applies)."""
        raci = (*path, "raci")
        for letter in activity.raci:
            if letter not in model.letters:
                upper = letter.upper()
                hint = f" (did you mean '{upper}'?)" if upper in model.letters else ""
                self.error(
                    (*raci, letter),
                    f"letter '{letter}' is not in the {name} model "
                    f"(letters: {', '.join(model.letters)}){hint}",
                    at_key=True,
                )
            self.check_twice(raci, activity, letter)
        for letter, spec in model.letters.items():
            items = activity.raci.get(letter, ())
            plain = [j for j, item in enumerate(items) if isinstance(item, str)]
            if spec.allows(len(items)) and len(plain) == len(items) and not spec.accountable:
                continue  # the common case: no condition, as many as the model wants
            roles = activity.role_ids(letter)
            words = f"{spec.name} ({letter}) under {name}"
            need = f"activity '{activity.id}' needs {spec.count_phrase()} {words}"
            if spec.min is not None and len(items) < spec.min:
                at: PathKey = (*raci, letter) if items else raci
                self.error(at, f"{need}, found {self.found(roles)}", at_key=not items)
            elif spec.max is not None and len(plain) > spec.max:
                found = self.found([roles[j] for j in plain])
                if len(plain) < len(items):  # the others hold it under a condition
                    found = found.replace(":", " without a 'when':", 1)
                self.error(self.holder_at(raci, letter, plain[spec.max]), f"{need}, found {found}")
            elif spec.accountable and (spec.min or 0) >= 1 and len(plain) != 1:
                if not plain:
                    self.error(
                        (*raci, letter),
                        f"activity '{activity.id}' needs one {spec.name} ({letter}) without a "
                        "'when': the owner when no condition applies",
                    )
                else:
                    owners = ", ".join(roles[j] for j in plain)
                    self.error(
                        self.holder_at(raci, letter, plain[1]),
                        f"activity '{activity.id}' has {len(plain)} {spec.name} ({letter}) "
                        f"without a 'when' ({owners}); exactly one owns it when no condition "
                        "applies",
                    )

    @staticmethod
    def found(ids: Any) -> str:
        count = len(ids)
        return f"{count}: {', '.join(ids)}" if count > 1 else str(count or "none")

    def holder_at(self, raci: PathKey, letter: str, j: int) -> PathKey:
        """Where the ``j``-th holder of ``letter`` is written (the letter itself when one
        holder stands without a list)."""
        listed = isinstance(self.source.raw((*raci, letter)), list)
        return (*raci, letter, j) if listed else (*raci, letter)

    def check_twice(self, raci: PathKey, activity: Activity, letter: str) -> None:
        """A role named twice for one letter, once with a condition (twice without one is
        the reference check's)."""
        items = activity.raci[letter]
        if all(isinstance(item, str) for item in items):
            return
        seen: dict[str, bool] = {}
        for j, holder in enumerate(activity.holders(letter)):
            conditional = holder.when is not None
            if holder.role in seen and (conditional or seen[holder.role]):
                self.error(self.holder_at(raci, letter, j), f"role '{holder.role}' is listed twice")
            seen.setdefault(holder.role, conditional)

    def check_engagement(self, path: PathKey, engagement: Engagement) -> None:
        if engagement.party in self.raw_ids["teams"]:
            team = next((t for _, t in self.entries["teams"] if t.id == engagement.party), None)
            if team is not None and not team.external:
                self.error(
                    (*path, "party"),
                    f"engagement party '{engagement.party}' is not an external team "
                    "(set kind: external on the team)",
                )
        both = set(engagement.in_scope) & set(engagement.out_of_scope)
        for j, activity_id in enumerate(engagement.out_of_scope):
            if activity_id in both:
                self.error(
                    (*path, "out_of_scope", j),
                    f"activity '{activity_id}' is both in and out of the scope of "
                    f"engagement '{engagement.id}'",
                )
        if engagement.starts and engagement.ends and engagement.ends < engagement.starts:
            self.error(
                (*path, "ends"),
                f"engagement '{engagement.id}' ends ({engagement.ends}) before it starts "
                f"({engagement.starts})",
            )
