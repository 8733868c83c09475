"""Every place that shows who holds which letter says the same, in the same order.

For the example playbook and the benchmarks' seeded M playbook — each with one role made both
Responsible and Accountable for an activity — the letters of every (activity, role) pair are
read back from the site's matrix (the HTML cells of the raci pages), the role pages, the CSV,
the XLSX, the JSON export and ``diff`` (from the same playbook without activities), and each
must equal :meth:`Playbook.letters_of`: the model's letters, the accountable one first. A
letter held under a condition (``{role, when}``) is a letter like any other there, and its
condition is in the CSV's and the XLSX's notes and in the JSON.
"""

from __future__ import annotations

import csv
import html
import io
import json
import posixpath
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import openpyxl
import pytest
import yaml
from conftest import load_synth as _synth

from generator.diff import diff_playbooks, format_changes
from generator.model import Playbook
from generator.outputs import matrix_csv, matrix_xlsx, playbook_json
from generator.site import Site, render
from generator.validate import check

ROOT = Path(__file__).resolve().parent.parent

Letters = dict[tuple[str, str], tuple[str, ...]]
"""(activity id, role id) → letters, for every pair that holds any."""


def _activity_files(folder: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("activities"):
            yield path, data


def _holders(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def make_accountable_also_responsible(folder: Path) -> tuple[str, str]:
    """Add the accountable role of the first activity to its R; returns (activity, role)."""
    path, data = next(_activity_files(folder))
    activity = data["activities"][0]
    accountable = next(h for h in _holders(activity["raci"]["A"]) if isinstance(h, str))
    responsible = _holders(activity["raci"].get("R"))
    activity["raci"]["R"] = [accountable, *(h for h in responsible if h != accountable)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return activity["id"], accountable


def without_activities(folder: Path, into: Path) -> Path:
    """A copy of the playbook in ``folder`` with no activities (and so no scopes)."""
    shutil.copytree(folder, into)
    for path in sorted(into.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            continue
        if "activities" in data:
            data["activities"] = []
        for engagement in data.get("engagements") or []:
            engagement["in_scope"], engagement["out_of_scope"] = [], []
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return into


class Case:
    """One playbook, checked and rendered once."""

    def __init__(self, folder: Path, both: tuple[str, str]) -> None:
        result = check(folder)
        assert result.ok(), result.diagnostics
        assert result.playbook is not None
        self.folder = folder
        self.playbook: Playbook = result.playbook
        self.site: Site = render(self.playbook)
        self.both = both

    def expected(self) -> Letters:
        pb = self.playbook
        found = {(a.id, r.id): pb.letters_of(a, r.id) for a in pb.activities for r in pb.roles}
        return {pair: letters for pair, letters in found.items() if letters}


@pytest.fixture(scope="module", params=["example", "M"])
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Case:
    folder = tmp_path_factory.mktemp(request.param) / "playbook"
    if request.param == "example":
        shutil.copytree(ROOT / "playbook", folder)
    else:
        _synth().write("M", folder, seed=0)
    return Case(folder, make_accountable_also_responsible(folder))


def test_a_role_holds_both_the_accountable_letter_and_r(case: Case) -> None:
    pb = case.playbook
    assert case.expected()[case.both] == (pb.accountable_letter, "R")
    assert pb.letter_order[0] == pb.accountable_letter


_ROW = re.compile(r'<tr id="([^"]+)"[^>]*>(.*?)</tr>', re.DOTALL)
_CELL = re.compile(r'<td data-role="([^"]+)"([^>]*)>(.*?)</td>', re.DOTALL)
_DATA_LETTERS = re.compile(r'data-letters="([^"]*)"')


def _shown_letters(cell: str) -> tuple[str, ...]:
    """The letters a reader sees in a matrix cell: tags and note marks taken out."""
    text = re.sub(r"<sup\b.*?</sup>", "", cell, flags=re.DOTALL)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return tuple(re.findall(r"\b[A-Za-z]\b", text))


def test_the_matrix_cells_show_each_role_s_letters(case: Case) -> None:
    found: Letters = {}
    activities = {a.id for a in case.playbook.activities}
    for path, page in case.site.pages.items():
        if not path.startswith("raci/"):
            continue
        for row_id, row in _ROW.findall(page.html()):
            if row_id not in activities:
                continue
            for role, attributes, content in _CELL.findall(row):
                shown = _shown_letters(content)
                data = _DATA_LETTERS.search(attributes)
                if data:
                    assert tuple(re.findall(r"[^\s,]+", data.group(1))) == shown, (row_id, role)
                if shown:
                    assert found.setdefault((row_id, role), shown) == shown, (path, row_id, role)
    assert found == case.expected()


_SECTION = re.compile(r'<h2 id="[^"]*">(.*?)</h2>(.*?)(?=<h2[ >]|\Z)', re.DOTALL)
_SECTION_LETTER = re.compile(r"\(([A-Za-z])\)\s*$")
_ACTIVITY_LINK = re.compile(
    r'href="(?:\.\./)*(?:raci/[^"#]*#([^"]+)|activities/[^"#]*#([^"]+)'
    r'|activities/([^"#/]+?)(?:\.html|/)?)"'
)
"""A link to an activity: its row of the matrix, its section of a page of activities (a
large playbook), or its own page."""
_COUNT = re.compile(r'<p class="pb-fold-link">(.*?)</p>', re.DOTALL)
_MATRIX_LINK = re.compile(r'<a href="([^"]*\?[^"]*)">(.*?)</a>(?: \((\d+)\))?')


def _matrix_rows(case: Case, page: str, role: str, letter: str) -> set[str]:
    """The activities a matrix page shows filtered to ``role`` and ``letter``: its rows
    whose cell of that role shows the letter."""
    found = set()
    for row_id, row in _ROW.findall(case.site.pages[page].html()):
        for cell_role, _, content in _CELL.findall(row):
            if cell_role == role and letter in _shown_letters(content):
                found.add(row_id)
    return found


def _counted(case: Case, role_page: str, summary: str, role: str, letter: str) -> set[str]:
    """The activities a role page counts instead of listing them: each link goes to a page
    of the matrix filtered to the role and the letter, and the page shows as many rows as
    the link says (the whole count, for a single link to the unsplit matrix)."""
    total = re.match(r"\D*(\d+) activities", html.unescape(re.sub(r"<[^>]+>", "", summary)))
    assert total, summary
    links = _MATRIX_LINK.findall(summary)
    assert links, summary
    url = posixpath.dirname(role_page[: -len(".md")] + "/")  # the page's own URL: roles/x/
    activities: set[str] = set()
    for href, _, count in links:
        address, _, query = html.unescape(href).partition("?")
        assert parse_qs(query) == {"role": [role], "letter": [letter]}, href
        target = posixpath.normpath(posixpath.join(url + "/", address))
        page = next(p for p in (f"{target}.md", f"{target}/index.md") if p in case.site.pages)
        shown = _matrix_rows(case, page, role, letter)
        expected = int(count) if count else int(total.group(1))
        assert len(shown) == expected, (role_page, href)
        activities |= shown
    assert len(activities) == int(total.group(1)), (role_page, summary)
    return activities


def test_each_role_page_lists_its_letters_in_the_model_s_order(case: Case) -> None:
    pb = case.playbook
    found: Letters = {}
    counted = 0
    for role in pb.roles:
        path = f"roles/{role.id}.md"
        page = case.site.pages[path].html(None)
        order = []
        for heading, body in _SECTION.findall(page):
            letter = _SECTION_LETTER.search(html.unescape(re.sub(r"<[^>]+>", "", heading)))
            if letter is None:
                continue
            key = letter.group(1)
            order.append(key)
            summary = _COUNT.search(body)
            if summary:  # a long list shown as a count with links to the filtered matrix
                counted += 1
                activities = list(_counted(case, path, summary.group(1), role.id, key))
            else:
                activities = list(
                    dict.fromkeys(row or sec or pg for row, sec, pg in _ACTIVITY_LINK.findall(body))
                )
            for activity in activities:
                found[(activity, role.id)] = (*found.get((activity, role.id), ()), key)
        assert order == sorted(order, key=pb.letter_order.index), role.id
    assert found == case.expected()
    if case.folder.parent.name.startswith("M"):
        assert counted, "no role page of M counts its Informed activities"


def test_the_csv_holds_each_role_s_letters(case: Case) -> None:
    found: Letters = {}
    role_ids = [r.id for r in case.playbook.roles]
    for row in csv.DictReader(io.StringIO(matrix_csv(case.playbook))):
        for role in role_ids:
            if row[role]:
                found[(row["id"], role)] = tuple(row[role].split(","))
    assert found == case.expected()


def test_the_xlsx_matrix_holds_each_role_s_letters(case: Case) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(matrix_xlsx(case.playbook)))["Matrix"]
    rows = sheet.iter_rows(min_row=2, values_only=True)
    keys = list(next(rows))
    found: Letters = {}
    for values in rows:
        if not values[0]:
            break  # the legend sits under the table, after an empty row
        for key, value in zip(keys, values, strict=True):
            if value and key not in ("id", "name", "area", "stage", "notes"):
                found[(values[0], key)] = tuple(str(value).split(","))
    assert found == case.expected()


def test_the_json_export_holds_each_role_s_letters(case: Case) -> None:
    order = case.playbook.letter_order
    found: dict[tuple[str, str], list[str]] = {}
    for activity in json.loads(playbook_json(case.playbook))["activities"]:
        for letter, holders in activity["raci"].items():
            for holder in _holders(holders):
                role = holder if isinstance(holder, str) else holder["role"]
                found.setdefault((activity["id"], role), []).append(letter)
    ordered = {pair: tuple(sorted(ls, key=order.index)) for pair, ls in found.items()}
    assert ordered == case.expected()


def _diff_role(holder: dict[str, Any] | str) -> str:
    """The role id of a holder in ``diff``'s JSON: a role, or a conditional holder in words
    (``Legal (legal) when …``)."""
    if isinstance(holder, dict):
        return str(holder["id"])
    found = re.search(r"\(([a-z0-9-]+)\) when ", holder)
    assert found, holder
    return found.group(1)


def test_diff_from_no_activities_gives_each_role_its_letters(case: Case, tmp_path: Path) -> None:
    empty = check(without_activities(case.folder, tmp_path / "empty"))
    assert empty.ok(), empty.diagnostics
    assert empty.playbook is not None
    changes = json.loads(format_changes(diff_playbooks(empty.playbook, case.playbook), "json"))
    accountable = case.playbook.accountable_letter
    found: Letters = {}
    gained: dict[tuple[str, str], set[tuple[str, ...]]] = {}
    for change in changes:
        if change["kind"] == "accountable":
            for role in change["new"] or []:
                found[(change["subject"]["id"], _diff_role(role))] = (accountable,)
        elif change["kind"] == "letter":
            assert change["action"] == "gained"
            pair = (change["related"]["id"], change["subject"]["id"])
            gained.setdefault(pair, set()).add(tuple(change["new"]))
    for pair, news in gained.items():  # each change of a pair states all its letters now
        assert len(news) == 1, (pair, news)
        found[pair] = news.pop()
    assert found == case.expected()


def test_each_condition_on_a_letter_is_in_the_csv_xlsx_and_json(case: Case) -> None:
    pb = case.playbook
    conditions = {
        (activity.id, letter, holder.role): holder.when
        for activity in pb.activities
        for letter in activity.raci
        for holder in activity.holders(letter)
        if holder.when is not None
    }
    assert conditions, "the playbook should hold a letter under a condition"
    notes = {row["id"]: row["notes"] for row in csv.DictReader(io.StringIO(matrix_csv(pb)))}
    sheet = openpyxl.load_workbook(io.BytesIO(matrix_xlsx(pb)))["Matrix"]
    sheet_notes = {row[0]: row[-1] or "" for row in sheet.iter_rows(min_row=3, values_only=True)}
    exported = {
        (activity["id"], letter, holder["role"]): holder["when"]
        for activity in json.loads(playbook_json(pb))["activities"]
        for letter, holders in activity["raci"].items()
        for holder in holders
        if isinstance(holder, dict)
    }
    assert exported == conditions
    for (activity, letter, role), when in conditions.items():
        assert f"{role}: {letter} when {when}" in notes[activity]
        assert f"{pb.role(role).name}: {letter} when {when}" in sheet_notes[activity]
