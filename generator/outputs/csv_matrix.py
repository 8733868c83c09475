"""The RACI matrix as CSV: one row per activity, a column per role."""

from __future__ import annotations

import csv
import io

from ..model import Activity, Playbook
from ..text import printable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may run as a formula at the start of a CSV cell (OWASP, CSV injection)."""


def csv_cell(value: str) -> str:
    """``value`` as a CSV cell a spreadsheet reads as text.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'``, as the OWASP guidance on CSV injection advises (spreadsheets show the text, not a
    formula's result); control characters are escaped (``\\x1b``) but line breaks kept.
    """
    return printable("'" + value if value.startswith(FORMULA_START) else value)


def role_notes(playbook: Playbook, activity: Activity, *, by_name: bool) -> list[str]:
    """What the letters alone do not say about ``activity``, role by role in the order of the
    roles: ``role: A when <condition>`` for each letter the role holds only under a condition
    (in :attr:`~generator.model.Playbook.letter_order`), then ``role: note`` for its note. The
    role is named by its id, or by its name when ``by_name``."""
    named = {r for letter in activity.raci for r in activity.role_ids(letter)} | set(activity.notes)
    found = []
    for role in (playbook.role(r) for r in sorted(named, key=playbook.role_rank.__getitem__)):
        label = role.name if by_name else role.id
        for letter in playbook.letters_of(activity, role.id):
            when = playbook.condition(activity, letter, role.id)
            if when is not None:
                found.append(f"{label}: {letter} when {when}")
        if role.id in activity.notes:
            found.append(f"{label}: {activity.notes[role.id]}")
    return found


def matrix_csv(playbook: Playbook) -> str:
    """The RACI matrix as CSV: one row per activity.

    Columns: ``id, name, area, stage``, one column per role (headed by the role id, holding
    its letters in :attr:`~generator.model.Playbook.letter_order`, such as ``A,R``, whether
    it holds them always or under a condition), then ``notes`` (:func:`role_notes` by role
    id — ``legal: A when …``, ``role-id: note`` — joined by ``"; "``). Every cell goes through
    :func:`csv_cell`.

    Args:
        playbook: A validated playbook.

    Returns:
        The CSV text, with CRLF line ends as RFC 4180 asks.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def row(cells: list[str]) -> None:
        writer.writerow([csv_cell(cell) if cell else cell for cell in cells])

    rank = playbook.role_rank
    row(["id", "name", "area", "stage", *(r.id for r in playbook.roles), "notes"])
    for activity in playbook.activities:
        letters = [""] * len(rank)  # most roles hold nothing on an activity
        for role_id in {r for key in activity.raci for r in activity.role_ids(key)}:
            letters[rank[role_id]] = ",".join(playbook.letters_of(activity, role_id))
        row(
            [
                activity.id,
                activity.name,
                activity.area or "",
                activity.stage or "",
                *letters,
                "; ".join(role_notes(playbook, activity, by_name=False)),
            ]
        )
    return buffer.getvalue()
