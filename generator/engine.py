"""``playbook build`` and ``playbook serve``: MkDocs run over a mkdocs.yml that uses the
playbook plugin. With :mod:`generator.plugin`, the only code that imports mkdocs.

:func:`build_site` checks the site folder and the playbook before MkDocs starts (so problems
print in the contract's format, and the plugin's own check is then served by
:mod:`generator.cache`), builds into a staging folder and swaps it in whole
(:func:`generator.guard.staged_site`).
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import os
import socket
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build
from mkdocs.commands.serve import serve
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, PluginError

from . import cache, guard
from . import config as settings
from .errors import InvalidPlaybook, UsageError
from .plugin import PlaybookPlugin
from .text import one_line


def mkdocs_config(config_file: Path, **overrides: Any) -> MkDocsConfig:
    """Load mkdocs.yml through MkDocs; usage problems are :class:`UsageError` (exit 2).

    ``site_dir`` comes back as configured but unchecked, for
    :func:`generator.guard.check_output_folder`: MkDocs' own check would stop some folders
    (``site_dir: .``) with its wording before ours, and let others through (``playbook``),
    so MkDocs checks a placeholder and the configured value is read by
    :func:`generator.config.site_dir`.
    """
    if not config_file.is_file():
        raise UsageError(f"no MkDocs configuration at '{config_file}' (use -f FILE)")
    base = config_file.resolve().parent
    placeholder = str(base / ".playbook-site-unchecked")
    try:
        config = load_config(config_file=str(config_file), site_dir=placeholder, **overrides)
    except ConfigurationError as exc:
        raise UsageError(f"{config_file}: {exc}") from None
    if "playbook" not in config.plugins:
        raise UsageError(f"{config_file} does not use the 'playbook' plugin (see README)")
    config.site_dir = str(base / settings.site_dir(config_file))
    return config


def _log_as_mkdocs_does() -> None:
    logging.basicConfig(format="%(levelname)-7s -  %(message)s", level=logging.INFO)


def build_site(config_file: Path, site_dir: Path | None, *, strict: bool) -> Path:
    """Build the site of ``config_file`` into ``site_dir`` (default: its ``site_dir``); the
    previous site stays until the new one is complete.

    Returns:
        The site folder.

    Raises:
        UnsafeOutput: the folder may not be written (nothing touched).
        InvalidPlaybook: the playbook has problems (warnings too, when ``strict``).
        PlaybookError: the build failed or was interrupted (the message says what is left).
    """
    config = mkdocs_config(config_file, strict=strict)
    plugin = config.plugins["playbook"]
    assert isinstance(plugin, PlaybookPlugin)
    final = guard.check_output_folder(
        site_dir or Path(config.site_dir),
        kept=plugin.kept_folders(config),
        outside={"docs_dir": Path(config.docs_dir)},
        marker=guard.SITE_MARKER,
        setting="--site-dir" if site_dir else f"site_dir in {config_file}",
        from_option=site_dir is not None,
    )
    result = cache.check(plugin.source_folder(config))
    if not result.ok(strict):
        raise InvalidPlaybook(diagnostics=result.diagnostics)
    _log_as_mkdocs_does()
    with guard.staged_site(final, failures=(PluginError, Abort)) as staging:
        config.site_dir = str(staging)
        try:
            build(config)
        finally:
            plugin.discard_downloads()
    return final


def check_address(dev_addr: str) -> None:
    """Refuse (:class:`UsageError`) an address that is not ``IP:PORT`` or that cannot be
    served on now (in use, not this machine's), before MkDocs builds the site only to fail
    on it."""
    host, colon, port = dev_addr.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        valid = bool(colon) and port.isascii() and port.isdigit() and 0 < int(port) < 65536
        family = socket.AF_INET
        if valid and host != "localhost" and ipaddress.ip_address(host).version == 6:
            family = socket.AF_INET6
    except ValueError:
        valid = False
    if not valid:
        raise UsageError(
            f"-a/--dev-addr: '{one_line(dev_addr)}' is not an address to serve on "
            "(expected IP:PORT, such as 127.0.0.1:8000)"
        )
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            if os.name == "posix":  # as the server does; elsewhere it would allow a busy port
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, int(port)))
    except OSError as exc:
        raise UsageError(f"cannot serve on {dev_addr}: {exc.strerror or exc}") from None


def serve_site(config_file: Path, dev_addr: str) -> None:
    """Serve the site of ``config_file`` on ``dev_addr``, rebuilding it on every change,
    until interrupted."""
    mkdocs_config(config_file)
    check_address(dev_addr)
    _log_as_mkdocs_does()
    try:
        serve(config_file=str(config_file), dev_addr=dev_addr, livereload=True)
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
            raise
        # Taken between the check above and MkDocs' own bind.
        raise UsageError(f"cannot serve on {dev_addr}: {exc.strerror}") from None
