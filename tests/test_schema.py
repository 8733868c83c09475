"""The JSON Schema editors use: checked in, current, and in step with the examples and the check."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import BaseModel, ValidationError

from generator.model import (
    SECTION_MODELS,
    BusinessHours,
    Letter,
    ResponsibilityModel,
    json_schema,
)
from generator.validate import check

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "playbook.schema.json"
REGENERATE = "playbook schema > playbook.schema.json"
SCHEMA_COMMENT = "# yaml-language-server: $schema=../playbook.schema.json"
REPO_EXAMPLE = sorted((ROOT / "playbook").glob("*.yaml"))
INIT_EXAMPLES = sorted((ROOT / "generator" / "examples").glob("*/playbook/*.yaml"))
EXAMPLE_FILES = REPO_EXAMPLE + INIT_EXAMPLES

Validator = jsonschema.Draft202012Validator


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def as_editor_reads(value: Any) -> Any:
    """PyYAML's result as an editor sees it.

    Editors read YAML 1.2, where an unquoted ``2026-03-02`` is a string; PyYAML (YAML 1.1)
    turns it into a date, which JSON Schema has no type for.
    """
    if isinstance(value, dict):
        return {key: as_editor_reads(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_editor_reads(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    return Validator(json_schema(), format_checker=Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def printed() -> subprocess.CompletedProcess[bytes]:
    """What ``playbook schema`` writes to stdout, byte for byte."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "schema"],
        capture_output=True,
        check=False,
        cwd=ROOT,
        timeout=120,
    )


def test_playbook_schema_exits_0_and_prints_the_json_schema(
    printed: subprocess.CompletedProcess[bytes],
) -> None:
    assert printed.returncode == 0, printed.stderr.decode()
    assert json.loads(printed.stdout) == json_schema()


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Validator.check_schema(json_schema())


def test_the_checked_in_schema_is_what_playbook_schema_prints(
    printed: subprocess.CompletedProcess[bytes],
) -> None:
    if not SCHEMA_FILE.exists():
        pytest.fail(f"playbook.schema.json is missing; create it with: {REGENERATE}")
    stored = SCHEMA_FILE.read_bytes()
    if stored != printed.stdout:
        old, new = stored.decode().splitlines(), printed.stdout.decode().splitlines()
        line = next(
            (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
            min(len(old), len(new)),
        )
        pytest.fail(
            f"playbook.schema.json is stale (first difference at line {line + 1}); "
            f"regenerate it with: {REGENERATE}",
            pytrace=False,
        )


def test_there_are_example_files_to_check() -> None:
    assert REPO_EXAMPLE, "no playbook/*.yaml"
    assert {path.parents[1].name for path in INIT_EXAMPLES} >= {"small-business", "agency", "b2b"}


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=_relative)
def test_the_schema_accepts_the_example_file(
    path: Path, validator: jsonschema.protocols.Validator
) -> None:
    data = as_editor_reads(yaml.safe_load(path.read_text(encoding="utf-8")))
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=_relative)
def test_the_example_file_starts_with_the_schema_comment(path: Path) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == SCHEMA_COMMENT


@pytest.mark.parametrize("path", REPO_EXAMPLE, ids=_relative)
def test_the_schema_comment_of_the_repo_example_points_at_the_checked_in_schema(
    path: Path,
) -> None:
    target = SCHEMA_COMMENT.split("$schema=", 1)[1]
    assert (path.parent / target).resolve() == SCHEMA_FILE


ROLE = {"id": "a", "name": "A", "team": "t"}
HANDOFF = {"id": "h", "from": "a", "to": "b"}

REJECTED: dict[str, tuple[dict[str, Any], str, str]] = {
    # name: (file content, path of the error, a fragment of its message)
    "unknown section": ({"rolse": [ROLE]}, "", "'rolse' was unexpected"),
    "unknown key in a role": (
        {"roles": [{**ROLE, "nmae": "x"}]},
        "roles/0",
        "'nmae' was unexpected",
    ),
    "unknown key in business hours": (
        {"organisation": {"name": "N", "business_hours": {"timezone": "UTC", "tz": "UTC"}}},
        "organisation/business_hours",
        "'tz' was unexpected",
    ),
    "unknown key in on_reject": (
        {"handoffs": [{**HANDOFF, "on_reject": {"to": "nurture", "reason": ["x"]}}]},
        "handoffs/0/on_reject",
        "'reason' was unexpected",
    ),
    "unknown key in a letter": (
        {"models": {"RAPID": {"letters": {"D": {"name": "Decide", "acountable": True}}}}},
        "models/RAPID/letters/D",
        "'acountable' was unexpected",
    ),
    "unknown key in a goal": (
        {"teams": [{"id": "t", "name": "T", "goals": [{"id": "g", "statement": "S", "kpi": 1}]}]},
        "teams/0/goals/0",
        "'kpi' was unexpected",
    ),
    "missing required field": ({"roles": [{"id": "a", "name": "A"}]}, "roles/0", "'team'"),
    "bad id": ({"roles": [{**ROLE, "id": "Head of Sales"}]}, "roles/0/id", "does not match"),
    "bad id with an underscore": ({"teams": [{"id": "sales_team", "name": "S"}]}, "teams/0/id", ""),
    "bad team reference": ({"roles": [{**ROLE, "team": "Sales"}]}, "roles/0/team", ""),
    "bad role id in a letter": (
        {"activities": [{"id": "x", "name": "X", "raci": {"A": "Marketing Lead"}}]},
        "activities/0/raci/A",
        "",
    ),
    "bad duration": (
        {"handoffs": [{**HANDOFF, "sla": {"accept": "ASAP"}}]},
        "handoffs/0/sla/accept",
        "does not match",
    ),
    "bad duration unit": (
        {"handoffs": [{**HANDOFF, "sla": {"accept": "2 fortnights"}}]},
        "handoffs/0/sla/accept",
        "",
    ),
    "duration without a unit": (
        {"stages": [{"id": "s", "name": "S", "max_duration": 30}]},
        "stages/0/max_duration",
        "",
    ),
    "bad review window": (
        {
            "engagements": [
                {
                    "id": "e",
                    "name": "E",
                    "party": "p",
                    "approvals": {"approver": "a", "review_window": "a week"},
                }
            ]
        },
        "engagements/0/approvals/review_window",
        "",
    ),
    "number in a text field": (
        {"organisation": {"name": "N", "version": 3.1}},
        "organisation/version",
        "",
    ),
    "bad date": (
        {"changelog": [{"version": "1", "date": "2026-02-30", "summary": "S"}]},
        "changelog/0/date",
        "",
    ),
}


def _all_errors(
    validator: jsonschema.protocols.Validator, data: Any
) -> list[jsonschema.ValidationError]:
    """Every error, including those inside anyOf/oneOf (where an optional field's lives)."""
    found: list[jsonschema.ValidationError] = []
    pending = list(validator.iter_errors(data))
    while pending:
        error = pending.pop()
        found.append(error)
        pending.extend(error.context or ())
    return found


@pytest.mark.parametrize(("data", "path", "fragment"), REJECTED.values(), ids=REJECTED.keys())
def test_the_schema_rejects(
    data: dict[str, Any], path: str, fragment: str, validator: jsonschema.protocols.Validator
) -> None:
    found: dict[str, list[str]] = {}
    for error in _all_errors(validator, data):
        found.setdefault("/".join(map(str, error.absolute_path)), []).append(error.message)
    assert path in found, f"no error at '{path}'; errors: {found}"
    assert any(fragment in message for message in found[path]), found[path]


def _model_accepts(model: type[BaseModel], entry: dict[str, Any]) -> bool:
    try:
        model.model_validate(entry)
    except ValidationError:
        return False
    return True


def _schema_accepts(validator: jsonschema.protocols.Validator, data: dict[str, Any]) -> bool:
    return validator.is_valid(data)


def _wrap(section: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {section: [entry]}


STAGE = {"id": "s", "name": "S"}
ACTIVITY = {"id": "x", "name": "X"}

AGREEMENT: list[Any] = [
    # (section, entry): the editor and `playbook check` give the same verdict.
    ("stages", {**STAGE, "touchpoints": "3-5"}),
    ("stages", {**STAGE, "touchpoints": "3–5"}),
    ("stages", {**STAGE, "touchpoints": 4}),
    ("stages", {**STAGE, "touchpoints": "five"}),
    ("stages", {**STAGE, "max_duration": "1.5 business days"}),
    ("stages", {**STAGE, "max_duration": "30 Days"}),
    ("stages", {**STAGE, "max_duration": "30"}),
    ("activities", {**ACTIVITY, "raci": {"R": "a", "A": "b"}}),
    ("activities", {**ACTIVITY, "raci": {"R": ["a", "c"], "A": "b"}}),
    ("activities", {**ACTIVITY, "raci": {"R": [], "A": "b"}}),
    ("handoffs", {**HANDOFF, "sla": {"accept": "4 business hours", "first_contact": "1 day"}}),
    ("roles", {**ROLE, "kind": "agency"}),
    # Faithful playbooks: each form of the new fields, right and wrong.
    ("activities", {**ACTIVITY, "raci": {"R": {"role": "a", "when": "w"}, "A": "b"}}),
    ("activities", {**ACTIVITY, "raci": {"R": ["a", {"role": "c", "when": "w"}], "A": "b"}}),
    ("activities", {**ACTIVITY, "raci": {"R": [{"role": "a", "if": "w"}], "A": "b"}}),
    ("activities", {**ACTIVITY, "raci": {"R": [["a"]], "A": "b"}}),
    ("handoffs", {**HANDOFF, "to": [{"role": "b", "when": "w"}, {"role": "c"}]}),
    ("handoffs", {**HANDOFF, "to": []}),
    ("handoffs", {**HANDOFF, "to": {"role": "b"}}),
    ("handoffs", {**HANDOFF, "to": ["b"]}),
    ("handoffs", {**HANDOFF, "name": "Routing"}),
    ("handoffs", {**HANDOFF, "sla": {"first": {"within": "15 business minutes"}}}),
    ("handoffs", {**HANDOFF, "sla": {"first": {"target": "5 business minutes"}}}),
    ("handoffs", {**HANDOFF, "sla": {"first": {"within": "1 day", "from": "x", "label": "X"}}}),
    ("handoffs", {**HANDOFF, "sla": {"first": ["1 day"]}}),
    ("handoffs", {**HANDOFF, "on_reject": [{"to": "s", "when": "w", "owner": "o"}]}),
    ("handoffs", {**HANDOFF, "on_reject": []}),
    ("handoffs", {**HANDOFF, "on_reject": "s"}),
    ("roles", {**ROLE, "business_hours": {"timezone": "local"}}),
    ("roles", {**ROLE, "goals": [{"id": "g", "statement": "S", "period": "FY2027"}]}),
    ("roles", {**ROLE, "allow": ["unused-role"]}),
    ("roles", {**ROLE, "allow": ["unused-roles"]}),
    ("roles", {**ROLE, "allow": "unused-role"}),
    ("stages", {**STAGE, "maps_to": {"Salesforce": "Stage 2"}}),
    ("stages", {**STAGE, "maps_to": ["Salesforce"]}),
    ("stages", {**STAGE, "max_duration": "30 business minutes"}),
    ("glossary", {"term": "CSM", "definition": "D", "context": "Channel"}),
    pytest.param(
        "stages",
        {**STAGE, "touchpoints": "3"},
        id="touchpoints-quoted-count",
    ),
    pytest.param(
        "roles",
        {**ROLE, "id": "index"},
        id="reserved-id-index",
    ),
    pytest.param(
        "stages",
        {**STAGE, "max_duration": "5 business weeks"},
        id="business-weeks",
    ),
    pytest.param(
        "stages",
        {**STAGE, "max_duration": "0 days"},
        id="zero-duration",
    ),
    pytest.param(
        "activities",
        {**ACTIVITY, "raci": {"RA": "a", "A": "b"}},
        id="raci-key-two-letters",
    ),
    pytest.param(
        "handoffs",
        {**HANDOFF, "sla": {"Accept": "soon"}},
        id="sla-clock-name-and-value",
    ),
    pytest.param(
        "activities",
        {**ACTIVITY, "raci": {"A": "a"}, "notes": {"Bad Id": "x"}},
        id="notes-key-bad-id",
    ),
]


@pytest.mark.parametrize(("section", "entry"), AGREEMENT)
def test_the_schema_and_the_check_agree_on_an_entry(
    section: str, entry: dict[str, Any], validator: jsonschema.protocols.Validator
) -> None:
    checked = _model_accepts(SECTION_MODELS[section], entry)
    assert _schema_accepts(validator, _wrap(section, entry)) == checked


NESTED_AGREEMENT: list[Any] = [
    (BusinessHours, {"days": ["mon", "fri"], "start": "08:30"}, "days"),
    pytest.param(
        BusinessHours,
        {"days": ["Monday"]},
        "days",
        id="weekday-full-name",
    ),
    pytest.param(
        ResponsibilityModel,
        {"letters": {"Rx": {"name": "R"}}},
        "letters",
        id="letter-key-two-characters",
    ),
    pytest.param(
        Letter,
        {"name": "Decide", "min": "1"},
        "min",
        id="letter-min-quoted",
    ),
]


@pytest.mark.parametrize(("model", "value", "key"), NESTED_AGREEMENT)
def test_the_schema_and_the_check_agree_on_a_nested_value(
    model: type[BaseModel],
    value: dict[str, Any],
    key: str,
    validator: jsonschema.protocols.Validator,
) -> None:
    if model is BusinessHours:
        data = {"organisation": {"name": "N", "business_hours": value}}
    elif model is ResponsibilityModel:
        data = {"models": {"CUSTOM": value}}
    else:
        data = {"models": {"CUSTOM": {"letters": {"D": value}}}}
    assert _schema_accepts(validator, data) == _model_accepts(model, value)


def test_the_schema_and_the_check_agree_on_an_empty_section(
    tmp_path: Path, validator: jsonschema.protocols.Validator
) -> None:
    text = "organisation:\n  name: N\npeople:\n"
    folder = tmp_path / "playbook"
    folder.mkdir()
    (folder / "playbook.yaml").write_text(text, encoding="utf-8")
    checked = not check(folder).errors
    assert _schema_accepts(validator, yaml.safe_load(text)) == checked


def _patterns(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                found.append(value)
            elif key == "patternProperties" and isinstance(value, dict):
                found.extend(value)
            found.extend(_patterns(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_patterns(item))
    return found


# Python-only regular expression syntax: inline flags, named groups, \A \Z anchors.
_NOT_ECMASCRIPT = re.compile(r"\(\?[aiLmsux]+\)|\(\?P[<=]|\\[AZ]")


def test_every_pattern_is_an_ecmascript_regular_expression() -> None:
    # JSON Schema patterns are ECMA-262; editors compile them with JavaScript's RegExp.
    bad = sorted({p for p in _patterns(json_schema()) if _NOT_ECMASCRIPT.search(p)})
    assert not bad, bad
