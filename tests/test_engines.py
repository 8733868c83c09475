"""The engine-free route: ``playbook render --out`` built by engines that do not load the plugin.

Each engine builds the rendered example the way the README's "Publishing without the plugin"
shows, as a subprocess: Zensical (navigation through ``INHERIT`` and through its built-in
awesome-nav), plain MkDocs and ProperDocs. An engine that is not installed skips its test only
outside CI; in CI the test extras install all of them.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLE, write_tree

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_config(navigation: str) -> str:
    """The engine-free ``mkdocs.yml`` that the README shows, so the README stays true.

    ``navigation`` is ``inherit`` (the config as shown) or ``awesome-nav`` (its ``INHERIT`` line
    replaced by Zensical's built-in awesome-nav, as the README describes).
    """
    section = README.read_text(encoding="utf-8").split("## Publishing without the plugin", 1)[-1]
    match = re.search(r"```yaml\n(INHERIT: docs/\.nav\.yml\b.*?)```", section, flags=re.DOTALL)
    assert match, "README: no ```yaml block starting with INHERIT under 'Publishing without ...'"
    config = match.group(1)
    if navigation == "awesome-nav":
        config = config.split("\n", 1)[1] + "plugins:\n  - awesome-nav\n"
    return config


# name: (importable module, navigation); each builds with `python -m MODULE build --strict`
ENGINES = {
    "zensical-inherit": ("zensical", "inherit"),
    "zensical-awesome-nav": ("zensical", "awesome-nav"),
    "mkdocs": ("mkdocs", "inherit"),
    "properdocs": ("properdocs", "inherit"),
}


def require(module: str) -> None:
    """Skip when ``module`` is missing, except in CI, where every engine must run."""
    if importlib.util.find_spec(module) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{module} must be installed in CI (it is in the test extras)")
        pytest.skip(f"{module} is not installed")


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def render(project: Path) -> None:
    result = run(["-m", "generator", "render", str(EXAMPLE), "--out", "docs"], project)
    assert result.returncode == 0, result.stdout + result.stderr


def nav_pages(nav: list) -> list[str]:
    """Every Markdown path of an MkDocs-style nav, in order."""
    pages: list[str] = []
    for entry in nav:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        pages.extend(nav_pages(value) if isinstance(value, list) else [value])
    return pages


def page_url(path: str) -> str:
    """``roles/owner.md`` → ``roles/owner/``, ``lifecycle/index.md`` → ``lifecycle/``."""
    stem = path.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def built_file(site: Path, path: str) -> Path:
    return site / page_url(path) / "index.html"


def primary_nav(page: str) -> str:
    """The site navigation of a built page (before the article, after the header)."""
    start = page.find("md-nav--primary")
    end = page.find("<article", start)
    assert start != -1 and end != -1, "no primary navigation in the page"
    return page[start:end]


def first_role() -> tuple[str, str]:
    roles = yaml.safe_load((EXAMPLE / "roles.yaml").read_text(encoding="utf-8"))["roles"]
    return roles[0]["id"], roles[0]["name"]


@pytest.fixture(scope="module", params=sorted(ENGINES))
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example rendered with ``render --out docs`` and built by one engine into ``site``."""
    module, navigation = ENGINES[request.param]
    require(module)
    folder = tmp_path_factory.mktemp(request.param)
    render(folder)
    write_tree(folder, {"mkdocs.yml": readme_config(navigation)})
    built = run(["-m", module, "build", "--strict", "-f", "mkdocs.yml"], folder)
    assert built.returncode == 0, built.stdout + built.stderr
    return folder


def test_every_page_of_the_navigation_is_published(project: Path) -> None:
    site = project / "site"
    nav = yaml.safe_load((project / "docs/.nav.yml").read_text(encoding="utf-8"))["nav"]
    missing = [path for path in nav_pages(nav) if not built_file(site, path).is_file()]
    assert missing == [], f"pages of .nav.yml not published: {missing}"
    for download in ["assets/playbook.css", "downloads/raci.csv", "downloads/raci.xlsx"]:
        assert (site / download).is_file(), download


def test_a_role_page_carries_the_role_name(project: Path) -> None:
    role_id, role_name = first_role()
    page = html.unescape(built_file(project / "site", f"roles/{role_id}.md").read_text("utf-8"))
    assert re.search(rf"<h1[^>]*>\s*{re.escape(role_name)}", page), page[:2000]


def test_the_sections_follow_the_navigation_of_the_render_output(project: Path) -> None:
    """The order of ``.nav.yml``, not the engine's own alphabetical one."""
    nav = yaml.safe_load((project / "docs/.nav.yml").read_text(encoding="utf-8"))["nav"]
    order = [page_url(nav_pages([entry])[0]) for entry in nav][1:]
    links = re.findall(
        r'href="(?:\./)?([^"#]*)"', primary_nav((project / "site/index.html").read_text("utf-8"))
    )
    missing = [url for url in order if url not in links]
    assert missing == [], f"sections missing from the navigation: {missing} in {links}"
    positions = [links.index(url) for url in order]
    assert positions == sorted(positions), f"sections out of order: {order} in {links}"


def test_only_the_plugin_and_the_engine_import_mkdocs() -> None:
    """The core runs without MkDocs: ``render --out`` is the way out when MkDocs is gone."""
    package = Path(__file__).resolve().parent.parent / "generator"
    importing = sorted(
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if re.search(r"^\s*(from|import) mkdocs\b", path.read_text("utf-8"), re.MULTILINE)
    )
    assert importing == ["engine.py", "plugin.py"]


def test_render_out_runs_without_mkdocs_installed(tmp_path: Path) -> None:
    fake = write_tree(tmp_path / "fake", {"mkdocs/__init__.py": "raise ImportError('gone')\n"})
    done = subprocess.run(
        [sys.executable, "-m", "generator", "render", str(EXAMPLE), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(fake), *sys.path])},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "o" / "downloads" / "raci.csv").is_file()
