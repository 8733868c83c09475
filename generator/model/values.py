"""The scalar types of a playbook (ids, names, numbers, dates, times, durations).

Each type validates with its own function, so a mistake produces one plain message rather
than pydantic's, and carries the JSON Schema that editors check it with.
"""

from __future__ import annotations

import datetime as dt
import decimal
import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
ID_RE = re.compile(ID_PATTERN)
MAX_ID_LENGTH = 100
SCHEMA_ID_PATTERN = r"^(?!index$)[a-z0-9][a-z0-9-]{0,99}$"
"""The id pattern for editors: it also refuses the reserved id ``index``."""
RESERVED_IDS = frozenset({"index"})
MAX_NUMBER = 10**15
"""The largest size of a number (a target, quantity, count, touchpoints): a spreadsheet keeps
15 digits exactly, and a JSON reader in JavaScript keeps whole numbers exactly up to 2**53."""
LETTERS_RE = re.compile(r"^\s*[A-Z](\s*[,/&+ ]\s*[A-Z])+\s*$")
"""Several capital letters written as one (``A, R``, ``A/R``): one letter per key instead."""
_RANGE_RE = re.compile(r"^\s*(\d+)\s*(?:-|–|to)\s*(\d+)\s*$")


def fail(message: str, **context: Any) -> PydanticCustomError:
    """The error a validator raises: ``message`` is what the check prints."""
    # The message goes in through the context so that braces in user text are not a template.
    return PydanticCustomError("playbook", "{message}", {"message": message, **context})


def _digits(value: int) -> str:
    """How many digits a whole number has, without writing it out (Python refuses to write
    a number of more than 4,300 digits, and an error message has no room for one)."""
    if value.bit_length() < 2000:
        return f"{len(str(abs(value))):,}"
    return f"about {int(math.log10(abs(value))) + 1:,}"


def describe(value: Any) -> str:
    """How a wrong value looks to the user: ``a number (3.1)``, ``a list`` …"""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int) and abs(value) >= 10**40:
        return f"a number of {_digits(value)} digits"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "…"
        return f"text '{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def is_id(value: Any) -> bool:
    """A well-formed id that is not reserved (what a reference may point at)."""
    return isinstance(value, str) and bool(ID_RE.match(value)) and value not in RESERVED_IDS


def did_you_mean(value: Any, options: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(value, options, n=1) if isinstance(value, str) else []
    return f" (did you mean '{close[0]}'?)" if close else ""


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise fail(f"expected text, found {describe(value)}; quote it to keep it exact")
    if isinstance(value, (bool, dt.date)):
        # YAML reads an unquoted yes/no/on/off as true/false and 2026-01-15 as a date.
        raise fail(f"expected text, found {describe(value)}; quote it to keep it as text")
    raise fail(f"expected text, found {describe(value)}")


def _name(value: Any) -> str:
    text = as_text(value)
    if not text.strip():
        raise fail("expected a name, found empty text")
    return text


def _id(value: Any) -> str:
    if not isinstance(value, str):
        raise fail(f"expected an id, found {describe(value)}")
    if not ID_RE.match(value):
        if LETTERS_RE.match(value):
            # ``sdr: "A, R"`` under raci: letters where a role id stands; the check explains.
            raise fail(f"expected an id, found letters '{value}'", letters=value)
        parts = [part.strip() for part in value.split(",")]
        if len(parts) > 1 and all(ID_RE.match(part) for part in parts):
            raise fail(f"bad id '{value}': for several ids write a list: [{', '.join(parts)}]")
        hint = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
        suggestion = f" (e.g. '{hint}')" if hint and ID_RE.match(hint) and hint != value else ""
        raise fail(
            f"bad id '{value}': use lowercase letters, digits and '-', starting with a "
            f"letter or digit{suggestion}",
            bad_id=value,
        )
    if value in RESERVED_IDS:
        raise fail(f"bad id '{value}': '{value}' is reserved (it names a section's index page)")
    if len(value) > MAX_ID_LENGTH:
        raise fail(
            f"bad id of {len(value)} characters: at most {MAX_ID_LENGTH} (it becomes a file name)"
        )
    return value


def _id_list(value: Any) -> tuple[str, ...]:
    """A role id or a list of role ids (RACI letters accept both)."""
    if not isinstance(value, list):
        return (_id(value),)
    if not value:
        raise fail("expected a role id or a list of role ids, found an empty list")
    for index, item in enumerate(value):
        try:
            _id(item)
        except PydanticCustomError as exc:
            raise fail(exc.message(), index=index) from None
    return tuple(value)


def _shown(number: float) -> str:
    """A number as a message quotes it (a huge one by its length)."""
    return describe(number) if isinstance(number, int) and abs(number) >= 10**40 else f"{number}"


def _any_number(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise fail(f"expected a number, found {describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(f"expected a finite number, found {value}")
    return value


def _number(value: Any) -> float | int:
    number = _any_number(value)
    if abs(number) > MAX_NUMBER:
        raise fail(
            f"expected a number from -{MAX_NUMBER:,} to {MAX_NUMBER:,}, found {describe(number)}"
        )
    return number


def _quantity(value: Any) -> float | int:
    number = _any_number(value)
    if number < 0:
        raise fail(f"expected a quantity of zero or more, found {_shown(number)}")
    if number > MAX_NUMBER:
        raise fail(f"expected a quantity of at most {MAX_NUMBER:,}, found {describe(number)}")
    return number


def _percent(value: Any) -> float | int:
    number = _any_number(value)
    if not 0 <= number <= 100:
        raise fail(f"expected a percentage from 0 to 100, found {_shown(number)}")
    return number


def _target(value: Any) -> str | float | int:
    return value if isinstance(value, str) else _number(value)


def _count(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        if value > MAX_NUMBER:
            raise fail(
                f"expected a whole number of at most {MAX_NUMBER:,}, found {describe(value)}"
            )
        return value
    raise fail(f"expected a whole number of 0 or more, found {describe(value)}")


def _whole(digits: str) -> int | None:
    """Decimal digits as a whole number; None past :data:`MAX_NUMBER` (judged by length first:
    Python refuses to read a number of more than 4,300 digits)."""
    digits = digits.lstrip("0") or "0"
    if len(digits) > len(str(MAX_NUMBER)) or int(digits) > MAX_NUMBER:
        return None
    return int(digits)


def _touchpoints(value: Any) -> str | int:
    counts: list[int | None] = []
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        counts = [value if value <= MAX_NUMBER else None]
    elif isinstance(value, str):
        match = _RANGE_RE.match(value)
        if match:
            counts = [_whole(match[1]), _whole(match[2])]
        elif value.strip().isdecimal():
            counts = [_whole(value.strip())]
    whole = [count for count in counts if count is not None]
    if len(whole) < len(counts):
        raise fail(f"expected touchpoints of at most {MAX_NUMBER:,}, found {describe(value)}")
    if len(whole) == 1:
        return whole[0]
    if len(whole) == 2 and whole[0] <= whole[1]:
        return f"{whole[0]}-{whole[1]}"
    raise fail(f'expected a count or a range like "3-5", found {describe(value)}')


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise fail(f"expected a date (YYYY-MM-DD), found {describe(value)}")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise fail(f"expected true or false, found {describe(value)}")


WARNING_CODES: Mapping[str, str] = {
    "unused-role": "a role nothing points at: no letter, stage, handoff, cadence or engagement",
    "consulted-and-informed": "a role both Consulted (C) and Informed (I) on one activity",
    "unreachable-stage": "a stage no transition reaches from the first stage",
    "dead-end-stage": "a stage from which no terminal stage can be reached",
    "scope-without-party": (
        "an activity in an engagement's scope on which no role of the party has a letter"
    ),
    "bottleneck": "one role accountable for more than 40 % of at least 10 activities",
    "default-hours": "a duration in business units where the playbook sets no business hours",
    "unused-allow": "an `allow` that silences no warning",
}
"""Every warning's stable code and what it means (``allow`` names these; :mod:`generator.rules`
registers one rule under each)."""


def _warning_code(value: Any) -> str:
    if isinstance(value, str) and value in WARNING_CODES:
        return value
    hint = did_you_mean(value, tuple(WARNING_CODES))
    if not hint:
        hint = f"; the codes are {', '.join(WARNING_CODES)}"
    shown = f"'{value}'" if isinstance(value, str) else describe(value)
    raise fail(f"unknown warning code {shown}{hint}")


def choice(*options: str) -> Any:
    """A text that must be one of ``options`` (``kind: internal | external``)."""

    def check(value: Any) -> str:
        if isinstance(value, str) and value in options:
            return value
        hint = did_you_mean(value, options)
        raise fail(f"expected one of {', '.join(options)}; found {describe(value)}{hint}")

    return Annotated[
        str, PlainValidator(check), WithJsonSchema({"type": "string", "enum": list(options)})
    ]


def plain_number(number: float) -> str:
    """``4.0`` → ``4``, ``1.5`` → ``1.5``, ``1000000.0`` → ``1000000``: every digit, never
    ``1e+06`` (``:g`` keeps six digits and turns ``1234567`` into ``1.23457e+06``)."""
    if number == int(number):
        return str(int(number))
    return format(decimal.Decimal(repr(number)), "f")


@dataclass(frozen=True)
class Prose:
    """Marks a Markdown field: prose that explains, where the other fields state facts
    (``diff`` compares the facts)."""


_NUMBER_SCHEMA = {"type": "number", "minimum": -MAX_NUMBER, "maximum": MAX_NUMBER}
_COUNT = rf"0*(\d{{1,{len(str(MAX_NUMBER)) - 1}}}|{MAX_NUMBER})"
"""A count written in digits, at most :data:`MAX_NUMBER`, as a JSON Schema pattern."""
_ID_SCHEMA = {"type": "string", "pattern": SCHEMA_ID_PATTERN}

Text = Annotated[str, PlainValidator(as_text), WithJsonSchema({"type": "string"})]
Markdown = Annotated[
    str,
    PlainValidator(as_text),
    WithJsonSchema({"type": "string", "description": "Markdown"}),
    Prose(),
]
Name = Annotated[str, PlainValidator(_name), WithJsonSchema({"type": "string", "minLength": 1})]
Id = Annotated[str, PlainValidator(_id), WithJsonSchema(dict(_ID_SCHEMA))]
IdOrIds = Annotated[
    tuple[str, ...],
    PlainValidator(_id_list),
    PlainSerializer(list, return_type=list),
    WithJsonSchema(
        {"oneOf": [dict(_ID_SCHEMA), {"type": "array", "items": dict(_ID_SCHEMA), "minItems": 1}]}
    ),
]
Number = Annotated[float | int, PlainValidator(_number), WithJsonSchema(_NUMBER_SCHEMA)]
Count = Annotated[
    int,
    PlainValidator(_count),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": MAX_NUMBER}),
]
Quantity = Annotated[
    float | int,
    PlainValidator(_quantity),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": MAX_NUMBER}),
]
Percent = Annotated[
    float | int,
    PlainValidator(_percent),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100}),
]
Target = Annotated[
    str | float | int,
    PlainValidator(_target),
    WithJsonSchema({"anyOf": [{"type": "string"}, _NUMBER_SCHEMA]}),
]
Touchpoints = Annotated[
    str | int,
    PlainValidator(_touchpoints),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_NUMBER},
                {"type": "string", "pattern": rf"^\s*{_COUNT}\s*((-|–|to)\s*{_COUNT}\s*)?$"},
            ]
        }
    ),
]
Date = Annotated[
    dt.date,
    PlainValidator(_date),
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}),
]
Bool = Annotated[bool, PlainValidator(_bool), WithJsonSchema({"type": "boolean"})]
WarningCode = Annotated[
    str,
    PlainValidator(_warning_code),
    WithJsonSchema({"type": "string", "enum": list(WARNING_CODES)}),
]
