"""The standalone printable engagement pages (``downloads/engagement-<id>.html``).

Each is made from the engagement page's HTML (without permalinks), so the plugin and
``render --out`` offer the same file.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from .markdown import title_text

if TYPE_CHECKING:
    from . import Site

STANDALONE_CSS = """
body { font: 10pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b;
  max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .5em; }
h2 { font-size: 1.15rem; margin: 1.4em 0 .4em; break-after: avoid; }
h2 + p, h2 + table, h2 + ul { break-before: avoid; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
thead { display: table-header-group; }
th, td { border: 1px solid #bbb; padding: .3em .5em; text-align: left; vertical-align: top; }
tr, li { break-inside: avoid; }
ul { padding-left: 1.2em; } li { margin: .15em 0; }
.pb-signoff { break-inside: avoid; table-layout: fixed; }
.pb-signoff th:nth-child(1) { width: 30%; } .pb-signoff th:nth-child(2) { width: 26%; }
.pb-signoff th:nth-child(3) { width: 14%; } .pb-signoff th:nth-child(4) { width: 30%; }
.pb-signoff td { height: 3.2em; vertical-align: middle; }
.pb-print-actions, .headerlink { display: none; }
abbr { text-decoration: none; }
@page { size: A4; margin: 14mm 14mm 18mm;
  @bottom-right { content: "page " counter(page) " of " counter(pages); font: 8pt sans-serif;
    color: #444; } }
@media print { body { margin: 0; padding: 0; max-width: none; } .pb-signoff td { height: 12mm; } }
"""

_PERMALINK = re.compile(r'<a\b[^>]*\bclass="headerlink"[^>]*>.*?</a>', re.DOTALL)
_FOOTER = re.compile(r'\bdata-print-footer="([^"]*)"')


def css_string(text: str) -> str:
    """``text`` as a CSS string literal that is safe inside a ``<style>`` element."""
    escaped = "".join(
        f"\\{ord(c):x} " if c in '"\\<>&' or ord(c) < 32 else c for c in " ".join(text.split())
    )
    return f'"{escaped}"'


def standalone_page(title: str, body_html: str) -> str:
    """A self-contained HTML document of one page's content, for e-mailing or printing.

    Links are turned into their text (their targets are pages of the site), permalink marks
    and the page's own buttons are removed. A page that names a print footer
    (``data-print-footer``) gets it at the foot of every printed page, before the page
    number. ``title`` is HTML (see :func:`title_text`).
    """
    found = _FOOTER.search(body_html)
    footer = ""
    if found:
        text = css_string(html.unescape(found.group(1)))
        footer = (
            f"@page {{ @bottom-left {{ content: {text}; font: 8pt sans-serif; color: #444; }} }}\n"
        )
    body = re.sub(r'<div class="pb-print-actions".*?</div>', "", body_html, flags=re.DOTALL)
    body = _PERMALINK.sub("", body)
    body = re.sub(r"<a\b[^>]*>", "", body).replace("</a>", "")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<style>{STANDALONE_CSS}{footer}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def standalone_pages(site: Site) -> dict[str, str]:
    """The printable page of each engagement, by its path in the site.

    Made from ``site.pages``: call it before handing the pages on (the plugin gives them to
    MkDocs and keeps none).
    """
    out: dict[str, str] = {}
    for path, page in sorted(site.printable.items()):
        out[path] = standalone_page(title_text(site.titles[page]), site.pages[page].html(None))
    return out
