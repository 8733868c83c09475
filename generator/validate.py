"""Raw data → :class:`~generator.model.Playbook`, collecting every problem in one pass.

First the shape of every entry (:mod:`.shape`), then what the declarations say: ids unique
in each section of :data:`~generator.model.SECTIONS`, and one pass over every declared
reference (unknown targets with the closest id, ids listed twice). Then the few rules that
are not plain references (the letters of the model, a handoff to itself …), and the warnings
of :mod:`.rules`. Nothing stops at the first problem.
"""

from __future__ import annotations

import difflib
import gc
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import rules
from .errors import Diagnostic, Location, PathKey, Severity, format_path
from .load import Limits, Source, dig, load
from .model import (
    BUILTIN_MODELS,
    LIST_SECTIONS,
    SECTIONS,
    Activity,
    Engagement,
    Playbook,
    ResponsibilityModel,
    describe,
    is_id,
    targets,
)
from .shape import PATTERNS, Shapes

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


class _Checker:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = list(source.diagnostics)
        self.entries: dict[str, list[tuple[int, Any]]] = {s: [] for s in LIST_SECTIONS}
        self.raw_ids: dict[str, set[str]] = {
            name: set() for name, section in SECTIONS.items() if section.addressable
        }
        """The ids each section defines, also in entries that failed their shape check (so
        that a reference to them is not reported as unknown as well)."""
        self.organisation: Any = None
        self.models: dict[str, ResponsibilityModel] = {}
        self.partial = False
        """True when some entry failed its shape check and is missing from the model."""
        self.dangling: set[str] = set()
        """Sections some reference pointed into without finding its target."""
        self.shapes = Shapes()

    def report(
        self,
        severity: Severity,
        path: PathKey,
        message: str,
        *,
        at_key: bool = False,
        where: Location | None = None,
        code: str | None = None,
    ) -> None:
        if severity == "error" and path in self.source.replaced:
            return  # the loader reported this value already
        location = where or (self.source.key_at(path) if at_key else self.source.at(path))
        self.diagnostics.append(Diagnostic(severity, location, format_path(path), message, code))

    def error(self, path: PathKey, message: str, **kw: Any) -> None:
        self.report("error", path, message, **kw)

    def shape(self, model: Any, value: Any, path: PathKey) -> Any:
        """``value`` as a ``model``; each problem reported; None if any."""
        entry, problems = self.shapes.check(model, value, path)
        for problem in problems:
            self.error(problem.path, problem.message, at_key=problem.at_key)
        return entry

    def run(self) -> Result:
        data = self.source.data
        for section in data:
            if section not in SECTIONS:
                known = ", ".join(SECTIONS)
                hint = suggest(section, SECTIONS) or f"; the sections are {known}"
                self.error((section,), f"unknown section '{section}'{hint}", at_key=True)
        if not self.source.files or (
            not data and any(d.severity == "error" for d in self.source.diagnostics)
        ):
            return self.finish()
        if "organisation" in data:
            self.organisation = self.shape(
                SECTIONS["organisation"].entry, data["organisation"], ("organisation",)
            )
        elif not self.source.broken:
            where = Location(self.source.folder)
            self.error((), "missing required section 'organisation'", where=where)
        self.check_models(data.get("models"))
        for section in LIST_SECTIONS:
            items = data.get(section)
            if items is None:
                continue
            if not isinstance(items, list):
                self.error((section,), f"expected a list of entries, found {describe(items)}")
                continue
            for index, raw in enumerate(items):
                if section in self.raw_ids and isinstance(raw, dict) and is_id(raw.get("id")):
                    self.raw_ids[section].add(raw["id"])
                entry = self.shape(SECTIONS[section].entry, raw, (section, index))
                if entry is not None:
                    self.entries[section].append((index, entry))
                else:
                    self.partial = True
        self.check_unique_ids()
        self.check_references()
        self.check_rules()
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
            # Warnings are worth seeing beside errors; with errors the model is partial, and
            # each rule says whether it still holds then (see rules.Rule.needs).
            self.check_warnings(playbook)
        return Result(None if has_errors else playbook, self.diagnostics)

    def check_models(self, raw: Any) -> None:
        if raw is None:
            return
        if not isinstance(raw, dict):
            self.error(("models",), f"expected a mapping of model names, found {describe(raw)}")
            return
        for name, value in raw.items():
            path: PathKey = ("models", name)
            if not _MODEL_NAME_RE.match(name):
                rule = PATTERNS[_MODEL_NAME_RE.pattern]
                self.error(path, f"bad model name '{name}': {rule}", at_key=True)
                continue
            if name in BUILTIN_MODELS:
                self.error(path, f"model '{name}' is built in; choose another name", at_key=True)
                continue
            parsed = self.shape(SECTIONS["models"].entry, value, path)
            if parsed is None:
                continue
            accountable = [k for k, v in parsed.letters.items() if v.accountable]
            if len(accountable) > 1:
                self.error(
                    (*path, "letters"),
                    f"model '{name}' marks {len(accountable)} letters accountable "
                    f"({', '.join(accountable)}); mark one",
                )
            for key, letter in parsed.letters.items():
                if letter.min is not None and letter.max is not None and letter.min > letter.max:
                    self.error(
                        (*path, "letters", key),
                        f"letter '{key}' has min {letter.min} above max {letter.max}",
                    )
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

    def check_unique_ids(self) -> None:
        """Each section's key (from the registry) is unique; both places are reported."""
        for name in LIST_SECTIONS:
            section, raw = SECTIONS[name], self.source.data.get(name)
            if section.key is None or not isinstance(raw, list):
                continue
            key = section.key
            what = f"{section.noun} id" if key == "id" else section.noun
            first: dict[str, int] = {}
            for index, item in enumerate(raw):
                if not isinstance(item, dict) or not isinstance(item.get(key), str):
                    continue
                value = item[key]
                if value not in first:
                    first[value] = index
                    continue
                here, there = (name, index, key), (name, first[value], key)
                self.error(
                    here, f"duplicate {what} '{value}' (first defined at {self.source.at(there)})"
                )
                self.error(there, f"{what} '{value}' is defined again at {self.source.at(here)}")
        for index, team in self.entries["teams"]:
            seen: dict[str, int] = {}
            for g, goal in enumerate(team.goals):
                if goal.id not in seen:
                    seen[goal.id] = g
                    continue
                first_at = self.source.at(("teams", index, "goals", seen[goal.id], "id"))
                self.error(
                    ("teams", index, "goals", g, "id"),
                    f"duplicate goal id '{goal.id}' in team '{team.id}' "
                    f"(first defined at {first_at})",
                )

    def shaped(self) -> Iterator[tuple[PathKey, Any]]:
        """(path, entry) for every entry that passed its shape check, organisation first."""
        if self.organisation is not None:
            yield ("organisation",), self.organisation
        for section in LIST_SECTIONS:
            for index, entry in self.entries[section]:
                yield (section, index), entry

    def check_references(self) -> None:
        """One pass over every declared reference: the target exists (else the closest id
        is suggested), and a list names each target once."""
        for base, entry in self.shaped():
            raw = self.source.raw(base)
            lists: dict[PathKey, set[str] | None] = {}
            for inner, section, target, on_key in targets(entry):
                path = base + inner
                if isinstance(inner[-1], int):
                    parent = inner[:-1]
                    if parent not in lists:  # one id may stand where a list may (`A: owner`)
                        lists[parent] = set() if isinstance(dig(raw, parent), list) else None
                    seen = lists[parent]
                    if seen is None:
                        path = path[:-1]
                    elif target in seen:
                        noun = SECTIONS[section].noun
                        self.error(path, f"{noun} '{target}' is listed twice")
                    else:
                        seen.add(target)
                self.ref(section, target, path, at_key=on_key)

    def ref(self, section: str, value: str, path: PathKey, *, at_key: bool = False) -> bool:
        known = self.raw_ids[section]
        if value in known:
            return True
        if not self.source.broken:  # else it may be defined in the file that could not be read
            noun = SECTIONS[section].noun
            self.error(path, f"unknown {noun} '{value}'{suggest(value, known)}", at_key=at_key)
        self.dangling.add(section)
        return False

    def check_rules(self) -> None:
        """The errors that are not plain references."""
        self.check_model_name()
        for i, stage in self.entries["stages"]:
            if stage.terminal and stage.next:
                self.error(
                    ("stages", i, "next"), f"stage '{stage.id}' is terminal and cannot have 'next'"
                )
        for i, handoff in self.entries["handoffs"]:
            if handoff.from_ == handoff.to:
                self.error(
                    ("handoffs", i, "to"),
                    f"handoff '{handoff.id}' goes from role '{handoff.from_}' to itself",
                )
        name = self.model_name() or ""
        model = self.models.get(name) or BUILTIN_MODELS.get(name)
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

    def check_notes(self, path: PathKey, activity: Activity) -> None:
        """A note belongs to a role with a letter on the activity (an unknown role is
        reported by the reference check)."""
        holders = {role_id for ids in activity.raci.values() for role_id in ids}
        for role_id in activity.notes:
            if role_id in self.raw_ids["roles"] and role_id not in holders:
                self.error(
                    (*path, "notes", role_id),
                    f"note for role '{role_id}', which has no letter on activity '{activity.id}'",
                    at_key=True,
                )

    def check_letters(
        self, path: PathKey, activity: Activity, name: str, model: ResponsibilityModel
    ) -> None:
        """Every letter is the model's, and each is held as often as the model requires (said
        with :meth:`~generator.model.Letter.count_phrase`, as the pages say it)."""
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
        for letter, spec in model.letters.items():
            roles = activity.raci.get(letter, ())
            count = len(roles)
            if spec.allows(count):
                continue
            found = f"{count}: {', '.join(roles)}" if count > 1 else str(count or "none")
            message = (
                f"activity '{activity.id}' needs {spec.count_phrase()} {spec.name} ({letter}) "
                f"under {name}, found {found}"
            )
            if spec.max is not None and count > spec.max:
                self.error((*raci, letter, spec.max), message)  # the first one too many
            elif count:
                self.error((*raci, letter), message)
            else:  # the letter is missing: point at the assignments
                self.error(raci, message, at_key=True)

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

    def check_warnings(self, playbook: Playbook) -> None:
        """The warnings of :mod:`.rules`, each placed at its entry's position in the files."""
        index = {id(entry): i for s in LIST_SECTIONS for i, entry in self.entries[s]}
        found = rules.warnings(playbook, partial=self.partial, dangling=self.dangling)
        for rule, finding in found:
            at = index.get(id(finding.entry))
            base: PathKey = (finding.section,) if at is None else (finding.section, at)
            self.report("warning", base + finding.path, finding.message, code=rule.code)


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
