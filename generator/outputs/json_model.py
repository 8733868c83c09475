"""The whole validated playbook as JSON (``playbook-json/1``), and the JSON Schemas offered
beside it.

The JSON export is the validated model with the sections and keys of the YAML, defaults
filled in and unset optional fields left out, plus two keys of its own: ``format``
(``"playbook-json/1"``) and ``generator`` (``{"name", "version"}``). Dates are ISO strings
(``2026-01-15``) and durations are objects ``{value, unit, business}`` (``4 business hours`` →
``{"value": 4, "unit": "hour", "business": true}``), also inside a clock written as a mapping
(``within``, ``target``). A letter's holders are a list of role ids and, for a conditional
holder, ``{"role", "when"}`` mappings, as the YAML writes them; routes and rejection outcomes
keep the YAML's lists. Its JSON Schema is :func:`export_json_schema`.
"""

from __future__ import annotations

import json
import typing
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter

from .. import __version__
from ..model import DURATION_UNITS, DurationValue, Playbook, json_schema
from ..model.references import Stored
from ..text import json_text

JSON_FORMAT = "playbook-json/1"


def playbook_json(playbook: Playbook) -> str:
    """The whole validated playbook as JSON (``playbook-json/1``; see the module docstring).

    Args:
        playbook: A validated playbook.

    Returns:
        Indented JSON text ending with a newline.
    """
    # mode="python": the JSON mode makes pydantic warn on the tuple-typed raci letters.
    data = playbook.model_dump(mode="python", by_alias=True, exclude_none=True)
    document = {
        "format": JSON_FORMAT,
        "generator": {"name": "playbook", "version": __version__},
        **data,
    }
    return json_text(document) + "\n"


DURATION_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A duration: 4 business hours is {value: 4, unit: hour, business: true}.",
    "properties": {
        "value": {"type": "number", "exclusiveMinimum": 0},
        "unit": {"enum": list(dict.fromkeys(unit for unit, _ in DURATION_UNITS.values()))},
        "business": {"type": "boolean"},
    },
    "required": ["value", "unit", "business"],
    "additionalProperties": False,
}


def _replace(node: Any, old: dict[str, Any], new: dict[str, Any]) -> Any:
    """``node`` with every schema that is ``old`` (give or take a field's ``title``) made
    ``new`` (keeping the title)."""
    if isinstance(node, dict) and old.items() <= node.items() and set(node) <= {*old, "title"}:
        return {**new, **({"title": node["title"]} if "title" in node else {})}
    if isinstance(node, dict):
        return {key: _replace(value, old, new) for key, value in node.items()}
    if isinstance(node, list):
        return [_replace(value, old, new) for value in node]
    return node


def _as_stored(annotation: Any) -> Any:
    """``annotation`` with each part the YAML writes in several forms (a letter's holders) as
    the one type it is stored and exported as (:class:`~generator.model.references.Stored`)."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *extra = typing.get_args(annotation)
        stored = next((m.annotation for m in extra if isinstance(m, Stored)), None)
        if stored is not None:
            return stored
        inner = _as_stored(base)
        return annotation if inner is base else Annotated[inner, *extra]
    if origin is dict:
        key, value = typing.get_args(annotation)
        inner = _as_stored(value)
        return annotation if inner is value else dict[key, inner]  # type: ignore[valid-type]
    return annotation


def _models(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """``model`` and every model its fields hold, by class name (the schema's ``$defs``)."""
    found: dict[str, type[BaseModel]] = {}
    waiting = [model]
    while waiting:
        current = waiting.pop()
        if current.__name__ in found:
            continue
        found[current.__name__] = current
        for info in current.model_fields.values():
            waiting.extend(_models_in(info.annotation))
    return found


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _with_stored_types(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` where each field written in several forms describes what the export holds
    (``raci`` letters: lists of role ids and ``{role, when}`` mappings), not the
    serializer's untyped list."""
    definitions = schema.setdefault("$defs", {})
    for name, model in _models(Playbook).items():
        for field, info in model.model_fields.items():
            annotation: Any = info.annotation
            if info.metadata:
                annotation = Annotated[annotation, *info.metadata]
            stored = _as_stored(annotation)
            if stored is annotation:
                continue
            adapter = TypeAdapter(stored)
            found = adapter.json_schema(mode="serialization", ref_template="#/$defs/{model}")
            definitions.update(found.pop("$defs", {}))
            properties = (definitions[name] if name in definitions else schema)["properties"]
            key = info.alias or field
            properties[key] = {**found, "title": properties[key].get("title", key)}
    return schema


def export_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :func:`playbook_json`'s output.

    Derived from the model's serialization schema, with durations as objects and the
    ``format`` and ``generator`` keys added.

    Returns:
        The schema as a dict, ready for ``json.dumps``.
    """
    schema = _with_stored_types(Playbook.model_json_schema(mode="serialization", by_alias=True))
    duration_text = TypeAdapter(DurationValue).json_schema(mode="serialization")
    schema = _replace(schema, duration_text, DURATION_JSON_SCHEMA)
    properties = {
        "format": {"const": JSON_FORMAT},
        "generator": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "version": {"type": "string"}},
            "required": ["name", "version"],
            "additionalProperties": False,
        },
        **schema.pop("properties"),
    }
    return {
        **schema,
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "playbook-export.schema.json",
        "title": "Responsibility playbook export (playbook-json/1)",
        "description": (
            "The validated playbook: sections as in the YAML, defaults filled in, dates as "
            "YYYY-MM-DD, durations as {value, unit, business}."
        ),
        "properties": properties,
        "required": ["format", "generator", *schema.get("required", [])],
    }


def _dumped(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def schema_text(playbook: Playbook) -> str:
    """The file ``playbook.schema.json``: :func:`export_json_schema` (the same for every
    playbook)."""
    return _dumped(export_json_schema())


def yaml_schema_text(playbook: Playbook) -> str:
    """The file ``yaml.schema.json``: the schema of the YAML files, what editors use (the same
    for every playbook)."""
    return _dumped(json_schema())
