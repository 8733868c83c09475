"""Raw values → typed entries, with pydantic's complaints said as the check says them.

The first half of validation: each entry is checked against its section's class on its own,
so one broken entry does not hide the problems of the others. An unknown key suggests the
closest known one; a missing field next to it is then left unsaid.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from .errors import PathKey
from .model import describe
from .model.parts import BRANCH_TAGS

PATTERNS = {
    r"^[A-Z]$": "a letter is one capital letter",
    r"^[A-Za-z]$": "a letter is one capital letter",
    r"^[a-z][a-z0-9_-]*$": "a clock name is lowercase letters, digits, '_' or '-'",
    r"^[A-Za-z][A-Za-z0-9_-]*$": "a model name is letters, digits, '_' or '-'",
}
"""What each key pattern of the model means, in words."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a value's shape, at ``path`` (its key when ``at_key``)."""

    path: PathKey
    message: str
    at_key: bool = False
    context: dict[str, Any] | None = None
    """What the validator said besides the message (``bad_id``: the id it refused)."""


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


def field_names(model: type[BaseModel]) -> list[str]:
    """The keys a class takes, as the YAML writes them (``from``, not ``from_``)."""
    return [info.alias or name for name, info in model.model_fields.items()]


def known_keys(model: Any, loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the mapping that holds ``loc`` (the last part is the key)."""
    parent: Any = model
    for part in loc[:-1]:
        parent = _inner_model(parent, part) if parent is not None else None
    cls = _model_class(parent)
    return field_names(cls) if cls else []


def closest_key(model: Any, loc: tuple[Any, ...]) -> str | None:
    close = difflib.get_close_matches(str(loc[-1]), known_keys(model, loc), n=1)
    return close[0] if close else None


class Shapes:
    """Checks values against the model's types, one cached adapter per type."""

    def __init__(self) -> None:
        self.adapters: dict[str, TypeAdapter[Any]] = {}

    def check(self, model: Any, value: Any, path: PathKey) -> tuple[Any, list[Problem]]:
        """``value`` as an instance of ``model`` (None when it has problems), and the problems."""
        key = getattr(model, "__name__", repr(model))
        adapter = self.adapters.get(key)
        if adapter is None:
            adapter = self.adapters[key] = TypeAdapter(model)
        try:
            return adapter.validate_python(value), []
        except ValidationError as exc:
            problems = exc.errors(include_url=False)
        for problem in problems:  # a field of several forms names the form in the path
            problem["loc"] = tuple(part for part in problem["loc"] if part not in BRANCH_TAGS)
        typos = {
            (path + tuple(p["loc"][:-1]), closest_key(model, p["loc"]))
            for p in problems
            if p["type"] == "extra_forbidden"
        }
        found = []
        for problem in problems:
            loc = path + tuple(problem["loc"])
            if problem["type"] == "missing" and (loc[:-1], loc[-1]) in typos:
                continue  # the unknown key next to it says "did you mean …"
            found.append(_translate(model, path, problem))
        return None, found


def _translate(model: Any, base: PathKey, problem: Any) -> Problem:
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
        return Problem(parent, f"missing required field '{path[-1]}'", at_key=under_key)
    if kind == "extra_forbidden":
        close = closest_key(model, loc)
        known = known_keys(model, loc)
        if close:
            hint = f" (did you mean '{close}'?)"
        else:
            hint = f"; the keys here are {', '.join(known)}" if known else ""
        return Problem(path, f"unknown key '{loc[-1]}'{hint}", at_key=True)
    if kind == "playbook" and ("bad_id" in context or "letters" in context):
        message = context["message"]
        return Problem(path, str(message), at_key=on_key, context=dict(context))
    if kind == "playbook" and "expects" in context:
        message = f"expected {context['expects']}, found {describe(value)}"
    elif kind == "playbook":
        message = context.get("message", problem["msg"])
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = f"expected a mapping, found {describe(value)}"
    elif kind in ("tuple_type", "list_type"):
        message = f"expected a list, found {describe(value)}"
    elif kind == "string_pattern_mismatch":
        rule = PATTERNS.get(context.get("pattern", ""), "it does not match the expected form")
        message = f"bad key '{value}': {rule}" if on_key else f"bad value '{value}': {rule}"
    elif kind == "string_type":
        message = f"expected text, found {describe(value)}"
    elif kind.startswith(("int", "greater_than")):
        message = f"expected a whole number of 0 or more, found {describe(value)}"
    else:
        message = problem["msg"]
    return Problem(path, str(message), at_key=on_key)
