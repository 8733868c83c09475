"""Fuzzing the example playbook: whatever the mutation, ``check`` answers in the contract's
format, and a playbook it accepts always renders.

The mutations work on the parsed YAML of ``playbook/`` — keys and values deleted,
duplicated, retyped and renamed, references pointed elsewhere, sections spliced between
files and whole files copied — and the result is written back with ``yaml.safe_dump``.

The suite runs a bounded number of examples; for a long run (about half an hour)::

    PLAYBOOK_FUZZ_EXAMPLES=10000 python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from conftest import EXAMPLE
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_hostile_text import Balance, assert_inert, from_markdown_file

from generator.cli import cli
from generator.outputs import produced_files
from generator.site import make_environment, render
from generator.validate import check
from generator.write import site_files

ENV = make_environment()
"""One environment for every example: Jinja compiles the templates once."""
LINE = re.compile(r"^[^:]+:\d+:\d+: (error|warning): .*$")
COUNT = re.compile(r"^\d+ problems? \(\d+ errors?, \d+ warnings?\)$")

FILES: dict[str, Any] = {
    path.name: yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted(EXAMPLE.glob("*.yaml"))
}


def _collect(value: Any, keys: set[str], ids: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            keys.add(str(key))
            if key in ("id", "name", "term") and isinstance(item, str):
                ids.add(item)
            _collect(item, keys, ids)
    elif isinstance(value, list):
        for item in value:
            _collect(item, keys, ids)


_KEYS: set[str] = set()
_IDS: set[str] = set()
_collect(FILES, _KEYS, _IDS)
KEYS = sorted(_KEYS)
IDS = sorted(_IDS)

FREE_TEXT = {
    "name",
    "summary",
    "purpose",
    "definition",
    "description",
    "trigger",
    "feedback",
    "escalation",
    "change_process",
    "statement",
    "metric",
    "horizon",
    "area",
    "term",
    "version",
    "passes",
    "entry",
    "exit",
    "reasons",
    "holders",
    "target",
}


def _text_paths(value: Any, path: tuple[Any, ...] = (), free: bool = False) -> list[tuple]:
    """Paths to the free-text strings of the example (names, Markdown, list items)."""
    if isinstance(value, str):
        return [path] if free else []
    found: list[tuple] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _text_paths(item, path + (key,), key in FREE_TEXT)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _text_paths(item, path + (index,), free)
    return found


TEXT_PATHS = _text_paths(FILES)

_EXAMPLE = check(EXAMPLE).playbook
assert _EXAMPLE is not None
UNMUTATED = {path: page.markdown() for path, page in render(_EXAMPLE, ENV).pages.items()}
"""The example's pages as ``render --out`` writes them: a mutated playbook's pages that differ
are the ones its mutation reached."""

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
    st.sampled_from(IDS),
    st.sampled_from(KEYS),
    st.dates(),
    st.sampled_from(
        [
            "",
            " ",
            "4 business hours",
            "3-5",
            "09:00",
            "RACI",
            "external",
            "x" * 25_000,
            "2026-02-30",
            "null",
            "index",
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | TEXT, inner, max_size=3)
    ),
    max_leaves=6,
)
MARKDOWNISH = st.lists(
    st.sampled_from(
        [
            "**b**",
            "_e_",
            "`c`",
            "[l](https://x.org)",
            "[j](javascript:x)",
            "<b>",
            "{{ x }}",
            "{: .c}",
            "|",
            "- ",
            "1. ",
            "# ",
            "> ",
            "\n",
            "\n\n",
            "&amp;",
            "![i](data:x)",
            "[r][1]\n\n[1]: javascript:x",
            "\\",
            "Zoë",
            "日本語",
            "\u202e",
            "\u200b",
            "..",
            "/",
            "CON",
            "---",
        ]
    )
    | TEXT,
    min_size=1,
    max_size=6,
).map("".join)


def _pick(files: dict[str, Any], draw: Any) -> tuple[Any, Any]:
    """A (container, key) pair somewhere in the files, the file level included."""
    container: Any = files
    key: Any = draw(st.sampled_from(sorted(files)))
    node = files[key]
    while True:
        if isinstance(node, dict) and node:
            children: list[Any] = list(node)
        elif isinstance(node, list) and node:
            children = list(range(len(node)))
        else:
            return container, key
        if draw(st.integers(0, 3)) == 0:
            return container, key
        container, key = node, draw(st.sampled_from(children))
        node = container[key]


def _mutate(files: dict[str, Any], draw: Any) -> str:
    kind = draw(
        st.sampled_from(
            ["text"] * 6
            + ["delete", "duplicate", "retype", "rename", "reference", "splice", "copy-file"]
        )
    )
    if kind == "text":
        path = draw(st.sampled_from(TEXT_PATHS))
        node = files
        for part in path[:-1]:
            if not isinstance(node, (dict, list)) or part not in (
                node if isinstance(node, dict) else range(len(node))
            ):
                return kind
            node = node[part]
        if isinstance(node, (dict, list)) and path[-1] in (
            node if isinstance(node, dict) else range(len(node))
        ):
            node[path[-1]] = draw(MARKDOWNISH)
        return kind
    if kind == "splice":
        names = sorted(files)
        source, target = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        if not isinstance(files[source], dict) or not files[source]:
            return kind
        if not isinstance(files[target], dict):
            files[target] = {}
        section = draw(st.sampled_from(sorted(files[source])))
        moved = files[source][section] if draw(st.booleans()) else files[source].pop(section)
        existing = files[target].get(section)
        if isinstance(existing, list) and isinstance(moved, list) and source != target:
            existing.extend(copy.deepcopy(moved))
        else:
            files[target][section] = copy.deepcopy(moved)
        return kind
    if kind == "copy-file":
        name = draw(st.sampled_from(sorted(files)))
        files[f"zz-copy-of-{name}"] = copy.deepcopy(files[name])
        return kind
    container, key = _pick(files, draw)
    if kind == "delete":
        del container[key]
    elif kind == "duplicate":
        if isinstance(container, list):
            container.insert(draw(st.integers(0, len(container))), copy.deepcopy(container[key]))
        elif container is not files:
            container[draw(st.sampled_from(KEYS) | TEXT)] = copy.deepcopy(container[key])
    elif kind == "retype":
        container[key] = draw(VALUES)
    elif kind == "reference":
        container[key] = draw(st.sampled_from(IDS))
    elif kind == "rename" and isinstance(container, dict) and container is not files:
        new = draw(
            st.sampled_from(KEYS) | TEXT | st.sampled_from([key[:-1], key + "s", key.upper()])
        )
        container[new] = container.pop(key)
    return kind


def mutate(files: dict[str, Any], draw: Any) -> list[str]:
    """One to four mutations of ``files``, in place; their kinds, in order."""
    kinds = []
    for _ in range(draw(st.integers(1, 4))):
        if not files:
            break
        kinds.append(_mutate(files, draw))
        event(kinds[-1])
    return kinds


def _write(folder: Path, files: dict[str, Any]) -> None:
    folder.mkdir()
    for name, data in files.items():
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
        (folder / name).write_text(text, encoding="utf-8")


def _assert_contract_output(output: str) -> None:
    lines = output.rstrip("\n").split("\n")
    assert COUNT.match(lines[-1]), output[-500:]
    for line in lines[:-1]:
        assert LINE.match(line), line


@settings(
    max_examples=int(os.environ.get("PLAYBOOK_FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_check_answers_in_the_contract_format_and_valid_playbooks_render(
    data: st.DataObject,
) -> None:
    files = copy.deepcopy(FILES)
    mutate(files, data.draw)  # drawn step by step, so a failure shows the steps, not the files
    with tempfile.TemporaryDirectory(prefix="playbook-fuzz-") as scratch:
        folder = Path(scratch) / "playbook"
        _write(folder, files)
        runner = CliRunner()
        text = runner.invoke(cli, ["check", str(folder)], catch_exceptions=False)
        assert text.exit_code in (0, 1), text.output
        event(f"check exits {text.exit_code}")
        if text.exit_code == 1:
            _assert_contract_output(text.stdout)
        as_json = runner.invoke(
            cli, ["check", str(folder), "--format", "json"], catch_exceptions=False
        )
        assert as_json.exit_code == text.exit_code
        problems = json.loads(as_json.stdout)
        assert all(
            set(p) == {"severity", "file", "line", "column", "path", "message", "code"}
            for p in problems
        )
        if text.exit_code == 0:
            result = check(folder)
            assert result.playbook is not None
            site = render(result.playbook, ENV)
            assert site.pages and "index.md" in site.pages
            site_files(site)
            produced_files(result.playbook)
            assert_pages_inert(site.pages)


def assert_pages_inert(pages: dict[str, Any]) -> None:
    """Every page's HTML is inert and closes what it opens; each page the mutation changed is
    inert in its ``render --out`` file too, as Python-Markdown reads it."""
    for path, page in pages.items():
        article = page.html()
        assert_inert(article, allowed={"svg", "input"})  # diagrams, the matrix's filter
        balance = Balance(implied_ends=True)
        balance.feed(article)
        balance.close()
        assert balance.errors == [] and balance.open == [], (path, balance.errors, balance.open)
        written = page.markdown()
        if UNMUTATED.get(path) != written:
            assert_inert(from_markdown_file(written), allowed={"svg", "input"})
