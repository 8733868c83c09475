"""The MkDocs plugin: a thin adapter over load → validate → render → export.

It validates in ``on_config`` (before MkDocs cleans the old site, so a broken playbook never
wipes the last good one), adds the pages as generated files (never writing into
``docs_dir``), merges the navigation with hand-written pages, and watches the playbook and
template folders under ``mkdocs serve``.

Also in ``on_config``, before MkDocs cleans ``site_dir``: a hand-written file with the URL of
a generated one is an error naming both, and ``site_dir`` must be a folder a build may clean
(see :func:`generator.write.check_output_folder`); ``mkdocs build`` then holds the folder's
lock until the build ends.
"""

from __future__ import annotations

import ctypes
import html
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import replace
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions
from mkdocs.structure.pages import Page

from . import export, write
from .errors import PlaybookError, format_diagnostics
from .model import Playbook
from .render import Site, TemplateFailure, make_environment, render, standalone_page
from .validate import Result, check

log = get_plugin_logger(__name__)

MARKDOWN_EXTENSIONS = ("tables", "attr_list", "md_in_html", "abbr", "def_list", "toc")

DOWNLOADS_FOLDER = ".playbook-downloads-"
"""Prefix of the folder, inside ``site_dir``, where the downloads are made during a build."""


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
        self.lock = ExitStack()

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
        docs_files = _docs_files(config)
        self._refuse_clashes(config, docs_files)
        self._check_site_dir(config)
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
        hand = sorted(
            f.src_uri for f in docs_files if f.src_uri.endswith(".md") and f.inclusion.is_included()
        )
        config.nav = self._merged_nav(config, hand)
        if self.command in ("build", "gh-deploy"):  # `playbook build` holds the lock itself
            site = Path(config.site_dir)
            try:
                site.parent.mkdir(parents=True, exist_ok=True)
                self.lock.enter_context(write.output_lock(site))
            except PlaybookError as exc:
                raise PluginError(str(exc)) from None
            except OSError as exc:
                raise PluginError(f"cannot write '{exc.filename}': {exc.strerror}") from None
        return config

    def kept_folders(self, config: MkDocsConfig) -> dict[str, Path | None]:
        """The folders a site folder may never be or contain, by how messages name them."""
        config_file = Path(config.config_file_path or "mkdocs.yml").resolve()
        base = config_file.parent
        templates = self.config.templates
        custom_dir = config.theme.custom_dir
        return {
            f"the folder of {config_file.name}": base,
            "docs_dir": Path(config.docs_dir),
            "the playbook folder": base / self.config.source,
            "the templates folder": base / templates if templates else None,
            "the theme's custom_dir": Path(custom_dir) if custom_dir else None,
            "the current folder": Path.cwd(),
        }

    def _check_site_dir(self, config: MkDocsConfig) -> None:
        try:
            write.check_output_folder(
                Path(config.site_dir),
                kept=self.kept_folders(config),
                marker=write.SITE_MARKER,
                setting="site_dir (or -d)",
                from_option=False,
            )
        except PlaybookError as exc:
            raise PluginError(str(exc)) from None

    def _merged_nav(self, config: MkDocsConfig, hand_written: list[str]) -> list[Any]:
        assert self.site is not None
        generated = self.site.nav
        user_nav = config.nav
        if user_nav:
            mentioned = _paths_in(user_nav)
            extra = [entry for entry in generated if not (_paths_in([entry]) & mentioned)]
            return list(user_nav) + extra
        hand = [p for p in hand_written if p not in self.site.pages]
        return list(generated) + hand

    def _refuse_clashes(self, config: MkDocsConfig, files: Iterable[File]) -> None:
        """A file of another origin that MkDocs would write where a generated page or download
        goes (the same URL, as ``use_directory_urls`` makes it) is an error naming both.

        Checked in ``on_config`` (the files of ``docs_dir``), before MkDocs cleans the site
        folder, and again in ``on_files`` (what other plugins added too).
        """
        assert self.site is not None
        generated = {
            File(
                path, None, config.site_dir, config.use_directory_urls
            ).dest_uri: f"the generated page {path}"
            for path in self.site.pages
        }
        for path in [*export.DOWNLOADS, *_engagement_downloads(self.site.pages)]:
            generated[path] = f"the generated download {path}"
        clashes = [
            f"{_origin(file)} and {generated[file.dest_uri]} (both {file.dest_uri})"
            for file in files
            if file.generated_by != "playbook"
            and file.inclusion is not InclusionLevel.EXCLUDED
            and file.dest_uri in generated
        ]
        if clashes:
            raise PluginError(
                "hand-written files have the URL of generated ones: " + "; ".join(clashes)
            )

    def on_pre_build(self, config: MkDocsConfig) -> None:
        """The site folder becomes ours before MkDocs cleans it (its clean keeps dot-files):
        the marker, and no downloads folder that an interrupted build left."""
        site = Path(config.site_dir)
        site.mkdir(parents=True, exist_ok=True)
        if not (site / write.SITE_MARKER).is_file():
            write.atomic_write(site / write.SITE_MARKER, write.SITE_MARKER_TEXT)
        for leftover in site.glob(f"{DOWNLOADS_FOLDER}*"):
            shutil.rmtree(leftover, ignore_errors=True)

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
            self.downloads = _start_downloads(self.playbook, Path(config.site_dir))
        if self.downloads is None:  # no fork here: make them now, as ordinary files
            for path, data in export.site_downloads(self.playbook).items():
                files.append(File.generated(config, path, content=data))
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

    def on_page_content(
        self, html_text: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
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
            target = Path(config.site_dir) / _engagement_download(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(standalone_page(title, body), encoding="utf-8")
        self.lock.close()

    def on_build_error(self, *, error: Exception) -> None:
        self.discard_downloads()
        self.lock.close()

    def on_shutdown(self) -> None:
        self.discard_downloads()
        self.lock.close()

    def discard_downloads(self) -> None:
        """Stop the process making the downloads and remove its folder (a build that failed
        or was interrupted)."""
        if self.downloads is None:
            return
        process, folder = self.downloads
        self.downloads = None
        if process.is_alive():
            process.kill()
        process.join()
        shutil.rmtree(folder, ignore_errors=True)

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self._folder(self.config.source)))
        if self.config.templates and self._folder(self.config.templates).is_dir():
            server.watch(str(self._folder(self.config.templates)))
        return server


def _docs_files(config: MkDocsConfig) -> list[File]:
    """The files of ``docs_dir`` as MkDocs will see them (URLs, exclusions), read before
    MkDocs does, so a clash stops the build before the site folder is cleaned."""
    docs = config.docs_dir
    files = [
        File(
            os.path.relpath(os.path.join(root, name), docs),
            docs,
            config.site_dir,
            config.use_directory_urls,
        )
        for root, _dirs, names in os.walk(docs, followlinks=True)
        for name in names
    ]
    set_exclusions(files, config)
    return files


def _origin(file: File) -> str:
    if file.abs_src_path:
        return file.abs_src_path
    return f"{file.src_uri} (from {file.generated_by or 'another plugin'})"


def _engagement_download(page: str) -> str:
    """The printable page of the engagement whose page is ``page``."""
    return f"downloads/engagement-{Path(page).stem}.html"


def _engagement_downloads(pages: Iterable[str]) -> list[str]:
    return [
        _engagement_download(path)
        for path in pages
        if path.startswith("engagements/") and path != "engagements/index.md"
    ]


def _write_downloads(playbook: Playbook, folder: Path, parent: int) -> None:
    _die_with_parent(parent)
    for path, content in export.site_downloads(playbook).items():
        target = folder / path
        for part in reversed(target.parents):  # never recreate a folder removed meanwhile
            if part.is_relative_to(folder) and part != folder:
                part.mkdir(exist_ok=True)
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_bytes(content)


def _die_with_parent(parent: int) -> None:
    """The downloads process ends with the build that started it: Ctrl-C reaches the build
    only, and a build killed outright leaves no process writing beside the site (Linux)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _start_downloads(playbook: Playbook, site: Path) -> tuple[BaseProcess, Path] | None:
    """Make the downloads (CSV, XLSX, JSON) in a forked process while MkDocs builds the
    pages: the second core does that work. They are made in a folder inside the site, on
    its file system, and renamed into place after the build. None where processes cannot
    fork."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    folder = Path(tempfile.mkdtemp(prefix=DOWNLOADS_FOLDER, dir=site))
    process = multiprocessing.get_context("fork").Process(
        target=_write_downloads, args=(playbook, folder, os.getpid()), daemon=True
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
