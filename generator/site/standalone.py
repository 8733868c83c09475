"""The standalone printable engagement pages (``downloads/engagement-<id>.html``).

Each is made from the engagement page's Markdown with Python-Markdown and the extensions
the pages are written for, so the plugin and ``render --out`` offer the same file.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import markdown

from .markdown import EXTENSIONS, title_text

if TYPE_CHECKING:
    from . import Site

STANDALONE_CSS = """
body { font: 10.5pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b;
  max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 1.6em; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; }
th, td { border: 1px solid #bbb; padding: .35em .5em; text-align: left; vertical-align: top; }
tr, li { break-inside: avoid; }
.pb-signoff td { height: 2.8em; }
.pb-print-actions, .headerlink { display: none; }
abbr { text-decoration: none; }
@page { size: A4; margin: 14mm; }
@media print { body { margin: 0; max-width: none; } }
"""

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def standalone_page(title: str, body_html: str) -> str:
    """A self-contained HTML document of one page's content, for e-mailing or printing.

    Links are turned into their text (their targets are pages of the site) and the page's
    own buttons are removed. ``title`` is HTML (see :func:`title_text`).
    """
    body = re.sub(r'<div class="pb-print-actions">.*?</div>', "", body_html, flags=re.DOTALL)
    body = re.sub(r"<a\b[^>]*>", "", body).replace("</a>", "")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<style>{STANDALONE_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def standalone_pages(site: Site) -> dict[str, str]:
    """The printable page of each engagement, by its path in the site.

    Made from ``site.pages``: call it before handing the pages on (the plugin gives them to
    MkDocs and keeps none).
    """
    converter = markdown.Markdown(extensions=list(EXTENSIONS))
    out: dict[str, str] = {}
    for path, page in sorted(site.printable.items()):
        body = converter.reset().convert(_FRONT_MATTER.sub("", site.pages[page], count=1))
        out[path] = standalone_page(title_text(site.titles[page]), body)
    return out
