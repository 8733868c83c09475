"""The typed, immutable playbook and its parts. No I/O.

The pydantic models describe the YAML shape (and give the JSON Schema); every scalar type
uses its own validator so that a mistake produces one plain message, not pydantic's.
Cross-links are resolved by :class:`Playbook`'s lookups (``role()``, ``team_of()``,
``assignments()`` …), computed once and cached.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
_ID_RE = re.compile(ID_PATTERN)
MAX_ID_LENGTH = 100
SCHEMA_ID_PATTERN = r"^(?!index$)[a-z0-9][a-z0-9-]{0,99}$"
"""The id pattern for editors: it also refuses the reserved id ``index``."""


def _any_case(word: str) -> str:
    """A regex matching ``word`` in any letter case, for JSON Schema (ECMAScript has no (?i))."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


_TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_RANGE_RE = re.compile(r"^\s*(\d+)\s*(?:-|–|to)\s*(\d+)\s*$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RESERVED_IDS = frozenset({"index"})
MAX_NUMBER = 10**15
"""The largest size of a number (a target, quantity, count, touchpoints): a spreadsheet keeps
15 digits exactly, and a JSON reader in JavaScript keeps whole numbers exactly up to 2**53."""
MAX_DURATION = 1_000_000
"""The largest number of a duration (a million minutes, hours, days, weeks or months)."""


def _fail(message: str, **context: Any) -> PydanticCustomError:
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


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _fail(f"expected text, found {describe(value)}; quote it to keep it exact")
    if isinstance(value, (bool, dt.date)):
        # YAML reads an unquoted yes/no/on/off as true/false and 2026-01-15 as a date.
        raise _fail(f"expected text, found {describe(value)}; quote it to keep it as text")
    raise _fail(f"expected text, found {describe(value)}")


def _name(value: Any) -> str:
    text = _text(value)
    if not text.strip():
        raise _fail("expected a name, found empty text")
    return text


def _id(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail(f"expected an id, found {describe(value)}")
    if not _ID_RE.match(value):
        parts = [part.strip() for part in value.split(",")]
        if len(parts) > 1 and all(_ID_RE.match(part) for part in parts):
            raise _fail(f"bad id '{value}': for several ids write a list: [{', '.join(parts)}]")
        hint = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
        suggestion = f" (e.g. '{hint}')" if hint and _ID_RE.match(hint) and hint != value else ""
        raise _fail(
            f"bad id '{value}': use lowercase letters, digits and '-', starting with a "
            f"letter or digit{suggestion}"
        )
    if value in RESERVED_IDS:
        raise _fail(f"bad id '{value}': '{value}' is reserved (it names a section's index page)")
    if len(value) > MAX_ID_LENGTH:
        raise _fail(
            f"bad id of {len(value)} characters: at most {MAX_ID_LENGTH} (it becomes a file name)"
        )
    return value


def _shown(number: float) -> str:
    """A number as a message quotes it (a huge one by its length)."""
    return describe(number) if isinstance(number, int) and abs(number) >= 10**40 else f"{number}"


def _any_number(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(f"expected a number, found {describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(f"expected a finite number, found {value}")
    return value


def _number(value: Any) -> float | int:
    number = _any_number(value)
    if abs(number) > MAX_NUMBER:
        raise _fail(
            f"expected a number from -{MAX_NUMBER:,} to {MAX_NUMBER:,}, found {describe(number)}"
        )
    return number


def _quantity(value: Any) -> float | int:
    number = _any_number(value)
    if number < 0:
        raise _fail(f"expected a quantity of zero or more, found {_shown(number)}")
    if number > MAX_NUMBER:
        raise _fail(f"expected a quantity of at most {MAX_NUMBER:,}, found {describe(number)}")
    return number


def _percent(value: Any) -> float | int:
    number = _any_number(value)
    if not 0 <= number <= 100:
        raise _fail(f"expected a percentage from 0 to 100, found {_shown(number)}")
    return number


def _target(value: Any) -> str | float | int:
    if isinstance(value, str):
        return value
    return _number(value)


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
        raise _fail(f"expected touchpoints of at most {MAX_NUMBER:,}, found {describe(value)}")
    if len(whole) == 1:
        return whole[0]
    if len(whole) == 2 and whole[0] <= whole[1]:
        return f"{whole[0]}-{whole[1]}"
    raise _fail(f'expected a count or a range like "3-5", found {describe(value)}')


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
    raise _fail(f"expected a date (YYYY-MM-DD), found {describe(value)}")


def _time(value: Any) -> str:
    if isinstance(value, str) and _TIME_RE.match(value.strip()):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 100 * 60:
        # YAML 1.1 reads an unquoted 17:00 as the base-60 number 1020.
        hours, minutes = divmod(value, 60)
        raise _fail(
            f'expected a time "HH:MM", found a number ({value}); '
            f'write it in quotes: "{hours:02d}:{minutes:02d}"'
        )
    raise _fail(f'expected a time "HH:MM", found {describe(value)}')


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(value: Any) -> str:
    if isinstance(value, str):
        day = value.strip().lower()
        if day in WEEKDAYS or day in _DAY_NAMES:
            return day[:3]
    import difflib

    close = difflib.get_close_matches(value, WEEKDAYS, n=1) if isinstance(value, str) else []
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise _fail(f"expected a weekday ({', '.join(WEEKDAYS)}), found {describe(value)}{hint}")


def _timezone(value: Any) -> str:
    from zoneinfo import ZoneInfo

    text = _text(value)
    try:
        ZoneInfo(text)
    except Exception:  # noqa: BLE001 - ZoneInfo raises several unrelated types for bad names
        raise _fail(f"unknown time zone '{text}' (e.g. Europe/London, America/New_York, UTC)")
    return text


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _fail(f"expected true or false, found {describe(value)}")


def _choice(*options: str) -> Any:
    def check(value: Any) -> str:
        if isinstance(value, str) and value in options:
            return value
        import difflib

        close = difflib.get_close_matches(value, options, n=1) if isinstance(value, str) else []
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise _fail(f"expected one of {', '.join(options)}; found {describe(value)}{hint}")

    return Annotated[
        str,
        PlainValidator(check),
        WithJsonSchema({"type": "string", "enum": list(options)}),
    ]


DURATION_UNITS = {
    "minute": ("minute", False),
    "minutes": ("minute", False),
    "hour": ("hour", False),
    "hours": ("hour", False),
    "business hour": ("hour", True),
    "business hours": ("hour", True),
    "day": ("day", False),
    "days": ("day", False),
    "business day": ("day", True),
    "business days": ("day", True),
    "week": ("week", False),
    "weeks": ("week", False),
    "month": ("month", False),
    "months": ("month", False),
}
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+([a-z][a-z ]*?)\s*$", re.IGNORECASE)
_ACCEPTED_UNITS = "minutes, hours, business hours, days, business days, weeks, months"


def plain_number(number: float) -> str:
    """``4.0`` → ``4``, ``1.5`` → ``1.5``, ``1000000.0`` → ``1000000``: every digit, never
    ``1e+06`` (``:g`` keeps six digits and turns ``1234567`` into ``1.23457e+06``)."""
    if number == int(number):
        return str(int(number))
    return format(decimal.Decimal(repr(number)), "f")


@dataclass(frozen=True, slots=True)
class Duration:
    """A parsed duration: ``4 business hours`` → value 4, unit ``hour``, business time."""

    value: float
    unit: str
    business: bool

    def __str__(self) -> str:
        number = plain_number(self.value)
        unit = self.unit if self.value == 1 else self.unit + "s"
        return f"{number} {'business ' if self.business else ''}{unit}"

    def as_dict(self) -> dict[str, Any]:
        value: float | int = int(self.value) if self.value == int(self.value) else self.value
        return {"value": value, "unit": self.unit, "business": self.business}


def parse_duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    if not isinstance(value, str):
        raise _fail(
            f"expected a duration like '4 business hours', found {describe(value)}; "
            f"write '<number> <unit>' with unit one of {_ACCEPTED_UNITS}"
        )
    match = _DURATION_RE.match(value)
    unit = DURATION_UNITS.get(" ".join(match[2].lower().split())) if match else None
    if not match or unit is None:
        raise _fail(
            f"bad duration '{value}': write '<number> <unit>' with unit one of {_ACCEPTED_UNITS}"
        )
    number = float(match[1])
    if number <= 0:
        raise _fail(f"bad duration '{value}': the number must be positive")
    if number > MAX_DURATION:
        shown = value if len(value) <= 40 else value[:37] + "…"
        raise _fail(f"bad duration '{shown}': the number must be at most {MAX_DURATION:,}")
    return Duration(number, unit[0], unit[1])


def _schema(schema: dict[str, Any]) -> WithJsonSchema:
    return WithJsonSchema(schema)


Text = Annotated[str, PlainValidator(_text), _schema({"type": "string"})]
Markdown = Annotated[
    str, PlainValidator(_text), _schema({"type": "string", "description": "Markdown"})
]
Name = Annotated[str, PlainValidator(_name), _schema({"type": "string", "minLength": 1})]
Id = Annotated[str, PlainValidator(_id), _schema({"type": "string", "pattern": SCHEMA_ID_PATTERN})]
_NUMBER_SCHEMA = {"type": "number", "minimum": -MAX_NUMBER, "maximum": MAX_NUMBER}
Number = Annotated[float | int, PlainValidator(_number), _schema(_NUMBER_SCHEMA)]


def _count(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        if value > MAX_NUMBER:
            raise _fail(
                f"expected a whole number of at most {MAX_NUMBER:,}, found {describe(value)}"
            )
        return value
    raise _fail(f"expected a whole number of 0 or more, found {describe(value)}")


Count = Annotated[
    int,
    PlainValidator(_count),
    _schema({"type": "integer", "minimum": 0, "maximum": MAX_NUMBER}),
]
Quantity = Annotated[
    float | int,
    PlainValidator(_quantity),
    _schema({"type": "number", "minimum": 0, "maximum": MAX_NUMBER}),
]
Percent = Annotated[
    float | int, PlainValidator(_percent), _schema({"type": "number", "minimum": 0, "maximum": 100})
]
Target = Annotated[
    str | float | int,
    PlainValidator(_target),
    _schema({"anyOf": [{"type": "string"}, _NUMBER_SCHEMA]}),
]
_COUNT = rf"0*(\d{{1,{len(str(MAX_NUMBER)) - 1}}}|{MAX_NUMBER})"
"""A count written in digits, at most :data:`MAX_NUMBER`, as a JSON Schema pattern."""
Touchpoints = Annotated[
    str | int,
    PlainValidator(_touchpoints),
    _schema(
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
    _schema({"type": "string", "format": "date"}),
]
Time = Annotated[
    str, PlainValidator(_time), _schema({"type": "string", "pattern": _TIME_RE.pattern})
]
_WEEKDAY_PATTERN = (
    "^("
    + "|".join(
        f"{_any_case(short)}(?:{_any_case(full[3:])})?" for short, full in zip(WEEKDAYS, _DAY_NAMES)
    )
    + ")$"
)
Weekday = Annotated[
    str, PlainValidator(_weekday), _schema({"type": "string", "pattern": _WEEKDAY_PATTERN})
]
Timezone = Annotated[str, PlainValidator(_timezone), _schema({"type": "string"})]
Bool = Annotated[bool, PlainValidator(_bool), _schema({"type": "boolean"})]
DurationValue = Annotated[
    Duration,
    PlainValidator(parse_duration),
    PlainSerializer(Duration.as_dict, return_type=dict),
    _schema(
        {
            "type": "string",
            "pattern": (
                # At most MAX_DURATION (a power of ten), and more than zero.
                rf"^\s*(0*[1-9]\d{{0,{len(str(MAX_DURATION)) - 2}}}(\.\d+)?|0*{MAX_DURATION}(\.0+)?"
                r"|0+\.\d*[1-9]\d*)\s+("
                + "|".join(
                    [f"{_any_case('business')}\\s+{_any_case(u)}" for u in ("hour", "day")]
                    + [_any_case(u) for u in ("minute", "hour", "day", "week", "month")]
                )
                + r")[sS]?\s*$"
            ),
            "description": f"<number> <unit>, unit one of {_ACCEPTED_UNITS}",
        }
    ),
]


def _id_list(value: Any) -> tuple[str, ...]:
    """A role id or a list of role ids (RACI letters accept both)."""
    if not isinstance(value, list):
        return (_id(value),)
    if not value:
        raise _fail("expected a role id or a list of role ids, found an empty list")
    for index, item in enumerate(value):
        try:
            _id(item)
        except PydanticCustomError as exc:
            raise _fail(exc.message(), index=index) from None
    return tuple(value)


IdOrIds = Annotated[
    tuple[str, ...],
    PlainValidator(_id_list),
    PlainSerializer(list, return_type=list),
    _schema(
        {
            "oneOf": [
                {"type": "string", "pattern": SCHEMA_ID_PATTERN},
                {
                    "type": "array",
                    "items": {"type": "string", "pattern": SCHEMA_ID_PATTERN},
                    "minItems": 1,
                },
            ]
        }
    ),
]


@dataclass(frozen=True)
class Ref:
    """Declares that an id field points at an entry of another section (``owner: RoleId``).

    The reference checks, did-you-mean, the unused-role warning, who-points-at-what (the
    back-links on role pages) and ``diff`` all read these declarations: a new reference
    field is one annotation, not one more hand-written check."""

    section: str


RoleId = Annotated[Id, Ref("roles")]
TeamId = Annotated[Id, Ref("teams")]
StageId = Annotated[Id, Ref("stages")]
ActivityId = Annotated[Id, Ref("activities")]
RoleIds = Annotated[IdOrIds, Ref("roles")]


class Part(BaseModel):
    """Base of every section entry: immutable, no unknown keys."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, arbitrary_types_allowed=True
    )


class BusinessHours(Part):
    """The clock for SLAs in business units. Unset keys fall back to the organisation's."""

    days: tuple[Weekday, ...] | None = None
    start: Time | None = None
    end: Time | None = None
    timezone: Timezone | None = None
    holidays: tuple[Date, ...] | None = None

    def over(self, base: BusinessHours | None) -> BusinessHours:
        """These hours with unset keys taken from ``base`` (then the defaults)."""
        base = base or DEFAULT_HOURS
        return BusinessHours.model_construct(
            **{
                key: getattr(self, key) if getattr(self, key) is not None else getattr(base, key)
                for key in BusinessHours.model_fields
            }
        )

    def describe(self) -> str:
        """``Mon–Fri 09:00–17:00 Europe/London``."""
        days = list(self.days or DEFAULT_HOURS.days or ())
        index = [WEEKDAYS.index(d) for d in days]
        if days and index == list(range(index[0], index[0] + len(index))) and len(days) > 2:
            span = f"{days[0].title()}–{days[-1].title()}"
        else:
            span = ", ".join(d.title() for d in days)
        start = self.start or DEFAULT_HOURS.start
        end = self.end or DEFAULT_HOURS.end
        zone = self.timezone or DEFAULT_HOURS.timezone
        return f"{span} {start}–{end} {zone}"


DEFAULT_HOURS = BusinessHours.model_construct(
    days=("mon", "tue", "wed", "thu", "fri"),
    start="09:00",
    end="17:00",
    timezone="UTC",
    holidays=(),
)


@dataclass(frozen=True)
class Clock:
    """The clock a duration runs on. Calendar units (``24 hours``, ``30 days``) are calendar
    time whatever the clock; business units count only :attr:`hours`."""

    hours: BusinessHours
    team: str | None
    """The name of the team whose own hours these are, or None for the organisation's."""
    assumed: bool
    """No business hours are set for this clock anywhere: the built-in Mon–Fri 09:00–17:00
    UTC default is assumed."""

    def describe(self) -> str:
        """``Mon–Fri 09:00–17:00 Europe/London``, marked when assumed (holidays are
        :attr:`hours`' to list where a page has room)."""
        words = self.hours.describe()
        if self.assumed:
            words += " (assumed: the playbook sets no business hours)"
        return words

    def words(self, duration: Duration) -> str:
        """A duration with the clock it runs on: ``4 business hours (Mon–Fri …)`` or, for a
        calendar duration, ``24 hours (calendar time)``."""
        if duration.business:
            return f"{duration} ({self.describe()})"
        return f"{duration} (calendar time)"


class Organisation(Part):
    name: Name
    summary: Markdown | None = None
    version: Text | None = None
    effective: Date | None = None
    maintainer: RoleId | None = None
    model: Text = "RACI"
    business_hours: BusinessHours | None = None


class Letter(Part):
    name: Name
    description: Text | None = None
    min: Count | None = None
    max: Count | None = None
    accountable: Bool = False

    def count_phrase(self) -> str | None:
        """What the model requires of this letter on each activity, in words: ``exactly one``,
        ``at least one``, ``at most 2``, ``between 1 and 3``; None when it requires nothing.
        The check's messages and the pages both say it this way."""
        low, high = self.min or 0, self.max
        if high is not None and low == high:
            return f"exactly {_count_word(high)}"
        if high is not None and low:
            return f"between {_count_word(low)} and {_count_word(high)}"
        if high is not None:
            return f"at most {_count_word(high)}"
        if low:
            return f"at least {_count_word(low)}"
        return None


def _count_word(number: int) -> str:
    return "one" if number == 1 else f"{number:,}"


LetterKey = Annotated[str, Field(pattern=r"^[A-Z]$")]


class ResponsibilityModel(Part):
    letters: dict[LetterKey, Letter]

    @property
    def accountable(self) -> str | None:
        """The letter that means "owns the outcome"."""
        for key, letter in self.letters.items():
            if letter.accountable:
                return key
        return None


def _builtin(*letters: tuple[str, str, str, int | None, int | None, bool]) -> ResponsibilityModel:
    return ResponsibilityModel.model_construct(
        letters={
            key: Letter.model_construct(
                name=name, description=text, min=low, max=high, accountable=owns
            )
            for key, name, text, low, high, owns in letters
        }
    )


BUILTIN_MODELS: Mapping[str, ResponsibilityModel] = {
    "RACI": _builtin(
        ("R", "Responsible", "does the work", 1, None, False),
        ("A", "Accountable", "owns the outcome; exactly one", 1, 1, True),
        ("C", "Consulted", "asked before", None, None, False),
        ("I", "Informed", "told after", None, None, False),
    ),
    "RASCI": _builtin(
        ("R", "Responsible", "does the work", 1, None, False),
        ("A", "Accountable", "owns the outcome; exactly one", 1, 1, True),
        ("S", "Support", "helps the Responsible", None, None, False),
        ("C", "Consulted", "asked before", None, None, False),
        ("I", "Informed", "told after", None, None, False),
    ),
    "DACI": _builtin(
        ("D", "Driver", "drives the work to a decision; exactly one", 1, 1, False),
        ("A", "Approver", "makes the decision; exactly one", 1, 1, True),
        ("C", "Contributor", "gives input", None, None, False),
        ("I", "Informed", "told of the decision", None, None, False),
    ),
}


class Goal(Part):
    id: Id
    statement: Text
    metric: Text | None = None
    target: Target | None = None
    horizon: Text | None = None


class Team(Part):
    id: Id
    name: Name
    kind: _choice("internal", "external") = "internal"  # type: ignore[valid-type]
    business_hours: BusinessHours | None = None
    purpose: Markdown | None = None
    horizon: Text | None = None
    goals: tuple[Goal, ...] = ()

    @property
    def external(self) -> bool:
        return self.kind == "external"


class Role(Part):
    id: Id
    name: Name
    team: TeamId
    kind: _choice("person", "group", "system", "queue") = "person"  # type: ignore[valid-type]
    summary: Markdown | None = None
    holders: tuple[Name, ...] = ()


class Person(Part):
    name: Name
    roles: tuple[RoleId, ...]


class Stage(Part):
    id: Id
    name: Name
    owner: RoleId | None = None
    definition: Markdown | None = None
    entry: tuple[Text, ...] = ()
    exit: tuple[Text, ...] = ()
    touchpoints: Touchpoints | None = None
    probability: Percent | None = None
    max_duration: DurationValue | None = None
    next: tuple[StageId, ...] | None = None
    terminal: Bool = False
    reasons: tuple[Text, ...] = ()


class Rejection(Part):
    to: StageId
    reasons: tuple[Text, ...] = ()
    feedback: Markdown | None = None


ClockName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]


class Handoff(Part):
    id: Id
    from_: RoleId = Field(alias="from")
    to: RoleId
    stage: StageId | None = None
    trigger: Markdown | None = None
    passes: tuple[Text, ...] = ()
    sla: dict[ClockName, DurationValue] = Field(default_factory=dict)
    on_reject: Rejection | None = None
    escalation: Markdown | None = None


class Activity(Part):
    id: Id
    name: Name
    area: Text | None = None
    stage: StageId | None = None
    description: Markdown | None = None
    raci: dict[Annotated[str, Field(pattern=r"^[A-Za-z]$")], RoleIds]
    notes: dict[RoleId, Markdown] = Field(default_factory=dict)

    def letters_of(self, role: str) -> list[str]:
        return [letter for letter, roles in self.raci.items() if role in roles]


class Deliverable(Part):
    name: Name
    quantity: Quantity | None = None
    due: Date | None = None
    description: Markdown | None = None


class Approvals(Part):
    approver: RoleId
    review_window: DurationValue | None = None
    silence_means_approval: Bool = False


class Engagement(Part):
    id: Id
    name: Name
    party: TeamId
    client_contact: RoleId | None = None
    party_contact: RoleId | None = None
    starts: Date | None = None
    ends: Date | None = None
    summary: Markdown | None = None
    in_scope: tuple[ActivityId, ...] = ()
    out_of_scope: tuple[ActivityId, ...] = ()
    deliverables: tuple[Deliverable, ...] = ()
    approvals: Approvals | None = None
    change_process: Markdown | None = None
    sign_off: tuple[RoleId, ...] = ()


class Cadence(Part):
    id: Id
    name: Name
    every: _choice("day", "week", "fortnight", "month", "quarter") | None = None  # type: ignore[valid-type]
    chair: RoleId | None = None
    attendees: tuple[RoleId, ...] = ()
    purpose: Markdown | None = None


class GlossaryEntry(Part):
    term: Name
    definition: Markdown


class Change(Part):
    version: Text
    date: Date
    summary: Markdown


SECTION_MODELS: Mapping[str, type[Part]] = {
    "organisation": Organisation,
    "teams": Team,
    "roles": Role,
    "people": Person,
    "stages": Stage,
    "handoffs": Handoff,
    "activities": Activity,
    "engagements": Engagement,
    "cadences": Cadence,
    "glossary": GlossaryEntry,
    "changelog": Change,
}


class Playbook(BaseModel):
    """The whole validated playbook, sections as in the YAML."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    organisation: Organisation
    models: dict[
        Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")], ResponsibilityModel
    ] = Field(default_factory=dict)
    teams: tuple[Team, ...] = ()
    roles: tuple[Role, ...] = ()
    people: tuple[Person, ...] = ()
    stages: tuple[Stage, ...] = ()
    handoffs: tuple[Handoff, ...] = ()
    activities: tuple[Activity, ...] = ()
    engagements: tuple[Engagement, ...] = ()
    cadences: tuple[Cadence, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    changelog: tuple[Change, ...] = ()

    @cached_property
    def model(self) -> ResponsibilityModel:
        """The responsibility model in force."""
        name = self.organisation.model
        return self.models.get(name) or BUILTIN_MODELS.get(name) or BUILTIN_MODELS["RACI"]

    @property
    def accountable_letter(self) -> str:
        return self.model.accountable or next(iter(self.model.letters))

    @cached_property
    def _by_id(self) -> dict[str, dict[str, Any]]:
        return {
            section: {item.id: item for item in getattr(self, section)}
            for section in (
                "teams",
                "roles",
                "stages",
                "handoffs",
                "activities",
                "engagements",
                "cadences",
            )
        }

    def team(self, team_id: str) -> Team:
        return self._by_id["teams"][team_id]

    def role(self, role_id: str) -> Role:
        return self._by_id["roles"][role_id]

    def stage(self, stage_id: str) -> Stage:
        return self._by_id["stages"][stage_id]

    def handoff(self, handoff_id: str) -> Handoff:
        return self._by_id["handoffs"][handoff_id]

    def activity(self, activity_id: str) -> Activity:
        return self._by_id["activities"][activity_id]

    def engagement(self, engagement_id: str) -> Engagement:
        return self._by_id["engagements"][engagement_id]

    def team_of(self, role: Role | str) -> Team:
        role = self.role(role) if isinstance(role, str) else role
        return self.team(role.team)

    def roles_of_team(self, team: Team | str) -> list[Role]:
        team_id = team if isinstance(team, str) else team.id
        return [role for role in self.roles if role.team == team_id]

    def hours_for(self, team: Team | None = None) -> BusinessHours:
        """The business hours of ``team`` (key by key over the organisation's), or the organisation's."""
        return self.clock_of_team(team).hours

    def clock_of_team(self, team: Team | str | None) -> Clock:
        """The business-hours clock of ``team``: its hours key by key over the organisation's,
        over the built-in default (which is then *assumed*: nothing in the playbook set it)."""
        if isinstance(team, str):
            team = self.team(team)
        own = team.business_hours if team is not None else None
        org = self.organisation.business_hours
        base = (org or DEFAULT_HOURS).over(DEFAULT_HOURS)
        hours = own.over(base) if own is not None else base
        return Clock(hours=hours, team=team.name if own is not None and team else None,
                     assumed=own is None and org is None)

    def clock_for(self, role_id: str | None) -> Clock:
        """The clock of a role: its team's, else the organisation's (also for no role, and
        for an id that names none, which the check reports as an error of its own)."""
        role = self._by_id["roles"].get(role_id) if role_id else None
        return self.clock_of_team(self._by_id["teams"].get(role.team) if role else None)

    def sla_clock(self, handoff: Handoff) -> Clock:
        """A handoff's SLA clocks run on the receiving role's clock."""
        return self.clock_for(handoff.to)

    def stage_clock(self, stage: Stage) -> Clock:
        """A stage's time limit runs on its owner's clock (the organisation's without one)."""
        return self.clock_for(stage.owner)

    def review_clock(self, engagement: Engagement) -> Clock:
        """An engagement's review window runs on the approver's clock."""
        return self.clock_for(engagement.approvals.approver if engagement.approvals else None)

    def sla_hours(self, handoff: Handoff) -> BusinessHours:
        """SLA clocks run on the receiving role's team's hours, else the organisation's."""
        return self.sla_clock(handoff).hours

    @cached_property
    def letter_order(self) -> tuple[str, ...]:
        """The letters of the model in force, the accountable letter first, then the model's
        order: a role that is both Accountable and Responsible reads ``A,R`` everywhere (the
        matrix, role pages, CSV, XLSX, JSON and diff all take their order from here)."""
        first = self.accountable_letter
        return (first, *(key for key in self.model.letters if key != first))

    @cached_property
    def _letters_index(self) -> dict[tuple[str, str], tuple[str, ...]]:
        rank = {key: i for i, key in enumerate(self.letter_order)}
        found: dict[tuple[str, str], list[str]] = {}
        for activity in self.activities:
            for letter in sorted(activity.raci, key=lambda k: rank.get(k, len(rank))):
                for role_id in dict.fromkeys(activity.raci[letter]):
                    found.setdefault((activity.id, role_id), []).append(letter)
        return {key: tuple(value) for key, value in found.items()}

    def letters_of(self, activity: Activity | str, role_id: str) -> tuple[str, ...]:
        """The letters ``role_id`` holds on ``activity``, in :attr:`letter_order`."""
        activity_id = activity if isinstance(activity, str) else activity.id
        return self._letters_index.get((activity_id, role_id), ())

    def requirement_phrase(self, letter: str) -> str | None:
        """What the model in force requires of ``letter`` per activity (see
        :meth:`Letter.count_phrase`)."""
        spec = self.model.letters.get(letter)
        return spec.count_phrase() if spec else None

    def next_stages(self, stage: Stage) -> tuple[str, ...]:
        """Allowed transitions: explicit ``next``, else the following stage (none if terminal)."""
        if stage.next is not None:
            return stage.next
        if stage.terminal:
            return ()
        ids = [s.id for s in self.stages]
        index = ids.index(stage.id)
        return (ids[index + 1],) if index + 1 < len(ids) else ()

    @cached_property
    def recycle_edges(self) -> frozenset[tuple[str, str]]:
        """Transitions that go back to an earlier stage (drawn as loops)."""
        order = {s.id: i for i, s in enumerate(self.stages)}
        return frozenset(
            (s.id, target)
            for s in self.stages
            for target in self.next_stages(s)
            if target in order and order[target] <= order[s.id]
        )

    def assignments(self, activity: Activity) -> list[tuple[str, Role]]:
        """(letter, role) pairs in the model's letter order."""
        letters = list(self.model.letters)
        ordered = sorted(activity.raci, key=lambda k: letters.index(k) if k in letters else 99)
        return [(letter, self.role(rid)) for letter in ordered for rid in activity.raci[letter]]

    def accountable_for(self, activity: Activity) -> Role | None:
        ids = activity.raci.get(self.accountable_letter, ())
        return self.role(ids[0]) if ids else None

    def entries(self) -> Iterator[tuple[str, BaseModel]]:
        """(section, entry) for every entry, sections in :data:`SECTION_MODELS` order."""
        for section in SECTION_MODELS:
            value = getattr(self, section)
            if isinstance(value, tuple):
                for entry in value:
                    yield section, entry
            else:
                yield section, value

    @cached_property
    def references(self) -> tuple[Reference, ...]:
        """Every declared reference of the playbook, in section and entry order."""
        return tuple(
            Reference(section, entry, path, target_section, target)
            for section, entry in self.entries()
            for path, target_section, target in references_of(entry)
        )

    @cached_property
    def _pointing(self) -> dict[tuple[str, str], tuple[Reference, ...]]:
        found: dict[tuple[str, str], list[Reference]] = {}
        for ref in self.references:
            found.setdefault((ref.target_section, ref.target), []).append(ref)
        return {key: tuple(value) for key, value in found.items()}

    def pointing_at(self, section: str, ident: str) -> tuple[Reference, ...]:
        """The references to entry ``ident`` of ``section`` (who points at this role …)."""
        return self._pointing.get((section, ident), ())

    @cached_property
    def people_index(self) -> dict[str, tuple[str, ...]]:
        """Person name → role ids: holders plus the ``people`` section, in role order."""
        found: dict[str, list[str]] = {}
        for role in self.roles:
            for holder in role.holders:
                found.setdefault(holder, []).append(role.id)
        for person in self.people:
            bucket = found.setdefault(person.name, [])
            bucket.extend(r for r in person.roles if r not in bucket)
        order = {role.id: i for i, role in enumerate(self.roles)}
        return {
            name: tuple(sorted(set(ids), key=lambda r: order.get(r, 0)))
            for name, ids in sorted(found.items())
        }

    def holders_of(self, role: Role) -> list[str]:
        return [name for name, ids in self.people_index.items() if role.id in ids]

    @property
    def people_with_pages(self) -> list[str]:
        """Everyone holding two or more roles, plus everyone named under ``people``."""
        listed = {p.name for p in self.people}
        return [name for name, ids in self.people_index.items() if len(ids) >= 2 or name in listed]


@dataclass(frozen=True)
class Reference:
    """One declared reference in a playbook: ``entry`` of ``section`` points at ``target``
    (an id of ``target_section``) through the field at ``path`` (inside the entry)."""

    section: str
    entry: Any
    path: tuple[str | int, ...]
    target_section: str
    target: str

    @property
    def field(self) -> str:
        """The field's name as written in the YAML (``from``, ``approvals.approver``)."""
        return ".".join(str(part) for part in self.path if isinstance(part, str))


_Walk = tuple[tuple[str, ...], str]


def _ref_of(metadata: Iterable[Any]) -> str | None:
    return next((m.section for m in metadata if isinstance(m, Ref)), None)


def _declared(annotation: Any, metadata: Iterable[Any] = ()) -> list[tuple[tuple[str, ...], str]]:
    """The references an annotation declares, as (steps, section): a step is ``*`` for every
    item of a list, ``{}`` for every key and ``[]`` for every value of a mapping, or a field."""
    section = _ref_of(metadata)
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *extra = typing.get_args(annotation)
        return _declared(base, [*metadata, *extra])
    if section is not None:
        if annotation is str:
            return [((), section)]
        if origin is tuple:
            return [(("*",), section)]
    if origin in (typing.Union, types.UnionType):
        return [d for arg in typing.get_args(annotation) for d in _declared(arg)]
    if origin is tuple:
        return [(("*", *steps), sec) for steps, sec in _declared(typing.get_args(annotation)[0])]
    if origin is dict:
        key, value = typing.get_args(annotation)
        found = [(("{}", *steps), sec) for steps, sec in _declared(key)]
        return found + [(("[]", *steps), sec) for steps, sec in _declared(value)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [
            ((name, *steps), sec)
            for name, info in annotation.model_fields.items()
            for steps, sec in _declared(info.annotation, info.metadata)
        ]
    return []


@cache
def declared_references(model: type[BaseModel]) -> tuple[tuple[tuple[str, ...], str], ...]:
    """Every reference field of a section's class, read from its annotations."""
    return tuple(_declared(model))


def _follow(value: Any, steps: tuple[str, ...], path: tuple[str | int, ...]) -> Iterator[
    tuple[tuple[str | int, ...], str]
]:
    if value is None:
        return
    if not steps:
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    yield (*path, i), item
        return
    step, rest = steps[0], steps[1:]
    if step == "*":
        for i, item in enumerate(value):
            yield from _follow(item, rest, (*path, i))
    elif step == "{}":
        for key in value:
            yield from _follow(key, rest, (*path, key))
    elif step == "[]":
        for key, item in value.items():
            yield from _follow(item, rest, (*path, key))
    else:
        field = type(value).model_fields[step]
        yield from _follow(getattr(value, step), rest, (*path, field.alias or step))


def references_of(entry: BaseModel) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """(path inside ``entry``, target section, target id) for every reference it holds."""
    for steps, section in declared_references(type(entry)):
        for path, target in _follow(entry, steps, ()):
            yield path, section, target


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
