"""The MkDocs plugin: a thin adapter over load → validate → render → export.

It validates in ``on_config`` (before MkDocs cleans the old site, so a broken playbook never
wipes the last good one), adds the pages as generated files (never writing into
``docs_dir``), merges the navigation with hand-written pages, and watches the playbook and
template folders under ``mkdocs serve``.
"""

from __future__ import annotations

import html
import multiprocessing
import os
import shutil
import tempfile
from dataclasses import replace
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from . import export
from .errors import format_diagnostics
from .render import Site, TemplateFailure, make_environment, render, standalone_page
from .model import Playbook
from .validate import Result, check

log = get_plugin_logger(__name__)

MARKDOWN_EXTENSIONS = ("tables", "attr_list", "md_in_html", "abbr", "def_list", "toc")


class PlaybookConfig(Config):
    source = c.Type(str, default="playbook")
    """Folder of the playbook's YAML files, relative to mkdocs.yml."""
    templates = c.Optional(c.Type(str))
    """Folder whose templates override the built-in ones by name, relative to mkdocs.yml."""


class PlaybookPlugin(BasePlugin[PlaybookConfig]):
    """Publishes a responsibility playbook as MkDocs pages."""

    def __init__(self) -> None:
        self.site: Site | None = None
        self.playbook: Playbook | None = None
        self.command: str | None = None
        self.downloads: tuple[BaseProcess, Path] | None = None
        self.engagement_html: dict[str, tuple[str, str]] = {}
        self.base = Path.cwd()
        self.preloaded: tuple[Path, Result] | None = None
        """A validation result handed over by ``playbook build`` (used once)."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def _folder(self, value: str) -> Path:
        return (self.base / value).resolve()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.base = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        folder = self._folder(self.config.source)
        if self.preloaded is not None and self.preloaded[0] == folder:
            result = self.preloaded[1]
        else:
            result = check(folder)
        self.preloaded = None
        for warning in result.warnings:
            log.warning(warning.format_text())
        if result.playbook is None or result.errors or (config.strict and result.warnings):
            raise PluginError(
                "the playbook is invalid; nothing was built\n"
                + format_diagnostics(result.diagnostics)
            )
        playbook = result.playbook
        override = self.config.templates
        env = make_environment(self._folder(override) if override else None)
        try:
            self.site = render(playbook, env, directory_urls=config.use_directory_urls)
        except TemplateFailure as exc:
            raise PluginError(f"a template failed; nothing was built\n{exc}") from None
        self._refuse_clashes(config)
        self.playbook = playbook
        for name in MARKDOWN_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        for path in self.site.assets:
            target = config.extra_css if path.endswith(".css") else config.extra_javascript
            if path not in [str(x) for x in target]:
                target.append(path)
        footer = _footer(playbook.organisation)
        config.copyright = f"{config.copyright} · {footer}" if config.copyright else footer
        config.nav = self._merged_nav(config)
        return config

    def _hand_written(self, config: MkDocsConfig) -> list[str]:
        docs = Path(config.docs_dir)
        if not docs.is_dir():
            return []
        found = []
        for root, _dirs, names in os.walk(docs):
            for name in names:
                if name.endswith(".md"):
                    found.append(Path(root, name).relative_to(docs).as_posix())
        return sorted(found)

    def _merged_nav(self, config: MkDocsConfig) -> list[Any]:
        assert self.site is not None
        generated = self.site.nav
        user_nav = config.nav
        if user_nav:
            mentioned = _paths_in(user_nav)
            extra = [entry for entry in generated if not (_paths_in([entry]) & mentioned)]
            return list(user_nav) + extra
        hand = [p for p in self._hand_written(config) if p not in self.site.pages]
        return list(generated) + hand

    def _refuse_clashes(self, config: MkDocsConfig, files: Files | None = None) -> None:
        """A hand-written page at a generated page's path is an error naming both.

        Checked in ``on_config`` too, before MkDocs cleans the site folder.
        """
        assert self.site is not None
        if files is not None:
            clashes = [path for path in self.site.pages if files.get_file_from_path(path)]
        else:
            clashes = [path for path in self._hand_written(config) if path in self.site.pages]
        if clashes:
            docs = Path(config.docs_dir)
            listed = ", ".join(f"{docs / p} (generated page {p})" for p in clashes)
            raise PluginError(f"hand-written pages clash with generated pages: {listed}")

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.site is not None and self.playbook is not None
        self._refuse_clashes(config, files)
        for path, markdown in self.site.pages.items():
            files.append(File.generated(config, path, content=markdown))
        for path, content in self.site.assets.items():
            if not files.get_file_from_path(path):
                files.append(File.generated(config, path, content=content))
        self.site = replace(self.site, pages={})  # MkDocs holds the pages from here on
        # `mkdocs serve` runs threads; forking beside them is not safe, so serve makes the
        # downloads in the process.
        if self.command != "serve":
            self.downloads = _start_downloads(self.playbook)
        if self.downloads is None:  # no fork here: make them now, as ordinary files
            for path, content in export.site_downloads(self.playbook).items():
                files.append(File.generated(config, path, content=content))
        else:  # placeholders, so links to them resolve; replaced after the build
            for path in export.DOWNLOADS:
                files.append(File.generated(config, path, content=b""))
        return files

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if page.file.generated_by == "playbook":
            page.file.content_string = ""  # the page has its own copy now; keep one
        return markdown

    def on_page_content(self, html_text: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        path = page.file.src_uri
        if path.startswith("engagements/") and path != "engagements/index.md":
            self.engagement_html[path] = (page.title or "", html_text)
        return html_text

    def on_post_build(self, config: MkDocsConfig) -> None:
        assert self.site is not None
        if self.downloads is not None:
            process, folder = self.downloads
            process.join()
            self.downloads = None
            if process.exitcode:
                shutil.rmtree(folder, ignore_errors=True)
                raise PluginError(f"making the downloads failed (exit code {process.exitcode})")
            for path in export.DOWNLOADS:
                os.replace(folder / path, Path(config.site_dir) / path)
            shutil.rmtree(folder, ignore_errors=True)
        for path, (title, body) in sorted(self.engagement_html.items()):
            ident = Path(path).stem
            target = Path(config.site_dir) / "downloads" / f"engagement-{ident}.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(standalone_page(title, body), encoding="utf-8")

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self._folder(self.config.source)))
        if self.config.templates and self._folder(self.config.templates).is_dir():
            server.watch(str(self._folder(self.config.templates)))
        return server


def _write_downloads(playbook: Playbook, folder: Path) -> None:
    for path, content in export.site_downloads(playbook).items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_bytes(content)


def _start_downloads(playbook: Playbook) -> tuple[BaseProcess, Path] | None:
    """Make the downloads (CSV, XLSX, JSON) in a forked process, into a temporary folder,
    while MkDocs builds the pages: the second core does that work. None where processes
    cannot fork."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    folder = Path(tempfile.mkdtemp(prefix="playbook-downloads-"))
    process = multiprocessing.get_context("fork").Process(
        target=_write_downloads, args=(playbook, folder), daemon=True
    )
    process.start()
    return process, folder


def _footer(org: Any) -> str:
    parts = [f"{org.name} responsibility playbook"]
    if org.version:
        parts.append(f"version {org.version}")
    if org.effective:
        parts.append(f"effective {org.effective.isoformat()}")
    return html.escape(" · ".join(parts))


def _paths_in(nav: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(nav, str):
        found.add(nav)
    elif isinstance(nav, list):
        for item in nav:
            found |= _paths_in(item)
    elif isinstance(nav, dict):
        for value in nav.values():
            found |= _paths_in(value)
    return found
