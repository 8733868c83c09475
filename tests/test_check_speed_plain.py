"""The plain-file reader (events straight to values) finds what the full loader finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import parse as parsing
from generator import yamlloader
from generator.read import Limits

EXAMPLE = Path(__file__).resolve().parent.parent / "playbook"

TEXTS = [
    "a: 1\nb: [x, 'y', 2024-01-31, ~, true, 1.5]\nc:\nd: {e: f}\n",
    "activities:\n  - id: a\n    raci: {A: x, R: [y, z]}\n  - id: b\n    description: |\n      two\n",
    "a: &x 1\nb: *x\n",  # an alias: read by the full loader
    "a: 1\na: 2\n",  # a duplicate key: reported by the full loader
    "a: !!binary eA==\n",
    "a: 2024-02-30\n",
    "a: 1\n---\nb: 2\n",
    "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
    "- a\n",
    "",
]


def _full(text: str) -> parsing.Parsed:
    plain = yamlloader.PlainReader.document

    def unusual(self: yamlloader.PlainReader) -> dict[str, object]:
        self.loader.dispose()
        raise yamlloader.Unusual

    yamlloader.PlainReader.document = unusual  # type: ignore[method-assign]
    try:
        return parsing.parse(text, "f.yaml", Limits(), {"activities": 3}, what="a mapping")
    finally:
        yamlloader.PlainReader.document = plain  # type: ignore[method-assign]


def _seen(found: parsing.Parsed) -> tuple[object, ...]:
    def where(marks: dict[object, object]) -> dict[object, tuple[int, int]]:
        return {k: (m.line, m.column) for k, m in marks.items()}  # type: ignore[attr-defined]

    return (
        repr(found.data),
        where(found.marks.keys),
        where(found.marks.values),
        found.diagnostics,
        found.replaced,
    )


@pytest.mark.parametrize(
    "text",
    TEXTS + [p.read_text(encoding="utf-8") for p in sorted(EXAMPLE.glob("*.yaml"))],
)
def test_the_plain_reader_finds_what_the_full_loader_finds(text: str) -> None:
    fast = parsing.parse(text, "f.yaml", Limits(), {"activities": 3}, what="a mapping")
    assert _seen(fast) == _seen(_full(text))


def test_a_merge_key_as_a_value_is_reported_not_a_traceback() -> None:
    found = parsing.parse("a: <<\n", "f.yaml", Limits(), {}, what="a mapping")
    assert [d.format_text() for d in found.diagnostics] == [
        "f.yaml:1:4: error: a: '<<' merges only as a mapping key; quote it if it is text"
    ]
