"""The same input gives byte-identical output: whole builds (the sitemap included, dated by
``SOURCE_DATE_EPOCH``), under any ``PYTHONHASHSEED``, whatever order the files were created in.
"""

from __future__ import annotations

import gzip
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT, write_tree
from test_hostile_text import hostile_playbook
from test_site import ABOUT, MINIMAL_CONFIG

from generator import load
from generator.site import render
from generator.validate import check
from generator.write import nav_yaml

EPOCH = "1767225600"  # 2026-01-01 00:00:00 UTC


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run(args: list[str], cwd: Path, seed: str) -> None:
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "PYTHONHASHSEED": seed,
        "SOURCE_DATE_EPOCH": EPOCH,
    }
    result = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_two_builds_under_different_hash_seeds_are_byte_identical(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "playbook")
    config = MINIMAL_CONFIG + "site_url: https://playbook.example.com/\n"  # a full sitemap
    write_tree(tmp_path, {"mkdocs.yml": config, "docs/about.md": ABOUT})
    run(["build", "-d", "first"], tmp_path, "1")
    run(["build", "-d", "second-site"], tmp_path, "4242")
    first, second = tree(tmp_path / "first"), tree(tmp_path / "second-site")
    assert sorted(first) == sorted(second)
    different = [path for path in first if first[path] != second[path]]
    assert different == []
    sitemap = gzip.decompress(first["sitemap.xml.gz"]).decode("utf-8")
    assert "<lastmod>2026-01-01</lastmod>" in sitemap
    assert sitemap == first["sitemap.xml"].decode("utf-8")


@pytest.mark.parametrize("playbook", ["example", "hostile"])
def test_rendered_markdown_does_not_depend_on_the_hash_seed(tmp_path: Path, playbook: str) -> None:
    if playbook == "example":
        shutil.copytree(EXAMPLE, tmp_path / "playbook")
    else:
        write_tree(tmp_path, hostile_playbook())
    for seed in ("0", "1", "987654"):
        run(["render", "playbook", "--out", f"out-{seed}"], tmp_path, seed)
    outputs = [tree(tmp_path / f"out-{seed}") for seed in ("0", "1", "987654")]
    assert outputs[0] == outputs[1] == outputs[2]


def rendered(folder: Path) -> dict[str, str]:
    result = check(folder)
    assert result.playbook is not None
    site = render(result.playbook)
    pages = {
        path: f"{page.markdown()}\n{page.html()}\n{page.toc()!r}\n{page.meta()!r}"
        for path, page in site.pages.items()
    }  # both wrappers, the outline MkDocs is handed and the front matter
    return {**pages, **site.assets, ".nav.yml": nav_yaml(site)}


def copy_in_order(names: list[str], target: Path) -> Path:
    target.mkdir()
    for name in names:
        shutil.copy2(EXAMPLE / name, target / name)
    return target


def test_the_order_files_were_created_in_does_not_change_the_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = sorted(p.name for p in EXAMPLE.glob("*.yaml"))
    shuffled = names[:]
    random.Random(7).shuffle(shuffled)
    forward = copy_in_order(names, tmp_path / "forward")
    backward = copy_in_order(list(reversed(names)), tmp_path / "backward")
    copy_in_order(shuffled, tmp_path / "mixed")
    monkeypatch.chdir(tmp_path)
    expected = rendered(Path("forward"))
    assert rendered(Path("backward")) == expected
    assert rendered(Path("mixed")) == expected

    real = Path.iterdir

    def listed_backwards(self: Path):  # whatever order the file system lists them in
        return iter(sorted(real(self), reverse=True))

    monkeypatch.setattr(load.Path, "iterdir", listed_backwards)
    assert rendered(Path("mixed")) == expected
    assert forward.is_dir() and backward.is_dir()


def test_the_repository_example_renders_the_same_twice() -> None:
    assert rendered(ROOT / "playbook") == rendered(ROOT / "playbook")
