"""Nothing is lost: a failed build keeps the previous site, ``render --out`` touches only its
own files, and people's names become slugs that stay inside ``people/``.

A broken playbook stopping ``playbook build`` and ``mkdocs build`` is in tests/test_site.py;
``init`` never overwriting is in tests/test_init.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import EXAMPLE, build_site, write_tree
from test_site import ABOUT, MINIMAL_CONFIG, snapshot

from generator import write
from generator.cli import cli
from generator.site import render, slugify, unique_slugs
from generator.validate import check
from generator.write import MANIFEST, write_files

OVERRIDES_CONFIG = MINIMAL_CONFIG.replace(
    "source: playbook", "source: playbook\n      templates: overrides"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with templates overrides, built once; tests copy it."""
    project = tmp_path_factory.mktemp("built") / "project"
    shutil.copytree(EXAMPLE, project / "playbook")
    write_tree(
        project, {"mkdocs.yml": OVERRIDES_CONFIG, "docs/about.md": ABOUT, "overrides/.keep": ""}
    )
    result = build_site(project / "mkdocs.yml", project / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(built, copy, symlinks=True)
    return copy


def mkdocs_build(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "-f",
            str(project / "mkdocs.yml"),
            "-d",
            str(project / "site"),
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=300,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def playbook_build(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return build_site(project / "mkdocs.yml", project / "site", *extra)


BROKEN_TEMPLATES = {
    "syntax": (
        "role.html.j2",
        "<h1>{{ role.name | text }}</h1>\n\n{% if role.summary %}\n<p>No end.</p>\n",
        3,
        r"Unexpected end of template",
    ),
    "undefined": (
        "role.html.j2",
        "<h1>{{ role.name | text }}</h1>\n\n<p>See {{ no_such_thing.at_all }}</p>\n",
        3,
        r"no_such_thing",
    ),
    "filter": (
        "glossary.html.j2",
        "<h1>Glossary</h1>\n\n<p>{{ pb.glossary | no_such_filter }}</p>\n",
        3,
        r"no_such_filter",
    ),
    "include": (
        "team.html.j2",
        "<h1>Team</h1>\n\n{% include 'missing.html.j2' %}\n",
        3,
        r"missing\.html\.j2",
    ),
    "python": (
        "cadences.html.j2",
        "<h1>Cadences</h1>\n\n\n<p>{{ pb.cadences[0].name + 1 }}</p>\n",
        4,
        r"TypeError",
    ),
    # a page template under its name from when pages were Markdown: refused, never ignored
    "former-name": (
        "role.md.j2",
        "# {{ role.name | text }}\n",
        1,
        r"role\.html\.j2",
    ),
}


@pytest.mark.parametrize("builder", ["playbook", "mkdocs"])
@pytest.mark.parametrize("case", sorted(BROKEN_TEMPLATES))
def test_a_broken_template_override_names_its_line_and_keeps_the_site(
    project: Path, builder: str, case: str
) -> None:
    name, source, line, message = BROKEN_TEMPLATES[case]
    before = snapshot(project / "site")
    write_tree(project, {f"overrides/{name}": source})
    result = (playbook_build if builder == "playbook" else mkdocs_build)(project)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert re.search(
        rf"overrides/{re.escape(name)}:{line}:1: error: template '{name}': "
        rf".*{message}",
        output,
    ), output
    assert len(re.findall(r": error: ", output)) == 1, output
    assert snapshot(project / "site") == before


def test_a_clash_found_by_plain_mkdocs_keeps_the_site(project: Path) -> None:
    before = snapshot(project / "site")
    write_tree(project, {"docs/glossary.md": "# Mine\n"})
    result = mkdocs_build(project)
    assert result.returncode == 1
    assert "docs/glossary.md" in result.stdout + result.stderr
    assert snapshot(project / "site") == before


def test_a_strict_build_failing_after_the_pages_are_written_keeps_the_site(
    project: Path,
) -> None:
    before = snapshot(project / "site")
    write_tree(project, {"docs/about.md": ABOUT + "\n[broken](missing-page.md)\n"})
    result = playbook_build(project, "--strict")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "the previous site" in result.stderr
    assert snapshot(project / "site") == before
    assert not [p for p in project.iterdir() if p.name.startswith(".site.build-")]


def test_a_failed_check_touches_nothing(project: Path) -> None:
    before = snapshot(project)
    write_tree(project, {"playbook/zz.yaml": "roles: [{id: x}]\n"})
    before["playbook/zz.yaml"] = snapshot(project)["playbook/zz.yaml"]
    result = CliRunner().invoke(cli, ["check", str(project / "playbook")], catch_exceptions=False)
    assert result.exit_code == 1
    assert snapshot(project) == before


def render_out(source: Path, out: Path, *extra: str) -> Result:
    return CliRunner().invoke(
        cli, ["render", str(source), "--out", str(out), *extra], catch_exceptions=False
    )


def test_render_writes_every_file_through_a_temporary_file_and_a_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renames: list[tuple[Path, Path]] = []
    real = os.replace

    def replace(source: str, target: str) -> None:
        renames.append((Path(source), Path(target)))
        real(source, target)

    monkeypatch.setattr(write.os, "replace", replace)
    out = tmp_path / "docs"
    assert render_out(EXAMPLE, out).exit_code == 0
    written = {p for p in out.rglob("*") if p.is_file()}
    assert written == {target for _, target in renames}
    for source, target in renames:
        assert source.parent == target.parent and source.name.endswith(".tmp")
    assert not list(out.rglob("*.tmp"))


def test_render_touches_only_its_own_files_and_removes_its_stale_ones(tmp_path: Path) -> None:
    source = tmp_path / "playbook"
    shutil.copytree(EXAMPLE, source)
    out = tmp_path / "docs"
    assert render_out(source, out).exit_code == 0
    write_tree(out, {"about.md": ABOUT, "assets/extra.css": "body {}\n", "roles/README.txt": "x"})
    mine = {
        p: (out / p).stat().st_mtime_ns
        for p in ["about.md", "assets/extra.css", "roles/README.txt"]
    }
    assert render_out(source, out).exit_code == 0
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))["files"]
    assert "roles/sdr.md" in manifest and "about.md" not in manifest
    handoffs = source / "handoffs.yaml"
    data = yaml.safe_load(handoffs.read_text("utf-8"))
    gone = data["handoffs"].pop()["id"]
    assert (out / f"handoffs/{gone}.md").is_file()
    handoffs.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    again = render_out(source, out)
    assert again.exit_code == 0, again.output
    assert not (out / f"handoffs/{gone}.md").exists()
    assert gone not in json.dumps(json.loads((out / MANIFEST).read_text("utf-8")))
    assert (out / "roles/sdr.md").is_file()
    assert {p: (out / p).stat().st_mtime_ns for p in mine} == mine
    unchanged = render_out(source, out)
    assert "(0 changed)" in unchanged.output


def test_render_refuses_to_overwrite_a_file_it_did_not_create_and_writes_nothing(
    tmp_path: Path,
) -> None:
    source = tmp_path / "playbook"
    shutil.copytree(EXAMPLE, source)
    handoffs = source / "handoffs.yaml"
    data = yaml.safe_load(handoffs.read_text("utf-8"))
    gone = [data["handoffs"].pop()["id"], data["handoffs"].pop()["id"]]
    handoffs.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = tmp_path / "docs"
    assert render_out(source, out).exit_code == 0
    write_tree(out, {f"handoffs/{ident}.md": "# Mine\n" for ident in gone})
    before = snapshot(out)
    result = render_out(EXAMPLE, out)
    assert result.exit_code == 1
    for ident in gone:
        assert str(out / f"handoffs/{ident}.md") in result.output
    assert "nothing was written" in result.output
    assert snapshot(out) == before


def test_a_generated_file_replaced_by_a_link_or_a_folder_is_not_overwritten(
    tmp_path: Path,
) -> None:
    out = tmp_path / "docs"
    assert render_out(EXAMPLE, out).exit_code == 0
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me\n", encoding="utf-8")
    (out / "glossary.md").unlink()
    (out / "glossary.md").symlink_to(outside)
    (out / "cadences.md").unlink()
    (out / "cadences.md").mkdir()
    result = render_out(EXAMPLE, out)
    assert result.exit_code == 1
    assert "glossary.md" in result.output and "cadences.md" in result.output
    assert outside.read_text("utf-8") == "keep me\n"


def test_render_never_writes_through_a_linked_folder(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert render_out(EXAMPLE, out).exit_code == 0
    shutil.rmtree(out / "roles")
    (out / "roles").symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(out)
    result = render_out(EXAMPLE, out)
    assert result.exit_code == 1
    assert "leaves the output folder" in result.output
    assert list(elsewhere.iterdir()) == []
    assert snapshot(out) == before


def test_render_never_writes_through_a_dangling_link(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    assert render_out(EXAMPLE, out).exit_code == 0
    shutil.rmtree(out / "people")
    (out / "people").symlink_to(tmp_path / "not-yet", target_is_directory=True)
    result = render_out(EXAMPLE, out)
    assert result.exit_code == 1 and "leaves the output folder" in result.output
    assert not (tmp_path / "not-yet").exists()


def test_a_stale_file_edited_since_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    write_files(out, {"a.md": "generated\n", "b.md": "generated\n"})
    (out / "b.md").write_text("edited by hand\n", encoding="utf-8")
    write_files(out, {"a.md": "generated\n"})
    assert (out / "b.md").read_text("utf-8") == "edited by hand\n"
    assert "b.md" not in json.loads((out / MANIFEST).read_text("utf-8"))["files"]


def test_stale_files_go_with_their_empty_folders(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    write_files(out, {"a.md": "x", "people/ann.md": "x"})
    write_files(out, {"a.md": "x"})
    assert not (out / "people").exists()


def test_a_manifest_pointing_outside_is_not_trusted(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    victim = tmp_path / "victim.md"
    victim.write_text("x", encoding="utf-8")
    out.mkdir()
    (out / MANIFEST).write_text(
        json.dumps({"files": {"../victim.md": "0" * 64, str(victim): "0" * 64}}), "utf-8"
    )
    write_files(out, {"a.md": "x"})
    assert victim.read_text("utf-8") == "x"


def test_an_interrupted_render_is_finished_by_the_next_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "docs"
    real = write.atomic_write
    calls = {"n": 0}

    def failing(path: Path, content: str | bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 10:
            raise OSError(28, "No space left on device", str(path))
        real(path, content)

    monkeypatch.setattr(write, "atomic_write", failing)
    result = render_out(EXAMPLE, out)
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert "Traceback" not in result.output
    monkeypatch.setattr(write, "atomic_write", real)
    again = render_out(EXAMPLE, out)
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Zoë Núñez", "zoe-nunez"),
        ("../../etc/passwd", "etc-passwd"),
        ("..", "person"),
        ("/", "person"),
        ("日本語", "person"),
        ("", "person"),
        ("CON", "con-person"),
        ("lpt1", "lpt1-person"),
        ("Ann\u202eevil", "annevil"),
        ("a" * 300, "a" * 60),
    ],
)
def test_a_name_becomes_a_safe_slug(name: str, slug: str) -> None:
    assert slugify(name, "person") == slug


def test_colliding_slugs_get_a_deterministic_suffix() -> None:
    names = ["Zoë Núñez", "Zoe Nunez", "ZOE NUNEZ", "日本語", "中文", "person", "index", "Index"]
    slugs = unique_slugs(names, "person")
    assert len(set(slugs.values())) == len(names)
    assert slugs == unique_slugs(list(reversed(names)), "person")
    assert "index" not in slugs.values()
    assert slugs["ZOE NUNEZ"] == "zoe-nunez"
    assert slugs["Zoe Nunez"] == "zoe-nunez-2" and slugs["Zoë Núñez"] == "zoe-nunez-3"
    for slug in slugs.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), slug


HOSTILE_PEOPLE = [
    "../../etc/passwd",
    "..",
    "/",
    "CON",
    "日本語",
    "中文",
    "Zoë Núñez",
    "Zoe Nunez",
    "index",
    "a/b\\c",
    "~root",
    ".hidden",
    "x" * 300,
]


def test_people_pages_stay_inside_people_whatever_the_names(tmp_path: Path) -> None:
    source = tmp_path / "playbook"
    shutil.copytree(EXAMPLE, source)
    write_tree(
        source,
        {
            "zz-people.yaml": yaml.safe_dump(
                {
                    "people": [
                        {"name": n, "roles": ["sdr", "account-executive"]} for n in HOSTILE_PEOPLE
                    ]
                },
                allow_unicode=True,
            )
        },
    )
    result = check(source)
    assert result.playbook is not None, [d.format_text() for d in result.diagnostics]
    site = render(result.playbook)
    people = sorted(p for p in site.pages if p.startswith("people/") and p != "people/index.md")
    assert len(people) >= len(HOSTILE_PEOPLE)
    for path in people:
        assert re.fullmatch(r"people/[a-z0-9]+(-[a-z0-9]+)*\.md", path), path
    out = tmp_path / "out" / "docs"
    assert render_out(source, out).exit_code == 0
    inside = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(people) <= inside
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["docs"]


def test_a_page_name_too_long_for_the_file_system_stops_render_and_build_cleanly(
    project: Path,
) -> None:
    roles = project / "playbook/roles.yaml"
    long = "sdr-" + "x" * 296
    for path in (project / "playbook").glob("*.yaml"):
        text = path.read_text("utf-8")
        path.write_text(re.sub(r"\bsdr\b", long, text), encoding="utf-8")
    assert long in roles.read_text("utf-8")
    out = project / "docs-out"
    result = render_out(project / "playbook", out)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert not out.exists() or list(out.iterdir()) == []
    before = snapshot(project / "site")
    built = playbook_build(project)
    assert built.returncode == 1 and "Traceback" not in built.stdout + built.stderr
    assert snapshot(project / "site") == before
