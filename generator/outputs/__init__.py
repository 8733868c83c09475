"""The files the generator produces besides the pages: one registry, read by everything.

``playbook export`` takes its ``--format`` choices from :data:`OUTPUTS`, the MkDocs plugin and
``render --out`` write :func:`produced_files`, and the pages link to each output's
:attr:`~Output.path` and to :func:`engagement_page_path`. Adding an output format means one
entry in :data:`OUTPUTS`.

Every ``make`` is pure and deterministic: it returns the finished document (``str`` or
``bytes``); the caller decides where it goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Playbook
from .csv_matrix import csv_cell, matrix_csv
from .json_model import export_json_schema, playbook_json, schema_text, yaml_schema_text

if TYPE_CHECKING:
    from ..site import Site

__all__ = [
    "ENGAGEMENT_PAGE",
    "EXPORT_FORMATS",
    "OUTPUTS",
    "Output",
    "csv_cell",
    "engagement_page_path",
    "export_json_schema",
    "for_format",
    "matrix_csv",
    "matrix_xlsx",
    "playbook_json",
    "produced_files",
    "produced_paths",
]

ENGAGEMENT_PAGE = "downloads/engagement-{}.html"
"""Where the standalone (printable, e-mailable) page of an engagement goes; ``{}`` is its id.
The site makes these pages (:func:`generator.site.standalone_pages`)."""


@dataclass(frozen=True)
class Output:
    """One produced file.

    Attributes:
        key: Its name where pages link to it (``csv``, ``json-schema``).
        path: Where it goes in the site (and under ``render --out``), e.g.
            ``downloads/raci.csv``.
        label: The text of its download link (``CSV``, ``Excel``).
        export_format: Its name for ``playbook export --format``, or None when ``export``
            does not offer it.
        make: Playbook → the file's content.
        describes: The path of the output this one documents (a schema names the file it
            is the schema of), or None.
        summary: What it holds, in a sentence, for ``export --help`` and the reference.
    """

    key: str
    path: str
    label: str
    export_format: str | None
    make: Callable[[Playbook], str | bytes]
    describes: str | None = None
    summary: str = ""

    @property
    def binary(self) -> bool:
        """True when :attr:`make` returns bytes (not text to print on a terminal)."""
        return self.path.endswith(".xlsx")


def matrix_xlsx(playbook: Playbook) -> bytes:
    """:func:`generator.outputs.workbook.matrix_xlsx`; xlsxwriter is imported only when a
    workbook is made, so commands that make none start faster."""
    from .workbook import matrix_xlsx as make

    return make(playbook)


OUTPUTS: tuple[Output, ...] = (
    Output("csv", "downloads/raci.csv", "CSV", "csv", matrix_csv, summary="the RACI matrix as CSV"),
    Output(
        "xlsx",
        "downloads/raci.xlsx",
        "Excel",
        "xlsx",
        matrix_xlsx,
        summary="the RACI matrix, one sheet per engagement and the legend, as an Excel workbook",
    ),
    Output(
        "json",
        "downloads/playbook.json",
        "JSON",
        "json",
        playbook_json,
        summary="the whole validated playbook as JSON",
    ),
    Output(
        "json-schema",
        "downloads/playbook.schema.json",
        "its schema",
        None,
        schema_text,
        describes="downloads/playbook.json",
        summary="the JSON Schema of the JSON export",
    ),
    Output(
        "yaml-schema",
        "downloads/yaml.schema.json",
        "YAML schema",
        None,
        yaml_schema_text,
        summary="the JSON Schema of the playbook's YAML files, for editors",
    ),
)
"""Every produced file made from the playbook alone, in the order the pages list them."""

EXPORT_FORMATS: tuple[str, ...] = tuple(o.export_format for o in OUTPUTS if o.export_format)
"""The choices of ``playbook export --format``."""


def for_format(export_format: str) -> Output:
    """The output ``playbook export --format export_format`` writes (KeyError if none)."""
    for output in OUTPUTS:
        if output.export_format == export_format:
            return output
    raise KeyError(export_format)


def engagement_page_path(engagement_id: str) -> str:
    """Where the standalone page of the engagement ``engagement_id`` goes."""
    return ENGAGEMENT_PAGE.format(engagement_id)


def produced_paths(site: Site | None = None) -> list[str]:
    """Every path :func:`produced_files` fills, known before anything is made (what no
    hand-written file may take): :data:`OUTPUTS`, then the standalone pages of ``site``."""
    return [*(o.path for o in OUTPUTS), *sorted(site.printable if site else ())]


def produced_files(playbook: Playbook, site: Site | None = None) -> dict[str, str | bytes]:
    """Every produced file by its path: :data:`OUTPUTS`, then, given the rendered ``site``
    (before its pages are handed on), the standalone engagement pages.

    Args:
        playbook: A validated playbook.
        site: The rendered site of ``playbook``; its pages are read, not changed.
    """
    files: dict[str, str | bytes] = {o.path: o.make(playbook) for o in OUTPUTS}
    if site is not None:
        from ..site import standalone_pages  # the site links to these outputs

        files.update(standalone_pages(site))
    return files
