"""Model → SVG: the lifecycle diagram and the handoff swimlane. No I/O.

The diagrams are drawn at build time: plain SVG, no JavaScript, no fonts to fetch, printable.
The same playbook gives byte-identical SVG. All user text is escaped, and its whitespace
collapsed, so the result is a single block without blank lines that starts with ``<svg``.

Python-Markdown treats a bare ``<svg>`` as inline HTML (it would turn ``*a*`` inside a stage
name into emphasis), so embed the SVG inside a block-level element::

    <figure class="playbook-diagram">
    {{ svg }}
    </figure>

:mod:`.layout` places the lifecycle's boxes and tracks, :mod:`.lifecycle` and
:mod:`.swimlane` draw, :mod:`.svg` holds the palette and the elements both use.
"""

from .lifecycle import lifecycle_figure, lifecycle_svg
from .svg import FONT, MUTED, NEUTRAL, PALETTE, TEXT, Link
from .swimlane import swimlane_figure, swimlane_svg

__all__ = [
    "FONT",
    "MUTED",
    "NEUTRAL",
    "PALETTE",
    "TEXT",
    "Link",
    "lifecycle_figure",
    "lifecycle_svg",
    "swimlane_figure",
    "swimlane_svg",
]
