"""`playbook export`: the RACI matrix as CSV and XLSX, the whole model as JSON."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from generator import outputs
from generator.cli import cli
from generator.model import Playbook
from generator.outputs import export_json_schema, matrix_csv, matrix_xlsx, playbook_json
from generator.validate import check

ROOT = Path(__file__).resolve().parent.parent
FORMULA = '=HYPERLINK("https://example.com","click")'

BASE: dict[str, Any] = {
    "organisation": {
        "name": "Northwind Widgets",
        "version": "2026.1",
        "effective": "2026-01-15",
        "business_hours": {"start": "09:00", "end": "17:00", "timezone": "Europe/London"},
    },
    "teams": [
        {"id": "marketing", "name": "Marketing"},
        {"id": "sales", "name": "Sales"},
        {"id": "brightwave", "name": "Brightwave", "kind": "external"},
    ],
    "roles": [
        {
            "id": "marketing-lead",
            "name": "Marketing Lead",
            "team": "marketing",
            "holders": ["Ana Ruiz"],
        },
        {"id": "sales-lead", "name": "Sales Lead", "team": "sales"},
        {"id": "agency-designer", "name": "Agency Designer", "team": "brightwave"},
    ],
    "stages": [
        {
            "id": "warm-lead",
            "name": "Warm lead",
            "owner": "marketing-lead",
            "max_duration": "30 days",
        },
        {"id": "won", "name": "Won", "terminal": True},
    ],
    "handoffs": [
        {
            "id": "warm-lead-to-sales",
            "from": "marketing-lead",
            "to": "sales-lead",
            "stage": "warm-lead",
            "sla": {"accept": "4 business hours"},
        },
    ],
    "activities": [
        {
            "id": "brochure",
            "name": "Product brochure",
            "area": "Collateral",
            "stage": "warm-lead",
            "raci": {
                "R": ["agency-designer", "marketing-lead"],
                "A": "marketing-lead",
                "C": ["sales-lead"],
            },
            "notes": {
                "agency-designer": "first draft, layout\nand print files",
                "sales-lead": "checks objections",
            },
        },
        {
            "id": "lead-follow-up",
            "name": "Lead follow-up",
            "area": "Sales",
            "raci": {"R": "sales-lead", "A": "sales-lead", "I": ["marketing-lead"]},
        },
        {"id": "formula", "name": FORMULA, "raci": {"R": "agency-designer", "A": "marketing-lead"}},
    ],
    "engagements": [
        {
            "id": "brightwave-2026",
            "name": "Brightwave — 2026 retainer",
            "party": "brightwave",
            "client_contact": "marketing-lead",
            "starts": "2026-02-01",
            "ends": "2026-12-31",
            "in_scope": ["brochure"],
            "out_of_scope": ["lead-follow-up"],
            "deliverables": [{"name": "Brochure", "quantity": 2, "due": "2026-03-01"}],
            "approvals": {"approver": "marketing-lead", "review_window": "5 business days"},
            "sign_off": ["marketing-lead"],
        },
    ],
}


def write_playbook(folder: Path, data: dict[str, Any]) -> Path:
    """One YAML file per section, as a user might split them."""
    folder.mkdir(parents=True, exist_ok=True)
    for section, value in data.items():
        text = yaml.safe_dump({section: value}, sort_keys=False, allow_unicode=True)
        (folder / f"{section}.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_playbook(tmp_path / "playbook", BASE)


@pytest.fixture
def playbook(folder: Path) -> Playbook:
    result = check(folder)
    assert result.ok(strict=True), result.diagnostics
    assert result.playbook is not None
    return result.playbook


def test_csv_has_the_contract_header_and_one_row_per_activity(playbook: Playbook) -> None:
    rows = list(csv.reader(io.StringIO(matrix_csv(playbook))))
    assert rows[0] == [
        "id",
        "name",
        "area",
        "stage",
        "marketing-lead",
        "sales-lead",
        "agency-designer",
        "notes",
    ]
    assert [row[0] for row in rows[1:]] == ["brochure", "lead-follow-up", "formula"]


def test_csv_cells_hold_each_roles_letters_accountable_first(playbook: Playbook) -> None:
    rows = list(csv.DictReader(io.StringIO(matrix_csv(playbook))))
    brochure, follow_up = rows[0], rows[1]
    assert (brochure["marketing-lead"], brochure["sales-lead"], brochure["agency-designer"]) == (
        "A,R",
        "C",
        "R",
    )
    assert (follow_up["sales-lead"], follow_up["marketing-lead"]) == ("A,R", "I")
    assert (follow_up["area"], follow_up["stage"], follow_up["agency-designer"]) == (
        "Sales",
        "",
        "",
    )


def test_csv_notes_name_each_role_and_keep_commas_and_newlines(playbook: Playbook) -> None:
    rows = list(csv.DictReader(io.StringIO(matrix_csv(playbook))))
    assert rows[0]["notes"] == (
        "sales-lead: checks objections; agency-designer: first draft, layout\nand print files"
    )


def test_csv_follows_the_letter_order_of_the_model_in_force(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["organisation"]["model"] = "DACI"
    data["activities"] = [
        {
            "id": "pricing",
            "name": "Pricing",
            "raci": {"D": "sales-lead", "A": "sales-lead", "C": ["marketing-lead"]},
        },
    ]
    data["engagements"][0].update({"in_scope": [], "out_of_scope": []})
    playbook = check(write_playbook(tmp_path / "daci", data)).playbook
    assert playbook is not None
    rows = list(csv.DictReader(io.StringIO(matrix_csv(playbook))))
    assert (rows[0]["sales-lead"], rows[0]["marketing-lead"]) == ("A,D", "C")


def open_workbook(playbook: Playbook) -> Any:
    return openpyxl.load_workbook(io.BytesIO(matrix_xlsx(playbook)))


def test_xlsx_has_the_matrix_each_engagement_and_the_legend(playbook: Playbook) -> None:
    assert open_workbook(playbook).sheetnames == ["Matrix", "brightwave-2026", "Legend"]


def test_xlsx_matrix_has_names_then_ids_as_headers_and_the_letters(playbook: Playbook) -> None:
    sheet = open_workbook(playbook)["Matrix"]
    rows = list(sheet.iter_rows(min_row=1, max_row=3, values_only=True))
    assert rows[0] == (
        "Activity id",
        "Activity",
        "Area",
        "Stage",
        "Marketing Lead",
        "Sales Lead",
        "Agency Designer",
        "Notes",
    )
    assert rows[1] == (
        "id",
        "name",
        "area",
        "stage",
        "marketing-lead",
        "sales-lead",
        "agency-designer",
        "notes",
    )
    assert rows[2] == (
        "brochure",
        "Product brochure",
        "Collateral",
        "Warm lead",
        "A,R",
        "C",
        "R",
        "Sales Lead: checks objections\nAgency Designer: first draft, layout\nand print files",
    )


def test_xlsx_matrix_freezes_the_headers_and_filters_the_table(playbook: Playbook) -> None:
    sheet = open_workbook(playbook)["Matrix"]
    assert sheet.freeze_panes == "C3"
    assert sheet.auto_filter.ref == "A2:H5"


def test_xlsx_letter_cells_are_coloured_by_letter(playbook: Playbook) -> None:
    sheet = open_workbook(playbook)["Matrix"]
    accountable, responsible, consulted = sheet["E3"], sheet["G3"], sheet["F3"]
    fills = {cell.value: cell.fill.fgColor.rgb for cell in (accountable, responsible, consulted)}
    assert len(set(fills.values())) == 3
    assert sheet["G5"].fill.fgColor.rgb == fills["R"]


def test_xlsx_writes_formula_like_names_as_text(playbook: Playbook) -> None:
    cell = open_workbook(playbook)["Matrix"]["B5"]
    assert (cell.value, cell.data_type) == (FORMULA, "s")


def test_xlsx_engagement_sheet_lists_scope_deliverables_and_approvals(
    playbook: Playbook,
) -> None:
    rows = [
        tuple(v for v in row if v is not None)
        for row in open_workbook(playbook)["brightwave-2026"].iter_rows(values_only=True)
    ]
    assert rows[0] == ("Brightwave — 2026 retainer",)
    assert ("Client contact", "Marketing Lead (marketing-lead)") in rows
    assert (
        "brochure",
        "Product brochure",
        (
            "A: Marketing Lead (marketing-lead); R: Marketing Lead (marketing-lead); "
            "C: Sales Lead (sales-lead)"
        ),
        "R: Agency Designer (agency-designer)",
    ) in rows
    out_of_scope = rows.index(("Out of scope",))
    assert rows[out_of_scope + 2] == ("lead-follow-up", "Lead follow-up")
    deliverables = rows.index(("Deliverables",))
    assert rows[deliverables + 2][:2] == ("Brochure", 2)
    assert ("Review window", "5 business days") in rows
    assert ("Marketing Lead (marketing-lead)", "Ana Ruiz") in rows


def test_xlsx_engagement_sheet_names_are_unique_and_at_most_31_characters(
    tmp_path: Path,
) -> None:
    data = copy.deepcopy(BASE)
    long_id = "brightwave-retainer-for-the-year-2026"
    data["engagements"] = [
        {"id": f"{long_id}-a", "name": "First", "party": "brightwave"},
        {"id": f"{long_id}-b", "name": "Second", "party": "brightwave"},
        {"id": "legend", "name": "Third", "party": "brightwave"},
    ]
    playbook = check(write_playbook(tmp_path / "long", data)).playbook
    assert playbook is not None
    names = open_workbook(playbook).sheetnames
    assert names == ["Matrix", long_id[:31], long_id[:29] + "-2", "legend-2", "Legend"]


def test_xlsx_legend_sheet_lists_the_letters_of_the_model(playbook: Playbook) -> None:
    rows = list(open_workbook(playbook)["Legend"].iter_rows(values_only=True))
    assert [row[:2] for row in rows] == [
        ("Letter", "Name"),
        ("R", "Responsible"),
        ("A", "Accountable"),
        ("C", "Consulted"),
        ("I", "Informed"),
    ]


def test_xlsx_is_byte_for_byte_deterministic(playbook: Playbook) -> None:
    assert matrix_xlsx(playbook) == matrix_xlsx(playbook)


def test_json_is_valid_against_the_documented_schema(playbook: Playbook) -> None:
    schema = export_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(json.loads(playbook_json(playbook)))


def test_json_has_format_version_and_durations_as_objects(playbook: Playbook) -> None:
    data = json.loads(playbook_json(playbook))
    assert data["format"] == "playbook-json/1"
    assert set(data["generator"]) == {"name", "version"}
    assert data["handoffs"][0]["sla"] == {"accept": {"value": 4, "unit": "hour", "business": True}}
    assert data["stages"][0]["max_duration"] == {"value": 30, "unit": "day", "business": False}
    assert data["organisation"]["effective"] == "2026-01-15"
    assert data["activities"][1]["raci"] == {
        "R": ["sales-lead"],
        "A": ["sales-lead"],
        "I": ["marketing-lead"],
    }


def test_json_schema_rejects_a_duration_left_as_text(playbook: Playbook) -> None:
    data = json.loads(playbook_json(playbook))
    data["handoffs"][0]["sla"]["accept"] = "4 business hours"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, export_json_schema(), cls=jsonschema.Draft202012Validator)


def conditional(tmp_path: Path) -> Playbook:
    """:data:`BASE` with a conditional Accountable beside the plain one on the brochure."""
    data = copy.deepcopy(BASE)
    brochure = data["activities"][0]["raci"]
    brochure["A"] = ["marketing-lead", {"role": "sales-lead", "when": "the brochure quotes prices"}]
    del brochure["C"]
    result = check(write_playbook(tmp_path / "conditional", data))
    assert result.ok(strict=True), result.diagnostics
    assert result.playbook is not None
    return result.playbook


def test_csv_keeps_letters_in_the_role_columns_and_conditions_in_the_notes(
    tmp_path: Path,
) -> None:
    brochure = next(csv.DictReader(io.StringIO(matrix_csv(conditional(tmp_path)))))
    assert (brochure["marketing-lead"], brochure["sales-lead"]) == ("A,R", "A")
    assert brochure["notes"] == (
        "sales-lead: A when the brochure quotes prices; sales-lead: checks objections; "
        "agency-designer: first draft, layout\nand print files"
    )


def test_xlsx_gives_conditions_in_the_notes_and_on_the_engagement_sheet(tmp_path: Path) -> None:
    book = open_workbook(conditional(tmp_path))
    brochure = next(book["Matrix"].iter_rows(min_row=3, max_row=3, values_only=True))
    assert brochure[4:] == (
        "A,R",
        "A",
        "R",
        "Sales Lead: A when the brochure quotes prices\nSales Lead: checks objections\n"
        "Agency Designer: first draft, layout\nand print files",
    )
    rows = [
        tuple(v for v in row if v) for row in book["brightwave-2026"].iter_rows(values_only=True)
    ]
    assert (
        "brochure",
        "Product brochure",
        "A: Marketing Lead (marketing-lead), Sales Lead (sales-lead) when the brochure quotes "
        "prices; R: Marketing Lead (marketing-lead)",
        "R: Agency Designer (agency-designer)",
    ) in rows


ROUTED: dict[str, Any] = {
    "id": "inbound-routing",
    "name": "Inbound routing",
    "from": "marketing-lead",
    "to": [{"role": "sales-lead", "when": "the lead asks for a quote"}, {"role": "sdr"}],
    "stage": "warm-lead",
    "sla": {
        "accept": "4 business hours",
        "first_touch": {
            "within": "15 business minutes",
            "target": "5 business minutes",
            "from": "the lead becomes warm",
            "label": "First touch",
        },
    },
    "on_reject": [
        {"to": "warm-lead", "when": "the lead needs more touches", "owner": "marketing-lead"},
        {"to": "lost", "when": "no fit", "reasons": ["Not a fit"]},
    ],
}


def test_json_keeps_the_yaml_shape_of_holders_routes_clocks_and_outcomes(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["roles"].append({"id": "sdr", "name": "SDR", "team": "sales"})
    data["stages"].append({"id": "lost", "name": "Lost", "terminal": True})
    data["handoffs"] = [ROUTED]
    brochure = data["activities"][0]["raci"]
    brochure["A"] = [{"role": "marketing-lead"}, {"role": "sales-lead", "when": "it quotes prices"}]
    del brochure["C"]
    result = check(write_playbook(tmp_path / "shapes", data))
    assert result.ok(strict=True), result.diagnostics
    assert result.playbook is not None

    exported = json.loads(playbook_json(result.playbook))

    assert exported["activities"][0]["raci"]["A"] == [
        "marketing-lead",
        {"role": "sales-lead", "when": "it quotes prices"},
    ]
    handoff = exported["handoffs"][0]
    assert (handoff["name"], handoff["to"]) == ("Inbound routing", ROUTED["to"])
    assert handoff["sla"]["first_touch"] == {
        "within": {"value": 15, "unit": "minute", "business": True},
        "target": {"value": 5, "unit": "minute", "business": True},
        "from": "the lead becomes warm",
        "label": "First touch",
    }
    assert handoff["on_reject"] == [  # defaults filled in, as everywhere in the export
        {
            "to": "warm-lead",
            "when": "the lead needs more touches",
            "owner": "marketing-lead",
            "reasons": [],
        },
        {"to": "lost", "when": "no fit", "reasons": ["Not a fit"]},
    ]
    schema = export_json_schema()
    jsonschema.Draft202012Validator(schema).validate(exported)
    exported["activities"][0]["raci"]["A"][1]["unless"] = "never"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(exported, schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("example", ["example", "small-business", "agency", "b2b"])
def test_json_of_every_example_is_valid_against_the_documented_schema(example: str) -> None:
    from conftest import EXAMPLE

    folder = EXAMPLE if example == "example" else ROOT / "generator/examples" / example / "playbook"
    playbook = check(folder).playbook
    assert playbook is not None
    jsonschema.Draft202012Validator(export_json_schema()).validate(
        json.loads(playbook_json(playbook))
    )


def export(*args: str) -> Any:
    return CliRunner().invoke(cli, ["export", *args])


def test_export_csv_to_standard_output(folder: Path, playbook: Playbook) -> None:
    result = export(str(folder), "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout_bytes == matrix_csv(playbook).encode()


def test_export_writes_the_file_named_by_o(
    folder: Path, playbook: Playbook, tmp_path: Path
) -> None:
    target = tmp_path / "raci.xlsx"
    target.write_bytes(b"old")
    result = export(str(folder), "--format", "xlsx", "-o", str(target))
    assert (result.exit_code, result.stdout) == (0, "")
    assert target.read_bytes() == matrix_xlsx(playbook)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["playbook", "raci.xlsx"]


def test_export_json_to_a_file(folder: Path, playbook: Playbook, tmp_path: Path) -> None:
    target = tmp_path / "playbook.json"
    assert export(str(folder), "--format", "json", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8") == playbook_json(playbook)


def test_export_of_an_invalid_playbook_exits_1_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = copy.deepcopy(BASE)
    data["activities"][1]["raci"]["A"] = ["nobody"]
    write_playbook(tmp_path / "broken", data)
    result = export("broken", "--format", "csv", "-o", "raci.csv")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "broken/activities.yaml:24:7: error: activities[1].raci.A[0]: unknown role 'nobody'; "
        "the roles are marketing-lead, sales-lead, agency-designer",
        "1 problem (1 error, 0 warnings)",
    ]
    assert not (tmp_path / "raci.csv").exists()


def test_export_into_a_missing_folder_is_a_usage_error(folder: Path, tmp_path: Path) -> None:
    result = export(str(folder), "--format", "csv", "-o", str(tmp_path / "no" / "raci.csv"))
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


def test_export_needs_a_format(folder: Path) -> None:
    assert export(str(folder)).exit_code == 2


def test_xlsx_to_a_terminal_is_refused(folder: Path) -> None:
    pty = pytest.importorskip("pty")
    parent, child = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "generator", "export", str(folder), "--format", "xlsx"],
            stdout=child,
            stderr=subprocess.PIPE,
            check=False,
        )
    finally:
        os.close(child)
        os.close(parent)
    assert done.returncode == 2
    assert b"-o FILE" in done.stderr


def test_produced_files_are_the_registry_then_each_engagement_page() -> None:
    from conftest import EXAMPLE

    from generator.site import render

    playbook = check(EXAMPLE).playbook
    assert playbook is not None
    assert [o.path for o in outputs.OUTPUTS] == [
        "downloads/raci.csv",
        "downloads/raci.xlsx",
        "downloads/playbook.json",
        "downloads/playbook.schema.json",
        "downloads/yaml.schema.json",
    ]
    assert list(outputs.produced_files(playbook)) == [o.path for o in outputs.OUTPUTS]
    site = render(playbook)
    pages = sorted(outputs.engagement_page_path(e.id) for e in playbook.engagements)
    assert pages
    assert outputs.produced_paths(site) == [*(o.path for o in outputs.OUTPUTS), *pages]
    files = outputs.produced_files(playbook, site)
    assert list(files) == outputs.produced_paths(site)
    for page in pages:
        assert str(files[page]).startswith("<!DOCTYPE html>")


def test_export_offers_every_format_of_the_registry_and_writes_what_it_makes(
    folder: Path, playbook: Playbook, tmp_path: Path
) -> None:
    assert outputs.EXPORT_FORMATS == ("csv", "xlsx", "json")
    for fmt in outputs.EXPORT_FORMATS:
        target = tmp_path / f"out.{fmt}"
        assert export(str(folder), "--format", fmt, "-o", str(target)).exit_code == 0
        made = outputs.for_format(fmt).make(playbook)
        assert target.read_bytes() == (made.encode() if isinstance(made, str) else made)
    refused = export(str(folder), "--format", "pdf")
    assert refused.exit_code == 2


def test_render_out_writes_every_produced_file_the_pages_link_to(tmp_path: Path) -> None:
    from conftest import EXAMPLE

    from generator.site import render

    out = tmp_path / "docs"
    result = CliRunner().invoke(cli, ["render", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    playbook = check(EXAMPLE).playbook
    assert playbook is not None
    for path in outputs.produced_paths(render(playbook)):
        assert (out / path).is_file(), path
    engagement = playbook.engagements[0].id
    page = (out / "engagements" / f"{engagement}.md").read_text(encoding="utf-8")
    # the page links to it in HTML, by its URL from the page's (engagements/<id>/)
    assert f'href="../../downloads/engagement-{engagement}.html"' in page


def test_export_help_names_every_format_of_the_registry() -> None:
    shown = " ".join(CliRunner().invoke(cli, ["export", "--help"]).output.split())
    for output in outputs.OUTPUTS:
        if output.export_format:
            assert f"{output.export_format}: {output.summary}" in shown
