"""Every broken input gets a diagnostic in the contract's format, never a crash.

Each case runs ``playbook check`` through click's runner with ``catch_exceptions=False`` (a
crash fails the test with its traceback); a few run in a subprocess, as a user would.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import write_tree

from generator.cli import cli
from generator.model import (
    SECTION_MODELS,
    Approvals,
    BusinessHours,
    ClockSpec,
    Deliverable,
    Goal,
    Holder,
    Letter,
    Outcome,
    Rejection,
    Route,
)

ERROR_LINE = re.compile(r"^\S+:\d+:\d+: error: ", re.MULTILINE)
ANY_LINE = re.compile(r"^[^:]+:\d+:\d+: (error|warning): .*$")

MINIMAL = """\
organisation:
  name: Acme
teams:
  - id: sales
    name: Sales
roles:
  - id: rep
    name: Sales rep
    team: sales
  - id: boss
    name: Sales boss
    team: sales
activities:
  - id: sell
    name: Sell
    raci: {R: rep, A: boss}
"""


def check(folder: Path | str = "playbook", *options: str) -> Result:
    return CliRunner().invoke(cli, ["check", str(folder), *options], catch_exceptions=False)


def assert_error(result: Result, file: str, pattern: str = "") -> str:
    """Exit 1, an error line for ``file`` (matching ``pattern``), every line well formed."""
    output = result.output
    assert result.exit_code == 1, output
    assert "Traceback" not in output
    lines = output.strip().splitlines()
    assert re.match(r"^\d+ problems? \(", lines[-1]), output
    for line in lines[:-1]:
        assert ANY_LINE.match(line), line
    wanted = re.compile(rf"^{re.escape(file)}:\d+:\d+: error: .*{pattern}", re.MULTILINE)
    assert wanted.search(output), output
    return output


@pytest.fixture(autouse=True)
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_an_empty_folder_is_an_error_at_the_folder(here: Path) -> None:
    (here / "playbook").mkdir()
    assert_error(check(), "playbook", "no playbook files")


def test_a_folder_without_yaml_is_an_error_at_the_folder(here: Path) -> None:
    write_tree(here, {"playbook/README.md": "# notes\n", "playbook/roles.txt": "roles: []\n"})
    assert_error(check(), "playbook", "no playbook files")


def test_a_missing_folder_is_an_error(here: Path) -> None:
    assert_error(check("nowhere"), "nowhere", "does not exist")


def test_a_file_that_is_not_utf8_is_an_error_at_the_bad_byte(here: Path) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL.encode() + b"glossary:\n  - term: caf\xe9\n"})
    output = assert_error(check(), "playbook/a.yaml", "UTF-8")
    assert "playbook/a.yaml:18:" in output


def test_a_utf8_byte_order_mark_is_accepted(here: Path) -> None:
    write_tree(here, {"playbook/a.yaml": b"\xef\xbb\xbf" + MINIMAL.encode()})
    result = check()
    assert result.exit_code == 0, result.output


def test_a_broken_symlink_named_yaml_is_reported(here: Path) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL})
    (here / "playbook/x.yaml").symlink_to(here / "missing.yaml")
    assert_error(check(), "playbook/x.yaml")


def test_a_folder_named_yaml_is_reported(here: Path) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL})
    (here / "playbook/x.yaml").mkdir()
    assert_error(check(), "playbook/x.yaml")


def test_unreadable_entries_never_crash(here: Path) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL})
    (here / "playbook/x.yaml").symlink_to(here / "missing.yaml")
    (here / "playbook/y.yml").mkdir()
    (here / "playbook/z.yaml").symlink_to(here / "playbook")
    result = check()
    assert result.exit_code in (0, 1) and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("document", "found"),
    [("- a\n- b\n", "a list"), ("just text\n", "a single value"), ("42\n", "a single value")],
)
def test_a_document_that_is_not_a_mapping_is_an_error(
    here: Path, document: str, found: str
) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL, "playbook/b.yaml": document})
    assert_error(check(), "playbook/b.yaml", found)


def test_several_documents_in_one_file_are_an_error_at_the_second(here: Path) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL + "---\nglossary: []\n"})
    output = assert_error(check(), "playbook/a.yaml", "one YAML document")
    assert "playbook/a.yaml:18:1:" in output


def test_ten_thousand_open_brackets_are_an_error_not_a_recursion_crash(here: Path) -> None:
    # Which layer stops this file (our depth limit or the YAML parser's own) and how it words
    # it is not ours to pin down: the contract is one error line at the file, exit 1, no crash.
    write_tree(here, {"playbook/a.yaml": MINIMAL, "playbook/b.yaml": "[" * 10_000})
    output = assert_error(check(), "playbook/b.yaml")
    assert len(ERROR_LINE.findall(output)) == 1, output


def test_deep_valid_nesting_is_an_error(here: Path) -> None:
    deep = "glossary: " + "[" * 200 + "]" * 200 + "\n"
    write_tree(here, {"playbook/a.yaml": MINIMAL, "playbook/b.yaml": deep})
    assert_error(check(), "playbook/b.yaml", "nested deeper")


def test_a_hundred_thousand_character_string_is_an_error_naming_the_limit(here: Path) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL.replace("name: Acme", "name: " + "x" * 100_000)})
    assert_error(check(), "playbook/a.yaml", "PLAYBOOK_MAX_TEXT_CHARS")


def test_a_number_where_text_is_expected_says_to_quote_it(here: Path) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL.replace("name: Acme", "name: 3.10")})
    assert_error(check(), "playbook/a.yaml", r"organisation\.name: expected text.*quote")


def test_text_where_a_number_is_expected_is_an_error(here: Path) -> None:
    stage = "stages:\n  - id: lead\n    name: Lead\n    probability: high\n"
    write_tree(here, {"playbook/a.yaml": MINIMAL + stage})
    output = assert_error(
        check(), "playbook/a.yaml", r"stages\[0\]\.probability: expected a number"
    )
    assert "playbook/a.yaml:20:18:" in output


@pytest.mark.parametrize("value", ["[1, 2]", "{a: 1}", "true", "2026-01-01"])
def test_a_structure_where_text_is_expected_is_an_error(here: Path, value: str) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL.replace("name: Sell", f"name: {value}")})
    assert_error(check(), "playbook/a.yaml", r"activities\[0\]\.name: expected")


def test_ids_that_differ_only_by_case_are_an_error(here: Path) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL.replace("id: boss", "id: Rep")})
    assert_error(check(), "playbook/a.yaml", r"roles\[1\]\.id: bad id 'Rep'")


@pytest.mark.parametrize("ident", ["bôss", "boss\u202e", "bo\u200bss", "ボス", "boss\u00a0"])
def test_ids_with_unicode_are_an_error(here: Path, ident: str) -> None:
    quoted = '"' + ident + '"'
    write_tree(here, {"playbook/a.yaml": MINIMAL.replace("id: boss", f"id: {quoted}")})
    assert_error(check(), "playbook/a.yaml", r"roles\[1\]\.id: bad id")


def test_a_file_over_the_size_limit_is_refused_before_parsing(here: Path) -> None:
    # Nested brackets and a bad byte: parsing would report those, not the size.
    huge = b"organisation: " + b"[" * (9 * 1024 * 1024) + b"\xff"
    write_tree(here, {"playbook/a.yaml": MINIMAL, "playbook/huge.yaml": huge})
    started = time.monotonic()
    output = assert_error(check(), "playbook/huge.yaml", "PLAYBOOK_MAX_FILE_BYTES")
    elapsed = time.monotonic() - started
    problems = [line for line in output.splitlines() if "huge.yaml" in line]
    assert len(problems) == 1 and "nested" not in output and "UTF-8" not in output, output
    print(f"refused a 9 MB file in {elapsed:.2f} s")


BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=False)
)


def test_an_alias_bomb_is_an_error_naming_the_limit(here: Path) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL, "playbook/bomb.yaml": BOMB})
    assert_error(check(), "playbook/bomb.yaml", "PLAYBOOK_MAX_ALIAS_NODES")


def test_a_recursive_alias_is_an_error(here: Path) -> None:
    write_tree(
        here,
        {
            "playbook/a.yaml": MINIMAL,
            "playbook/b.yaml": "glossary: &g\n  - term: x\n    definition: *g\n",
        },
    )
    assert_error(check(), "playbook/b.yaml")


@pytest.mark.parametrize(
    "source",
    [
        "roles: !!python/object/apply:os.system ['echo pwned']\n",
        "glossary:\n  - term: !custom x\n    definition: y\n",
    ],
)
def test_python_and_custom_tags_are_errors(here: Path, source: str) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL, "playbook/b.yaml": source})
    assert_error(check(), "playbook/b.yaml", "tag")


@pytest.mark.parametrize(
    "source",
    ["roles: [\n", "a: b: c\n", "\tteams: []\n", "x: 'open\n", "teams:\n  - id: a\n   name: b\n"],
)
def test_yaml_syntax_errors_are_errors_with_a_position(here: Path, source: str) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL, "playbook/b.yaml": source})
    assert_error(check(), "playbook/b.yaml")


@pytest.mark.parametrize(
    "source",
    [
        "roles: 5\n",
        "roles: {id: x}\n",
        "roles: [1, 2]\n",
        "roles: [[]]\n",
        "organisation: []\n",
        "mystery: 1\n",
        "1: 2\n",
        "? [a]\n: b\n",
        "roles:\n  - {[a]: b}\n",
    ],
)
def test_sections_of_the_wrong_shape_are_errors(here: Path, source: str) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL, "playbook/b.yaml": source})
    assert_error(check(), "playbook/b.yaml")


@pytest.mark.parametrize("escaped", ['"\\ud800"', '"\\x00"', '"\\x1b[31mred"', '"\\uFFFE"'])
def test_unprintable_characters_never_crash_the_output(here: Path, escaped: str) -> None:
    broken = MINIMAL.replace("team: sales\n  - id: boss", f"team: {escaped}\n  - id: boss")
    write_tree(here, {"playbook/a.yaml": broken})
    result = check()
    assert result.exit_code == 1 and "Traceback" not in result.output
    named = MINIMAL.replace("name: Sell", f"name: {escaped}")
    write_tree(here, {"playbook/a.yaml": named})
    result = check()
    assert result.exit_code in (0, 1) and "Traceback" not in result.output


FULL: dict[str, Any] = {
    "organisation": {
        "name": "Acme",
        "summary": "What we do.",
        "version": "1",
        "effective": "2026-01-01",
        "maintainer": "boss",
        "model": "RACI",
        "business_hours": {
            "days": ["mon", "tue"],
            "start": "09:00",
            "end": "17:00",
            "timezone": "UTC",
            "holidays": ["2026-12-25"],
        },
        "allow": ["bottleneck"],
    },
    "models": {
        "TRIO": {
            "letters": {
                "D": {
                    "name": "Decide",
                    "description": "owns it",
                    "min": 1,
                    "max": 1,
                    "accountable": True,
                },
            }
        }
    },
    "teams": [
        {
            "id": "sales",
            "name": "Sales",
            "kind": "internal",
            "business_hours": {"days": ["mon"]},
            "purpose": "Sell.",
            "horizon": "Now",
            "goals": [
                {
                    "id": "g",
                    "statement": "Sell more",
                    "metric": "Deals",
                    "target": 3,
                    "horizon": "year",
                    "period": "FY2027",
                }
            ],
            "allow": ["default-hours"],
        },
        {"id": "agency", "name": "Agency", "kind": "external"},
    ],
    "roles": [
        {
            "id": "rep",
            "name": "Rep",
            "team": "sales",
            "kind": "person",
            "summary": "Sells.",
            "holders": ["Ann"],
            "business_hours": {"timezone": "local"},
            "goals": [{"id": "calls", "statement": "Call back", "period": "per week"}],
            "allow": ["unused-role"],
        },
        {"id": "boss", "name": "Boss", "team": "sales", "holders": ["Ann"]},
        {"id": "maker", "name": "Maker", "team": "agency"},
    ],
    "people": [{"name": "Ann", "roles": ["rep", "boss"], "allow": ["unused-role"]}],
    "stages": [
        {
            "id": "lead",
            "name": "Lead",
            "owner": "rep",
            "definition": "A lead.",
            "entry": ["Asked"],
            "exit": ["Answered"],
            "touchpoints": "3-5",
            "probability": 10,
            "max_duration": "30 days",
            "next": ["won"],
            "terminal": False,
            "reasons": ["Why"],
            "maps_to": {"CRM": "Lead"},
            "allow": ["dead-end-stage"],
        },
        {"id": "won", "name": "Won", "terminal": True},
    ],
    "handoffs": [
        {
            "id": "pass",
            "name": "Pass the lead",
            "from": "rep",
            "to": "boss",
            "stage": "lead",
            "trigger": "Ready.",
            "passes": ["Notes"],
            "sla": {"accept": "4 hours"},
            "on_reject": {"to": "lead", "reasons": ["No"], "feedback": "Tell why."},
            "escalation": "Owner.",
            "allow": ["default-hours"],
        },
        {
            "id": "route",
            "from": "boss",
            "to": [{"role": "rep", "when": "small deals"}, {"role": "maker"}],
            "sla": {
                "first": {
                    "within": "15 business minutes",
                    "target": "5 business minutes",
                    "from": "the lead arrives",
                    "label": "First touch",
                }
            },
            "on_reject": [
                {
                    "to": "lead",
                    "when": "too early",
                    "owner": "rep",
                    "reasons": ["Busy"],
                    "feedback": "Say so.",
                }
            ],
        },
    ],
    "activities": [
        {
            "id": "sell",
            "name": "Sell",
            "area": "Selling",
            "stage": "lead",
            "description": "Close it.",
            "raci": {"R": ["rep", {"role": "maker", "when": "busy"}], "A": "boss"},
            "notes": {"rep": "mostly"},
            "allow": ["consulted-and-informed"],
        },
    ],
    "engagements": [
        {
            "id": "deal",
            "name": "Deal",
            "party": "agency",
            "client_contact": "boss",
            "party_contact": "maker",
            "starts": "2026-01-01",
            "ends": "2026-12-31",
            "summary": "Scope.",
            "in_scope": ["sell"],
            "out_of_scope": [],
            "deliverables": [
                {"name": "Deck", "quantity": 1, "due": "2026-03-01", "description": "Slides."}
            ],
            "approvals": {
                "approver": "boss",
                "review_window": "5 days",
                "silence_means_approval": False,
            },
            "change_process": "Ask.",
            "sign_off": ["boss"],
            "allow": ["scope-without-party"],
        },
    ],
    "cadences": [
        {
            "id": "weekly",
            "name": "Weekly",
            "every": "week",
            "chair": "boss",
            "attendees": ["rep"],
            "purpose": "Talk.",
            "allow": ["unused-allow"],
        }
    ],
    "glossary": [
        {"term": "Lead", "definition": "Someone.", "context": "Sales", "allow": ["bottleneck"]}
    ],
    "changelog": [
        {"version": "1", "date": "2026-01-01", "summary": "First.", "allow": ["bottleneck"]}
    ],
}
"""A valid playbook that sets every field of every section (checked below)."""


def _fields(model: Any) -> set[str]:
    return {info.alias or field for field, info in model.model_fields.items()}


def test_the_full_playbook_sets_every_field_of_the_model(here: Path) -> None:
    for section, model in SECTION_MODELS.items():
        entries = [FULL[section]] if section == "organisation" else FULL[section]
        assert _fields(model) == set().union(*(e.keys() for e in entries)), section
    nested = {
        BusinessHours: FULL["organisation"]["business_hours"],
        Goal: FULL["teams"][0]["goals"][0],
        Rejection: FULL["handoffs"][0]["on_reject"],
        Route: FULL["handoffs"][1]["to"][0],
        ClockSpec: FULL["handoffs"][1]["sla"]["first"],
        Outcome: FULL["handoffs"][1]["on_reject"][0],
        Holder: FULL["activities"][0]["raci"]["R"][1],
        Deliverable: FULL["engagements"][0]["deliverables"][0],
        Approvals: FULL["engagements"][0]["approvals"],
        Letter: FULL["models"]["TRIO"]["letters"]["D"],
    }
    for model, entry in nested.items():
        assert _fields(model) == set(entry), model.__name__
    write_tree(here, {"playbook/all.yaml": yaml.safe_dump(FULL, sort_keys=False)})
    result = check()
    assert result.exit_code == 0, result.output


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, path + (index,))
    return found


def _shown(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _without(path: tuple[Any, ...], null: bool) -> dict[str, Any]:
    data = copy.deepcopy(FULL)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if null:
        parent[path[-1]] = None
    else:
        del parent[path[-1]]
    return data


def _line_of(source: str, path: tuple[Any, ...]) -> int:
    node = yaml.compose(source)
    for part in path:
        if isinstance(part, int):
            node = node.value[part]
        else:
            node = next(v for k, v in node.value if k.value == str(part))
    return node.start_mark.line + 1


def _related(one: str, other: str) -> bool:
    """Whether one data path is the other, or inside it, or around it."""
    short, long = sorted((one, other), key=len)
    return long == short or long.startswith((short + ".", short + "["))


NULL_PATHS = _paths(FULL)


@pytest.mark.parametrize("path", NULL_PATHS, ids=[_shown(p) for p in NULL_PATHS])
def test_null_anywhere_is_either_nothing_or_an_error_at_that_value(
    here: Path, path: tuple[Any, ...]
) -> None:
    """``key: null`` means the key is absent; a null list item or a null where a value is
    required is an error reported at the null."""
    source = yaml.safe_dump(_without(path, null=True), sort_keys=False)
    write_tree(here, {"playbook/all.yaml": source})
    nulled = check()
    assert nulled.exit_code in (0, 1) and "Traceback" not in nulled.output
    in_list = isinstance(path[-1], int)
    if not in_list:
        write_tree(
            here, {"playbook/all.yaml": yaml.safe_dump(_without(path, null=False), sort_keys=False)}
        )
        absent = check()
        if absent.exit_code == 1:
            assert nulled.exit_code == 1, nulled.output
    else:
        assert nulled.exit_code == 1, nulled.output
    if nulled.exit_code == 1 and len(path) == 1:
        assert_error(nulled, "playbook/all.yaml")  # an empty section: its references break
    elif nulled.exit_code == 1:
        output = assert_error(nulled, "playbook/all.yaml")
        shown = _shown(path)
        related = [
            line
            for line in output.splitlines()
            if (found := re.search(r": error: (\S*): ", line)) and _related(found.group(1), shown)
        ]
        assert related, output
        exact = [line for line in related if f": error: {shown}: " in line]
        for line in exact:
            assert line.startswith(f"playbook/all.yaml:{_line_of(source, path)}:"), (line, source)


SUBPROCESS_CASES = {
    "empty": {},
    "bomb": {"playbook/a.yaml": MINIMAL, "playbook/bomb.yaml": BOMB},
    "latin1": {"playbook/a.yaml": MINIMAL.encode("utf-8") + b"# caf\xe9\n"},
    "brackets": {"playbook/a.yaml": "[" * 10_000},
}


@pytest.mark.parametrize("case", sorted(SUBPROCESS_CASES))
def test_the_installed_command_reports_without_a_traceback(here: Path, case: str) -> None:
    (here / "playbook").mkdir()
    write_tree(here, SUBPROCESS_CASES[case])
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "playbook"],
        capture_output=True,
        text=True,
        cwd=here,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert ERROR_LINE.search(result.stdout), result.stdout


@pytest.mark.parametrize(
    "source",
    [
        'organisation:\n  name: Acme\n  "bad\\nkey": 1\n',
        'organisation:\n  name: Acme\nteams:\n  - id: "a\\nb"\n    name: T\n',
        'organisation:\n  name: Acme\n  "odd\\u2028key": 1\n',
        'organisation:\n  name: Acme\nglossary:\n  - {term: "two\\n\\nlines", definition: x}\n'
        '  - {term: "two\\n\\nlines", definition: y}\n',
    ],
    ids=["newline-in-key", "newline-in-id", "line-separator-in-key", "newline-in-duplicate-term"],
)
def test_a_line_break_in_user_text_stays_on_one_line(here: Path, source: str) -> None:
    """Found by the long fuzz run: a duplicate glossary term quoted with its line breaks."""
    write_tree(here, {"playbook/a.yaml": source})
    result = check()
    assert result.exit_code == 1
    lines = result.output.rstrip("\n").splitlines()
    assert re.match(r"^\d+ problems? \(", lines[-1])
    assert all(ANY_LINE.match(line) for line in lines[:-1]), result.output


def test_an_id_too_long_to_be_a_file_name_is_an_error(here: Path) -> None:
    long = "b" * 300
    write_tree(here, {"playbook/a.yaml": MINIMAL.replace("boss", long)})
    assert_error(check(), "playbook/a.yaml", r"roles\[1\]\.id: ")
