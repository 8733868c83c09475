"""REFERENCE.md documents every field of every model, under that model's own heading."""

from __future__ import annotations

import datetime as dt
import re
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import BaseModel

from generator.load import Limits
from generator.model import (
    BUILTIN_MODELS,
    DURATION_UNITS,
    SECTION_MODELS,
    WARNING_CODES,
    Approvals,
    BusinessHours,
    ClockSpec,
    Deliverable,
    Goal,
    Holder,
    Letter,
    Outcome,
    Playbook,
    Rejection,
    ResponsibilityModel,
    Route,
    json_schema,
)
from generator.validate import check

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "REFERENCE.md"

# Where each model's fields are documented. A section's model is under `## <section>`; a nested
# model under a `###` heading inside its parent's section (business_hours is documented once,
# under organisation, and teams point to it).
NESTED_HEADINGS: dict[type[BaseModel], str] = {
    Playbook: "## Sections at a glance",
    ResponsibilityModel: "## models",
    BusinessHours: "### business_hours",
    Letter: "### letters",
    Goal: "### goals",
    Rejection: "### on_reject",
    Outcome: "### on_reject (a list of outcomes)",
    Route: "### to: routes",
    ClockSpec: "### sla: a clock as a mapping",
    Holder: "### raci",
    Deliverable: "### deliverables",
    Approvals: "### approvals",
}
MODEL_HEADINGS: dict[type[BaseModel], str] = {
    **{model: f"## {section}" for section, model in SECTION_MODELS.items()},
    **NESTED_HEADINGS,
}

_HEADING = re.compile(r"^(#{1,6}) ")
_ROW = re.compile(r"^\| `([^`]+)` \|")


def _headings_and_blocks(text: str) -> list[tuple[str, list[str]]]:
    """Each heading with the lines up to the next heading of any level (code fences skipped)."""
    blocks: list[tuple[str, list[str]]] = [("", [])]
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and _HEADING.match(line):
            blocks.append((line.rstrip(), []))
        else:
            blocks[-1][1].append(line)
    return blocks


@pytest.fixture(scope="module")
def reference() -> str:
    return REFERENCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def blocks(reference: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for heading, lines in _headings_and_blocks(reference):
        found.setdefault(heading, []).extend(lines)
    return found


def _rows(lines: list[str]) -> dict[str, list[str]]:
    """Documented fields: table rows starting with ``| `name` |``, name → cells."""
    rows: dict[str, list[str]] = {}
    for line in lines:
        match = _ROW.match(line)
        if match:
            rows[match[1]] = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return rows


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        if isinstance(arg, type) or typing.get_origin(arg) is not None:
            found.extend(_models_in(arg))
    return found


def reachable_models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """``root`` and every model its fields lead to, however deeply nested."""
    seen: list[type[BaseModel]] = []
    pending = [root]
    while pending:
        model = pending.pop(0)
        if model in seen:
            continue
        seen.append(model)
        for info in model.model_fields.values():
            pending.extend(_models_in(info.annotation))
    return seen


def fields(model: type[BaseModel]) -> dict[str, bool]:
    """The YAML key of each field (its alias, e.g. Handoff's ``from``) → required."""
    return {(info.alias or name): info.is_required() for name, info in model.model_fields.items()}


def test_every_model_reachable_from_playbook_has_a_heading() -> None:
    reachable = set(reachable_models(Playbook))
    assert reachable == set(MODEL_HEADINGS), (
        f"undocumented: {sorted(m.__name__ for m in reachable - set(MODEL_HEADINGS))}; "
        f"no longer in the model: {sorted(m.__name__ for m in set(MODEL_HEADINGS) - reachable)}"
    )


def test_every_top_level_section_has_a_level_2_heading(blocks: dict[str, list[str]]) -> None:
    missing = [name for name in fields(Playbook) if f"## {name}" not in blocks]
    assert not missing


def test_each_model_heading_appears_once(reference: str) -> None:
    headings = [heading for heading, _ in _headings_and_blocks(reference)]
    repeated = [h for h in MODEL_HEADINGS.values() if headings.count(h) != 1]
    assert not repeated


@pytest.mark.parametrize("model", list(MODEL_HEADINGS), ids=lambda m: m.__name__)
def test_every_field_is_a_row_under_its_models_heading(
    model: type[BaseModel], blocks: dict[str, list[str]]
) -> None:
    heading = MODEL_HEADINGS[model]
    documented = _rows(blocks.get(heading, []))
    missing = [name for name in fields(model) if name not in documented]
    assert not missing, f"{model.__name__} fields missing under '{heading}': {missing}"


@pytest.mark.parametrize("model", list(MODEL_HEADINGS), ids=lambda m: m.__name__)
def test_no_row_documents_a_field_the_model_does_not_have(
    model: type[BaseModel], blocks: dict[str, list[str]]
) -> None:
    heading = MODEL_HEADINGS[model]
    stale = sorted(set(_rows(blocks.get(heading, []))) - set(fields(model)))
    assert not stale, f"'{heading}' documents fields {model.__name__} does not have: {stale}"


@pytest.mark.parametrize("model", list(MODEL_HEADINGS), ids=lambda m: m.__name__)
def test_the_required_column_says_what_the_model_requires(
    model: type[BaseModel], blocks: dict[str, list[str]]
) -> None:
    documented = _rows(blocks.get(MODEL_HEADINGS[model], []))
    wrong = {
        name: documented[name][2]
        for name, required in fields(model).items()
        if name in documented and documented[name][2] != ("yes" if required else "no")
    }
    assert not wrong, f"{model.__name__}: Required column should be yes/no as in the model: {wrong}"


def _yaml_examples(reference: str) -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```", reference, re.DOTALL | re.MULTILINE)


def _as_editor_reads(value: Any) -> Any:
    # Editors read YAML 1.2, where an unquoted date is a string.
    if isinstance(value, dict):
        return {key: _as_editor_reads(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_editor_reads(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def test_every_yaml_example_is_accepted_by_the_schema(reference: str) -> None:
    validator = jsonschema.Draft202012Validator(
        json_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    examples = _yaml_examples(reference)
    assert len(examples) >= len(SECTION_MODELS)
    problems = [
        f"example {i + 1}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for i, example in enumerate(examples)
        for e in validator.iter_errors(_as_editor_reads(yaml.safe_load(example)))
    ]
    assert not problems, "\n".join(problems)


def test_the_quick_start_playbook_checks_without_problems(
    blocks: dict[str, list[str]], tmp_path: Path
) -> None:
    quick_start = _yaml_examples("\n".join(blocks["## Quick start"]) + "\n")[0]
    folder = tmp_path / "playbook"
    folder.mkdir()
    (folder / "playbook.yaml").write_text(quick_start, encoding="utf-8")

    result = check(folder)

    assert result.playbook is not None
    assert [d.format_text() for d in result.diagnostics] == []


def test_every_resource_limit_is_documented_with_its_default(
    blocks: dict[str, list[str]],
) -> None:
    table = "\n".join(blocks["## Resource limits"])
    defaults = Limits()
    for name, variable in Limits.ENV.items():
        row = next((line for line in table.splitlines() if f"`{variable}`" in line), "")
        assert row, f"{variable} is not documented"
        assert f"{getattr(defaults, name):,}" in row, f"{variable}: default not shown in {row!r}"


def test_every_duration_unit_is_documented(blocks: dict[str, list[str]]) -> None:
    text = "\n".join(blocks["### Durations"])
    singular = {unit for unit in DURATION_UNITS if not unit.endswith("s")}
    missing = sorted(unit for unit in singular if f"`{unit}`" not in text)
    assert not missing


def test_every_built_in_model_is_documented_with_its_letters(
    blocks: dict[str, list[str]],
) -> None:
    rows = {
        line.split("|")[1].strip().strip("`").split("`")[0]: line
        for line in blocks["## Responsibility models"]
        if line.startswith("| `")
    }
    for name, model in BUILTIN_MODELS.items():
        assert name in rows, f"built-in model {name} is not documented"
        for key, letter in model.letters.items():
            if key in BUILTIN_MODELS["RACI"].letters and name == "RASCI":
                continue  # documented as "RACI plus S"
            assert f"`{key}` {letter.name}" in rows[name], f"{name}: letter {key} {letter.name}"


def test_every_warning_code_is_listed_with_what_it_means(blocks: dict[str, list[str]]) -> None:
    listed = _rows(blocks["### Warnings"])
    assert set(listed) == set(WARNING_CODES)
    assert all(listed[code][1] for code in WARNING_CODES), "a code without its meaning"
    prose = "\n".join(blocks["### Warnings"])
    missing = [code for code in WARNING_CODES if f"[`{code}`]" not in prose]
    assert not missing, f"codes without their warning described: {missing}"
