"""Output folders: what a build or a render may fill or replace, and what survives a kill.

``playbook build``, ``mkdocs build`` with the plugin and ``playbook render --out`` refuse,
with one ``error:`` line and nothing touched, a folder that is or holds the project's own
folders, or a non-empty one that no earlier run made. A hand-written file with the URL of a
generated one is an error naming both. Staging happens beside the output, never in
``TMPDIR``; a build killed at any step leaves a complete site, and the next build removes
what it left; two runs never write one folder at once.

Kills and pauses land at counted steps (the n-th file operation of the build), never after a
delay: see :data:`DRIVER`.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Self

import pytest
from click.testing import CliRunner, Result
from conftest import ROOT, write_tree

from generator import write
from generator.cli import cli
from generator.guard import SITE_MARKER
from generator.write import MANIFEST

SMALL = ROOT / "generator/examples/small-business/playbook"

CONFIG = """\
site_name: Output safety
docs_dir: docs
theme:
  name: material
  font: false
plugins:
  - search
  - playbook:
      source: playbook
      templates: templates
"""

EXTRA_TERM = "glossary:\n  - term: Kill test\n    definition: The second version of the site.\n"


def tree(root: Path) -> dict[str, str]:
    """Every entry under ``root``: a file's SHA-256, ``dir``, or a link's target."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[key] = "link:" + os.readlink(path)
            elif path.is_dir():
                found[key] = "dir"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("error:")]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with a sibling file beside it, and no site yet."""
    project = tmp_path / "proj"
    shutil.copytree(SMALL, project / "playbook")
    write_tree(project, {"mkdocs.yml": CONFIG, "docs/about.md": "# About\n", "templates/.keep": ""})
    write_tree(tmp_path, {"sibling.txt": "not the tool's\n"})
    return project


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", **extra}


def playbook(project: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env(**extra),
        timeout=300,
        check=False,
    )


def mkdocs(project: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env(**extra),
        timeout=300,
        check=False,
    )


def invoke(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(project)
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def assert_refused(result: Result, code: int, folder: Path) -> None:
    assert result.exit_code == code, result.output
    lines = error_lines(result.output)
    assert len(lines) == 1, result.output
    assert f"'{folder.resolve()}'" in lines[0]


@pytest.mark.parametrize(
    ("option", "folder"),
    [
        ("..", ".."),
        (".", "."),
        ("docs", "docs"),
        ("playbook", "playbook"),
        ("templates", "templates"),
        ("docs/site", "docs/site"),
        ("alias", "playbook"),  # a link to the playbook folder
    ],
)
def test_build_refuses_a_site_dir_option_that_holds_the_project(
    project: Path, monkeypatch: pytest.MonkeyPatch, option: str, folder: str
) -> None:
    (project / "alias").symlink_to("playbook", target_is_directory=True)
    before = tree(project.parent)
    result = invoke(project, monkeypatch, "build", "-d", option)
    assert_refused(result, 2, project / folder)
    assert tree(project.parent) == before


@pytest.mark.parametrize("site_dir", ["..", ".", "docs", "playbook", "templates"])
def test_build_refuses_a_configured_site_dir_that_holds_the_project(
    project: Path, monkeypatch: pytest.MonkeyPatch, site_dir: str
) -> None:
    write_tree(project, {"mkdocs.yml": CONFIG + f"site_dir: {site_dir}\n"})
    before = tree(project.parent)
    result = invoke(project, monkeypatch, "build")
    assert_refused(result, 1, project / site_dir)
    assert tree(project.parent) == before


def test_a_configured_site_dir_refused_by_mkdocs_alone_is_overridden_by_the_option(
    project: Path,
) -> None:
    write_tree(project, {"mkdocs.yml": CONFIG + "site_dir: .\n"})
    result = playbook(project, "build", "-d", "out")
    assert result.returncode == 0, result.stderr
    assert (project / "out" / SITE_MARKER).is_file()


@pytest.mark.parametrize("how", ["option", "config"])
def test_build_refuses_a_folder_it_did_not_make_and_says_how_to_go_on(
    project: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    # A site MkDocs built without the plugin's marker counts as foreign too.
    write_tree(project, {"site/index.html": "<p>theirs</p>\n", "site/.git": "gitdir: x\n"})
    if how == "config":
        write_tree(project, {"mkdocs.yml": CONFIG + "site_dir: site\n"})
    before = tree(project.parent)
    result = invoke(project, monkeypatch, "build", *(["-d", "site"] if how == "option" else []))
    assert_refused(result, 2 if how == "option" else 1, project / "site")
    assert "remove it" in error_lines(result.output)[0]
    assert tree(project.parent) == before


def test_build_refuses_a_file_where_the_site_goes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(project, {"site": "a file\n", "mkdocs.yml": CONFIG + "site_dir: site\n"})
    before = tree(project.parent)
    assert_refused(invoke(project, monkeypatch, "build"), 1, project / "site")
    assert tree(project.parent) == before


def test_build_into_an_empty_folder_and_again_into_its_own_site(project: Path) -> None:
    (project / "site").mkdir()
    first = playbook(project, "build")
    assert first.returncode == 0, first.stderr
    assert (project / "site" / SITE_MARKER).is_file()
    again = playbook(project, "build")
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in project.iterdir()) == [
        "docs",
        "mkdocs.yml",
        "playbook",
        "site",
        "templates",
    ]


@pytest.mark.parametrize(
    "args", [["-d", "playbook"], ["-d", "templates"], ["-d", "foreign"], ["config"]]
)
def test_mkdocs_with_the_plugin_refuses_before_cleaning_anything(
    project: Path, args: list[str]
) -> None:
    write_tree(project, {"foreign/keep.txt": "mine\n"})
    folder = project / "playbook"
    if args == ["config"]:
        write_tree(project, {"mkdocs.yml": CONFIG + "site_dir: playbook\n"})
        args = []
    else:
        folder = project / args[1]
    before = tree(project.parent)
    result = mkdocs(project, *args)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert f"refusing to write into '{folder}'" in output
    assert tree(project.parent) == before


@pytest.mark.parametrize(
    ("out", "folder"),
    [
        ("playbook", "playbook"),
        ("templates", "templates"),
        (".", "."),
        ("..", ".."),
        ("foreign", "foreign"),
    ],
)
def test_render_refuses_an_out_folder_that_holds_the_project_or_is_foreign(
    project: Path, monkeypatch: pytest.MonkeyPatch, out: str, folder: str
) -> None:
    write_tree(project, {"foreign/keep.txt": "mine\n"})
    before = tree(project.parent)
    result = invoke(
        project, monkeypatch, "render", "playbook", "--templates", "templates", "--out", out
    )
    assert_refused(result, 2, project / folder)
    assert tree(project.parent) == before


def test_render_fills_an_empty_folder_then_its_own(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "out").mkdir()
    assert invoke(project, monkeypatch, "render", "playbook", "--out", "out").exit_code == 0
    assert (project / "out" / MANIFEST).is_file()
    again = invoke(project, monkeypatch, "render", "playbook", "--out", "out")
    assert again.exit_code == 0, again.output


def test_a_full_disk_during_render_names_the_file_being_written(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.fdopen
    calls = {"n": 0}

    class Full:
        def __init__(self, stream: object) -> None:
            self.stream = stream

        def __enter__(self) -> Self:
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()  # type: ignore[attr-defined]

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    def fdopen(fd: int, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        stream = real(fd, *args, **kwargs)  # type: ignore[call-overload]
        return Full(stream) if calls["n"] == 5 else stream

    monkeypatch.setattr(write.os, "fdopen", fdopen)
    result = invoke(project, monkeypatch, "render", "playbook", "--out", "out")
    assert result.exit_code == 1
    lines = error_lines(result.output)
    assert len(lines) == 1 and "'None'" not in lines[0], result.output
    assert f"cannot write '{Path('out')}{os.sep}" in lines[0]
    assert not [p for p in (project / "out").rglob("*.tmp")]


def test_a_full_disk_during_build_keeps_the_site_and_names_where(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mkdocs.utils

    assert playbook(project, "build").returncode == 0
    before = tree(project.parent)

    def full(content: bytes, output_path: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(mkdocs.utils, "write_file", full)
    result = invoke(project, monkeypatch, "build")
    assert result.exit_code == 1
    lines = error_lines(result.output)
    assert len(lines) == 1 and "'None'" not in lines[0], result.output
    assert str(project) in lines[0]
    assert tree(project.parent) == before


def _generated(project: Path) -> set[str]:
    """The paths of the pages the playbook generates."""
    from generator.site import render
    from generator.validate import check

    playbook_ = check(project / "playbook").playbook
    assert playbook_ is not None
    return set(render(playbook_).pages)


@pytest.mark.parametrize(
    "kind", ["same-path", "section-page", "folder-index", "readme", "download", "html"]
)
def test_a_hand_written_file_with_the_url_of_a_generated_one_is_an_error_naming_both(
    project: Path, kind: str
) -> None:
    pages = _generated(project)
    role = next(p for p in sorted(pages) if p.startswith("roles/") and p != "roles/index.md")
    mine, theirs = {
        "same-path": (role, role),
        "section-page": ("roles.md", "roles/index.md"),
        "folder-index": (role.removesuffix(".md") + "/index.md", role),
        "readme": ("README.md", "index.md"),
        "download": ("downloads/raci.csv", "downloads/raci.csv"),
        "html": ("glossary/index.html", "glossary.md"),
    }[kind]
    write_tree(project, {f"docs/{mine}": "# Mine\n"})
    before = tree(project.parent)
    for result in (playbook(project, "build"), mkdocs(project)):
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert "Traceback" not in output
        assert str(project / "docs" / mine) in output and theirs in output
        assert tree(project.parent) == before


def test_a_folder_index_is_no_clash_without_directory_urls(project: Path) -> None:
    pages = _generated(project)
    role = next(p for p in sorted(pages) if p.startswith("roles/") and p != "roles/index.md")
    write_tree(
        project,
        {
            "mkdocs.yml": CONFIG + "use_directory_urls: false\n",
            f"docs/{role.removesuffix('.md')}/index.md": "# Mine\n",
        },
    )
    result = playbook(project, "build")
    assert result.returncode == 0, result.stderr


def _other_file_system(near: Path) -> Path | None:
    """A writable folder on another file system than ``near``, or None."""
    device = near.stat().st_dev
    for candidate in ("/dev/shm", "/run/user", "/tmp", "/var/tmp"):
        base = Path(candidate)
        if base.is_dir() and os.access(base, os.W_OK) and base.stat().st_dev != device:
            return Path(tempfile.mkdtemp(prefix="playbook-test-", dir=base))
    return None


@pytest.mark.parametrize("builder", ["playbook", "mkdocs"])
def test_builds_work_when_tmpdir_is_on_another_file_system(project: Path, builder: str) -> None:
    elsewhere = _other_file_system(project)
    if elsewhere is None:
        pytest.skip("no writable folder on another file system")
    try:
        run = playbook if builder == "playbook" else mkdocs
        args = ["build"] if builder == "playbook" else []
        for _ in range(2):
            result = run(project, *args, TMPDIR=str(elsewhere))
            assert result.returncode == 0, result.stdout + result.stderr
            assert "Traceback" not in result.stderr
        assert list(elsewhere.iterdir()) == []
        assert (project / "site/downloads/raci.csv").stat().st_size > 0
        assert not list((project / "site").glob(".playbook-downloads-*"))
    finally:
        shutil.rmtree(elsewhere, ignore_errors=True)


def test_builds_never_stage_in_tmpdir(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The same without a second file system: a rename out of TMPDIR fails as across
    devices."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(elsewhere))
    real_replace, real_rename = os.replace, os.rename

    def guarded(real: object) -> object:
        def move(source: str, target: str, *args: object, **kwargs: object) -> None:
            inside = [Path(p).resolve().is_relative_to(elsewhere) for p in (source, target)]
            if inside[0] != inside[1]:
                raise OSError(errno.EXDEV, "Invalid cross-device link", str(source))
            real(source, target, *args, **kwargs)  # type: ignore[operator]

        return move

    monkeypatch.setattr(os, "replace", guarded(real_replace))
    monkeypatch.setattr(os, "rename", guarded(real_rename))
    result = invoke(project, monkeypatch, "build")
    assert result.exit_code == 0, result.output
    assert list(elsewhere.iterdir()) == []


def test_plain_mkdocs_removes_downloads_an_interrupted_build_left(project: Path) -> None:
    assert mkdocs(project).returncode == 0
    write_tree(project, {"site/.playbook-downloads-x1y2z3/downloads/raci.csv": "half"})
    result = mkdocs(project)
    assert result.returncode == 0, result.stderr
    assert not list((project / "site").glob(".playbook-downloads-*"))


DRIVER = r"""
import builtins, os, signal, sys
from generator import guard, write

me = os.getpid()
limit = int(os.environ.get("KILL_AT", "0"))
signum = getattr(signal, os.environ.get("KILL_SIGNAL", "SIGKILL"))
ops = {"n": 0, "exchange": 0}


def step():
    if os.getpid() != me:
        return
    ops["n"] += 1
    if ops["n"] == limit:
        os.kill(me, signum)


def counted(module, name):
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        step()
        return real(*args, **kwargs)

    setattr(module, name, wrapper)


counted(builtins, "open")
for name in ("rename", "replace", "mkdir", "unlink", "rmdir"):
    counted(os, name)
real_exchange = guard._exchange


def exchange(first, second):
    step()
    ops["exchange"] = ops["n"]
    return False if os.environ.get("NO_EXCHANGE") else real_exchange(first, second)


guard._exchange = exchange


def paused(real):
    def wrapper(*args, **kwargs):
        os.kill(me, signal.SIGSTOP)
        return real(*args, **kwargs)
    return wrapper


if os.environ.get("STOP_IN_LOCK"):
    guard.clear_leftovers = paused(guard.clear_leftovers)
    write.write_files = paused(write.write_files)
sys.argv = ["playbook", *sys.argv[1:]]
from generator.cli import main

try:
    main()
finally:
    if os.getpid() == me and os.environ.get("OPS_FILE"):
        with os.fdopen(os.open(os.environ["OPS_FILE"], os.O_WRONLY | os.O_CREAT), "w") as f:
            f.write(f"{ops['n']} {ops['exchange']}")
"""
"""Runs ``playbook`` counting its file operations (open, rename, mkdir, unlink, rmdir and the
folder swap); ``KILL_AT=n`` sends ``KILL_SIGNAL`` to itself at the n-th, ``NO_EXCHANGE``
takes the two-rename fallback, ``STOP_IN_LOCK`` stops the process (SIGSTOP) once it holds
the output folder's lock."""


def driven(project: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", DRIVER, *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env(**extra),
        timeout=300,
        check=False,
    )


def leftovers(project: Path) -> list[str]:
    beside = [p.name for p in project.iterdir() if p.name.startswith(".site")]
    inside = [p.name for p in (project / "site").glob(".playbook-downloads-*")]
    return sorted(beside + inside)


def version(project: Path, second: bool) -> None:
    extra = project / "playbook" / "zz-kill-test.yaml"
    if second:
        extra.write_text(EXTRA_TERM, encoding="utf-8")
    else:
        extra.unlink(missing_ok=True)


KILL_POINTS = {
    "first step": lambda total, swap: 1,
    "mid-build": lambda total, swap: total // 2,
    "at the swap": lambda total, swap: swap,
    "just after the swap": lambda total, swap: swap + 1,
    "removing the old site": lambda total, swap: swap + 4,
    "last step": lambda total, swap: total,
}


@pytest.mark.parametrize("fallback", [False, True], ids=["exchange", "two-renames"])
def test_a_build_killed_at_any_step_leaves_a_complete_site_and_the_next_cleans_up(
    project: Path, tmp_path: Path, fallback: bool
) -> None:
    flags = {"NO_EXCHANGE": "1"} if fallback else {}
    assert playbook(project, "build").returncode == 0
    sites, counts = {}, {}
    for second in (True, False):  # each version counted as built over the other
        version(project, second)
        record = tmp_path / f"ops-{second}"
        assert driven(project, "build", OPS_FILE=str(record), **flags).returncode == 0
        sites[second] = tree(project / "site")
        counts[second] = tuple(map(int, record.read_text().split()))
        assert 0 < counts[second][1] < counts[second][0]
    assert sites[True] != sites[False]
    points = {"between the two renames": lambda total, swap: swap + 2} if fallback else KILL_POINTS
    current = False
    for name, point in points.items():
        current = not current
        version(project, current)
        killed = driven(project, "build", KILL_AT=str(point(*counts[current])), **flags)
        assert killed.returncode == -signal.SIGKILL, (name, killed.stderr)
        if not fallback:
            assert tree(project / "site") in (sites[False], sites[True]), name
        else:  # the next build puts the old site back first, even if it then fails
            assert not (project / "site").exists()
            write_tree(project, {"docs/glossary.md": "# A page at a generated URL\n"})
            assert playbook(project, "build").returncode == 1
            assert tree(project / "site") == sites[not current]
            (project / "docs/glossary.md").unlink()
        again = playbook(project, "build")
        assert again.returncode == 0, (name, again.stderr)
        assert tree(project / "site") == sites[current], name
        assert leftovers(project) == [], name


def test_sigterm_stops_a_build_like_ctrl_c(project: Path, tmp_path: Path) -> None:
    assert playbook(project, "build").returncode == 0
    old = tree(project / "site")
    version(project, True)
    counts = tmp_path / "ops"
    assert driven(project, "build", OPS_FILE=str(counts)).returncode == 0
    new = tree(project / "site")
    total, exchange = map(int, counts.read_text().split())
    version(project, False)
    assert playbook(project, "build").returncode == 0
    version(project, True)
    for point, expected in [(total // 2, old), (exchange, new), (exchange - 1, old)]:
        stopped = driven(project, "build", KILL_AT=str(point), KILL_SIGNAL="SIGTERM")
        assert stopped.returncode == 128 + signal.SIGTERM, (point, stopped.stderr)
        assert "Traceback" not in stopped.stderr
        assert len(error_lines(stopped.stderr)) == 1, stopped.stderr
        assert tree(project / "site") == expected, point
        assert leftovers(project) == [], point
        if expected is new:
            version(project, False)
            assert playbook(project, "build").returncode == 0
            version(project, True)


def paused_run(project: Path, *args: str) -> subprocess.Popen[str]:
    """A ``playbook`` process stopped while it holds the output folder's lock."""
    process = subprocess.Popen(
        [sys.executable, "-c", DRIVER, *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(STOP_IN_LOCK="1"),
    )
    _, status = os.waitpid(process.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), status
    return process


@pytest.mark.parametrize("second", ["playbook", "mkdocs"])
def test_a_second_build_into_the_same_folder_stops_with_a_message(
    project: Path, second: str
) -> None:
    assert playbook(project, "build").returncode == 0
    version(project, True)
    first = paused_run(project, "build")
    try:
        before = tree(project / "site")
        other = playbook(project, "build") if second == "playbook" else mkdocs(project)
        output = other.stdout + other.stderr
        assert other.returncode == 1, output
        assert "Traceback" not in output
        assert str(project / "site") in output
        if second == "playbook":
            assert len(error_lines(other.stderr)) == 1, other.stderr
        assert tree(project / "site") == before
    finally:
        os.kill(first.pid, signal.SIGCONT)
        _, errors = first.communicate(timeout=300)
    assert first.returncode == 0, errors
    assert leftovers(project) == []
    assert "Kill test" in (project / "site/glossary/index.html").read_text("utf-8")


def test_a_second_render_into_the_same_folder_stops_with_a_message(project: Path) -> None:
    first = paused_run(project, "render", "playbook", "--out", "out")
    try:
        other = playbook(project, "render", "playbook", "--out", "out")
        assert other.returncode == 1, other.stderr
        lines = error_lines(other.stderr)
        assert len(lines) == 1 and str(project / "out") in lines[0], other.stderr
    finally:
        os.kill(first.pid, signal.SIGCONT)
        _, errors = first.communicate(timeout=300)
    assert first.returncode == 0, errors
    assert (project / "out" / MANIFEST).is_file()
    assert not (project / ".out.lock").exists()
