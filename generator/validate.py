"""Raw data → :class:`~generator.model.Playbook`, collecting every problem in one pass.

First the shape of every entry (each section entry is validated on its own, so one broken
entry does not hide the problems of the others), then ids, references, and the rules of
the contract. Nothing stops at the first problem.
"""

from __future__ import annotations

import difflib
import gc
import re
import types
import typing
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from .errors import Diagnostic, Location, Severity
from .load import LIST_SECTIONS, SECTIONS, Limits, PathKey, Source, format_path, load
from .model import (
    _ID_RE,
    BUILTIN_MODELS,
    RESERVED_IDS,
    SECTION_MODELS,
    Activity,
    Engagement,
    Handoff,
    Playbook,
    ResponsibilityModel,
    describe,
)

BOTTLENECK_SHARE = 0.40
BOTTLENECK_MIN_ACTIVITIES = 10

_PATTERNS = {
    r"^[A-Z]$": "a letter is one capital letter",
    r"^[A-Za-z]$": "a letter is one capital letter",
    r"^[a-z][a-z0-9_-]*$": "a clock name is lowercase letters, digits, '_' or '-'",
    r"^[A-Za-z][A-Za-z0-9_-]*$": "a model name is letters, digits, '_' or '-'",
}
_MODEL_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass
class Result:
    """What validation found: the playbook (when it has no errors) and every diagnostic."""

    playbook: Playbook | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def ok(self, strict: bool = False) -> bool:
        return self.playbook is not None and not self.errors and not (strict and self.warnings)


def suggest(value: object, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a known name is close to ``value``."""
    close = difflib.get_close_matches(str(value), sorted(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _inner_model(annotation: Any, part: str | int) -> Any:
    """The type found one step into ``annotation`` along ``part`` (for key suggestions)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner_model(typing.get_args(annotation)[0], part)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                found = _inner_model(arg, part)
                if found is not None:
                    return found
        return None
    if origin is tuple or origin is list:
        return typing.get_args(annotation)[0] if isinstance(part, int) else None
    if origin is dict:
        return typing.get_args(annotation)[1]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if (info.alias or name) == part:
                return info.annotation
    return None


def _model_class(annotation: Any) -> type[BaseModel] | None:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_class(arg)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _valid_id(value: Any) -> bool:
    """An id that references may point at (a bad id is reported once, where it is defined)."""
    return isinstance(value, str) and bool(_ID_RE.match(value)) and value not in RESERVED_IDS


def field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


class _Checker:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = list(source.diagnostics)
        self.entries: dict[str, list[tuple[int, Any]]] = {s: [] for s in LIST_SECTIONS}
        self.raw_ids: dict[str, set[str]] = {s: set() for s in LIST_SECTIONS}
        self.organisation: Any = None
        self.models: dict[str, ResponsibilityModel] = {}
        self.partial = False
        """True when some entry failed its shape check and is missing from the model."""
        self.dangling: set[str] = set()
        """Sections some reference pointed into without finding its target."""
        self.adapters: dict[str, TypeAdapter[Any]] = {}

    def report(
        self,
        severity: Severity,
        path: PathKey,
        message: str,
        *,
        at_key: bool = False,
        where: Location | None = None,
    ) -> None:
        if severity == "error" and path in self.source.replaced:
            return  # the loader reported this value already
        location = where or (self.source.key_at(path) if at_key else self.source.at(path))
        self.diagnostics.append(Diagnostic(severity, location, format_path(path), message))

    def error(self, path: PathKey, message: str, **kw: Any) -> None:
        self.report("error", path, message, **kw)

    def warning(self, path: PathKey, message: str, **kw: Any) -> None:
        self.report("warning", path, message, **kw)

    def shape(self, model: Any, value: Any, path: PathKey) -> Any:
        """Validate ``value`` against ``model``; report each problem; None if any."""
        key = getattr(model, "__name__", repr(model))
        adapter = self.adapters.get(key)
        if adapter is None:
            adapter = self.adapters[key] = TypeAdapter(model)
        try:
            return adapter.validate_python(value)
        except ValidationError as exc:
            problems = exc.errors(include_url=False)
            typos = {
                (path + tuple(p["loc"][:-1]), self.closest_key(model, p["loc"]))
                for p in problems
                if p["type"] == "extra_forbidden"
            }
            for problem in problems:
                loc = path + tuple(problem["loc"])
                if problem["type"] == "missing" and (loc[:-1], loc[-1]) in typos:
                    continue  # the unknown key next to it says "did you mean …"
                self.translate(model, path, problem)
            return None

    def known_keys(self, model: Any, loc: tuple[Any, ...]) -> list[str]:
        """The keys allowed in the mapping that holds ``loc`` (the last part is the key)."""
        parent: Any = model
        for part in loc[:-1]:
            parent = _inner_model(parent, part) if parent is not None else None
        cls = _model_class(parent)
        return field_names(cls) if cls else []

    def closest_key(self, model: Any, loc: tuple[Any, ...]) -> str | None:
        close = difflib.get_close_matches(str(loc[-1]), self.known_keys(model, loc), n=1)
        return close[0] if close else None

    def translate(self, model: Any, base: PathKey, problem: Any) -> None:
        loc = tuple(problem["loc"])
        on_key = bool(loc) and loc[-1] == "[key]"
        if on_key:
            loc = loc[:-1]
        context = problem.get("ctx") or {}
        if "index" in context:
            loc = loc + (context["index"],)
        path = base + loc
        kind = problem["type"]
        value = problem.get("input")
        if kind == "missing":
            # Under a key (organisation:, approvals:) point at the key; in a list, at the entry.
            parent = path[:-1]
            under_key = bool(parent) and isinstance(parent[-1], str)
            self.error(parent, f"missing required field '{path[-1]}'", at_key=under_key)
            return
        if kind == "extra_forbidden":
            close = self.closest_key(model, loc)
            known = self.known_keys(model, loc)
            if close:
                hint = f" (did you mean '{close}'?)"
            else:
                hint = f"; the keys here are {', '.join(known)}" if known else ""
            self.error(path, f"unknown key '{loc[-1]}'{hint}", at_key=True)
            return
        if kind == "playbook":
            message = context.get("message", problem["msg"])
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            message = f"expected a mapping, found {describe(value)}"
        elif kind in ("tuple_type", "list_type"):
            message = f"expected a list, found {describe(value)}"
        elif kind == "string_pattern_mismatch":
            rule = _PATTERNS.get(context.get("pattern", ""), "it does not match the expected form")
            message = f"bad key '{value}': {rule}" if on_key else f"bad value '{value}': {rule}"
        elif kind == "string_type":
            message = f"expected text, found {describe(value)}"
        elif kind.startswith(("int", "greater_than")):
            message = f"expected a whole number of 0 or more, found {describe(value)}"
        else:
            message = problem["msg"]
        self.error(path, message, at_key=on_key)

    def run(self) -> Result:
        data = self.source.data
        for section in data:
            if section not in SECTIONS:
                self.error(
                    (section,),
                    f"unknown section '{section}'"
                    + (suggest(section, SECTIONS) or f"; the sections are {', '.join(SECTIONS)}"),
                    at_key=True,
                )
        if not self.source.files or (
            not data and any(d.severity == "error" for d in self.source.diagnostics)
        ):
            return self.finish()
        if "organisation" not in data:
            if not self.source.broken:
                self.error((), "missing required section 'organisation'",
                           where=Location(self.source.folder))
        else:
            self.organisation = self.shape(
                SECTION_MODELS["organisation"], data["organisation"], ("organisation",)
            )
        self.check_models(data.get("models"))
        for section in LIST_SECTIONS:
            if section not in data:
                continue
            items = data[section]
            if items is None:
                continue
            if not isinstance(items, list):
                self.error((section,), f"expected a list of entries, found {describe(items)}")
                continue
            model = SECTION_MODELS[section]
            for index, raw in enumerate(items):
                path = (section, index)
                if isinstance(raw, dict) and _valid_id(raw.get("id")):
                    self.raw_ids[section].add(raw["id"])
                entry = self.shape(model, raw, path)
                if entry is not None:
                    self.entries[section].append((index, entry))
                else:
                    self.partial = True
        self.check_unique_ids()
        self.check_references()
        return self.finish()

    def finish(self) -> Result:
        has_errors = any(d.severity == "error" for d in self.diagnostics)
        playbook = None
        if self.organisation is not None:
            sections: dict[str, Any] = {
                s: tuple(entry for _, entry in self.entries[s]) for s in LIST_SECTIONS
            }
            playbook = Playbook.model_construct(
                organisation=self.organisation, models=self.models, **sections
            )
            # Warnings are worth seeing beside errors; with errors the model is partial, so
            # the checks below tolerate references to entries that did not validate.
            self.check_warnings(playbook)
        return Result(None if has_errors else playbook, self.diagnostics)

    def check_models(self, raw: Any) -> None:
        if raw is None:
            return
        if not isinstance(raw, dict):
            self.error(("models",), f"expected a mapping of model names, found {describe(raw)}")
            return
        for name, value in raw.items():
            if not _MODEL_NAME_RE.match(name):
                self.error(("models", name),
                           f"bad model name '{name}': {_PATTERNS[_MODEL_NAME_RE.pattern]}",
                           at_key=True)
                continue
            if name in BUILTIN_MODELS:
                self.error(("models", name), f"model '{name}' is built in; choose another name",
                           at_key=True)
                continue
            parsed = self.shape(ResponsibilityModel, value, ("models", name))
            if parsed is None:
                continue
            accountable = [k for k, v in parsed.letters.items() if v.accountable]
            if len(accountable) > 1:
                self.error(("models", name, "letters"),
                           f"model '{name}' marks {len(accountable)} letters accountable "
                           f"({', '.join(accountable)}); mark one")
            for key, letter in parsed.letters.items():
                if letter.min is not None and letter.max is not None and letter.min > letter.max:
                    self.error(("models", name, "letters", key),
                               f"letter '{key}' has min {letter.min} above max {letter.max}")
            self.models[name] = parsed

    def model_name(self) -> str | None:
        """The responsibility model named by the organisation, even one with other errors.

        None when it cannot be known (the organisation is in a file that could not be read),
        so that no letter is judged against the wrong model.
        """
        if self.organisation is not None:
            return str(self.organisation.model)
        raw = self.source.data.get("organisation")
        if isinstance(raw, dict):
            name = raw.get("model", "RACI")
            return name if isinstance(name, str) else None
        return None if self.source.broken else "RACI"

    def model_in_force(self) -> tuple[str, ResponsibilityModel | None]:
        name = self.model_name()
        if name is None:
            return "", None
        return name, self.models.get(name) or BUILTIN_MODELS.get(name)

    def ids(self, section: str) -> dict[str, int]:
        return {entry.id: index for index, entry in self.entries[section]}

    def check_unique_ids(self) -> None:
        for section in LIST_SECTIONS:
            raw = self.source.data.get(section)
            if not isinstance(raw, list):
                continue
            key = "name" if section == "people" else "term" if section == "glossary" else "id"
            if section == "changelog":
                continue
            first: dict[str, int] = {}
            for index, item in enumerate(raw):
                if not isinstance(item, dict) or not isinstance(item.get(key), str):
                    continue
                value = item[key]
                if value not in first:
                    first[value] = index
                    continue
                here = self.source.at((section, index, key))
                there = self.source.at((section, first[value], key))
                what = {"people": "person", "glossary": "glossary term"}.get(
                    section, section.rstrip("s").replace("activitie", "activity") + " id"
                )
                self.error((section, index, key),
                           f"duplicate {what} '{value}' (first defined at {there})")
                self.error((section, first[value], key),
                           f"{what} '{value}' is defined again at {here}")
        for index, team in self.entries["teams"]:
            seen: dict[str, int] = {}
            for g, goal in enumerate(team.goals):
                if goal.id in seen:
                    there = self.source.at(("teams", index, "goals", seen[goal.id], "id"))
                    self.error(("teams", index, "goals", g, "id"),
                               f"duplicate goal id '{goal.id}' in team '{team.id}' "
                               f"(first defined at {there})")
                else:
                    seen[goal.id] = g

    def ref(
        self, kind: str, section: str, value: str | None, path: PathKey, *, at_key: bool = False
    ) -> bool:
        if value is None:
            return False
        known = self.raw_ids[section]
        if value in known:
            return True
        if not self.source.broken:  # else it may be defined in the file that could not be read
            self.error(path, f"unknown {kind} '{value}'{suggest(value, known)}", at_key=at_key)
        self.dangling.add(section)
        return False

    def ref_list(self, kind: str, section: str, values: Iterable[str], path: PathKey) -> None:
        seen: set[str] = set()
        for i, value in enumerate(values):
            self.ref(kind, section, value, path + (i,))
            if value in seen:
                self.error(path + (i,), f"{kind} '{value}' is listed twice")
            seen.add(value)

    def check_references(self) -> None:
        org = self.organisation
        if org is not None:
            self.ref("role", "roles", org.maintainer, ("organisation", "maintainer"))
        name = self.model_name()
        if name is not None and name not in BUILTIN_MODELS and name not in self.models:
            raw_models = self.source.data.get("models")
            if not (isinstance(raw_models, dict) and name in raw_models):  # else: reported there
                known = list(BUILTIN_MODELS) + list(self.models)
                self.error(("organisation", "model"),
                           f"unknown responsibility model '{name}'{suggest(name, known)}; "
                           "use RACI, RASCI, DACI or a key of 'models'")
        for i, role in self.entries["roles"]:
            self.ref("team", "teams", role.team, ("roles", i, "team"))
        for i, person in self.entries["people"]:
            self.ref_list("role", "roles", person.roles, ("people", i, "roles"))
        for i, stage in self.entries["stages"]:
            self.ref("role", "roles", stage.owner, ("stages", i, "owner"))
            if stage.next is not None:
                self.ref_list("stage", "stages", stage.next, ("stages", i, "next"))
                if stage.terminal and stage.next:
                    self.error(("stages", i, "next"),
                               f"stage '{stage.id}' is terminal and cannot have 'next'")
        for i, handoff in self.entries["handoffs"]:
            self.check_handoff(i, handoff)
        self.check_activities()
        for i, engagement in self.entries["engagements"]:
            self.check_engagement(i, engagement)
        for i, cadence in self.entries["cadences"]:
            self.ref("role", "roles", cadence.chair, ("cadences", i, "chair"))
            self.ref_list("role", "roles", cadence.attendees, ("cadences", i, "attendees"))

    def check_handoff(self, i: int, handoff: Handoff) -> None:
        path: PathKey = ("handoffs", i)
        self.ref("role", "roles", handoff.from_, path + ("from",))
        self.ref("role", "roles", handoff.to, path + ("to",))
        if handoff.from_ == handoff.to:
            self.error(path + ("to",),
                       f"handoff '{handoff.id}' goes from role '{handoff.from_}' to itself")
        self.ref("stage", "stages", handoff.stage, path + ("stage",))
        if handoff.on_reject is not None:
            self.ref("stage", "stages", handoff.on_reject.to, path + ("on_reject", "to"))

    def check_activities(self) -> None:
        name, model = self.model_in_force()
        raw_activities = self.source.data.get("activities") or []
        for i, activity in self.entries["activities"]:
            path: PathKey = ("activities", i)
            raw_raci = raw_activities[i]["raci"]
            self.ref("stage", "stages", activity.stage, path + ("stage",))
            for letter, roles in activity.raci.items():
                if model is not None and letter not in model.letters:
                    hint = f" (did you mean '{letter.upper()}'?)" if letter.upper() in model.letters else ""
                    self.error(path + ("raci", letter),
                               f"letter '{letter}' is not in the {name} model "
                               f"(letters: {', '.join(model.letters)}){hint}", at_key=True)
                if isinstance(raw_raci[letter], list):
                    self.ref_list("role", "roles", roles, path + ("raci", letter))
                else:
                    self.ref("role", "roles", roles[0], path + ("raci", letter))
            for role_id in activity.notes:
                known = self.ref("role", "roles", role_id, path + ("notes", role_id), at_key=True)
                if known and not activity.letters_of(role_id):
                    self.error(path + ("notes", role_id),
                               f"note for role '{role_id}', which has no letter on "
                               f"activity '{activity.id}'", at_key=True)
            if model is not None:
                self.check_cardinality(path, activity, name, model)

    def check_cardinality(
        self, path: PathKey, activity: Activity, name: str, model: ResponsibilityModel
    ) -> None:
        raci = path + ("raci",)
        for letter, spec in model.letters.items():
            roles = activity.raci.get(letter, ())
            count = len(roles)
            label = f"{spec.name} ({letter})"
            found = f"{count}: {', '.join(roles)}" if count > 1 else str(count or "none")
            if spec.min == spec.max == 1:
                need = "exactly one"
            elif spec.min is not None and count < spec.min:
                need = f"at least {spec.min}"
            else:
                need = f"at most {spec.max}"
            message = f"activity '{activity.id}' needs {need} {label} under {name}, found {found}"
            if spec.min is not None and count < spec.min:
                if count:
                    self.error(raci + (letter,), message)
                else:  # the letter is missing: point at the assignments
                    self.error(raci, message, at_key=True)
            elif spec.max is not None and count > spec.max:
                self.error(raci + (letter, spec.max), message)  # the first one too many

    def check_engagement(self, i: int, engagement: Engagement) -> None:
        path: PathKey = ("engagements", i)
        if self.ref("team", "teams", engagement.party, path + ("party",)):
            team = next((t for _, t in self.entries["teams"] if t.id == engagement.party), None)
            if team is not None and not team.external:
                self.error(path + ("party",),
                           f"engagement party '{engagement.party}' is not an external team "
                           "(set kind: external on the team)")
        self.ref("role", "roles", engagement.client_contact, path + ("client_contact",))
        self.ref("role", "roles", engagement.party_contact, path + ("party_contact",))
        self.ref_list("activity", "activities", engagement.in_scope, path + ("in_scope",))
        self.ref_list("activity", "activities", engagement.out_of_scope, path + ("out_of_scope",))
        both = set(engagement.in_scope) & set(engagement.out_of_scope)
        for j, activity_id in enumerate(engagement.out_of_scope):
            if activity_id in both:
                self.error(path + ("out_of_scope", j),
                           f"activity '{activity_id}' is both in and out of the scope of "
                           f"engagement '{engagement.id}'")
        if engagement.approvals is not None:
            self.ref("role", "roles", engagement.approvals.approver,
                     path + ("approvals", "approver"))
        self.ref_list("role", "roles", engagement.sign_off, path + ("sign_off",))
        if engagement.starts and engagement.ends and engagement.ends < engagement.starts:
            self.error(path + ("ends",), f"engagement '{engagement.id}' ends "
                                         f"({engagement.ends}) before it starts ({engagement.starts})")

    def check_warnings(self, playbook: Playbook) -> None:
        """Every warning that an error above does not make unreliable.

        A warning about the whole playbook (an unused role, the stage graph, a bottleneck) is
        left out while an entry it depends on is missing or a reference into it is broken:
        fixing the error may well remove it.
        """
        index = {section: self.ids(section) for section in ("roles", "stages", "activities")}
        self.warn_redundant_letters(playbook, index["activities"])
        self.warn_business_time(playbook)
        if self.partial:
            return
        if "roles" not in self.dangling:
            self.warn_unused_roles(playbook, index["roles"])
            self.warn_bottleneck(playbook, index["roles"])
        if "stages" not in self.dangling:
            self.warn_stage_graph(playbook, index["stages"])
        if not self.dangling & {"teams", "activities"}:
            self.warn_scope_letters(playbook)

    def warn_unused_roles(self, playbook: Playbook, positions: dict[str, int]) -> None:
        used: set[str] = set()
        if playbook.organisation.maintainer:
            used.add(playbook.organisation.maintainer)
        for activity in playbook.activities:
            for roles in activity.raci.values():
                used.update(roles)
        used.update(s.owner for s in playbook.stages if s.owner)
        for h in playbook.handoffs:
            used.update((h.from_, h.to))
        for c in playbook.cadences:
            used.update(c.attendees)
            if c.chair:
                used.add(c.chair)
        for e in playbook.engagements:
            used.update(r for r in (e.client_contact, e.party_contact) if r)
            used.update(e.sign_off)
            if e.approvals:
                used.add(e.approvals.approver)
        for role in playbook.roles:
            if role.id not in used:
                self.warning(("roles", positions[role.id]),
                             f"role '{role.id}' has no responsibilities (no letter, stage, "
                             "handoff, cadence or engagement mentions it)")

    def warn_redundant_letters(self, playbook: Playbook, positions: dict[str, int]) -> None:
        letters = playbook.model.letters
        if "C" not in letters or "I" not in letters:
            return
        for activity in playbook.activities:
            both = set(activity.raci.get("C", ())) & set(activity.raci.get("I", ()))
            for role_id in sorted(both):
                self.warning(("activities", positions[activity.id], "raci", "I"),
                             f"role '{role_id}' is both Consulted (C) and Informed (I) on "
                             f"activity '{activity.id}'; being consulted includes being informed")

    def warn_stage_graph(self, playbook: Playbook, positions: dict[str, int]) -> None:
        if not playbook.stages:
            return
        edges: dict[str, set[str]] = {s.id: set(playbook.next_stages(s)) for s in playbook.stages}
        for h in playbook.handoffs:
            if h.stage in edges and h.on_reject:
                edges[h.stage].add(h.on_reject.to)
        first = playbook.stages[0].id
        reached = _reach(first, edges)
        reverse: dict[str, set[str]] = {s: set() for s in edges}
        for source, targets in edges.items():
            for target in targets:
                reverse.setdefault(target, set()).add(source)
        terminals = [s.id for s in playbook.stages if s.terminal]
        can_finish: set[str] = set()
        for terminal in terminals:
            can_finish |= _reach(terminal, reverse)
        for stage in playbook.stages:
            path: PathKey = ("stages", positions[stage.id])
            if stage.id not in reached:
                self.warning(path, f"stage '{stage.id}' is not reached by any transition "
                                   f"from the first stage '{first}'")
            if stage.id not in can_finish:
                self.warning(path, f"stage '{stage.id}' is a dead end: no terminal stage "
                                   "can be reached from it")

    def warn_scope_letters(self, playbook: Playbook) -> None:
        positions = self.ids("engagements")
        activities = {a.id: a for a in playbook.activities}
        for engagement in playbook.engagements:
            party_roles = {r.id for r in playbook.roles_of_team(engagement.party)}
            for j, activity_id in enumerate(engagement.in_scope):
                activity = activities.get(activity_id)
                if activity is not None and not any(set(roles) & party_roles for roles in activity.raci.values()):
                    self.warning(("engagements", positions[engagement.id], "in_scope", j),
                                 f"activity '{activity_id}' is in the scope of engagement "
                                 f"'{engagement.id}' but no role of '{engagement.party}' "
                                 "has a letter on it")

    def warn_bottleneck(self, playbook: Playbook, positions: dict[str, int]) -> None:
        total = len(playbook.activities)
        if total < BOTTLENECK_MIN_ACTIVITIES:
            return
        letter = playbook.model.accountable
        if letter is None:
            return
        counts = Counter(r for a in playbook.activities for r in a.raci.get(letter, ()))
        for role_id, count in sorted(counts.items()):
            if count > BOTTLENECK_SHARE * total and role_id in positions:
                name = playbook.model.letters[letter].name
                self.warning(("roles", positions[role_id]),
                             f"role '{role_id}' is {name} ({letter}) for {count} of {total} "
                             f"activities ({100 * count / total:.0f} %); more than "
                             f"{100 * BOTTLENECK_SHARE:.0f} % makes it a bottleneck")

    def warn_business_time(self, playbook: Playbook) -> None:
        """A business-unit duration whose clock is the assumed default: the same clock the
        pages name (:meth:`Playbook.sla_clock`, ``stage_clock``, ``review_clock``)."""
        hint = (
            "no business hours are set, so Mon–Fri 09:00–17:00 is assumed "
            "(set organisation.business_hours)"
        )
        for i, handoff in self.entries["handoffs"]:
            if playbook.sla_clock(handoff).assumed:
                for clock, duration in handoff.sla.items():
                    if duration.business:
                        self.warning(("handoffs", i, "sla", clock), f"'{duration}': {hint}")
        for i, stage in self.entries["stages"]:
            limit = stage.max_duration
            if limit and limit.business and playbook.stage_clock(stage).assumed:
                self.warning(("stages", i, "max_duration"), f"'{limit}': {hint}")
        for i, engagement in self.entries["engagements"]:
            window = engagement.approvals.review_window if engagement.approvals else None
            if window and window.business and playbook.review_clock(engagement).assumed:
                self.warning(
                    ("engagements", i, "approvals", "review_window"), f"'{window}': {hint}"
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


def validate(source: Source) -> Result:
    """Validate loaded data; the playbook is returned only when there are no errors."""
    return _Checker(source).run()


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Loading allocates many small objects that all live on; pausing the cyclic collector
    meanwhile saves it from scanning them again and again (a third of a large check)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check(folder: Path | str, limits: Limits | None = None) -> Result:
    """Load and validate the playbook folder."""
    with _paused_gc():
        return validate(load(folder, limits))


__all__ = ["Result", "check", "suggest", "validate"]
