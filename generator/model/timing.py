"""Durations, and the parts of a business-hours clock: times of day, weekdays, time zones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from .values import as_text, describe, did_you_mean, fail, plain_number

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DURATION = 1_000_000
"""The largest number of a duration (a million minutes, hours, days, weeks or months)."""
DURATION_UNITS = {
    "minute": ("minute", False),
    "minutes": ("minute", False),
    "business minute": ("minute", True),
    "business minutes": ("minute", True),
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

_TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+([a-z][a-z ]*?)\s*$", re.IGNORECASE)
_ACCEPTED_UNITS = (
    "minutes, business minutes, hours, business hours, days, business days, weeks, months"
)
LOCAL_TIME = "local"
"""The time zone word for "the holder's own working day" (``timezone: local``)."""
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _time(value: Any) -> str:
    if isinstance(value, str) and _TIME_RE.match(value.strip()):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 100 * 60:
        # YAML 1.1 reads an unquoted 17:00 as the base-60 number 1020.
        hours, minutes = divmod(value, 60)
        raise fail(
            f'expected a time "HH:MM", found a number ({value}); '
            f'write it in quotes: "{hours:02d}:{minutes:02d}"'
        )
    raise fail(f'expected a time "HH:MM", found {describe(value)}')


def _weekday(value: Any) -> str:
    if isinstance(value, str):
        day = value.strip().lower()
        if day in WEEKDAYS or day in _DAY_NAMES:
            return day[:3]
    hint = did_you_mean(value, WEEKDAYS)
    raise fail(f"expected a weekday ({', '.join(WEEKDAYS)}), found {describe(value)}{hint}")


def _timezone(value: Any) -> str:
    from zoneinfo import ZoneInfo

    text = as_text(value)
    if text == LOCAL_TIME:
        return text
    try:
        ZoneInfo(text)
    except Exception:  # noqa: BLE001 - ZoneInfo raises several unrelated types for bad names
        raise fail(
            f"unknown time zone '{text}' (e.g. Europe/London, America/New_York, UTC, or "
            f"{LOCAL_TIME})"
        ) from None
    return text


def _any_case(word: str) -> str:
    """A regex matching ``word`` in any letter case, for JSON Schema (ECMAScript has no (?i))."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


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
        raise fail(
            f"expected a duration like '4 business hours', found {describe(value)}; "
            f"write '<number> <unit>' with unit one of {_ACCEPTED_UNITS}"
        )
    match = _DURATION_RE.match(value)
    unit = DURATION_UNITS.get(" ".join(match[2].lower().split())) if match else None
    if not match or unit is None:
        raise fail(
            f"bad duration '{value}': write '<number> <unit>' with unit one of {_ACCEPTED_UNITS}"
        )
    number = float(match[1])
    if number <= 0:
        raise fail(f"bad duration '{value}': the number must be positive")
    if number > MAX_DURATION:
        shown = value if len(value) <= 40 else value[:37] + "…"
        raise fail(f"bad duration '{shown}': the number must be at most {MAX_DURATION:,}")
    return Duration(number, unit[0], unit[1])


_WEEKDAY_PATTERN = (
    "^("
    + "|".join(
        f"{_any_case(short)}(?:{_any_case(full[3:])})?"
        for short, full in zip(WEEKDAYS, _DAY_NAMES, strict=True)
    )
    + ")$"
)
_DURATION_PATTERN = (
    # At most MAX_DURATION (a power of ten), and more than zero.
    rf"^\s*(0*[1-9]\d{{0,{len(str(MAX_DURATION)) - 2}}}(\.\d+)?|0*{MAX_DURATION}(\.0+)?"
    r"|0+\.\d*[1-9]\d*)\s+("
    + "|".join(
        [f"{_any_case('business')}\\s+{_any_case(u)}" for u in ("minute", "hour", "day")]
        + [_any_case(u) for u in ("minute", "hour", "day", "week", "month")]
    )
    + r")[sS]?\s*$"
)
Time = Annotated[
    str, PlainValidator(_time), WithJsonSchema({"type": "string", "pattern": _TIME_RE.pattern})
]
Weekday = Annotated[
    str, PlainValidator(_weekday), WithJsonSchema({"type": "string", "pattern": _WEEKDAY_PATTERN})
]
Timezone = Annotated[str, PlainValidator(_timezone), WithJsonSchema({"type": "string"})]
DurationValue = Annotated[
    Duration,
    PlainValidator(parse_duration),
    PlainSerializer(Duration.as_dict, return_type=dict),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _DURATION_PATTERN,
            "description": f"<number> <unit>, unit one of {_ACCEPTED_UNITS}",
        }
    ),
]
