"""The site: model → ``{page path: Page}``, the navigation and the assets. No I/O.

The page plan (:mod:`.plan`) says which pages there are; each page's view (:mod:`.views`)
is drawn by its template (:mod:`.templates`); user text reaches a page only through the
filters of :mod:`.markdown`. The same playbook always gives the same pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import jinja2

from ..model import Playbook
from .markdown import EXTENSIONS, md, md_block, md_inline, safe_url, text, title_text, tooltip
from .page import Glossary, Page, finish
from .parallel import map_in_two
from .plan import ASSETS, Plan
from .plan import Page as PlannedPage
from .slugs import slugify, unique_slugs
from .standalone import standalone_page, standalone_pages
from .templates import TemplateFailure, make_environment, render_template
from .views import Context, Lookups

__all__ = [
    "EXTENSIONS",
    "Site",
    "TemplateFailure",
    "Page",
    "make_environment",
    "md",
    "md_block",
    "md_inline",
    "render",
    "safe_url",
    "slugify",
    "standalone_page",
    "standalone_pages",
    "text",
    "title_text",
    "tooltip",
    "unique_slugs",
]


@dataclass(frozen=True)
class Site:
    """Everything the generator produces for one playbook."""

    pages: dict[str, Page]
    """Page path (a Markdown file's, as MkDocs names pages) → the page."""
    nav: list[Any]
    """The navigation, in MkDocs' syntax."""
    titles: dict[str, str]
    """Page path → its title (plain text)."""
    assets: dict[str, str] = field(default_factory=dict)
    """The stylesheet and script the pages use, by path."""
    printable: dict[str, str] = field(default_factory=dict)
    """Path of a standalone printable page → the page it prints (see
    :func:`standalone_pages`)."""


def render(
    playbook: Playbook,
    env: jinja2.Environment | None = None,
    *,
    directory_urls: bool = True,
    parallel: bool = False,
) -> Site:
    """The pages, navigation and assets of ``playbook``. Pure and deterministic.

    ``parallel``: a large site's pages are made on two cores (:mod:`.parallel`); call it
    so only where the process may fork (no threads running).

    Raises:
        TemplateFailure: A template could not be read or rendered.
    """
    env = env or make_environment()
    plan = Plan(playbook, directory_urls=directory_urls)
    lookups = Lookups(playbook)
    glossary = Glossary(playbook)

    def make(page: PlannedPage) -> Page:
        context = Context(playbook, plan, lookups, plan.links_from(page.path))
        view = page.kind.view(context, page.ident)
        names = {f.name: getattr(view, f.name) for f in fields(view)}
        body = render_template(
            env,
            page.kind.template,
            page=page.path,
            page_title=page.title,
            pb=playbook,
            view=view,
            **names,
        )
        return finish(body, page.title, glossary, wide=page.kind.wide, search=page.kind.search)

    planned = plan.pages
    made = map_in_two(planned, make) if parallel else [make(page) for page in planned]
    pages = {page.path: result for page, result in zip(planned, made, strict=True)}
    titles = {page.path: page.title for page in planned}
    printable = {
        plan.target("printable", page.ident): page.path for page in planned if page.kind.printable
    }
    assets = {path: render_template(env, path) for path in ASSETS}
    return Site(pages, plan.navigation(), titles, assets, printable)
