"""Produced files made in a second process while the pages are built, on the second core.

:meth:`Background.start` forks a process that writes the files into a hidden folder inside
the site (the same file system); :meth:`Background.finish` waits for it and renames each file
into place; :meth:`Background.discard` stops it and removes its folder (a failed or
interrupted build). The process ends with the build that started it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.process import BaseProcess
from pathlib import Path

from ..errors import PlaybookError

FOLDER_PREFIX = ".playbook-downloads-"
"""Prefix of the folder, inside the site, where the files are made during a build."""

Make = Callable[[], Mapping[str, str | bytes]]


def clear_leftovers(site: Path) -> None:
    """Remove the folders an interrupted build's process left in ``site``."""
    for leftover in site.glob(f"{FOLDER_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _write(make: Make, folder: Path, parent: int) -> None:
    _die_with_parent(parent)
    for path, content in make().items():
        target = folder / path
        for part in reversed(target.parents):  # never recreate a folder removed meanwhile
            if part.is_relative_to(folder) and part != folder:
                part.mkdir(exist_ok=True)
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_bytes(content)


def _die_with_parent(parent: int) -> None:
    """The process ends with the build that started it: Ctrl-C reaches the build only, and
    a build killed outright leaves no process writing beside the site (Linux)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


class Background:
    """The files ``paths``, being made by a forked process in a folder inside the site."""

    def __init__(self, process: BaseProcess, folder: Path, paths: Sequence[str]) -> None:
        self.process = process
        self.folder = folder
        self.paths = tuple(paths)

    @classmethod
    def start(cls, make: Make, paths: Sequence[str], site: Path) -> Background | None:
        """Fork a process that writes what ``make`` returns (exactly ``paths``) into a new
        folder inside ``site``. None where processes cannot fork, or must not: call it with
        no other thread running (``mkdocs serve`` runs threads)."""
        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        site.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=site))
        process = multiprocessing.get_context("fork").Process(
            target=_write, args=(make, folder, os.getpid()), daemon=True
        )
        process.start()
        return cls(process, folder, paths)

    def finish(self, site: Path) -> None:
        """Wait for the process, then move every file into place in ``site``.

        Raises:
            PlaybookError: the process failed (its folder is removed).
        """
        self.process.join()
        try:
            if self.process.exitcode:
                raise PlaybookError(
                    f"making the downloads failed (exit code {self.process.exitcode})"
                )
            for path in self.paths:
                os.replace(self.folder / path, site / path)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def discard(self) -> None:
        """Stop the process and remove its folder."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        shutil.rmtree(self.folder, ignore_errors=True)
