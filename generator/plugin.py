"""The MkDocs plugin: a thin adapter over check → render → outputs, the only module that
imports mkdocs.

``on_config`` (before MkDocs cleans the old site, so a broken playbook never wipes the last
good one) checks the playbook, renders it, refuses a hand-written file at a generated URL and
a ``site_dir`` a build may not clean (:mod:`generator.guard`), and merges the navigation.
``on_files`` adds the pages as generated files (never writing into ``docs_dir``) and the
produced files (:mod:`generator.outputs`), made beside the build where processes can fork.
A generated page is HTML already: MkDocs reads its front matter, converts no Markdown, and
``on_page_content`` hands it the page's HTML and table of contents.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from . import cache, guard, outputs, preview
from . import config as settings
from .errors import PlaybookError, format_diagnostics
from .model import Playbook
from .outputs.background import Background, clear_leftovers
from .site import EXTENSIONS, Site, TemplateFailure, make_environment, render
from .site import Page as GeneratedPage

log = get_plugin_logger(__name__)


# mkdocs' Config.__init_subclass__ carries no types, hence the ignores on the two classes
class PlaybookConfig(Config):  # type: ignore[no-untyped-call]
    source = c.Type(str, default="playbook")
    """Folder of the playbook's YAML files, relative to mkdocs.yml."""
    templates = c.Optional(c.Type(str))
    """Folder whose templates override the built-in ones by name, relative to mkdocs.yml."""


class PlaybookPlugin(BasePlugin[PlaybookConfig]):  # type: ignore[no-untyped-call]
    """Publishes a responsibility playbook as MkDocs pages."""

    def __init__(self) -> None:
        self.site: Site | None = None
        self.generated: dict[str, GeneratedPage] = {}
        """The generated pages by path, until MkDocs has each one's HTML."""
        self.playbook: Playbook | None = None
        self.command: str | None = None
        self.background: Background | None = None
        self.base = Path.cwd()
        self.lock = ExitStack()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def _folder(self, value: str) -> Path:
        return (self.base / value).resolve()

    def source_folder(self, config: MkDocsConfig) -> Path:
        """The playbook folder (as it is named in messages)."""
        return Path(config.config_file_path or "mkdocs.yml").resolve().parent / self.config.source

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.base = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        result = cache.check(self.source_folder(config))
        for warning in result.warnings:
            log.warning(warning.format_text())
        if not result.ok(config.strict):
            raise PluginError(
                "the playbook is invalid; nothing was built\n"
                + format_diagnostics(result.diagnostics)
            )
        assert result.playbook is not None
        self.playbook = playbook = result.playbook
        templates = self.config.templates
        try:
            env = make_environment(self._folder(templates) if templates else None)
            self.site = render(
                playbook,
                env,
                directory_urls=config.use_directory_urls,
                parallel=self.command in ("build", "gh-deploy"),  # serve runs threads
            )
        except TemplateFailure as exc:
            raise PluginError(f"a template failed; nothing was built\n{exc}") from None
        docs_files = _docs_files(config)
        self._refuse_clashes(config, docs_files)
        site_dir = Path(config.site_dir)
        with _as_plugin_error():
            guard.check_output_folder(
                site_dir,
                kept=self.kept_folders(config),
                marker=guard.SITE_MARKER,
                setting="site_dir (or -d)",
                from_option=False,
            )
        for name in EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        for path in self.site.assets:
            target = config.extra_css if path.endswith(".css") else config.extra_javascript
            if path not in [str(x) for x in target]:
                target.append(path)
        footer = settings.footer(playbook.organisation)
        config.copyright = f"{config.copyright} · {footer}" if config.copyright else footer
        included = [f for f in docs_files if f.inclusion.is_included()]  # type: ignore[no-untyped-call]
        hand = [f.src_uri for f in included if f.src_uri.endswith(".md")]
        config.nav = settings.merged_nav(self.site, config.nav, sorted(hand))
        if self.command in ("build", "gh-deploy"):  # `playbook build` holds the lock itself
            with _as_plugin_error():
                site_dir.parent.mkdir(parents=True, exist_ok=True)
                self.lock.enter_context(guard.output_lock(site_dir))
        return config

    def kept_folders(self, config: MkDocsConfig) -> dict[str, Path | None]:
        """The folders a site folder may never be or contain, by how messages name them."""
        return guard.project_folders(
            Path(config.config_file_path or "mkdocs.yml"),
            docs_dir=Path(config.docs_dir),
            source=self.config.source,
            templates=self.config.templates,
            custom_dir=config.theme.custom_dir,
        )

    def _refuse_clashes(self, config: MkDocsConfig, files: list[File] | Files) -> None:
        """A file of another origin at the URL of a generated page or produced file is an
        error naming both: checked in ``on_config`` (``docs_dir``, before MkDocs cleans the
        site folder) and in ``on_files`` (what other plugins added too)."""
        assert self.site is not None and self.playbook is not None
        ours = {
            File(
                p, None, config.site_dir, config.use_directory_urls
            ).dest_uri: f"the generated page {p}"
            for p in self.site.pages
        }
        ours.update((p, f"the generated download {p}") for p in outputs.produced_paths(self.site))
        clashes = [
            f"{_origin(file)} and {ours[file.dest_uri]} (both {file.dest_uri})"
            for file in files
            if file.generated_by != "playbook"
            and file.inclusion is not InclusionLevel.EXCLUDED
            and file.dest_uri in ours
        ]
        if clashes:
            raise PluginError(
                "hand-written files have the URL of generated ones: " + "; ".join(clashes)
            )

    def on_pre_build(self, config: MkDocsConfig) -> None:
        guard.claim_site(Path(config.site_dir))
        clear_leftovers(Path(config.site_dir))

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.site is not None and self.playbook is not None
        self._refuse_clashes(config, files)
        in_nav = settings.paths_in(config.nav)
        self.generated = dict(self.site.pages)
        for path, page in self.generated.items():
            file = File.generated(config, path, content=page.front_matter())
            if path not in in_nav:  # reached through links (activity pages of a large playbook)
                file.inclusion = InclusionLevel.NOT_IN_NAV
            files.append(file)
        for path, content in self.site.assets.items():
            if not files.get_file_from_path(path):
                files.append(File.generated(config, path, content=content))
        site, playbook, paths = self.site, self.playbook, outputs.produced_paths(self.site)
        if self.command != "serve":  # serve runs threads: forking beside them is not safe
            printed = replace(site, pages={p: site.pages[p] for p in site.printable.values()})
            self.background = Background.start(  # holding only the pages it prints
                lambda: outputs.produced_files(playbook, printed), paths, Path(config.site_dir)
            )
        made = (
            {p: b"" for p in paths} if self.background else outputs.produced_files(playbook, site)
        )
        for path, data in made.items():  # placeholders, so links resolve, until on_post_build
            files.append(File.generated(config, path, content=data))
        self.site = replace(site, pages={})  # MkDocs holds the pages from here on
        return files

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """A generated page's HTML and outline, in place of what MkDocs made of its (empty)
        Markdown; handed over once, so only MkDocs holds it from here on."""
        ours = self.generated.pop(page.file.src_uri, None)
        if ours is None or page.file.generated_by != "playbook":
            return html
        page.toc = get_toc(ours.toc())  # type: ignore[arg-type]
        page.present_anchor_ids = ours.anchors()
        return ours.html(self.permalink(config))

    @staticmethod
    def permalink(config: MkDocsConfig) -> str | None:
        """The permalink mark the site's ``toc`` settings ask for (as on hand-written pages):
        ``permalink: true`` is ``¶``, a string is itself, none is no mark."""
        setting = (config.mdx_configs or {}).get("toc", {}).get("permalink")
        if setting is True:
            return "&para;"
        return str(setting) if setting else None

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.background is not None:
            background, self.background = self.background, None
            with _as_plugin_error():
                background.finish(Path(config.site_dir))
        self.lock.close()

    def on_build_error(self, *, error: Exception) -> None:
        self.discard_downloads()

    def on_shutdown(self) -> None:
        self.discard_downloads()

    def discard_downloads(self) -> None:
        """Stop making the produced files and release the site folder (a build that failed
        or was interrupted)."""
        if self.background is not None:
            self.background.discard()
            self.background = None
        self.lock.close()

    def on_env(self, env: Any, config: MkDocsConfig, files: Files) -> Any:
        """Under ``serve``, the theme's templates are compiled once, not on every rebuild
        (MkDocs makes a new Jinja environment each time; a changed template is compiled
        again, as its source's checksum differs)."""
        if self.command == "serve" and env.bytecode_cache is None:
            env.bytecode_cache = preview.THEME_BYTECODE
        return env

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        preview.poll_faster(server)
        server.watch(str(self._folder(self.config.source)))
        if self.config.templates and self._folder(self.config.templates).is_dir():
            server.watch(str(self._folder(self.config.templates)))
        return server


@contextmanager
def _as_plugin_error() -> Iterator[None]:
    """The core's errors, and a failed write, as MkDocs' PluginError (one ``error:`` line)."""
    try:
        yield
    except PlaybookError as exc:
        raise PluginError(str(exc)) from None
    except OSError as exc:
        raise PluginError(f"cannot write '{exc.filename}': {exc.strerror}") from None


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
    return file.abs_src_path or f"{file.src_uri} (from {file.generated_by or 'another plugin'})"
