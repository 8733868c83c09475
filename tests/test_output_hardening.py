"""Output that cannot carry commands, and every failure to write it is a message.

User text reaches CSV cells, terminals, pull requests and CI logs. None of it may start a
formula, a line of its own, a GitHub mention or workflow command, or a terminal escape. And
whatever happens to standard output — closed, full, over the file-size limit, not UTF-8, a
pipe closed early — the command ends with one line on standard error (or quietly, for the
pipe), never a traceback.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT
from test_export import BASE, write_playbook

from generator.cli import cli
from generator.diff import diff_playbooks, format_changes
from generator.errors import Diagnostic, Location, format_diagnostics
from generator.model import Playbook
from generator.outputs import csv_cell, matrix_csv, matrix_xlsx, produced_files
from generator.outputs.workbook import CELL_LIMIT
from generator.text import printable
from generator.validate import check

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX file descriptors and limits")
INJECTED = "Sales rep\n::add-mask::x"
ESCAPES = "\x1b[2J\x1b]0;owned\x07\x00\x9b31m"
NO_BYTECODE = {"PYTHONDONTWRITEBYTECODE": "1"}
"""Under a file-size limit, Python must not write ``.pyc`` files before ``playbook`` starts."""
RAW_CONTROLS = {chr(c) for c in (*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}
"""C0 and C1 controls and DEL; tab and line feed are allowed where a test says so."""


def playbook_of(tmp_path: Path, edit: Any, name: str = "playbook") -> Path:
    data = copy.deepcopy(BASE)
    edit(data)
    return write_playbook(tmp_path / name, data)


def loaded(folder: Path) -> Playbook:
    result = check(folder)
    assert result.playbook is not None, [d.format_text() for d in result.diagnostics]
    return result.playbook


def playbook_cli(*args: str, **options: Any) -> subprocess.CompletedProcess[bytes]:
    """``python -m generator ARGS`` as a user runs it, standard streams as given."""
    options.setdefault("stdout", subprocess.PIPE)
    options.setdefault("stderr", subprocess.PIPE)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **options.pop("env", {})}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], env=env, check=False, timeout=300, **options
    )


def assert_no_raw_controls(output: bytes | str, keep: str = "\n") -> None:
    text = output.decode("utf-8") if isinstance(output, bytes) else output
    found = sorted({ch for ch in text if ch in RAW_CONTROLS and ch not in keep})
    assert not found, f"raw control characters {found!r} in {text!r}"


def one_error_line(stderr: bytes) -> str:
    """The single ``error:`` line standard error must hold (and no traceback)."""
    text = stderr.decode("utf-8", "replace")
    assert "Traceback" not in text, text
    assert "Exception ignored" not in text, text
    lines = text.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), text
    return lines[0]


# CSV: nothing a spreadsheet would run


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_csv_cell_that_could_be_a_formula_gets_a_leading_quote(value: str) -> None:
    assert csv_cell(value) == printable("'" + value)


@pytest.mark.parametrize("value", ["Lead follow-up", "A,R", "", "'quoted", " =spaced", "1-2"])
def test_other_csv_cells_are_left_as_they_are(value: str) -> None:
    assert csv_cell(value) == value


def test_the_exported_and_downloaded_csv_neutralise_every_formula_start(tmp_path: Path) -> None:
    names = ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(1)", "\tlead", "\rlead"]

    def edit(data: dict[str, Any]) -> None:
        data["activities"] = [
            {"id": f"a{i}", "name": name, "raci": {"R": "agency-designer", "A": "sales-lead"}}
            for i, name in enumerate(names)
        ]
        data["engagements"][0].update({"in_scope": [], "out_of_scope": []})

    playbook = loaded(playbook_of(tmp_path, edit))
    expected = ["'=cmd|' /C calc'!A0", "'+1", "'-2+3", "'@SUM(1)", "'\tlead", "'\\rlead"]
    for document in (matrix_csv(playbook), produced_files(playbook)["downloads/raci.csv"]):
        assert isinstance(document, str)
        rows = list(csv.DictReader(io.StringIO(document)))
        assert [row["name"] for row in rows] == expected


def test_csv_shows_control_characters_escaped_and_keeps_line_breaks(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["activities"][0]["name"] = f"Brochure{ESCAPES}"

    document = matrix_csv(loaded(playbook_of(tmp_path, edit)))
    assert_no_raw_controls(document, keep="\r\n")
    row = next(csv.DictReader(io.StringIO(document)))
    assert row["name"] == "Brochure\\x1b[2J\\x1b]0;owned\\x07\\x00\\x9b31m"
    assert "layout\nand print files" in row["notes"]


def test_csv_to_standard_output_uses_no_deprecated_click_call(tmp_path: Path) -> None:
    folder = playbook_of(tmp_path, lambda data: None)
    done = playbook_cli(
        "export",
        str(folder),
        "--format",
        "csv",
        env={"PYTHONWARNINGS": "error::DeprecationWarning"},
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout == matrix_csv(loaded(folder)).encode("utf-8")


# diff: a name never starts a line, and Markdown says only what changed


@pytest.fixture
def renamed(tmp_path: Path) -> Any:
    """Old and new playbooks where the sales lead is renamed to ``name``; returns the diff."""

    def diff(name: str) -> Any:
        old = playbook_of(tmp_path, lambda data: None, "old")

        def edit(data: dict[str, Any]) -> None:
            data["roles"][1]["name"] = name

        new = playbook_of(tmp_path, edit, "new")
        return diff_playbooks(loaded(old), loaded(new))

    return diff


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_a_line_break_in_a_name_never_starts_a_line_of_diff_output(renamed: Any, fmt: str) -> None:
    lines = format_changes(renamed(INJECTED), fmt).splitlines()
    assert not [line for line in lines if line.startswith("::")]
    assert all("Sales rep" in line for line in lines if "add-mask" in line)


def test_diff_text_shows_the_changed_name_on_one_line(renamed: Any) -> None:
    assert format_changes(renamed(INJECTED), "text").splitlines()[0] == (
        "Role Sales rep\\n::add-mask::x (sales-lead) name: Sales Lead → Sales rep\\n::add-mask::x"
    )


def test_diff_markdown_makes_no_heading_mention_reference_or_link(renamed: Any) -> None:
    name = "# Approved by @ceo, see #12 and GH-7 at https://evil.example or www.evil.example"
    lines = format_changes(renamed(name), "markdown").splitlines()
    assert lines[lines.index("## Roles") + 2] == (
        "- Role \\# Approved by @&#8203;ceo, see \\#&#8203;12 and GH-&#8203;7 at "
        "https:&#8203;//evil.example or www&#8203;.evil.example (sales-lead) name: Sales Lead → "
        "\\# Approved by @&#8203;ceo, see \\#&#8203;12 and GH-&#8203;7 at "
        "https:&#8203;//evil.example or www&#8203;.evil.example"
    )


@pytest.mark.parametrize(
    ("name", "item"),
    [
        ("- nested", "\\- nested"),
        ("1. numbered", "1\\. numbered"),
        ("> quoted", "\\> quoted"),
        ("$x^2$ maths", "\\$x^2\\$ maths"),
    ],
)
def test_a_name_at_the_start_of_a_markdown_item_stays_text(
    tmp_path: Path, name: str, item: str
) -> None:
    old = loaded(playbook_of(tmp_path, lambda data: None, "old"))

    def edit(data: dict[str, Any]) -> None:
        data["roles"][1]["name"] = name
        data["activities"][0]["raci"]["I"] = ["sales-lead"]

    new = loaded(playbook_of(tmp_path, edit, "new"))
    lines = format_changes(diff_playbooks(old, new), "markdown").splitlines()
    assert f"- {item} (sales-lead) gained I on 'Product brochure' (brochure)" in lines


def test_diff_output_of_every_format_has_no_raw_control_character(renamed: Any) -> None:
    changes = renamed(f"Sales {ESCAPES}")
    for fmt in ("text", "markdown", "json"):
        assert_no_raw_controls(format_changes(changes, fmt))


# diagnostics: an empty path, GitHub's workflow-command syntax, control characters


def test_a_diagnostic_without_a_data_path_has_no_empty_field() -> None:
    problem = Diagnostic("error", Location("playbook/b.yaml", 1, 1001), "", "YAML syntax: x")
    assert problem.format_text() == "playbook/b.yaml:1:1001: error: YAML syntax: x"
    assert problem.format_github() == "::error file=playbook/b.yaml,line=1,col=1001::YAML syntax: x"


def test_github_annotations_escape_messages_and_file_names() -> None:
    problem = Diagnostic(
        "error",
        Location("play,book/a:b%\n::warning::x.yaml", 2, 3),
        "roles[0].name",
        "100% wrong\r\nline two \x1b[31m",
    )
    assert problem.format_github() == (
        "::error file=play%2Cbook/a%3Ab%25%0A%3A%3Awarning%3A%3Ax.yaml,line=2,col=3"
        "::roles[0].name: 100%25 wrong%0D%0Aline two \\x1b[31m"
    )


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_check_output_has_no_raw_control_character(tmp_path: Path, fmt: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["activities"][0]["raci"]["C"] = [f"qa{ESCAPES}"]

    folder = playbook_of(tmp_path, edit)
    done = playbook_cli("check", str(folder), "--format", fmt)
    assert done.returncode == 1
    assert done.stdout
    assert_no_raw_controls(done.stdout)


def on_a_terminal(*args: str) -> tuple[int, bytes]:
    """Exit code and what ``python -m generator ARGS`` shows on a terminal (both streams)."""
    pty = pytest.importorskip("pty")
    parent, child = pty.openpty()
    try:
        done = playbook_cli(*args, stdout=child, stderr=child)
    finally:
        os.close(child)
    shown = b""
    try:
        while chunk := os.read(parent, 65536):
            shown += chunk
    except OSError:  # the terminal's other end is closed: all was read
        pass
    finally:
        os.close(parent)
    assert done.returncode is not None
    return done.returncode, shown


@POSIX
def test_messages_on_a_terminal_show_control_characters_escaped(tmp_path: Path) -> None:
    target = tmp_path / f"new{ESCAPES.replace(chr(0), '')}"
    code, shown = on_a_terminal(
        "init", str(target), "--example", "small-business", "--no-interactive"
    )
    assert code == 0, shown
    assert_no_raw_controls(shown, keep="\r\n")
    assert b"new\\x1b[2J\\x1b]0;owned\\x07\\x9b31m" in shown


def test_the_json_export_escapes_what_json_leaves_raw(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["activities"][0]["name"] = f"a\x7fb\x9bc\u2028d{ESCAPES}"

    folder = playbook_of(tmp_path, edit)
    done = playbook_cli("export", str(folder), "--format", "json")
    assert done.returncode == 0
    assert_no_raw_controls(done.stdout)
    assert "\u2028" not in done.stdout.decode("utf-8")
    exported = json.loads(done.stdout)
    assert exported["activities"][0]["name"] == f"a\x7fb\x9bc\u2028d{ESCAPES}"


# XLSX: a text longer than a cell holds is never cut silently


def test_a_text_longer_than_an_excel_cell_continues_on_a_marked_sheet(tmp_path: Path) -> None:
    # Each note is within check's limit on a text; together, with the emoji counted as
    # Excel counts them (two UTF-16 units), they fill more than two cells.
    notes = {
        role: "".join(f"{role[0]}{i:04d}😀😀😀😀 " for i in range(2000))
        for role in ("marketing-lead", "sales-lead", "agency-designer")
    }

    def edit(data: dict[str, Any]) -> None:
        data["activities"][0]["notes"] = notes

    book = openpyxl.load_workbook(io.BytesIO(matrix_xlsx(loaded(playbook_of(tmp_path, edit)))))
    assert book.sheetnames == ["Matrix", "brightwave-2026", "Legend", "Continued"]
    cell = book["Matrix"]["H3"].value
    head, _, mark = cell.rpartition("\n")
    assert mark == "[continued on sheet 'Continued', rows 2-3]"
    rows = list(book["Continued"].iter_rows(values_only=True))
    assert rows[0] == ("Sheet", "Cell", "Part", "Text")
    assert [row[:3] for row in rows[1:]] == [("Matrix", "H3", "2 of 3"), ("Matrix", "H3", "3 of 3")]
    assert head + "".join(row[3] for row in rows[1:]) == (
        f"Marketing Lead: {notes['marketing-lead']}\nSales Lead: {notes['sales-lead']}\n"
        f"Agency Designer: {notes['agency-designer']}"
    )
    for text in [cell, *(row[3] for row in rows[1:])]:
        assert len(text.encode("utf-16-le")) // 2 <= CELL_LIMIT


def test_a_workbook_without_long_texts_has_no_continuation_sheet(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(
        io.BytesIO(matrix_xlsx(loaded(playbook_of(tmp_path, lambda data: None))))
    )
    assert "Continued" not in book.sheetnames


# export -o writes only regular files


def refused_export(tmp_path: Path, target: Path) -> str:
    folder = playbook_of(tmp_path, lambda data: None)
    done = playbook_cli("export", str(folder), "--format", "csv", "-o", str(target))
    assert done.returncode == 2, done.stderr
    return one_error_line(done.stderr)


def test_export_refuses_a_folder(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "kept.txt").write_text("kept")
    line = refused_export(tmp_path, tmp_path / "out")
    assert line.endswith("it is a folder; -o takes a file name")
    assert (tmp_path / "out" / "kept.txt").read_text() == "kept"


def test_export_never_replaces_a_symbolic_link(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_text("real")
    (tmp_path / "link.csv").symlink_to(tmp_path / "real.csv")
    assert "it is a symbolic link" in refused_export(tmp_path, tmp_path / "link.csv")
    assert (tmp_path / "link.csv").is_symlink()
    assert (tmp_path / "real.csv").read_text() == "real"


@POSIX
def test_export_refuses_a_named_pipe_without_opening_it(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    assert "it is a named pipe" in refused_export(tmp_path, tmp_path / "fifo")
    assert stat.S_ISFIFO((tmp_path / "fifo").lstat().st_mode)


@POSIX
def test_export_refuses_a_socket(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    if len(str(path)) > 100:
        pytest.skip("socket path too long for this platform")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert "it is a socket" in refused_export(tmp_path, path)
        assert stat.S_ISSOCK(path.lstat().st_mode)


@POSIX
def test_export_refuses_a_device(tmp_path: Path) -> None:
    device = tmp_path / "null"
    try:  # a private copy of /dev/null, so a regression cannot replace the real one
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError):
        pytest.skip("making a device node needs root")
    assert "it is a device" in refused_export(tmp_path, device)
    assert stat.S_ISCHR(device.lstat().st_mode)


# every failure to write is a message


@POSIX
@pytest.mark.parametrize("args", [("check",), ("schema",), ("export", "--format", "json")])
def test_closed_standard_output_is_an_error_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    folder = playbook_of(tmp_path, lambda data: None)
    command = [*args, str(folder)] if args[0] != "schema" else list(args)
    done = playbook_cli(*command, stdout=None, preexec_fn=lambda: os.close(1))
    assert done.returncode == 1
    assert one_error_line(done.stderr).startswith("error: cannot write to standard output")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("schema",),
        ("export", "--format", "csv"),
        ("diff",),
    ],
)
def test_a_full_disk_on_standard_output_is_an_error_line(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    folder = str(playbook_of(tmp_path, lambda data: None))
    command = {"schema": ["schema"], "diff": ["diff", folder, str(ROOT / "playbook")]}.get(
        args[0], [*args, folder]
    )
    with open("/dev/full", "wb") as full:
        done = playbook_cli(*command, stdout=full)
    assert done.returncode == 1
    assert one_error_line(done.stderr) == "error: cannot write to standard output: " + os.strerror(
        28
    )


@POSIX
def test_standard_output_over_the_file_size_limit_is_an_error_not_a_cut_file(
    tmp_path: Path,
) -> None:
    import resource

    folder = playbook_of(tmp_path, lambda data: None)
    out = tmp_path / "out.json"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    with out.open("wb") as stream:
        done = playbook_cli(
            "export",
            str(folder),
            "--format",
            "json",
            stdout=stream,
            preexec_fn=limit,
            env=NO_BYTECODE,
        )
    assert done.returncode == 1
    assert one_error_line(done.stderr).startswith("error: cannot write to standard output: ")


@POSIX
def test_export_o_over_the_file_size_limit_leaves_the_old_file(tmp_path: Path) -> None:
    import resource

    folder = playbook_of(tmp_path, lambda data: None)
    target = tmp_path / "out.json"
    target.write_text("old")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    done = playbook_cli(
        "export",
        str(folder),
        "--format",
        "json",
        "-o",
        str(target),
        preexec_fn=limit,
        env=NO_BYTECODE,
    )
    assert done.returncode == 1
    assert one_error_line(done.stderr).startswith(f"error: cannot write '{target}': ")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "playbook"]


@pytest.mark.parametrize("command", ["check", "diff", "schema"])
def test_standard_output_that_is_not_utf8_shows_other_characters_escaped(
    tmp_path: Path, command: str
) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["activities"][0]["raci"]["C"] = ["qa→lead…"]

    broken = str(playbook_of(tmp_path, edit, "broken"))
    base = str(playbook_of(tmp_path, lambda data: None, "base"))
    args = {
        "check": ["check", broken],
        "diff": ["diff", base, str(ROOT / "playbook")],
        "schema": ["schema"],
    }[command]
    done = playbook_cli(*args, env={"PYTHONIOENCODING": "cp1252"})
    assert done.returncode == {"check": 1, "diff": 3, "schema": 0}[command]
    assert b"Traceback" not in done.stderr
    text = done.stdout.decode("cp1252")
    if command != "schema":
        assert "\\u2192" in text


def test_a_pipe_closed_early_ends_quietly(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:  # about 2 MB of JSON, more than a pipe holds
        data["activities"][0]["notes"] = {"sales-lead": "x" * 2_000_000}

    folder = playbook_of(tmp_path, edit)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PLAYBOOK_MAX_TEXT_CHARS": "3000000"}
    with subprocess.Popen(
        [sys.executable, "-m", "generator", "export", str(folder), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()
        stderr = process.stderr.read()
        code = process.wait(timeout=300)
    assert stderr == b""
    assert code == 141


def test_diff_into_a_pipe_that_closes_after_one_line_ends_quietly(tmp_path: Path) -> None:
    folder = playbook_of(tmp_path, lambda data: None)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with subprocess.Popen(
        [sys.executable, "-m", "generator", "diff", str(folder), str(ROOT / "playbook")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read()
        code = process.wait(timeout=300)
    assert stderr == b""
    assert code in (3, 141)


def test_a_busy_port_is_one_error_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = playbook_cli("serve", "-f", str(ROOT / "mkdocs.yml"), "-a", f"127.0.0.1:{port}")
    assert done.returncode == 2
    assert one_error_line(done.stderr).startswith(f"error: cannot serve on 127.0.0.1:{port}: ")


@pytest.mark.parametrize(
    "address",
    [
        "bogus",
        "127.0.0.1",
        "127.0.0.1:99999",
        "300.1.2.3:8000",
        "127.0.0.1:http",
        ":8000",
        "[::1:8000",
    ],
)
def test_a_bad_serve_address_is_one_error_line(address: str) -> None:
    done = playbook_cli("serve", "-f", str(ROOT / "mkdocs.yml"), "-a", address)
    assert done.returncode == 2
    assert one_error_line(done.stderr) == (
        f"error: -a/--dev-addr: '{address}' is not an address to serve on "
        "(expected IP:PORT, such as 127.0.0.1:8000)"
    )


def test_command_errors_show_control_characters_escaped(tmp_path: Path) -> None:
    spec = "nowhere" + ESCAPES.replace("\x00", "")  # no command line can hold a NUL
    result = CliRunner().invoke(cli, ["diff", spec, str(tmp_path)])
    assert result.exit_code == 2
    assert_no_raw_controls(result.stderr)
    assert "nowhere\\x1b[2J" in result.stderr


def test_format_diagnostics_json_reads_back_the_same_message() -> None:
    problem = Diagnostic("warning", Location("a.yaml"), "p", f"m{ESCAPES}\u2028")
    text = format_diagnostics([problem], "json")
    assert_no_raw_controls(text)
    assert json.loads(text)[0]["message"] == f"m{ESCAPES}\u2028"
