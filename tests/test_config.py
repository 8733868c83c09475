"""mkdocs.yml read outside MkDocs: the plugin's options, the default playbook folder and
site_dir, with ``!ENV`` and ``INHERIT`` as MkDocs reads them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

from generator import config
from generator.errors import UsageError


def test_the_default_source_is_the_plugin_s_relative_to_mkdocs_yml(tmp_path: Path) -> None:
    write_tree(tmp_path, {"mkdocs.yml": "plugins:\n  - search\n  - playbook:\n      source: org\n"})
    assert config.default_source(tmp_path / "mkdocs.yml") == tmp_path / "org"


@pytest.mark.parametrize(
    "text",
    [
        "site_name: x\n",
        "plugins: [search, playbook]\n",
        "plugins:\n  playbook: {}\n",
        "plugins: [playbook\n",  # not YAML: the default, and `build` says why
        "- a list\n",
    ],
)
def test_without_a_source_the_default_is_the_playbook_folder(tmp_path: Path, text: str) -> None:
    write_tree(tmp_path, {"mkdocs.yml": text})
    assert config.default_source(tmp_path / "mkdocs.yml") == Path("playbook")
    assert config.default_source(tmp_path / "absent.yml") == Path("playbook")


def test_plugins_may_be_a_mapping() -> None:
    settings = {"plugins": {"search": {}, "playbook": {"source": "org"}}}
    assert config.plugin_options(settings) == {"source": "org"}
    assert config.plugin_options({"plugins": ["search"]}) is None


def test_tags_that_are_not_ours_to_run_read_as_null(tmp_path: Path) -> None:
    text = (
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "  - x: !relative $config_dir\n"
        "plugins:\n  - playbook:\n      source: org\n"
    )
    write_tree(tmp_path, {"mkdocs.yml": text})
    settings = config.read_config(tmp_path / "mkdocs.yml")
    assert settings["markdown_extensions"][0] == {"pymdownx.emoji": {"emoji_index": None}}
    assert config.default_source(tmp_path / "mkdocs.yml") == tmp_path / "org"


def test_env_tags_take_the_first_variable_set_else_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "site_dir: !ENV [PB_UNSET, PB_SITE, public]\nplugins:\n  - playbook:\n      source: !ENV PB_SRC\n"  # noqa: E501
    write_tree(tmp_path, {"mkdocs.yml": text})
    monkeypatch.delenv("PB_UNSET", raising=False)
    monkeypatch.delenv("PB_SITE", raising=False)
    monkeypatch.setenv("PB_SRC", "org")
    assert config.site_dir(tmp_path / "mkdocs.yml") == "public"
    assert config.default_source(tmp_path / "mkdocs.yml") == tmp_path / "org"
    monkeypatch.setenv("PB_SITE", "out")
    assert config.site_dir(tmp_path / "mkdocs.yml") == "out"


def test_inherit_merges_the_parent_under_the_file(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "base.yml": "site_dir: public\nplugins:\n  - playbook:\n      source: org\n",
            "mkdocs.yml": "INHERIT: base.yml\nsite_name: x\n",
            "loop.yml": "INHERIT: loop.yml\n",
        },
    )
    assert config.site_dir(tmp_path / "mkdocs.yml") == "public"
    assert config.default_source(tmp_path / "mkdocs.yml") == tmp_path / "org"
    with pytest.raises(UsageError, match="inherit from each other"):
        config.read_config(tmp_path / "loop.yml")


def test_site_dir_defaults_to_site_and_must_name_a_folder(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yml": "site_name: x\n", "b.yml": "site_dir: [x]\n"})
    assert config.site_dir(tmp_path / "a.yml") == "site"
    with pytest.raises(UsageError) as caught:
        config.site_dir(tmp_path / "b.yml")
    assert str(caught.value) == f"{tmp_path / 'b.yml'}: site_dir: expected the name of a folder"
    assert caught.value.exit_code == 2


def test_the_nav_keeps_the_user_s_and_adds_what_it_does_not_mention() -> None:
    class Site:
        nav = [{"Home": "index.md"}, {"Roles": ["roles/index.md", "roles/a.md"]}]
        pages = {"index.md": "", "roles/index.md": "", "roles/a.md": ""}

    user = [{"Start": "index.md"}, "about.md"]
    merged = config.merged_nav(Site(), user, ["about.md"])  # type: ignore[arg-type]
    assert merged == [*user, {"Roles": ["roles/index.md", "roles/a.md"]}]
    assert config.merged_nav(Site(), [], ["about.md", "index.md"]) == [*Site.nav, "about.md"]  # type: ignore[arg-type]
