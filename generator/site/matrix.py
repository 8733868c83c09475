"""The RACI matrix: a filterable HTML table of activities × roles, then its notes.

Built in Python rather than a template: at thousands of rows × hundreds of roles a template
loop per cell is the slowest part of a build.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ..model import Activity, Playbook, Role, Team
from .markdown import html_text, md_inline, text, tooltip
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


def notes_index(ctx: Context, activities: Iterable[Activity]) -> dict[tuple[str, str], int]:
    """Footnote numbers for per-role notes and conditions, in the order they appear."""
    numbers: dict[tuple[str, str], int] = {}
    for activity in activities:
        conditional = _conditional(activity)
        if not activity.notes and not conditional:
            continue
        held = set().union(*conditional.values()) if conditional else set()
        for role in ctx.lookups.roles_with_letters([activity]):
            if role.id in activity.notes or role.id in held:
                numbers[(activity.id, role.id)] = len(numbers) + 1
    return numbers


def _plain_name(playbook: Playbook) -> Callable[[str], str]:
    return lambda role_id: playbook.role(role_id).name


def condition_words(playbook: Playbook, activity: Activity, key: str) -> str:
    """``Accountable: Legal, when …; otherwise Head of Sales`` in plain text."""
    spec = playbook.model.letters.get(key)
    words = holders_words(playbook, activity, key, _plain_name(playbook), say=str)
    return f"{spec.name if spec else key}: {words}"


def _teams_of(ctx: Context, roles: Iterable[Role]) -> list[Team]:
    ids: dict[str, None] = {}
    for role in roles:
        ids.setdefault(role.team)
    return [ctx.pb.team(t) for t in ids]


def _filter(ctx: Context, columns: list[Role], total: int) -> list[str]:
    """The filter's controls (shown by the page's script)."""
    pb = ctx.pb
    out = [f'<div class="pb-filter" hidden data-total="{total}">']
    options = "".join(
        f'<option value="{html_text(c.id)}">{html_text(c.name)}</option>' for c in columns
    )
    out.append(
        '<label>Role <select data-filter="role"><option value="">any role</option>'
        f"{options}</select></label>"
    )
    options = "".join(
        f'<option value="{html_text(t.id)}">{html_text(t.name)}</option>'
        for t in _teams_of(ctx, columns)
    )
    out.append(
        '<label>Team <select data-filter="team"><option value="">any team</option>'
        f"{options}</select></label>"
    )
    options = "".join(
        f'<option value="{html_text(k)}">{html_text(k)} — {html_text(spec.name)}</option>'
        for k, spec in pb.model.letters.items()
    )
    out.append(
        '<label>Letter <select data-filter="letter"><option value="">any letter'
        f"</option>{options}</select></label>"
    )
    out.append(
        '<label>Text <input type="search" data-filter="text" '
        'placeholder="activity, area, note…"></label>'
    )
    out.append(
        f'<output class="pb-count" aria-live="polite">{total} of {total} activities</output>'
    )
    out.append("</div>")
    return out


def matrix_html(ctx: Context, groups: list[tuple[str, list[Activity]]], caption: str) -> str:
    """The filterable RACI matrix of ``groups`` (area, activities) as HTML, then its notes as
    Markdown.

    Only the roles with a letter in these activities get a column; an empty cell is a bare
    ``<td></td>``. A role's letters in a cell are in the playbook's letter order.
    """
    pb, links = ctx.pb, ctx.links
    activities = [a for _, rows in groups for a in rows]
    columns = ctx.lookups.roles_with_letters(activities)
    notes = notes_index(ctx, activities)
    accountable = pb.accountable_letter
    tips = defaultdict(str, {k: tooltip(spec.name) for k, spec in pb.model.letters.items()})
    total = len(activities)
    out = _filter(ctx, columns, total)
    out.append('<div class="pb-matrix-wrap" tabindex="0" role="region" aria-label="RACI matrix">')
    out.append('<table class="pb-matrix">')
    out.append(
        f"<caption>{html_text(caption)}: {total} activities × {len(columns)} roles</caption>"
    )
    heads = "".join(
        f'<th scope="col" data-role="{html_text(c.id)}" data-team="{html_text(c.team)}">'
        f'<a href="{links.href("role", c.id)}">{html_text(c.name)}</a></th>'
        for c in columns
    )
    out.append(
        '<thead>\n<tr><th scope="col">Activity</th><th scope="col">Stage</th>'
        f"{heads}</tr>\n</thead>"
    )
    letters_of = pb.letters_of
    for area, rows in groups:
        out.append(f'<tbody data-area="{html_text(area)}">')
        out.append(
            f'<tr class="pb-area"><th scope="colgroup" colspan="{len(columns) + 2}" '
            f'id="area-{slugify(area)}">{html_text(area)}</th></tr>'
        )
        for a in rows:
            conditional = _conditional(a)
            conditions = [condition_words(pb, a, key) for key in conditional]
            search = html_text(" ".join([a.name, area, *a.notes.values(), *conditions]).lower())
            stage = ""
            if a.stage:
                href = links.href("stage", a.stage)
                stage = f'<a href="{href}">{html_text(pb.stage(a.stage).name)}</a>'
            cells = []
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
                number = notes.get((a.id, c.id))
                if number:
                    marks += (
                        f'<sup><a href="#note-{number}" aria-label="note {number}">'
                        f"{number}</a></sup>"
                    )
                cells.append(
                    f'<td data-role="{html_text(c.id)}" data-letters="{" ".join(letters)}" '
                    f'class="pb-l pb-l-{letters[0].lower()}"{owner}>{marks}</td>'
                )
            name = f'<a href="{links.href("activity", a.id)}">{html_text(a.name)}</a>'
            out.append(
                f'<tr id="{a.id}" data-search="{search}"><th scope="row">'
                f"{name}</th><td>{stage}</td>{''.join(cells)}</tr>"
            )
        out.append("</tbody>")
    out.append("</table>\n</div>")
    if notes:
        out.append("\n**Notes**\n")
        for (activity_id, role_id), number in notes.items():
            activity = pb.activity(activity_id)
            said = [
                text(condition_words(pb, activity, key)) + "."
                for key, roles in _conditional(activity).items()
                if role_id in roles or key in pb.letters_of(activity, role_id)
            ]
            if role_id in activity.notes:
                said.append(md_inline(activity.notes[role_id]))
            out.append(
                f'- <span id="note-{number}">{number}.</span> {text(activity.name)}, '
                f"{text(pb.role(role_id).name)}: {' '.join(said)}"
            )
    return "\n".join(out)


def _tip(playbook: Playbook, activity: Activity, key: str) -> str:
    """A letter's tooltip where some of its holders have a condition: who holds it when."""
    return tooltip(condition_words(playbook, activity, key))
