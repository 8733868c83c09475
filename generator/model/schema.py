"""The JSON Schema of one playbook file, for editors (``playbook schema``)."""

from __future__ import annotations

from typing import Any

from .playbook import Playbook


def _close_key_patterns(node: Any) -> None:
    """Mappings whose keys follow a pattern (letters, clocks, notes) allow no other keys."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_key_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _close_key_patterns(value)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one playbook file: any subset of the sections, each may be empty."""
    schema = Playbook.model_json_schema(by_alias=True, mode="validation")
    schema.pop("required", None)
    schema.pop("title", None)
    schema.pop("description", None)
    for name, section in schema.get("properties", {}).items():
        if section.get("type") == "array":
            schema["properties"][name] = {"anyOf": [section, {"type": "null"}]}
    _close_key_patterns(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "playbook.schema.json",
        **schema,
        "title": "Responsibility playbook file",
        "description": (
            "One YAML file of a playbook folder: a mapping of sections. List sections may be "
            "split across files; organisation and models appear once."
        ),
    }
