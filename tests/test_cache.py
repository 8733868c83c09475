"""A repeated check of unchanged files is served from memory; any change is checked again."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, write_tree

from generator import cache
from generator.cli import cli
from generator.validate import Result

SMALL = ROOT / "generator/examples/small-business/playbook"

CONFIG = """\
site_name: Cache
theme:
  name: material
  font: false
plugins:
  - playbook:
      source: playbook
"""


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The folders really checked (not served from memory), in order. Files count as settled
    as soon as they are written (``cache.RACY_NS`` is 0) unless a test says otherwise."""
    cache.clear()
    monkeypatch.setattr(cache, "RACY_NS", 0)
    done: list[Path] = []
    real = cache.check_uncached

    def counted(folder: Path | str, limits: object = None) -> Result:
        done.append(Path(folder))
        return real(folder, limits)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "check_uncached", counted)
    yield done
    cache.clear()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "playbook"
    shutil.copytree(SMALL, folder)
    (folder / "extra.yaml").write_text("glossary:\n  - term: Extra\n    definition: x\n", "utf-8")
    return folder


def test_unchanged_files_are_checked_once(folder: Path, checks: list[Path]) -> None:
    first, second = cache.check(folder), cache.check(folder)
    assert len(checks) == 1
    assert second.playbook is first.playbook
    assert second.diagnostics == first.diagnostics


def test_the_diagnostics_returned_are_the_caller_s_to_change(
    folder: Path, checks: list[Path]
) -> None:
    (folder / "extra.yaml").write_text("glossary:\n  - term: Extra\n", "utf-8")
    cache.check(folder).diagnostics.clear()
    assert cache.check(folder).diagnostics
    assert len(checks) == 1


@pytest.mark.parametrize(
    "change",
    ["edit", "touch", "add", "remove", "replace"],
)
def test_any_change_to_the_files_is_checked_again(
    folder: Path, checks: list[Path], change: str
) -> None:
    before = cache.check(folder)
    extra = folder / "extra.yaml"
    if change == "edit":
        extra.write_text("glossary:\n  - term: Extra\n    definition: y\n", "utf-8")
    elif change == "touch":
        os.utime(extra, (time.time() - 60, time.time() - 60))
    elif change == "add":
        (folder / "more.yml").write_text("glossary:\n  - term: More\n    definition: z\n", "utf-8")
    elif change == "remove":
        extra.unlink()
    else:  # same size and time stamp, another file (an editor's save by rename)
        stamp = extra.stat().st_mtime_ns
        (folder / "new.tmp").write_text(extra.read_text("utf-8").replace("x", "y"), "utf-8")
        os.utime(folder / "new.tmp", ns=(stamp, stamp))
        os.rename(folder / "new.tmp", extra)
    after = cache.check(folder)
    assert len(checks) == 2
    assert after.playbook is not before.playbook


def test_files_that_just_changed_are_not_remembered(
    folder: Path, checks: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 2_000_000_000)
    (folder / "extra.yaml").write_text("glossary:\n  - term: Extra\n    definition: y\n", "utf-8")
    cache.check(folder)
    cache.check(folder)
    assert len(checks) == 2


def test_another_current_folder_is_checked_again_naming_files_from_there(
    folder: Path, checks: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "extra.yaml").write_text("glossary:\n  - term: Extra\n", "utf-8")
    monkeypatch.chdir(folder.parent)
    here = cache.check(folder).diagnostics[0].location.file
    monkeypatch.chdir(folder)
    there = cache.check(folder).diagnostics[0].location.file
    assert (here, there) == ("playbook/extra.yaml", "extra.yaml")
    assert len(checks) == 2


def test_a_folder_that_cannot_be_listed_is_checked_each_time(
    tmp_path: Path, checks: list[Path]
) -> None:
    missing = tmp_path / "missing"
    assert not cache.check(missing).ok()
    assert not cache.check(missing).ok()
    assert len(checks) == 2


def test_build_checks_the_playbook_once_for_itself_and_the_plugin(
    tmp_path: Path, folder: Path, checks: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = folder.parent
    write_tree(project, {"mkdocs.yml": CONFIG, "docs/about.md": "# About\n"})
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 0, result.output
    assert (project / "site" / "downloads" / "raci.csv").is_file()
    assert checks == [folder.resolve()]
