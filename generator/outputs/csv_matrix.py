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
    """``role: note`` for each note on ``activity``, in the order of the roles; the role is
    named by its id, or by its name when ``by_name``."""
    roles = sorted((playbook.role(r) for r in activity.notes), key=playbook.roles.index)
    return [f"{role.name if by_name else role.id}: {activity.notes[role.id]}" for role in roles]


def matrix_csv(playbook: Playbook) -> str:
    """The RACI matrix as CSV: one row per activity.

    Columns: ``id, name, area, stage``, one column per role (headed by the role id, holding
    its letters in :attr:`~generator.model.Playbook.letter_order`, such as ``A,R``), then
    ``notes`` (``role-id: note`` joined by ``"; "``). Every cell goes through
    :func:`csv_cell`.

    Args:
        playbook: A validated playbook.

    Returns:
        The CSV text, with CRLF line ends as RFC 4180 asks.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def row(cells: list[str]) -> None:
        writer.writerow([csv_cell(cell) for cell in cells])

    row(["id", "name", "area", "stage", *(r.id for r in playbook.roles), "notes"])
    for activity in playbook.activities:
        row(
            [
                activity.id,
                activity.name,
                activity.area or "",
                activity.stage or "",
                *(",".join(playbook.letters_of(activity, r.id)) for r in playbook.roles),
                "; ".join(role_notes(playbook, activity, by_name=False)),
            ]
        )
    return buffer.getvalue()
