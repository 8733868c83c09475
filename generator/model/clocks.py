"""Clocks: the business hours a duration in business units runs on, and a handoff's SLA
clocks (a duration, or a mapping of its limit, aim, start and name)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from .parts import MAPPING, ONE, Part, forms
from .timing import LOCAL_TIME, WEEKDAYS, Duration, DurationValue, Time, Timezone, Weekday
from .values import Date, Text


class BusinessHours(Part):
    """The clock for SLAs in business units. Unset keys fall back to the organisation's."""

    days: tuple[Weekday, ...] | None = None
    start: Time | None = None
    end: Time | None = None
    timezone: Timezone | None = None
    """An IANA time zone, or ``local``: the holder's own working day, wherever that is."""
    holidays: tuple[Date, ...] | None = None

    @property
    def local(self) -> bool:
        """The hours are the holder's own (``timezone: local``), not one zone's."""
        return self.timezone == LOCAL_TIME

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
        """``Mon–Fri 09:00–17:00 Europe/London`` (``…, the holder's local time`` for local)."""
        days = list(self.days or DEFAULT_HOURS.days or ())
        index = [WEEKDAYS.index(d) for d in days]
        if days and index == list(range(index[0], index[0] + len(index))) and len(days) > 2:
            span = f"{days[0].title()}–{days[-1].title()}"
        else:
            span = ", ".join(d.title() for d in days)
        start = self.start or DEFAULT_HOURS.start
        end = self.end or DEFAULT_HOURS.end
        zone = self.timezone or DEFAULT_HOURS.timezone
        if zone == LOCAL_TIME:
            return f"{span} {start}–{end}, the holder's local time"
        return f"{span} {start}–{end} {zone}"


DEFAULT_HOURS = BusinessHours.model_construct(
    days=("mon", "tue", "wed", "thu", "fri"),
    start="09:00",
    end="17:00",
    timezone="UTC",
    holidays=(),
)


class ClockSpec(Part):
    """A clock written as a mapping: the committed limit, the aim, its start and name."""

    within: DurationValue
    target: DurationValue | None = None
    from_: Text | None = Field(default=None, alias="from")
    label: Text | None = None


@dataclass(frozen=True)
class SlaClock:
    """One clock of a handoff, whichever way it was written.

    Attributes:
        key: The clock's key (``first_touch``).
        label: Its display name: ``label``, else the key in words (``first touch``).
        within: The committed limit.
        target: The aim (shorter than ``within``), if any.
        start: The event that starts the clock; None: the handoff itself.
    """

    key: str
    label: str
    within: Duration
    target: Duration | None
    start: str | None


def clock_label(key: str) -> str:
    """A clock's key in words: ``first_contact`` → ``first contact``."""
    return key.replace("_", " ").replace("-", " ")


ClockName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
ClockValue = Annotated[
    Annotated[DurationValue, ONE] | Annotated[ClockSpec, MAPPING],
    forms("a duration like '4 business hours' or a mapping {within, target, from, label}"),
]
"""One SLA clock: a duration, or a :class:`ClockSpec`."""
