"""The RACI matrix: a filterable HTML table of activities × roles, and the same rows as
cards for phones.

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
from .markdown import html_text, tooltip
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
    roles = "".join(
        f'<option value="{html_text(c.id)}">{html_text(c.name)}</option>' for c in columns
    )
    letters = "".join(
        f'<option value="{html_text(k)}">{html_text(k)} — {html_text(spec.name)}</option>'
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
    suggestions = "".join(f'<option value="{html_text(w)}"></option>' for w in words)
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


def _search_text(ctx: Context, activity: Activity, area: str, stage: str) -> str:
    """What the Find box matches a row by: the activity's name and id, its area and stage,
    and the name, id and holders of every role with a letter on it."""
    pb = ctx.pb
    parts = [activity.name, activity.id, area, stage]
    for role_id in dict.fromkeys(r for k in activity.raci for r in activity.role_ids(k)):
        parts += [pb.role(role_id).name, role_id, *ctx.lookups.holders.get(role_id, ())]
    return html_text(" ".join(parts).lower())


def _card(ctx: Context, activity: Activity, area: str, stage: str, notes: dict[str, str]) -> str:
    """One activity as a card: its name, area and stage, then each letter with its holders
    (and their notes)."""
    pb, links = ctx.pb, ctx.links
    lines = []
    for key in pb.letter_order:
        if key not in activity.raci:
            continue
        holders = []
        for role_id in dict.fromkeys(activity.role_ids(key)):
            note = notes.get(role_id)
            said = f' <span class="pb-card-note">({html_text(note)})</span>' if note else ""
            holders.append(
                f'<span data-role="{html_text(role_id)}">'
                f'<a href="{links.href("role", role_id)}">{html_text(pb.role(role_id).name)}'
                f"</a>{said}</span>"
            )
        spec = pb.model.letters.get(key)
        tip = tooltip(spec.name if spec else key)
        lines.append(
            f'<li><abbr class="pb-l pb-l-{key.lower()}" title="{tip}">'
            f"{html_text(key)}</abbr> {' · '.join(holders)}</li>"
        )
    where = " · ".join(html_text(w) for w in (area, stage) if w)
    return (
        f'<li class="pb-card" data-activity="{html_text(activity.id)}">'
        f'<p class="pb-card-name"><a href="{links.href("activity", activity.id)}">'
        f"{html_text(activity.name)}</a></p>"
        f'<p class="pb-card-where">{where}</p><ul>{"".join(lines)}</ul></li>'
    )


def matrix_html(ctx: Context, groups: list[tuple[str, list[Activity]]], caption: str) -> str:
    """The filterable RACI matrix of ``groups`` (area, activities) as HTML: the filter, the
    table (a note line under each row that has notes, shown in print) and the cards phones
    show instead of the table.

    Only the roles with a letter in these activities get a column; an empty cell is a bare
    ``<td></td>``. A role's letters in a cell are in the playbook's letter order.
    """
    pb, links = ctx.pb, ctx.links
    activities = [a for _, rows in groups for a in rows]
    columns = ctx.lookups.roles_with_letters(activities)
    accountable = pb.accountable_letter
    tips = defaultdict(str, {k: tooltip(spec.name) for k, spec in pb.model.letters.items()})
    total = len(activities)
    out = ['<div class="pb-matrix-app">', _filter(ctx, columns, groups)]
    out.append('<div class="pb-matrix-wrap" tabindex="0" role="region" aria-label="RACI matrix">')
    out.append('<table class="pb-matrix">')
    out.append(
        f"<caption>{html_text(caption)}: {total} activities × {len(columns)} roles</caption>"
    )
    heads = "".join(
        f'<th scope="col" data-role="{html_text(c.id)}" data-name="{html_text(c.name.lower())}"'
        f' data-people="{html_text(" ".join(ctx.lookups.holders.get(c.id, ())).lower())}">'
        f'<a href="{links.href("role", c.id)}">{html_text(c.name)}</a></th>'
        for c in columns
    )
    out.append(
        '<thead>\n<tr><th scope="col">Activity</th><th scope="col">Stage</th>'
        f"{heads}</tr>\n</thead>"
    )
    letters_of = pb.letters_of
    cards: list[str] = []
    for area, rows in groups:
        out.append(f'<tbody data-area="{html_text(area)}">')
        out.append(
            f'<tr class="pb-area"><th scope="colgroup" colspan="{len(columns) + 2}" '
            f'id="area-{slugify(area)}">{html_text(area)}</th></tr>'
        )
        cards.append(
            f'<section class="pb-cards-area"><h2>{html_text(area)}</h2><ol class="pb-cards">'
        )
        for a in rows:
            conditional = _conditional(a)
            notes = cell_notes(pb, a)
            stage_name = pb.stage(a.stage).name if a.stage else ""
            search = _search_text(ctx, a, area, stage_name)
            stage = ""
            if a.stage:
                href = links.href("stage", a.stage)
                stage = f'<a href="{href}">{html_text(stage_name)}</a>'
            cells = []
            said = []
            for c in columns:
                letters = letters_of(a, c.id)
                if not letters:
                    cells.append("<td></td>")
                    continue
                owner = ""
                if accountable in letters:  # the owner when no condition applies, outlined
                    owned = c.id not in conditional.get(accountable, ())
                    owner = " data-owner" if owned else " data-conditional-owner"
                marks = ",".join(
                    f'<abbr title="{_tip(pb, a, k) if k in conditional else tips[k]}">'
                    f"{html_text(k)}</abbr>"
                    for k in letters
                )
                note = ""
                if c.id in notes:
                    ident = f"note-{a.id}-{slugify(c.id)}"
                    note = f' tabindex="0" aria-describedby="{ident}" data-note'
                    said.append(
                        f'<span id="{ident}"><b>{html_text(c.name)} ({", ".join(letters)})'
                        f"</b>: {html_text(notes[c.id])}</span>"
                    )
                cells.append(
                    f'<td data-role="{html_text(c.id)}" data-letters="{" ".join(letters)}" '
                    f'class="pb-l pb-l-{letters[0].lower()}"{owner}{note}>{marks}</td>'
                )
            name = f'<a href="{links.href("activity", a.id)}">{html_text(a.name)}</a>'
            out.append(
                f'<tr id="{a.id}" data-search="{search}"><th scope="row">'
                f"{name}</th><td>{stage}</td>{''.join(cells)}</tr>"
            )
            if said:
                out.append(
                    f'<tr class="pb-noterow" data-for="{html_text(a.id)}">'
                    f'<td colspan="{len(columns) + 2}">{" · ".join(said)}</td></tr>'
                )
            cards.append(_card(ctx, a, area, stage_name, notes))
        out.append("</tbody>")
        cards.append("</ol></section>")
    out.append("</table>\n</div>")
    out.append(f'<div class="pb-cardlist">{"".join(cards)}</div>')
    out.append("</div>")
    return "\n".join(out)


def _tip(playbook: Playbook, activity: Activity, key: str) -> str:
    """A letter's tooltip where some of its holders have a condition: who holds it when."""
    return tooltip(condition_words(playbook, activity, key))
