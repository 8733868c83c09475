"""`playbook init`: a complete, working project from a starter example; never overwrites."""

from __future__ import annotations

import json
import os
import stat
from importlib.resources import files
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import build_site

from generator.cli import cli
from generator.init import EXAMPLES, example_organisation, scaffold
from generator.model import Playbook, json_schema
from generator.validate import check

PROJECT_FILES = {
    "mkdocs.yml",
    ".gitignore",
    "README.md",
    "docs/about.md",
    ".github/workflows/playbook.yml",
    "playbook.schema.json",
}


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def organisation_name(project: Path) -> str:
    result = check(project / "playbook")
    assert result.playbook is not None, result.diagnostics
    return result.playbook.organisation.name


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_example_scaffolds_a_project_that_checks_and_builds_strictly(
    tmp_path: Path, example: str
) -> None:
    project = tmp_path / "project"
    name = f"Test {example} Ltd"

    result = run("init", str(project), "--example", example, "--name", name)

    assert result.exit_code == 0, result.output
    assert PROJECT_FILES <= set(tree(project))
    assert run("check", str(project / "playbook"), "--strict").exit_code == 0
    built = build_site(project / "mkdocs.yml", project / "site", "--strict")
    assert built.returncode == 0, built.stdout + built.stderr
    index = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert name in index
    assert example_organisation(example) not in index


def test_the_examples_keep_their_size() -> None:
    sizes = {}
    for example in EXAMPLES:
        playbook = check(Path(str(files("generator") / "examples" / example / "playbook"))).playbook
        assert playbook is not None
        sizes[example] = (len(playbook.roles), len(playbook.activities), len(playbook.stages))
    assert sizes == {"small-business": (8, 16, 6), "agency": (9, 18, 6), "b2b": (13, 25, 8)}


def example_playbook(example: str) -> Playbook:
    result = check(Path(str(files("generator") / "examples" / example / "playbook")))
    assert result.ok(strict=True), result.diagnostics
    assert result.playbook is not None
    return result.playbook


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_handoff_of_every_example_has_a_name(example: str) -> None:
    playbook = example_playbook(example)

    assert playbook.handoffs
    assert [h.id for h in playbook.handoffs if not h.name] == []


def test_the_b2b_example_routes_inbound_leads_in_one_handoff() -> None:
    playbook = example_playbook("b2b")
    routing = playbook.handoff("inbound-lead-routing")

    assert [route.role for route in routing.routes] == ["account-executive", "cs-manager", "sdr"]
    assert all(route.when for route in routing.routes[:-1])
    assert routing.routes[-1].when is None
    speed = next(clock for clock in routing.clocks if clock.key == "first_touch")
    assert (speed.label, str(speed.within), str(speed.target)) == (
        "Speed to lead",
        "1 business day",
        "15 business minutes",
    )
    assert speed.start == "the lead becomes an MQL"


def test_the_b2b_example_sends_a_rejected_sql_back_to_the_sdr_or_to_nurture() -> None:
    outcomes = example_playbook("b2b").handoff("sql-to-ae").outcomes

    assert [(o.to, o.owner) for o in outcomes] == [("sal", "sdr"), ("nurture", "marketing-ops")]
    assert all(o.when and o.reasons for o in outcomes)


def test_the_b2b_example_has_legal_approve_terms_that_depart_from_the_standard() -> None:
    playbook = example_playbook("b2b")
    discounting = playbook.activity("discounting")

    unconditional = [h.role for h in discounting.holders("A") if h.when is None]
    assert unconditional == ["revops-manager"]
    assert playbook.condition(discounting, "A", "commercial-counsel") == (
        "the terms depart from the standard contract"
    )


def test_only_the_organisation_name_line_changes_and_comments_survive() -> None:
    original = files("generator") / "examples" / "b2b" / "playbook"
    project = scaffold("b2b", 'Acme "Widgets" & Co: #1')

    for entry in original.iterdir():
        before = entry.read_text(encoding="utf-8").splitlines()
        after = project[f"playbook/{entry.name}"].splitlines()
        changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
        if entry.name == "organisation.yaml":
            assert changed == [("  name: Halyard Systems", '  name: "Acme \\"Widgets\\" & Co: #1"')]
        else:
            assert changed == []
    assert project["playbook/activities.yaml"].startswith(
        "# yaml-language-server: $schema=../playbook.schema.json\n# DACI:"
    )
    loaded = yaml.safe_load(project["playbook/organisation.yaml"])
    assert loaded["organisation"]["name"] == 'Acme "Widgets" & Co: #1'


def test_the_schema_is_written_where_the_examples_comment_points() -> None:
    project = scaffold("agency")

    assert json.loads(project["playbook.schema.json"]) == json_schema()
    for path, text in project.items():
        if path.startswith("playbook/"):
            assert text.startswith("# yaml-language-server: $schema=../playbook.schema.json\n")


def test_mkdocs_config_names_the_organisation_and_uses_the_plugin(tmp_path: Path) -> None:
    project = scaffold("small-business", "Kettle & Co")
    config = yaml.safe_load(project["mkdocs.yml"])

    assert config["site_name"] == "Kettle & Co — responsibility playbook"
    assert config["docs_dir"] == "docs"
    assert config["theme"]["name"] == "material"
    assert config["theme"]["font"] is False
    assert {
        "navigation.tabs",
        "navigation.sections",
        "navigation.indexes",
        "navigation.prune",
        "content.tooltips",
    } <= set(config["theme"]["features"])
    assert [p["scheme"] for p in config["theme"]["palette"]] == ["default", "slate"]
    assert config["plugins"] == ["search", {"playbook": {"source": "playbook"}}]
    assert {"tables", "attr_list", "md_in_html", "abbr", "def_list", "admonition", "toc"} <= {
        e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]
    }
    assert "# Kettle & Co — responsibility playbook" in project["README.md"]
    assert "site/" in project[".gitignore"]


def test_the_workflow_checks_builds_and_deploys_main_to_pages() -> None:
    workflow = yaml.safe_load(scaffold("agency")[".github/workflows/playbook.yml"])
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    runs = [step.get("run", "") for step in build["steps"]]
    uses = [step.get("uses", "") for step in build["steps"]]

    assert {"push", "pull_request"} <= set(workflow[True])  # PyYAML reads the key `on` as True
    assert "pip install raci-playbook" in runs
    assert "playbook check --strict --format github" in runs
    assert "playbook build --strict" in runs
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert deploy["needs"] == "build"
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][-1]["uses"].startswith("actions/deploy-pages@")
    assert deploy["environment"]["name"] == "github-pages"
    assert "concurrency" in deploy


def test_a_conflicting_file_stops_init_before_anything_is_written(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_bytes(b"my own readme\r\n")

    result = run("init", str(tmp_path), "--example", "agency")

    assert result.exit_code == 1
    assert f"error: {readme} exists" in result.output.splitlines()
    assert readme.read_bytes() == b"my own readme\r\n"
    assert tree(tmp_path) == {"README.md": b"my own readme\r\n"}


def test_every_conflict_is_named_one_per_line(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: mine\n")
    (tmp_path / "playbook").mkdir()
    (tmp_path / "playbook" / "organisation.yaml").write_text("organisation: {name: Mine}\n")
    (tmp_path / "docs").write_text("a file where a folder must go\n")

    result = run("init", str(tmp_path), "--example", "small-business")

    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {tmp_path / 'docs'} exists",
        f"error: {tmp_path / 'mkdocs.yml'} exists",
        f"error: {tmp_path / 'playbook' / 'organisation.yaml'} exists",
    ]
    assert set(tree(tmp_path)) == {"mkdocs.yml", "playbook/organisation.yaml", "docs"}


def test_force_overwrites_the_conflicting_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("old\n")
    (tmp_path / "notes.txt").write_text("untouched\n")

    result = run("init", str(tmp_path), "--example", "agency", "--force", "--name", "Forced Ltd")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "README.md").read_text().startswith("# Forced Ltd")
    assert (tmp_path / "notes.txt").read_text() == "untouched\n"
    assert organisation_name(tmp_path) == "Forced Ltd"


def test_interactive_init_asks_for_the_name_and_the_example(tmp_path: Path) -> None:
    result = run("init", str(tmp_path), "--interactive", input="Quayside Bikes\nb2b\n")

    assert result.exit_code == 0, result.output
    assert "Organisation name" in result.output and "Example" in result.output
    assert organisation_name(tmp_path) == "Quayside Bikes"
    assert (tmp_path / "playbook" / "cadences.yaml").is_file()  # only the b2b example has it
    assert yaml.safe_load((tmp_path / "mkdocs.yml").read_text())["site_name"].startswith(
        "Quayside Bikes"
    )


def test_interactive_defaults_keep_the_small_business_example_and_its_name(tmp_path: Path) -> None:
    result = run("init", str(tmp_path), "--interactive", input="\n\n")

    assert result.exit_code == 0, result.output
    assert organisation_name(tmp_path) == example_organisation("small-business")
    assert (tmp_path / "playbook" / "engagements.yaml").is_file()


def test_without_a_terminal_init_uses_the_defaults_without_asking(tmp_path: Path) -> None:
    result = run("init", str(tmp_path))  # CliRunner's stdin is not a terminal

    assert result.exit_code == 0, result.output
    assert "Organisation name" not in result.output
    assert organisation_name(tmp_path) == "Fernleaf Tea Co."
    assert f"cd {tmp_path} && playbook build" in result.output


def test_init_defaults_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = run("init", "--example", "agency", "--no-interactive")

    assert result.exit_code == 0, result.output
    assert "  mkdocs.yml" in result.output.splitlines()
    assert organisation_name(tmp_path) == "Ashgrove Kitchens"


def test_an_unknown_example_is_a_usage_error(tmp_path: Path) -> None:
    result = run("init", str(tmp_path), "--example", "enterprise")

    assert result.exit_code == 2
    assert "enterprise" in result.output
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["   ", "Two\nlines", "Bell\x07"])
def test_an_unusable_name_is_a_usage_error_and_writes_nothing(tmp_path: Path, name: str) -> None:
    result = run("init", str(tmp_path), "--example", "agency", "--name", name)

    assert result.exit_code == 2
    assert "error: --name:" in result.output
    assert not any(tmp_path.iterdir())


def test_a_name_with_markup_stays_text_in_the_site(tmp_path: Path) -> None:
    name = "Tom's <b>Tiles</b> | {{ 7*7 }}"
    assert run("init", str(tmp_path), "--example", "small-business", "--name", name).exit_code == 0

    assert organisation_name(tmp_path) == name
    config = yaml.safe_load((tmp_path / "mkdocs.yml").read_text())
    assert config["site_name"] == f"{name} — responsibility playbook"
    assert "# Tom's \\<b\\>Tiles\\</b\\> \\| {{ 7\\*7 }} —" in (tmp_path / "README.md").read_text()


def test_scaffolded_files_are_readable_by_everyone_the_umask_allows(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        assert run("init", str(tmp_path), "--example", "agency").exit_code == 0
    finally:
        os.umask(old)

    mode = stat.S_IMODE((tmp_path / "mkdocs.yml").stat().st_mode)
    assert mode == 0o644


def test_the_examples_and_project_templates_ship_inside_the_package() -> None:
    examples = files("generator") / "examples"

    for example in EXAMPLES:
        names = {entry.name for entry in (examples / example / "playbook").iterdir()}
        assert "organisation.yaml" in names
    assert {"mkdocs.yml", "gitignore", "README.md", "about.md", "workflow.yml"} <= {
        entry.name for entry in (examples / "_project").iterdir()
    }


def test_the_pre_commit_hook_runs_a_strict_check() -> None:
    hooks = yaml.safe_load(
        Path(__file__).parent.parent.joinpath(".pre-commit-hooks.yaml").read_text()
    )

    assert hooks == [
        {
            "id": "playbook-check",
            "name": "playbook check",
            "description": "Validate the responsibility playbook's YAML files; warnings fail too.",
            "entry": "playbook check --strict",
            "language": "python",
            "pass_filenames": False,
            "files": r"\.ya?ml$",
        }
    ]


def test_without_a_name_the_example_files_are_copied_unchanged() -> None:
    original = files("generator") / "examples" / "small-business" / "playbook"
    project = scaffold("small-business")

    for entry in original.iterdir():
        assert project[f"playbook/{entry.name}"] == entry.read_text(encoding="utf-8")
