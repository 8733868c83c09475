"""Raw data → :class:`~generator.model.Playbook`, collecting every problem in one pass.

First the shape of every entry (:mod:`.shape`), then what the declarations say: ids unique
in each section of :data:`~generator.model.SECTIONS`, and one pass over every declared
reference (unknown targets said as :mod:`.hints` says them, ids listed twice). Then the
rules that are not plain references (:mod:`.checks`: letters, routes, clocks …), and the
warnings of :mod:`.rules`, less those an ``allow`` silences. Nothing stops at the first
problem.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import rules
from .checks import RuleErrors
from .errors import Diagnostic, Location, PathKey, Severity, format_path
from .hints import Directory, letters_of, named, one_letter_per_key, suggest, unknown
from .load import Limits, Source, dig, load
from .model import (
    BUILTIN_MODELS,
    LIST_SECTIONS,
    SECTIONS,
    Playbook,
    Reference,
    ResponsibilityModel,
    describe,
    is_id,
    section_at,
    targets,
)
from .shape import PATTERNS, Problem, Shapes

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


class _Checker(RuleErrors):
    def __init__(self, source: Source) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = list(source.diagnostics)
        self.entries: dict[str, list[tuple[int, Any]]] = {s: [] for s in LIST_SECTIONS}
        self.directory = Directory()
        """The ids and names each section defines, also in entries that failed their shape
        check (so that a reference to them is not reported as unknown as well)."""
        self.raw_ids: dict[str, dict[str, None]] = self.directory.ids
        for name, section in SECTIONS.items():
            if section.addressable:
                self.raw_ids[name] = {}
        self.deferred: list[tuple[type[Any], PathKey, Problem]] = []
        """Refused ids in reference fields, said once every entry's name is known."""
        self.organisation: Any = None
        self.models: dict[str, ResponsibilityModel] = {}
        self.partial = False
        """True when some entry failed its shape check and is missing from the model."""
        self.dangling: set[str] = set()
        """Sections some reference pointed into without finding its target."""
        self.shapes = Shapes()
        self.references: list[Reference] = []
        """Every reference of the entries that passed their shape check, in section and
        entry order (:attr:`Playbook.references`, found once)."""

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
        for problem in _letters_explained(value, path, problems):
            if problem.context and "bad_id" in problem.context:
                self.deferred.append((model, path, problem))
            else:
                self.error(problem.path, problem.message, at_key=problem.at_key)
        return entry

    def say_deferred(self) -> None:
        """A refused id in a reference field that is an entry's name: say so."""
        for model, base, problem in self.deferred:
            message, refused = problem.message, (problem.context or {}).get("bad_id")
            section = section_at(model, problem.path[len(base) :])
            if section is not None and isinstance(refused, str):
                message = named(self.directory, section, refused) or message
            self.error(problem.path, message, at_key=problem.at_key)

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
            for raw in items:
                if section in self.raw_ids and isinstance(raw, dict) and is_id(raw.get("id")):
                    self.directory.add(section, raw)
            for index, raw in enumerate(items):
                entry = self.shape(SECTIONS[section].entry, raw, (section, index))
                if entry is not None:
                    self.entries[section].append((index, entry))
                else:
                    self.partial = True
        self.say_deferred()
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
            playbook = Playbook.assemble(
                tuple(self.references),
                organisation=self.organisation,
                models=self.models,
                **sections,
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
            first: dict[tuple[str, Any], int] = {}
            for index, item in enumerate(raw):
                if not isinstance(item, dict) or not isinstance(item.get(key), str):
                    continue
                value = item[key]
                scope = item.get(section.within) if section.within else None
                if (value, scope) not in first:
                    first[value, scope] = index
                    continue
                here, there = (name, index, key), (name, first[value, scope], key)
                said = f"{what} '{value}'" + (f" in context '{scope}'" if scope else "")
                self.error(here, f"duplicate {said} (first defined at {self.source.at(there)})")
                self.error(there, f"{said} is defined again at {self.source.at(here)}")
        for kind in ("teams", "roles"):
            for index, owner in self.entries[kind]:
                seen: dict[str, int] = {}
                for g, goal in enumerate(owner.goals):
                    if goal.id not in seen:
                        seen[goal.id] = g
                        continue
                    first_at = self.source.at((kind, index, "goals", seen[goal.id], "id"))
                    self.error(
                        (kind, index, "goals", g, "id"),
                        f"duplicate goal id '{goal.id}' in {SECTIONS[kind].noun} "
                        f"'{owner.id}' (first defined at {first_at})",
                    )

    def shaped(self) -> Iterator[tuple[PathKey, Any]]:
        """(path, entry) for every entry that passed its shape check, organisation first."""
        if self.organisation is not None:
            yield ("organisation",), self.organisation
        for section in LIST_SECTIONS:
            for index, entry in self.entries[section]:
                yield (section, index), entry

    def check_references(self) -> None:
        """One pass over every declared reference: the target exists (else
        :func:`~generator.hints.unknown` says what to write instead), and a list names each
        target once."""
        found = self.references
        for base, entry in self.shaped():
            raw = self.source.raw(base)
            lists: dict[PathKey, set[str]] = {}
            for inner, section, target, on_key in targets(entry):
                found.append(Reference(str(base[0]), entry, inner, section, target, on_key))
                inner = _as_written(raw, inner)
                path = base + inner
                if isinstance(inner[-1], int):
                    parent = inner[:-1]
                    seen = lists.setdefault(parent, set())
                    if target in seen:
                        noun = SECTIONS[section].noun
                        self.error(path, f"{noun} '{target}' is listed twice")
                    else:
                        seen.add(target)
                self.ref(section, target, path, at_key=on_key)

    def ref(self, section: str, value: str, path: PathKey, *, at_key: bool = False) -> bool:
        if value in self.raw_ids[section]:
            return True
        if not self.source.broken:  # else it may be defined in the file that could not be read
            self.error(path, unknown(self.directory, section, value), at_key=at_key)
        self.dangling.add(section)
        return False

    def check_warnings(self, playbook: Playbook) -> None:
        """The warnings of :mod:`.rules`, each placed at its entry's position in the files."""
        index = {id(entry): i for s in LIST_SECTIONS for i, entry in self.entries[s]}
        found = rules.warnings(playbook, partial=self.partial, dangling=self.dangling)
        complete = not self.partial and not any(d.severity == "error" for d in self.diagnostics)
        for code, finding in rules.allowed(playbook, found, complete=complete):
            at = index.get(id(finding.entry))
            base: PathKey = (finding.section,) if at is None else (finding.section, at)
            self.report("warning", base + finding.path, finding.message, code=code)


def _as_written(raw: Any, inner: PathKey) -> PathKey:
    """A reference's path as the files wrote it: one id or mapping may stand where a list
    may (``A: owner``, ``A: {role: legal, when: …}``), and then has no index."""
    for n, part in enumerate(inner):
        if isinstance(part, int) and not isinstance(dig(raw, inner[:n]), list):
            return inner[:n] + inner[n + 1 :]
    return inner


def _letters_explained(raw: Any, base: PathKey, problems: list[Problem]) -> list[Problem]:
    """Letters written together (``"A, R": x``) or a role under raci with its letters as the
    value (``x: "A, R"``): one plain instruction at the key, instead of a bad key and an id
    made of the letters."""
    out, covered = [], set()
    for problem in problems:
        inner = problem.path[len(base) :]
        if not (problem.at_key and len(inner) == 2 and inner[0] == "raci"):
            continue
        key, value = inner[1], dig(raw, inner)
        letters = letters_of(key)
        if letters:
            out.append(Problem(problem.path, one_letter_per_key(letters, value), at_key=True))
        elif (letters := letters_of(value)) and isinstance(key, str):
            out.append(Problem(problem.path, one_letter_per_key(letters, key), at_key=True))
        else:
            continue
        covered.add(problem.path)
    for problem in problems:
        if not any(problem.path[: len(path)] == path for path in covered):
            out.append(problem)
    return out


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
