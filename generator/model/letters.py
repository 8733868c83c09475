"""Responsibility models: what each letter means and how many roles an activity may give
it, and the built-in RACI, RASCI and DACI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import Field

from .parts import Part
from .values import Bool, Count, Name, Text


def _count_word(number: int) -> str:
    return "one" if number == 1 else f"{number:,}"


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
            return f"between {low:,} and {high:,}"
        if high is not None:
            return f"at most {_count_word(high)}"
        if low:
            return f"at least {_count_word(low)}"
        return None

    def allows(self, count: int) -> bool:
        """Whether an activity may hold this letter ``count`` times."""
        return (self.min or 0) <= count and (self.max is None or count <= self.max)


LetterKey = Annotated[str, Field(pattern=r"^[A-Z]$")]


class ResponsibilityModel(Part):
    letters: dict[LetterKey, Letter]

    @property
    def accountable(self) -> str | None:
        """The letter that means "owns the outcome"."""
        return next((key for key, letter in self.letters.items() if letter.accountable), None)


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
