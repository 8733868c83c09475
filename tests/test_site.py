"""One real strict build of the example, and what a reader finds in it."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import yaml
from conftest import EXAMPLE, ROOT, build_site, write_tree


def raw_example() -> dict[str, list[dict]]:
    """The example's YAML read plainly (independently of the generator's model)."""
    merged: dict[str, list] = {}
    for path in sorted(EXAMPLE.glob("*.yaml")):
        for key, value in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            else:
                merged[key] = value
    return merged


def letters_by_role(data: dict, role: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for activity in data["activities"]:
        for letter, ids in activity["raci"].items():
            ids = [ids] if isinstance(ids, str) else ids
            if role in ids:
                found.setdefault(letter, set()).add(activity["id"])
    return found


class Sections(HTMLParser):
    """Collects, per ``<h2>`` of the article, the activity ids its links point at."""

    def __init__(self) -> None:
        super().__init__()
        self.current: str | None = None
        self.in_h2 = False
        self.heading = ""
        self.links: dict[str, set[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self.in_h2, self.heading = True, ""
        if tag == "a" and self.current:
            href = dict(attrs).get("href") or ""
            match = re.match(r"^(?:\.\./)+activities/([a-z0-9-]+)/(?:index\.html)?$", href)
            if match:
                self.links.setdefault(self.current, set()).add(match[1])

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self.in_h2 = False
            self.current = self.heading.replace("¶", "").strip()

    def handle_data(self, data: str) -> None:
        if self.in_h2:
            self.heading += data


def page(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def test_every_contract_page_is_built(example_site: Path) -> None:
    data = raw_example()
    expected = [
        "index.html",
        "lifecycle/index.html",
        "handoffs/index.html",
        "raci/index.html",
        "cadences/index.html",
        "glossary/index.html",
        "changes/index.html",
    ]
    expected += [f"lifecycle/{s['id']}/index.html" for s in data["stages"]]
    expected += [f"handoffs/{h['id']}/index.html" for h in data["handoffs"]]
    expected += [f"teams/{t['id']}/index.html" for t in data["teams"]]
    expected += [f"roles/{r['id']}/index.html" for r in data["roles"]]
    expected += [f"engagements/{e['id']}/index.html" for e in data["engagements"]]
    expected += [
        "downloads/raci.csv",
        "downloads/raci.xlsx",
        "downloads/playbook.json",
        "downloads/playbook.schema.json",
        "assets/playbook.css",
        "assets/playbook.js",
    ]
    missing = [p for p in expected if not (example_site / p).is_file()]
    assert missing == []


def test_agency_designer_page_lists_exactly_its_letters(example_site: Path) -> None:
    data = raw_example()
    expected = letters_by_role(data, "agency-designer")
    parser = Sections()
    parser.feed(page(example_site, "roles/agency-designer/index.html"))
    found: dict[str, set[str]] = {}
    for heading, ids in parser.links.items():
        letter = re.search(r"\(([A-Z])\)$", heading)
        if letter:
            found[letter[1]] = ids
    assert found == expected
    assert expected, "the example's agency designer should hold letters"


def test_people_with_several_roles_get_a_page_listing_each_role(example_site: Path) -> None:
    data = raw_example()
    for person in data.get("people", []):
        slug = re.sub(r"[^a-z0-9]+", "-", person["name"].lower()).strip("-")
        html = page(example_site, f"people/{slug}/index.html")
        for role_id in person["roles"]:
            name = next(r["name"] for r in data["roles"] if r["id"] == role_id)
            assert name.replace("&", "&amp;") in html


def test_every_page_footer_shows_version_and_effective_date(example_site: Path) -> None:
    org = raw_example()["organisation"]
    for path in ["index.html", "roles/owner/index.html", "raci/index.html"]:
        footer = page(example_site, path).split('class="md-footer-meta', 1)[1]
        assert f"version {org['version']}" in footer
        assert f"effective {org['effective']}" in footer


def test_matrix_has_one_row_per_activity_and_one_accountable_each(example_site: Path) -> None:
    html = page(example_site, "raci/index.html")
    data = raw_example()
    rows = re.findall(r'<tr id="([a-z0-9-]+)"', html)
    assert rows == [a["id"] for a in sorted_by_area(data["activities"])]
    for row in re.findall(r'<tr id="[a-z0-9-]+".*?</tr>', html, flags=re.DOTALL):
        assert row.count("data-owner") == 1
    assert '<th scope="col"' in html and '<th scope="row"' in html


def sorted_by_area(activities: list[dict]) -> list[dict]:
    order: list[str] = []
    for a in activities:
        if a.get("area", "Other") not in order:
            order.append(a.get("area", "Other"))
    return sorted(activities, key=lambda a: order.index(a.get("area", "Other")))


def test_site_references_nothing_outside_itself(example_site: Path) -> None:
    external = []
    for html_file in example_site.rglob("*.html"):
        text = html_file.read_text(encoding="utf-8")
        for attr in re.findall(r'<(?:script|link|img|iframe)\b[^>]*?(?:src|href)="([^"]+)"', text):
            if re.match(r"^(https?:)?//", attr):
                external.append((html_file.name, attr))
    assert external == []


def test_hand_written_page_is_kept_in_the_navigation(example_site: Path) -> None:
    html = page(example_site, "index.html")
    assert (example_site / "contributing/index.html").is_file()
    assert "Changing this playbook" in html


def test_render_output_builds_with_plain_mkdocs_without_the_plugin(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "render", str(EXAMPLE), "--out", str(docs)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    write_tree(tmp_path, {"mkdocs.yml": PLAIN_CONFIG})
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tmp_path / "mkdocs.yml")],
        capture_output=True,
        text=True,
        env={**_env(), "NO_MKDOCS_2_WARNING": "1"},
    )
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "site/roles/agency-designer/index.html").is_file()
    assert "Who does what (RACI)" in (tmp_path / "site/raci/index.html").read_text("utf-8")


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


PLAIN_CONFIG = """\
INHERIT: docs/.nav.yml
site_name: Plain engine
theme:
  name: material
  font: false
extra_css: [assets/playbook.css]
extra_javascript: [assets/playbook.js]
markdown_extensions: [tables, attr_list, md_in_html, abbr, def_list, toc]
"""


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_broken_playbook_stops_the_build_and_keeps_the_previous_site(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "playbook")
    write_tree(tmp_path, {"mkdocs.yml": MINIMAL_CONFIG, "docs/about.md": ABOUT})
    site = tmp_path / "site"
    assert build_site(tmp_path / "mkdocs.yml", site).returncode == 0
    before = snapshot(site)
    roles = tmp_path / "playbook/roles.yaml"
    text = roles.read_text(encoding="utf-8")
    roles.write_text(text.replace("team: marketing", "team: marketng", 1), encoding="utf-8")
    line = next(
        i
        for i, row in enumerate(roles.read_text("utf-8").splitlines(), 1)
        if "team: marketng" in row
    )
    result = build_site(tmp_path / "mkdocs.yml", site)
    assert result.returncode == 1
    assert re.search(
        rf"^playbook/roles\.yaml:{line}:\d+: error: roles\[\d+\]\.team: unknown team 'marketng' "
        r"\(did you mean 'marketing'\?\)$",
        result.stdout,
        flags=re.MULTILINE,
    ), result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(site) == before


def test_plain_mkdocs_build_of_a_broken_playbook_keeps_the_site(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "playbook")
    write_tree(tmp_path, {"mkdocs.yml": MINIMAL_CONFIG, "docs/about.md": ABOUT})
    site = tmp_path / "site"
    env = {**_env(), "NO_MKDOCS_2_WARNING": "1"}
    cmd = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "-f",
        str(tmp_path / "mkdocs.yml"),
        "-d",
        str(site),
    ]
    assert subprocess.run(cmd, capture_output=True, env=env, cwd=tmp_path).returncode == 0
    before = snapshot(site)
    (tmp_path / "playbook/zz-broken.yaml").write_text("roles: [{id: x}]\n", encoding="utf-8")
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "playbook/zz-broken.yaml:1:9: error: roles[" in result.stdout + result.stderr
    assert snapshot(site) == before


def _with_overrides(tmp_path: Path, templates: dict[str, str]) -> None:
    """The example, built with the plugin's ``templates: overrides`` holding ``templates``."""
    shutil.copytree(EXAMPLE, tmp_path / "playbook")
    config = MINIMAL_CONFIG.replace(
        "source: playbook", "source: playbook\n      templates: overrides"
    )
    files = {f"overrides/{name}": text for name, text in templates.items()}
    write_tree(tmp_path, {"mkdocs.yml": config, "docs/about.md": ABOUT, **files})


def test_user_template_overrides_a_built_in_one_by_name(tmp_path: Path) -> None:
    _with_overrides(
        tmp_path,
        {"glossary.html.j2": "<h1>Words we use</h1>\n<p>{{ pb.glossary | length }} terms.</p>\n"},
    )
    assert build_site(tmp_path / "mkdocs.yml", tmp_path / "site").returncode == 0
    html = (tmp_path / "site/glossary/index.html").read_text("utf-8")
    terms = len(raw_example()["glossary"])
    assert f"<p>{terms} terms.</p>" in html
    assert '<h1 id="words-we-use">Words we use' in html


def test_an_override_under_a_markdown_template_name_is_refused(tmp_path: Path) -> None:
    """``role.md.j2`` was the role page's template when pages were Markdown: a user's file of
    that name is an error naming it, never silently ignored, and nothing is built."""
    _with_overrides(tmp_path, {"role.md.j2": "# {{ role.name | text }}\n"})
    result = build_site(tmp_path / "mkdocs.yml", tmp_path / "site")

    assert result.returncode == 1
    errors = [line for line in (result.stdout + result.stderr).splitlines() if ": error: " in line]
    assert len(errors) == 1, errors
    assert errors[0].startswith("overrides/role.md.j2:1:1: error: "), errors[0]
    assert "role.html.j2" in errors[0]
    assert not (tmp_path / "site").exists()


def test_hand_written_page_at_a_generated_path_is_an_error_naming_both(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "playbook")
    write_tree(tmp_path, {"mkdocs.yml": MINIMAL_CONFIG, "docs/glossary.md": "# Mine\n"})
    result = build_site(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 1
    assert "docs/glossary.md" in result.stderr and "glossary.md" in result.stderr


ABOUT = "# About this playbook\n\nHand-written.\n"

MINIMAL_CONFIG = """\
site_name: Test playbook
docs_dir: docs
theme:
  name: material
  font: false
plugins:
  - search
  - playbook:
      source: playbook
"""


def test_build_from_another_folder_uses_paths_relative_to_the_config(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "proj/playbook")
    write_tree(tmp_path, {"proj/mkdocs.yml": MINIMAL_CONFIG, "proj/docs/about.md": ABOUT})
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-f", "proj/mkdocs.yml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**_env(), "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "proj/site/index.html").is_file()


def test_repository_layout_is_complete() -> None:
    for name in [
        "playbook",
        "templates",
        "generator",
        "tests",
        "mkdocs.yml",
        "pyproject.toml",
        "README.md",
    ]:
        assert (ROOT / name).exists(), name


def _section(html: str, heading_start: str) -> str:
    """The HTML from the ``<h2>`` starting with ``heading_start`` to the next ``<h2>``."""
    match = re.search(rf"<h2[^>]*>{re.escape(heading_start)}.*?(?=<h2|$)", html, flags=re.DOTALL)
    assert match, heading_start
    return match.group(0)


def _plain(fragment: str) -> str:
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def test_engagement_scope_lists_match_the_yaml_exactly(example_site: Path) -> None:
    data = raw_example()
    names = {a["id"]: a["name"] for a in data["activities"]}
    party = {t["id"]: t["name"] for t in data["teams"]}
    for engagement in data["engagements"]:
        html = page(example_site, f"engagements/{engagement['id']}/index.html")
        team = party[engagement["party"]].replace("&", "&amp;")
        does = _section(html, f"{team} does<")
        rows = re.findall(r"<tr>\s*<td>(.*?)</td>", does, flags=re.DOTALL)
        in_scope = [_plain(row.split("<br")[0]) for row in rows]
        assert in_scope == [names[i] for i in engagement["in_scope"]]
        does_not = _section(html, f"{team} does not do")
        items = re.findall(r"<li><strong>(.*?)</strong>", does_not, flags=re.DOTALL)
        assert [_plain(i) for i in items] == [names[i] for i in engagement["out_of_scope"]]
        sign = _section(html, "Sign-off")
        roles = {r["id"]: r["name"] for r in data["roles"]}
        signatories = [_plain(c).split(" (")[0] for c in re.findall(r"<tr><td>(.*?)</td>", sign)]
        assert signatories == [roles[r] for r in engagement["sign_off"]]


def test_search_indexes_each_activity_at_its_own_place_not_in_every_list(
    example_site: Path,
) -> None:
    """Role, person and stage pages keep their activity lists out of the search index (the
    lists are long, and an activity is found at its own page), not their headings."""
    import json

    docs = json.loads((example_site / "search/search_index.json").read_text("utf-8"))["docs"]
    data = raw_example()
    names = {a["id"]: " ".join(a["name"].split()) for a in data["activities"]}
    for ident, name in names.items():
        own = [d for d in docs if d["location"].startswith(f"activities/{ident}/")]
        assert own and name in own[0]["title"], ident
    sdr = letters_by_role(data, "sdr")
    listed = {names[i] for i in set().union(*sdr.values())}
    role_text = " ".join(d["text"] for d in docs if d["location"].startswith("roles/sdr/"))
    assert "Handoffs" in " ".join(
        d["title"] for d in docs if d["location"].startswith("roles/sdr/")
    )
    assert not [n for n in listed if n in role_text]
    stage_text = " ".join(d["text"] for d in docs if d["location"].startswith("lifecycle/"))
    assert not [n for n in names.values() if f">{n}<" in stage_text or n in stage_text]
