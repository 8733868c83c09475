"""The RACI matrix: a filterable HTML table of activities × roles; the page's script builds
the same rows as cards for phones from it (the table's cells say, in ``data-at``, where the
playbook lists a holder among a letter's holders when that is not the columns' order).

Built in Python rather than a template: at thousands of rows × hundreds of roles a template
loop per cell is the slowest part of a build. A note sits with its cell: the cell points at
it (``aria-describedby``); the page's script shows it on hover and focus, and print shows
the note line under the row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..model import Activity, Playbook, Role
from .markdown import text, tooltip
from .slugs import slugify
from .views.common import holders_words

if TYPE_CHECKING:
    from .views.common import Context


def _conditional(activity: Activity) -> dict[str, set[str]]:
    """Letter → the roles holding it on ``activity`` under a condition (letters that have
    any)."""
    found: dict[str, set[str]] = {}
    for key in activity.raci:
        for holder in activity.holders(key):
            if holder.when is not None:
                found.setdefault(key, set()).add(holder.role)
    return found


def _plain_name(playbook: Playbook) -> Callable[[str], str]:
    return lambda role_id: playbook.role(role_id).name


def condition_words(playbook: Playbook, activity: Activity, key: str) -> str:
    """``Accountable: Legal, when …; otherwise Head of Sales`` in plain text."""
    spec = playbook.model.letters.get(key)
    words = holders_words(playbook, activity, key, _plain_name(playbook), say=str)
    return f"{spec.name if spec else key}: {words}"


def cell_notes(playbook: Playbook, activity: Activity) -> dict[str, str]:
    """Role id → what its cell's note says (plain text): the conditions on the letters it
    holds under one, then the activity's note for it."""
    conditional = _conditional(activity)
    said: dict[str, list[str]] = defaultdict(list)
    for key, roles in conditional.items():
        words = condition_words(playbook, activity, key) + "."
        for role_id in roles:
            said[role_id].append(words)
    for role_id, note in activity.notes.items():
        said[role_id].append(" ".join(str(note).split()))
    return {role_id: " ".join(parts) for role_id, parts in said.items()}


def _filter(ctx: Context, columns: list[Role], groups: list[tuple[str, list[Activity]]]) -> str:
    """The filter's controls (shown by the page's script), the count and the empty message."""
    pb = ctx.pb
    total = sum(len(rows) for _, rows in groups)
    roles = "".join(f'<option value="{text(c.id)}">{text(c.name)}</option>' for c in columns)
    letters = "".join(
        f'<option value="{text(k)}" data-tip="{tooltip(spec.name)}">'
        f"{text(k)} — {text(spec.name)}</option>"
        for k, spec in pb.model.letters.items()
    )
    words: dict[str, None] = {}
    for c in columns:
        words.setdefault(c.name)
    for area, rows in groups:
        words.setdefault(area)
        for a in rows:
            if a.stage:
                words.setdefault(pb.stage(a.stage).name)
    for c in columns:
        for person in ctx.lookups.holders.get(c.id, ()):
            words.setdefault(person)
    suggestions = "".join(f'<option value="{text(w)}"></option>' for w in words)
    return (
        f'<div class="pb-filter" hidden data-total="{total}" role="search" '
        'aria-label="Filter the matrix">'
        '<label class="pb-find"><span class="pb-label">Find</span> '
        '<input type="search" data-filter="text" '
        'list="pb-suggest" autocomplete="off" '
        'placeholder="role, person, activity, area or stage…"></label>'
        f'<datalist id="pb-suggest">{suggestions}</datalist>'
        '<label><span class="pb-label">Role</span> '
        '<select data-filter="role"><option value="">any role</option>'
        f"{roles}</select></label>"
        '<label><span class="pb-label">Letter</span> '
        '<select data-filter="letter"><option value="">any letter'
        f"</option>{letters}</select></label>"
        f'<p class="pb-status"><output class="pb-count" aria-live="polite">{total} of {total}'
        ' activities</output> <a class="pb-permalink" href="./">Link to this view</a></p>'
        "</div>"
        '<p class="pb-none" hidden role="status"></p>'
    )


def matrix_html(ctx: Context, groups: list[tuple[str, list[Activity]]], caption: str) -> str:
    """The filterable RACI matrix of ``groups`` (area, activities) as HTML: the filter, the
    table (a note line under each row that has notes, shown in print) and the empty list the
    script fills with the cards phones show instead of the table. The script also finds a
    row's words for the Find box in its cells and the columns' headers.

    Only the roles with a letter in these activities get a column; an empty cell is a bare
    ``<td>`` (HTML implies its end tag). A role's letters in a cell are in the playbook's
    letter order.
    """
    pb, links = ctx.pb, ctx.links
    activities = [a for _, rows in groups for a in rows]
    columns = ctx.lookups.roles_with_letters(activities)
    accountable = pb.accountable_letter
    tips = defaultdict(str, {k: tooltip(spec.name) for k, spec in pb.model.letters.items()})
    total = len(activities)
    out = ['<div class="pb-matrix-app pb-noabbr">', _filter(ctx, columns, groups)]
    out.append('<div class="pb-matrix-wrap" tabindex="0" role="region" aria-label="RACI matrix">')
    out.append('<table class="pb-matrix">')
    out.append(f"<caption>{text(caption)}: {total} activities × {len(columns)} roles</caption>")
    heads = "".join(
        f'<th scope="col" data-role="{text(c.id)}" data-name="{text(c.name.lower())}"'
        f' data-people="{text(" ".join(ctx.lookups.holders.get(c.id, ())).lower())}">'
        f'<a href="{links.href("role", c.id)}">{text(c.name)}</a></th>'
        for c in columns
    )
    out.append(
        '<thead>\n<tr><th scope="col">Activity</th><th scope="col">Stage</th>'
        f"{heads}</tr>\n</thead>"
    )
    letters_of = pb.letters_of
    rank = {c.id: i for i, c in enumerate(columns)}
    for area, rows in groups:
        out.append(f'<tbody data-area="{text(area)}">')
        out.append(
            f'<tr class="pb-area"><th scope="colgroup" colspan="{len(columns) + 2}" '
            f'id="area-{slugify(area)}">{text(area)}</th></tr>'
        )
        for a in rows:
            conditional = _conditional(a)
            notes = cell_notes(pb, a)
            stage_name = pb.stage(a.stage).name if a.stage else ""
            at = _card_order(a, rank)
            stage = ""
            if a.stage:
                href = links.href("stage", a.stage)
                stage = f'<a href="{href}">{text(stage_name)}</a>'
            cells = []
            said = []
            for c in columns:
                letters = letters_of(a, c.id)
                if not letters:  # an empty cell: its end tag is implied by the next
                    cells.append("<td>")
                    continue
                owner = ""
                if accountable in letters:  # the owner when no condition applies, outlined
                    owned = c.id not in conditional.get(accountable, ())
                    owner = " data-owner" if owned else " data-conditional-owner"
                marks = ",".join(
                    f'<abbr title="{_tip(pb, a, k) if k in conditional else tips[k]}">'
                    f"{text(k)}</abbr>"
                    for k in letters
                )
                note = ""
                if c.id in notes:
                    ident = f"note-{a.id}-{slugify(c.id)}"
                    note = f' tabindex="0" aria-describedby="{ident}" data-note'
                    said.append(
                        f'<span id="{ident}"><b>{text(c.name)} ({", ".join(letters)})'
                        f"</b>: {text(notes[c.id])}</span>"
                    )
                if c.id in at:
                    note += f' data-at="{" ".join(str(at[c.id][k]) for k in letters)}"'
                cells.append(
                    f'<td data-role="{text(c.id)}" data-letters="{" ".join(letters)}" '
                    f'class="pb-l pb-l-{letters[0].lower()}"{owner}{note}>{marks}</td>'
                )
            name = f'<a href="{links.href("activity", a.id)}">{text(a.name)}</a>'
            out.append(
                f'<tr id="{a.id}"><th scope="row">{name}</th><td>{stage}</td>{"".join(cells)}</tr>'
            )
            if said:
                out.append(
                    f'<tr class="pb-noterow" data-for="{text(a.id)}">'
                    f'<td colspan="{len(columns) + 2}">{" · ".join(said)}</td></tr>'
                )
        out.append("</tbody>")
    out.append("</table>\n</div>")
    order = " ".join(text(k) for k in pb.letter_order)
    out.append(f'<div class="pb-cardlist" data-order="{order}"></div>')
    out.append("</div>")
    return "\n".join(out)


def _tip(playbook: Playbook, activity: Activity, key: str) -> str:
    """A letter's tooltip where some of its holders have a condition: who holds it when."""
    return tooltip(condition_words(playbook, activity, key))


def _card_order(activity: Activity, rank: dict[str, int]) -> dict[str, dict[str, int]]:
    """Role id → letter → the role's place among the letter's holders as the playbook lists
    them, for the roles whose place there is not their column's order (the script lists each
    letter's holders on the phone's cards in this order)."""
    found: dict[str, dict[str, int]] = {}
    for key in activity.raci:
        listed = list(dict.fromkeys(activity.role_ids(key)))
        by_column = sorted(listed, key=rank.__getitem__)
        if listed != by_column:
            for place, role_id in enumerate(listed):
                found.setdefault(role_id, {})[key] = place
    for role_id, places in found.items():  # its other letters: their column order
        for key in activity.raci:
            listed = list(dict.fromkeys(activity.role_ids(key)))
            if role_id in listed:
                places.setdefault(key, sorted(listed, key=rank.__getitem__).index(role_id))
    return found
