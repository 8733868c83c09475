"""Only what is safe to read is read, and every value the check accepts renders and exports.

Anything named like a playbook file that is not a regular file inside the playbook folder (a
FIFO, a socket, a device, a folder, a link out of the folder) is one error at ``FILE:1:1``;
hidden entries are skipped; numbers and durations are bounded at ``check``, so that nothing
accepted there fails later in the pages or the exports.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result
from conftest import write_tree
from pydantic import ValidationError
from test_bad_input import MINIMAL

from generator import outputs
from generator.cli import cli
from generator.errors import Diagnostic, Location
from generator.model import MAX_DURATION, MAX_NUMBER, SECTION_MODELS, json_schema
from generator.site import render
from generator.validate import check

ONLY_REGULAR = "only regular files are read"


@pytest.fixture(autouse=True)
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def at_file(file: str, message: str) -> str:
    """The line of a problem with the whole file (no data path), as ``check`` prints it."""
    line = Diagnostic("error", Location(file), "", message).format_text()
    assert line.startswith(f"{file}:1:1: error: ")
    return line


def problems(result: Result) -> list[str]:
    """The problem lines, after checking the run failed cleanly with a count line last."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.rstrip("\n").splitlines()
    assert lines[-1].endswith(")") and " problem" in lines[-1], result.output
    return lines[:-1]


def with_minimal(here: Path) -> Path:
    write_tree(here, {"playbook/a.yaml": MINIMAL})
    return here / "playbook"


# What is read.


def test_a_fifo_named_yaml_is_an_error_and_check_does_not_hang(here: Path) -> None:
    os.mkfifo(with_minimal(here) / "p.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "generator", "check", "playbook"],
        capture_output=True,
        text=True,
        cwd=here,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    expected = at_file("playbook/p.yaml", f"a named pipe (FIFO), not a file; {ONLY_REGULAR}")
    assert done.stdout.splitlines()[:-1] == [expected]


def test_a_socket_named_yaml_is_an_error(here: Path) -> None:
    folder = with_minimal(here)
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind("playbook/s.yml")  # relative: a tmp_path may be too long for a socket
        lines = problems(run("check", str(folder.relative_to(here))))
    finally:
        server.close()
    assert lines == [at_file("playbook/s.yml", f"a socket, not a file; {ONLY_REGULAR}")]


def test_a_device_named_yaml_is_an_error(here: Path) -> None:
    folder = with_minimal(here)
    try:
        os.mknod(folder / "d.yaml", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero
    except PermissionError:
        pytest.skip("making a device node needs root")
    lines = problems(run("check", "playbook"))
    assert lines == [at_file("playbook/d.yaml", f"a device, not a file; {ONLY_REGULAR}")]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_link_to_a_device_is_an_error_naming_it(here: Path, device: str) -> None:
    (with_minimal(here) / "z.yaml").symlink_to(device)
    lines = problems(run("check", "playbook"))
    assert lines == [
        at_file(
            "playbook/z.yaml",
            f"a link to '{device}', outside the playbook folder; only files inside it are read",
        )
    ]


def test_a_link_to_a_fifo_inside_the_folder_is_an_error_naming_both(here: Path) -> None:
    folder = with_minimal(here)
    os.mkfifo(folder / "pipe")
    (folder / "p.yaml").symlink_to("pipe")
    lines = problems(run("check", "playbook"))
    assert lines == [
        at_file(
            "playbook/p.yaml",
            f"a link to 'pipe', which is a named pipe (FIFO), not a file; {ONLY_REGULAR}",
        )
    ]


def test_a_link_out_of_the_playbook_folder_is_an_error(here: Path) -> None:
    folder = with_minimal(here)
    write_tree(here, {"elsewhere/b.yaml": "glossary: []\n"})
    (folder / "b.yaml").symlink_to("../elsewhere/b.yaml")
    lines = problems(run("check", "playbook"))
    assert lines == [
        at_file(
            "playbook/b.yaml",
            "a link to '../elsewhere/b.yaml', outside the playbook folder; "
            "only files inside it are read",
        )
    ]


def test_a_link_that_leaves_and_comes_back_is_judged_by_where_it_ends(here: Path) -> None:
    folder = with_minimal(here)
    write_tree(here, {"playbook/more/glossary.yaml": "glossary: [{term: T, definition: D}]\n"})
    (here / "hop").symlink_to("playbook/more/glossary.yaml")
    (folder / "g.yaml").symlink_to("../hop")
    result = run("check", "playbook")
    assert result.exit_code == 0, result.output


def test_a_link_inside_the_playbook_folder_is_read(here: Path) -> None:
    folder = with_minimal(here)
    write_tree(here, {"playbook/shared/glossary.yml": "glossary: [{term: T, definition: D}]\n"})
    (folder / "glossary.yaml").symlink_to("shared/glossary.yml")
    result = check(folder)
    assert not result.errors, result.diagnostics
    assert result.playbook is not None and len(result.playbook.glossary) == 1


def test_a_playbook_folder_that_is_itself_a_link_is_read(here: Path) -> None:
    with_minimal(here)
    (here / "alias").symlink_to("playbook", target_is_directory=True)
    (here / "playbook" / "b.yaml").symlink_to("a.yaml")  # relative to the real folder
    result = run("check", "alias")
    assert result.exit_code == 1  # the same sections twice, so both files were read
    assert "alias/b.yaml:1:1: error: organisation: section 'organisation' appears twice" in (
        result.output
    )


def test_a_broken_link_is_an_error_saying_so(here: Path) -> None:
    (with_minimal(here) / "x.yaml").symlink_to("missing.yaml")
    lines = problems(run("check", "playbook"))
    assert lines == [at_file("playbook/x.yaml", "a broken link: 'missing.yaml' does not exist")]


def test_a_folder_named_yaml_is_an_error(here: Path) -> None:
    (with_minimal(here) / "x.yaml").mkdir()
    lines = problems(run("check", "playbook"))
    assert lines == [at_file("playbook/x.yaml", f"a folder, not a file; {ONLY_REGULAR}")]


def test_editor_and_system_artefacts_are_skipped(here: Path) -> None:
    folder = with_minimal(here)
    (folder / ".#a.yaml").symlink_to("root@host.1234:1700000000")  # an Emacs lock: dangling
    (folder / "._a.yaml").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")  # AppleDouble
    (folder / ".draft.yml").write_text("organisation: [broken\n", encoding="utf-8")
    os.mkfifo(folder / ".pipe.yaml")
    result = run("check", "playbook")
    assert result.exit_code == 0, result.output


def test_only_hidden_files_is_a_folder_without_playbook_files(here: Path) -> None:
    write_tree(here, {"playbook/.a.yaml": MINIMAL})
    lines = problems(run("check", "playbook"))
    assert len(lines) == 1 and lines[0].startswith("playbook:1:1: error: ")
    assert "no playbook files (*.yaml, *.yml) in 'playbook'" in lines[0]


@pytest.mark.parametrize("name", ["B.YAML", "x.Yml", "c.yML"])
def test_upper_case_extensions_are_read(here: Path, name: str) -> None:
    write_tree(here, {"playbook/a.yaml": MINIMAL, f"playbook/{name}": "glossary: [{term: T}]\n"})
    lines = problems(run("check", "playbook"))
    assert lines == [
        f"playbook/{name}:1:12: error: glossary[0]: missing required field 'definition'"
    ]


def test_a_file_swapped_for_a_fifo_after_the_first_look_is_refused_without_hanging(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kind is checked again on the opened descriptor; the open itself cannot block."""
    folder = with_minimal(here)
    fifo = folder / "p.yaml"
    os.mkfifo(fifo)
    regular = os.stat(folder / "a.yaml")

    def looks_regular(real: Any) -> Any:
        def look(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
            if isinstance(path, (str, Path)) and os.path.abspath(path) == str(fifo):
                return regular
            return real(path, *args, **kwargs)  # type: ignore[no-any-return]

        return look

    monkeypatch.setattr(os, "stat", looks_regular(os.stat))
    monkeypatch.setattr(os, "lstat", looks_regular(os.lstat))
    outcome: list[Result] = []
    worker = threading.Thread(target=lambda: outcome.append(run("check", "playbook")), daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "check hung on a FIFO"
    assert problems(outcome[0]) == [
        at_file("playbook/p.yaml", f"a named pipe (FIFO), not a file; {ONLY_REGULAR}")
    ]


def test_a_file_of_exactly_the_size_limit_is_read(here: Path) -> None:
    with_minimal(here)
    limit = str(len(MINIMAL.encode()))
    result = run("check", "playbook", env={"PLAYBOOK_MAX_FILE_BYTES": limit})
    assert result.exit_code == 0, result.output


def test_a_file_one_byte_over_the_size_limit_is_an_error_naming_the_limit(here: Path) -> None:
    with_minimal(here)
    limit = len(MINIMAL.encode()) - 1
    lines = problems(run("check", "playbook", env={"PLAYBOOK_MAX_FILE_BYTES": str(limit)}))
    assert lines == [
        at_file(
            "playbook/a.yaml",
            f"file is larger than the {limit:,} bytes allowed (limit PLAYBOOK_MAX_FILE_BYTES)",
        )
    ]


def _claiming(monkeypatch: pytest.MonkeyPatch, file: Path, size: int) -> None:
    """Make the file system report ``size`` bytes for ``file`` (as /proc files report 0)."""
    inode = os.stat(file).st_ino
    real_fstat = os.fstat

    def claims(fd: int) -> os.stat_result:
        found = real_fstat(fd)
        if found.st_ino != inode:
            return found
        fields = list(found)
        fields[stat.ST_SIZE] = size
        return os.stat_result(fields)

    monkeypatch.setattr(os, "fstat", claims)


def test_the_size_limit_counts_the_bytes_read_not_the_size_reported(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = with_minimal(here)
    _claiming(monkeypatch, folder / "a.yaml", 0)
    limit = len(MINIMAL.encode()) - 1
    lines = problems(run("check", "playbook", env={"PLAYBOOK_MAX_FILE_BYTES": str(limit)}))
    assert lines == [
        at_file(
            "playbook/a.yaml",
            f"file is larger than the {limit:,} bytes allowed (limit PLAYBOOK_MAX_FILE_BYTES)",
        )
    ]


def test_a_file_that_claims_to_be_huge_but_is_small_is_read(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = with_minimal(here)
    _claiming(monkeypatch, folder / "a.yaml", 10**12)
    result = run("check", "playbook")
    assert result.exit_code == 0, result.output


# Every value the check accepts renders and exports.

LARGEST = f"""\
organisation:
  name: Acme
  model: WIDE
  business_hours: {{timezone: UTC, end: "17:00"}}
models:
  WIDE:
    letters:
      R: {{name: Responsible, min: 1, max: {MAX_NUMBER}}}
      A: {{name: Accountable, min: 1, max: 1, accountable: true}}
teams:
  - id: sales
    name: Sales
    goals:
      - {{id: most, statement: Grow, target: {MAX_NUMBER}}}
      - {{id: least, statement: Shrink, target: -{MAX_NUMBER}}}
      - {{id: float, statement: Float, target: 1.0e+15}}
  - id: agency
    name: Agency
    kind: external
roles:
  - {{id: rep, name: Sales rep, team: sales}}
  - {{id: boss, name: Sales boss, team: sales}}
  - {{id: maker, name: Maker, team: agency}}
stages:
  - id: lead
    name: Lead
    owner: rep
    touchpoints: {MAX_NUMBER}
    probability: 100
    max_duration: {MAX_DURATION} months
  - id: won
    name: Won
    owner: boss
    touchpoints: "0-{MAX_NUMBER}"
    probability: 0
    max_duration: {MAX_DURATION} business days
    terminal: true
handoffs:
  - id: lead-to-boss
    from: rep
    to: boss
    stage: lead
    sla:
      accept: {MAX_DURATION} business hours
      answer: {MAX_DURATION} minutes
      plan: 999999.5 days
      tiny: 0.001 hours
activities:
  - id: sell
    name: Sell
    stage: lead
    raci: {{R: [rep, maker], A: boss}}
engagements:
  - id: deal
    name: Deal
    party: agency
    in_scope: [sell]
    deliverables:
      - {{name: Most, quantity: {MAX_NUMBER}}}
      - {{name: Float, quantity: 1.0e+15}}
      - {{name: Tiny, quantity: 0.000001}}
    approvals: {{approver: boss, review_window: {MAX_DURATION} weeks}}
"""


def test_the_limits_are_those_documented() -> None:
    assert MAX_NUMBER == 1_000_000_000_000_000
    assert MAX_DURATION == 1_000_000


def test_the_largest_values_check_render_and_export(here: Path) -> None:
    write_tree(here, {"playbook/all.yaml": LARGEST})
    result = check("playbook")
    assert result.ok(strict=True), [d.format_text() for d in result.diagnostics]
    playbook = result.playbook
    assert playbook is not None
    site = render(playbook)
    stage_pages = "\n".join(page.html() for path, page in site.pages.items() if "lifecycle" in path)
    assert "1000000 months" in stage_pages
    assert "1000000 business days" in stage_pages
    engagement = next(
        page.html()
        for path, page in site.pages.items()
        if path.startswith("engagements/") and not path.endswith("index.md")
    )
    assert f"<td>{MAX_NUMBER}</td>" in engagement and "e+" not in engagement  # every digit shown
    assert outputs.matrix_csv(playbook)
    assert outputs.matrix_xlsx(playbook)[:2] == b"PK"
    data = json.loads(outputs.playbook_json(playbook))
    assert data["engagements"][0]["deliverables"][0]["quantity"] == MAX_NUMBER
    assert data["stages"][0]["max_duration"] == {
        "value": MAX_DURATION,
        "unit": "month",
        "business": False,
    }
    assert data["handoffs"][0]["sla"]["plan"]["value"] == 999999.5
    assert outputs.produced_files(playbook)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_the_largest_values_export_from_the_command_line(here: Path, fmt: str) -> None:
    write_tree(here, {"playbook/all.yaml": LARGEST})
    result = run("export", "playbook", "--format", fmt, "-o", f"out.{fmt}")
    assert result.exit_code == 0, result.output
    assert (here / f"out.{fmt}").stat().st_size > 0


def test_the_largest_values_render_from_the_command_line(here: Path) -> None:
    write_tree(here, {"playbook/all.yaml": LARGEST})
    result = run("render", "playbook", "--out", "pages")
    assert result.exit_code == 0, result.output
    assert (here / "pages" / "lifecycle").is_dir()


def _case(old: str, new: str, path: str, message: str) -> Any:
    return pytest.param(old, new, path, message, id=path + ":" + new[:40])


TOO_LARGE = [
    _case(
        f"quantity: {MAX_NUMBER}}}",
        f"quantity: {MAX_NUMBER + 1}}}",
        "engagements[0].deliverables[0].quantity",
        f"expected a quantity of at most 1,000,000,000,000,000, found a number ({MAX_NUMBER + 1})",
    ),
    _case(
        f"quantity: {MAX_NUMBER}}}",
        "quantity: " + "9" * 310 + "}",
        "engagements[0].deliverables[0].quantity",
        "expected a quantity of at most 1,000,000,000,000,000, found a number of 310 digits",
    ),
    _case(
        f"quantity: {MAX_NUMBER}}}",
        "quantity: 0x" + "f" * 5000 + "}",
        "engagements[0].deliverables[0].quantity",
        "expected a quantity of at most 1,000,000,000,000,000, "
        "found a number of about 6,021 digits",
    ),
    _case(
        f"quantity: {MAX_NUMBER}}}",
        "quantity: " + "9" * 5000 + "}",
        "engagements[0].deliverables[0].quantity",
        "'" + "9" * 37 + "…' is a number too long to read (5,000 characters); "
        "quote it if it is text",
    ),
    _case(
        "quantity: 1.0e+15}",
        "quantity: .nan}",
        "engagements[0].deliverables[1].quantity",
        "expected a finite number, found nan",
    ),
    _case(
        "quantity: 1.0e+15}",
        "quantity: 1.0e+400}",
        "engagements[0].deliverables[1].quantity",
        "expected a finite number, found inf",
    ),
    _case(
        f"target: {MAX_NUMBER}}}",
        f"target: {MAX_NUMBER + 1}}}",
        "teams[0].goals[0].target",
        "expected a number from -1,000,000,000,000,000 to 1,000,000,000,000,000, "
        f"found a number ({MAX_NUMBER + 1})",
    ),
    _case(
        f"target: -{MAX_NUMBER}}}",
        f"target: -{MAX_NUMBER + 1}}}",
        "teams[0].goals[1].target",
        "expected a number from -1,000,000,000,000,000 to 1,000,000,000,000,000, "
        f"found a number (-{MAX_NUMBER + 1})",
    ),
    _case(
        "target: 1.0e+15}",
        "target: -.inf}",
        "teams[0].goals[2].target",
        "expected a finite number, found -inf",
    ),
    _case(
        f"touchpoints: {MAX_NUMBER}",
        f"touchpoints: {MAX_NUMBER + 1}",
        "stages[0].touchpoints",
        f"expected touchpoints of at most 1,000,000,000,000,000, found a number ({MAX_NUMBER + 1})",
    ),
    _case(
        f'touchpoints: "0-{MAX_NUMBER}"',
        f'touchpoints: "0-{MAX_NUMBER + 1}"',
        "stages[1].touchpoints",
        f"expected touchpoints of at most 1,000,000,000,000,000, found text '0-{MAX_NUMBER + 1}'",
    ),
    _case(
        f'touchpoints: "0-{MAX_NUMBER}"',
        'touchpoints: "' + "9" * 5000 + '"',
        "stages[1].touchpoints",
        "expected touchpoints of at most 1,000,000,000,000,000, found text '" + "9" * 37 + "…'",
    ),
    _case(
        f"max_duration: {MAX_DURATION} months",
        f"max_duration: {MAX_DURATION + 1} months",
        "stages[0].max_duration",
        "bad duration '1000001 months': the number must be at most 1,000,000",
    ),
    _case(
        f"max_duration: {MAX_DURATION} months",
        "max_duration: " + "9" * 400 + " hours",
        "stages[0].max_duration",
        "bad duration '" + "9" * 37 + "…': the number must be at most 1,000,000",
    ),
    _case(
        f"answer: {MAX_DURATION} minutes",
        f"answer: {MAX_DURATION}.5 minutes",
        "handoffs[0].sla.answer",
        "bad duration '1000000.5 minutes': the number must be at most 1,000,000",
    ),
    _case(
        f"review_window: {MAX_DURATION} weeks}}",
        f"review_window: {MAX_DURATION + 1} weeks}}",
        "engagements[0].approvals.review_window",
        "bad duration '1000001 weeks': the number must be at most 1,000,000",
    ),
    _case(
        f"max: {MAX_NUMBER}}}",
        f"max: {MAX_NUMBER + 1}}}",
        "models.WIDE.letters.R.max",
        "expected a whole number of at most 1,000,000,000,000,000, "
        f"found a number ({MAX_NUMBER + 1})",
    ),
    _case(
        'end: "17:00"',
        "end: 0x" + "f" * 5000,
        "organisation.business_hours.end",
        'expected a time "HH:MM", found a number of about 6,021 digits',
    ),
]


@pytest.mark.parametrize(("old", "new", "path", "message"), TOO_LARGE)
def test_one_past_a_limit_is_one_error_with_the_limit_and_exit_1(
    here: Path, old: str, new: str, path: str, message: str
) -> None:
    assert LARGEST.count(old) == 1, old
    text = LARGEST.replace(old, new)
    before = text[: text.index(new)]
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + len(new.split(": ", 1)[0]) + 3
    write_tree(here, {"playbook/all.yaml": text})
    assert problems(run("check", "playbook")) == [
        f"playbook/all.yaml:{line}:{column}: error: {path}: {message}"
    ]


STAGE = {"id": "s", "name": "S"}
DELIVERABLE_ENGAGEMENT = {"id": "e", "name": "E", "party": "p"}

AT_THE_EDGE = [
    ("stages", {**STAGE, "touchpoints": MAX_NUMBER}),
    ("stages", {**STAGE, "touchpoints": MAX_NUMBER + 1}),
    ("stages", {**STAGE, "touchpoints": f"1-{MAX_NUMBER}"}),
    ("stages", {**STAGE, "touchpoints": f"1-{MAX_NUMBER + 1}"}),
    ("stages", {**STAGE, "touchpoints": f"{MAX_NUMBER}0"}),
    ("stages", {**STAGE, "max_duration": f"{MAX_DURATION} days"}),
    ("stages", {**STAGE, "max_duration": f"{MAX_DURATION}.0 days"}),
    ("stages", {**STAGE, "max_duration": f"{MAX_DURATION}.5 days"}),
    ("stages", {**STAGE, "max_duration": f"{MAX_DURATION + 1} days"}),
    ("stages", {**STAGE, "max_duration": "0999999.9 days"}),
    ("stages", {**STAGE, "max_duration": "0.25 days"}),
    (
        "engagements",
        {**DELIVERABLE_ENGAGEMENT, "deliverables": [{"name": "D", "quantity": MAX_NUMBER}]},
    ),
    (
        "engagements",
        {**DELIVERABLE_ENGAGEMENT, "deliverables": [{"name": "D", "quantity": MAX_NUMBER + 1}]},
    ),
    (
        "teams",
        {"id": "t", "name": "T", "goals": [{"id": "g", "statement": "S", "target": -MAX_NUMBER}]},
    ),
    (
        "teams",
        {
            "id": "t",
            "name": "T",
            "goals": [{"id": "g", "statement": "S", "target": -MAX_NUMBER - 1}],
        },
    ),
]


@pytest.mark.parametrize(("section", "entry"), AT_THE_EDGE)
def test_the_editor_schema_and_the_check_agree_at_the_limits(
    section: str, entry: dict[str, Any]
) -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    try:
        SECTION_MODELS[section].model_validate(entry)
        checked = True
    except ValidationError:
        checked = False
    assert validator.is_valid({section: [entry]}) == checked
