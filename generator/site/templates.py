"""The Jinja environment, and what every template may use: its view's fields, the names
every page has (:data:`PAGE_NAMES`) and the filters (:data:`FILTERS`).

Templates are found in a user's folder first (any template by name), then in ours. A broken
template is a :class:`TemplateFailure` naming its file and line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from ..errors import PlaybookError
from ..model import plain_number
from .markdown import md_block, md_inline, text, title_text, tooltip
from .slugs import slugify

BUILTIN_TEMPLATES = Path(__file__).parent.parent / "templates"
if not BUILTIN_TEMPLATES.is_dir():  # a source checkout keeps them beside the package
    BUILTIN_TEMPLATES = Path(__file__).parent.parent.parent / "templates"


def percent(value: float | None) -> str:
    """``40`` → ``40 %``."""
    if value is None:
        return ""
    return f"{value:g} %"


def format_date(value: Any) -> str:
    """``2026-03-02`` → ``2 March 2026``."""
    if value is None:
        return ""
    return f"{value.day} {value.strftime('%B')} {value.year}"


FILTERS: dict[str, Callable[..., str]] = {
    "text": text,
    "md": md_block,
    "md_inline": md_inline,
    "html": text,
    "title": title_text,
    "tooltip": tooltip,
    "percent": percent,
    "number": plain_number,
    "date": format_date,
    "slug": slugify,
}
"""The filters our templates use on user text, by name (Jinja's own are there too)."""

PAGE_NAMES = ("page", "page_title", "pb", "view")
"""Names every page template has besides its view's fields: the page's path, its title,
the validated playbook, and the view itself (to hand to a macro)."""


class TemplateFailure(PlaybookError):
    """A template (usually a user's override) could not be read or rendered.

    The message is one line in the diagnostics' shape, naming the template file and line:
    ``overrides/role.md.j2:3:1: error: template 'role.md.j2': unexpected '}'``.
    """

    def __init__(self, *, file: str, line: int, template: str, message: str) -> None:
        self.file, self.line, self.template = file, line, template
        message = " ".join(message.split())
        super().__init__(f"{file}:{line}:1: error: template '{template}': {message}")


def _shown(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path


def _template_folders(env: jinja2.Environment) -> list[Path]:
    loaders = env.loader.loaders if isinstance(env.loader, jinja2.ChoiceLoader) else [env.loader]
    folders = []
    for loader in loaders:
        if isinstance(loader, jinja2.FileSystemLoader):
            folders += [Path(p).resolve() for p in loader.searchpath]
    return folders


def _template_frame(env: jinja2.Environment, error: BaseException) -> tuple[str, int, bool] | None:
    """(file, line, is a user's template) of the innermost template line in the traceback."""
    folders = _template_folders(env)
    found = None
    tb = error.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        resolved = Path(name).resolve() if name and not name.startswith("<") else None
        for folder in folders:
            if resolved is not None and resolved.is_relative_to(folder):
                found = (name, tb.tb_lineno, folder != BUILTIN_TEMPLATES.resolve())
        tb = tb.tb_next
    return found


def render_template(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render the template ``name``; a broken template is a :class:`TemplateFailure`.

    Syntax errors, undefined names and errors raised inside a user's template name the file
    and line; an error raised inside a built-in template by Python code is a bug and is
    left as it is.
    """
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        file = _shown(exc.filename) if exc.filename else exc.name or name
        raise TemplateFailure(
            file=file, line=exc.lineno or 1, template=exc.name or name, message=exc.message or ""
        ) from None
    except Exception as exc:
        frame = _template_frame(env, exc)
        if not isinstance(exc, jinja2.TemplateError) and not (frame and frame[2]):
            raise
        file, line = (_shown(frame[0]), frame[1]) if frame else (name, 1)
        message = (
            str(exc) if isinstance(exc, jinja2.TemplateError) else (f"{type(exc).__name__}: {exc}")
        )
        if isinstance(exc, jinja2.TemplateNotFound):
            message = f"template '{exc.name}' not found"
        raise TemplateFailure(
            file=file, line=line, template=Path(file).name, message=message
        ) from None


def make_environment(override: Path | str | None = None) -> jinja2.Environment:
    """The Jinja environment: a user's folder first (any template by name), then ours.

    A user's template under a page template's former name (``role.md.j2``, when pages were
    Markdown) is an error naming the file: it would be silently ignored otherwise.

    One environment per folder is kept for the life of the process, so ``serve`` does not
    compile every template again on each rebuild; Jinja still reloads a template whose file
    changed.
    """
    if override is not None:
        _refuse_markdown_templates(Path(override))
    return _environment(str(override) if override is not None else None)


def _refuse_markdown_templates(folder: Path) -> None:
    for old in sorted(folder.glob("*.md.j2")):
        new = old.name[: -len(".md.j2")] + ".html.j2"
        if (BUILTIN_TEMPLATES / new).is_file():
            raise TemplateFailure(
                file=_shown(str(old)),
                line=1,
                template=old.name,
                message=f"pages are HTML now: write this template as HTML, named '{new}' "
                "(REFERENCE.md, Templates you can override)",
            )


@lru_cache(maxsize=8)
def _environment(override: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override is not None:
        loaders.append(jinja2.FileSystemLoader(str(override)))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        lstrip_blocks=True,
        trim_blocks=False,
    )
    env.filters.update(FILTERS)
    return env
