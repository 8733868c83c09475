"""The RACI matrix as an Excel workbook: the matrix, one sheet per engagement, the legend."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from ..model import Activity, Engagement, Holder, Playbook, Role
from .csv_matrix import role_notes

FIXED_CREATED = dt.datetime(2000, 1, 1)
MATRIX_SHEET = "Matrix"
LEGEND_SHEET = "Legend"
SHEET_NAME_LIMIT = 31
CELL_LIMIT = 32_767
"""Characters (UTF-16 code units) an Excel cell holds; a longer text goes on elsewhere."""
CONTINUED_SHEET = "Continued"
CONTINUED_MARK_ROOM = 100
"""Room kept in a cut cell for the note that says where its text goes on."""
ROW_HEIGHT_LIMIT = 409
"""Points: Excel's tallest row."""
# Light fills, told apart by hue; the letters themselves are always written in the cell.
LETTER_FILLS = ("#C6E0B4", "#F8CBAD", "#BDD7EE", "#FFE699", "#D9D2E9", "#F4CCCC", "#D0E0E3")


def _role_label(role: Role) -> str:
    """``Marketing Lead (marketing-lead)``."""
    return f"{role.name} ({role.id})"


class _Workbook:
    """The XLSX export: the matrix, one sheet per engagement, and the legend."""

    def __init__(self, playbook: Playbook) -> None:
        self.playbook = playbook
        self.output = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.output, {"in_memory": True})
        effective = playbook.organisation.effective
        created = dt.datetime.combine(effective, dt.time()) if effective else FIXED_CREATED
        self.book.set_properties(
            {"title": f"{playbook.organisation.name} — responsibility matrix", "created": created}
        )
        add = self.book.add_format
        self.bold = add({"bold": True})
        self.title = add({"bold": True, "font_size": 14})
        self.header = add({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
        self.ids = add({"italic": True, "font_color": "#595959", "bottom": 1})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.date = add({"num_format": "yyyy-mm-dd", "align": "left"})
        self.letters = {
            key: add(
                {
                    "bg_color": LETTER_FILLS[index % len(LETTER_FILLS)],
                    "bold": key == playbook.accountable_letter,
                    "align": "center",
                    "border": 1,
                    "border_color": "#BFBFBF",
                }
            )
            for index, key in enumerate(playbook.model.letters)
        }
        self.taken = {MATRIX_SHEET.lower(), LEGEND_SHEET.lower(), "history"}
        self.continued_sheet = ""
        self.continued: list[tuple[str, str, str, str]] = []

    def build(self) -> bytes:
        self.matrix()
        for engagement in self.playbook.engagements:
            self.engagement(engagement)
        self.legend(self.book.add_worksheet(LEGEND_SHEET), 0, header=True)
        if self.continued:
            self.continuations()
        self.book.close()
        return self.output.getvalue()

    def text(self, sheet: Any, row: int, column: int, value: str, style: Any = None) -> None:
        """Write ``value`` as text (never a formula). A text longer than a cell holds keeps
        what fits, says where it goes on, and continues on the ``Continued`` sheet."""
        if _utf16_len(value) > CELL_LIMIT:
            if not self.continued_sheet:
                self.continued_sheet = self.sheet_name(CONTINUED_SHEET)
            head, *rest = _split(value, CELL_LIMIT - CONTINUED_MARK_ROOM)
            parts = _split("".join(rest), CELL_LIMIT)
            first = len(self.continued) + 2
            rows = f"row {first}" if len(parts) == 1 else f"rows {first}-{first + len(parts) - 1}"
            value = f"{head}\n[continued on sheet '{self.continued_sheet}', {rows}]"
            cell = xl_rowcol_to_cell(row, column)
            for number, part in enumerate(parts, start=2):
                self.continued.append(
                    (sheet.get_name(), cell, f"{number} of {len(parts) + 1}", part)
                )
        sheet.write_string(row, column, value, style)

    def continuations(self) -> None:
        sheet = self.book.add_worksheet(self.continued_sheet)
        for column, title in enumerate(("Sheet", "Cell", "Part", "Text")):
            sheet.write_string(0, column, title, self.header)
        for row, values in enumerate(self.continued, start=1):
            for column, value in enumerate(values):
                sheet.write_string(row, column, value, self.wrap if column == 3 else None)
        sheet.set_column(0, 2, 14)
        sheet.set_column(3, 3, 100)
        sheet.freeze_panes(1, 0)

    def sheet_name(self, engagement_id: str) -> str:
        # Excel compares sheet names case-insensitively and reserves "History".
        name = engagement_id[:SHEET_NAME_LIMIT]
        counter = 2
        while name.lower() in self.taken:
            suffix = f"-{counter}"
            name = engagement_id[: SHEET_NAME_LIMIT - len(suffix)] + suffix
            counter += 1
        self.taken.add(name.lower())
        return name

    def matrix(self) -> None:
        playbook = self.playbook
        sheet = self.book.add_worksheet(MATRIX_SHEET)
        roles = playbook.roles
        names = ["Activity id", "Activity", "Area", "Stage", *(r.name for r in roles), "Notes"]
        ids = ["id", "name", "area", "stage", *(r.id for r in roles), "notes"]
        for column, (name, key) in enumerate(zip(names, ids, strict=True)):
            self.text(sheet, 0, column, name, self.header)
            self.text(sheet, 1, column, key, self.ids)
        notes_column = len(names) - 1
        columns = {role.id: column for column, role in enumerate(roles, start=4)}
        for row, activity in enumerate(playbook.activities, start=2):
            stage = playbook.stage(activity.stage).name if activity.stage else ""
            for column, text in enumerate((activity.id, activity.name, activity.area, stage)):
                if text:
                    self.text(sheet, row, column, text)
            held = {r for key in activity.raci for r in activity.role_ids(key) if r in columns}
            for role_id in sorted(held, key=columns.__getitem__):  # most roles hold nothing
                letters = playbook.letters_of(activity, role_id)
                if letters:
                    style = self.letters[letters[0]]
                    self.text(sheet, row, columns[role_id], ",".join(letters), style)
            notes = role_notes(playbook, activity, by_name=True)
            if notes:
                self.text(sheet, row, notes_column, "\n".join(notes), self.wrap)
        last_row = len(playbook.activities) + 1
        sheet.set_row(0, 45)
        sheet.freeze_panes(2, 2)
        sheet.autofilter(1, 0, last_row, notes_column)
        for column, values in enumerate(
            (
                [a.id for a in playbook.activities],
                [a.name for a in playbook.activities],
                [a.area or "" for a in playbook.activities],
                [playbook.stage(a.stage).name for a in playbook.activities if a.stage],
            )
        ):
            sheet.set_column(column, column, _width(values, names[column], 12, 50))
        if roles:
            sheet.set_column(4, notes_column - 1, 14)
        sheet.set_column(notes_column, notes_column, 60)
        self.text(sheet, last_row + 2, 0, "Legend", self.bold)
        self.legend(sheet, last_row + 3, header=False)

    def legend(self, sheet: Any, first_row: int, *, header: bool) -> None:
        row = first_row
        if header:
            for column, text in enumerate(("Letter", "Name", "Meaning")):
                self.text(sheet, row, column, text, self.header)
            sheet.set_column(0, 0, 8)
            sheet.set_column(1, 1, 16)
            sheet.set_column(2, 2, 50)
            row += 1
        for key, letter in self.playbook.model.letters.items():
            self.text(sheet, row, 0, key, self.letters[key])
            self.text(sheet, row, 1, letter.name)
            self.text(sheet, row, 2, letter.description or "")
            row += 1

    def engagement(self, engagement: Engagement) -> None:
        playbook = self.playbook
        sheet = self.book.add_worksheet(self.sheet_name(engagement.id))
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 3, 40)
        party = playbook.team(engagement.party)
        party_roles = {r.id for r in playbook.roles_of_team(party)}
        self.text(sheet, 0, 0, engagement.name, self.title)

        def role(role_id: str | None) -> str:
            return _role_label(playbook.role(role_id)) if role_id else ""

        facts: list[tuple[str, str | dt.date | None]] = [
            ("Engagement id", engagement.id),
            ("Client", playbook.organisation.name),
            ("Client contact", role(engagement.client_contact)),
            ("Party", f"{party.name} ({party.id})"),
            ("Party contact", role(engagement.party_contact)),
            ("Starts", engagement.starts),
            ("Ends", engagement.ends),
        ]
        row = 1
        for label, value in facts:
            self.text(sheet, row, 0, label, self.bold)
            if isinstance(value, dt.date):
                sheet.write_datetime(row, 1, dt.datetime.combine(value, dt.time()), self.date)
            elif value:
                self.text(sheet, row, 1, value)
            row += 1

        def holder(found: Holder) -> str:
            return role(found.role) + (f" when {found.when}" if found.when else "")

        def sides(activity: Activity) -> tuple[str, str]:
            client: list[str] = []
            agency: list[str] = []
            for key in playbook.letter_order:
                holders = activity.holders(key)
                for side, theirs in ((client, False), (agency, True)):
                    names = [holder(h) for h in holders if (h.role in party_roles) == theirs]
                    if names:
                        side.append(f"{key}: {', '.join(names)}")
            return "; ".join(client), "; ".join(agency)

        in_scope = [playbook.activity(a) for a in engagement.in_scope]
        row = self.table(
            sheet,
            row + 1,
            "In scope",
            ("Activity id", "Activity", "Client letters", f"{party.name} letters"),
            [(a.id, a.name, *sides(a)) for a in in_scope],
        )
        out_of_scope = [playbook.activity(a) for a in engagement.out_of_scope]
        row = self.table(
            sheet,
            row + 1,
            "Out of scope",
            ("Activity id", "Activity"),
            [(a.id, a.name) for a in out_of_scope],
        )
        row = self.table(
            sheet,
            row + 1,
            "Deliverables",
            ("Deliverable", "Quantity", "Due", "Description"),
            [(d.name, d.quantity, d.due, d.description) for d in engagement.deliverables],
        )
        approvals = engagement.approvals
        approval_rows = []
        if approvals is not None:
            approval_rows = [
                ("Approver", role(approvals.approver)),
                ("Review window", str(approvals.review_window or "")),
                ("Silence means approval", "yes" if approvals.silence_means_approval else "no"),
            ]
        row = self.table(sheet, row + 1, "Approvals", (), approval_rows)
        if engagement.change_process:
            self.text(sheet, row + 1, 0, "Change process", self.title)
            sheet.merge_range(row + 2, 0, row + 2, 3, "", self.wrap)
            self.text(sheet, row + 2, 0, engagement.change_process, self.wrap)
            lines = 1 + len(engagement.change_process) // 120
            sheet.set_row(row + 2, min(ROW_HEIGHT_LIMIT, 15 * lines))
            row += 3
        self.table(
            sheet,
            row + 1,
            "Sign-off",
            ("Role", "Name", "Date", "Signature"),
            [
                (role(r), ", ".join(playbook.holders_of(playbook.role(r))), "", "")
                for r in engagement.sign_off
            ],
        )

    def table(
        self,
        sheet: Any,
        row: int,
        title: str,
        header: tuple[str, ...],
        rows: list[tuple[Any, ...]],
    ) -> int:
        """Write a titled block; return the row after it."""
        self.text(sheet, row, 0, title, self.title)
        row += 1
        for column, text in enumerate(header):
            self.text(sheet, row, column, text, self.header)
        row += 1 if header else 0
        for values in rows:
            for column, value in enumerate(values):
                if isinstance(value, dt.date):
                    sheet.write_datetime(
                        row, column, dt.datetime.combine(value, dt.time()), self.date
                    )
                elif isinstance(value, (int, float)):
                    sheet.write_number(row, column, value)
                elif value:
                    self.text(sheet, row, column, value, self.wrap)
            row += 1
        if not rows:
            self.text(sheet, row, 0, "none")
            row += 1
        return row


def _utf16_len(text: str) -> int:
    """Length as Excel counts it (UTF-16 code units)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _split(text: str, size: int) -> list[str]:
    """``text`` in pieces of at most ``size`` UTF-16 code units, no character split."""
    if _utf16_len(text) <= size:
        return [text]
    pieces, start, units = [], 0, 0
    for index, ch in enumerate(text):
        width = 2 if ord(ch) > 0xFFFF else 1
        if units + width > size:
            pieces.append(text[start:index])
            start, units = index, 0
        units += width
    pieces.append(text[start:])
    return pieces


def _width(values: list[str], header: str, low: int, high: int) -> int:
    return max(low, min(high, max((len(v) for v in [header, *values]), default=0) + 2))


def matrix_xlsx(playbook: Playbook) -> bytes:
    """The RACI matrix as an Excel workbook.

    Sheets: ``Matrix`` (row 1 role names, row 2 the CSV's column keys — ``id``, ``name``,
    ``area``, ``stage``, role ids, ``notes`` — then one row per activity; the two header
    rows and the id and name columns are frozen, the table has an autofilter, letter cells
    are coloured by letter and a legend sits under the table), one sheet per engagement
    (named by its id, at most 31 characters, made unique), and ``Legend``. User text is
    always written as text, so a name like ``=HYPERLINK(...)`` is never a formula. A text
    longer than the 32,767 characters a cell holds is never cut silently: its cell keeps what
    fits and ends with ``[continued on sheet 'Continued', rows 2-3]``, and a last sheet,
    ``Continued``, holds the rest (columns Sheet, Cell, Part, Text).

    Args:
        playbook: A validated playbook.

    Returns:
        The ``.xlsx`` file's bytes; the creation date is the playbook's effective date (or a
        fixed date) so the same playbook gives the same bytes.
    """
    return _Workbook(playbook).build()
