"""The building blocks of the section classes: their base, the warning codes an entry may
allow, and fields written in several forms (``to: sdr`` or ``to: [routes]``).

A field of several forms is validated form by form, chosen by what the YAML wrote (one value,
a mapping or a list), so a mistake gets that form's message rather than one per form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Tag,
)
from pydantic_core import core_schema

from .values import WarningCode, fail


class Part(BaseModel):
    """Base of every section entry and of the mappings inside one: immutable, no unknown
    keys."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, arbitrary_types_allowed=True
    )


Allow = tuple[WarningCode, ...]
"""Warning codes silenced for an entry (``allow: [unused-role]``), on every section's entries;
on the organisation, silenced everywhere. Each entry class declares it as its last field."""


ONE = Tag("<one>")
MAPPING = Tag("<mapping>")
LIST = Tag("<list>")
BRANCH_TAGS = frozenset(str(tag.tag) for tag in (ONE, MAPPING, LIST))
"""The tags of a field written in several forms (an id, a mapping or a list); the check
leaves them out of the paths it reports."""


def _form(value: Any) -> str:
    """Which form a value takes, by what the YAML wrote (nothing is one value)."""
    if isinstance(value, dict | BaseModel):
        return MAPPING.tag
    if isinstance(value, list | tuple):
        return LIST.tag
    return ONE.tag


class _Forms(Discriminator):
    """A discriminator that can sit in a union (its error context, a dict, is not hashed)."""

    def __hash__(self) -> int:
        return hash((self.discriminator, self.custom_error_message))


def forms(expected: str) -> Discriminator:
    """Validates each form of a field (``to: sdr`` or ``to: [routes]``) as its own type, so
    a mistake gets that form's message; a form the field does not take is "expected …"."""
    return _Forms(
        _form,
        custom_error_type="playbook",
        custom_error_message=f"expected {expected}",
        custom_error_context={"expects": expected},
    )


@dataclass(frozen=True)
class _NonEmpty:
    """A list that must hold something: one plain message for an empty one (pydantic's
    ``min_length`` also complains when items fail), and ``minItems`` for editors."""

    what: str

    def check(self, value: Any) -> Any:
        if isinstance(value, list) and not value:
            raise fail(f"expected {self.what}, found an empty list")
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return core_schema.no_info_before_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler) -> Any:
        found = handler(schema)
        found["minItems"] = 1
        return found


def non_empty(what: str) -> _NonEmpty:
    """A list that must hold something; ``what`` is what is expected, for the message
    (``a list of routes {role, when}``)."""
    return _NonEmpty(what)
