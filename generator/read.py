"""Playbook files → text, safely: only regular files inside the folder, within the limits.

Nothing here knows YAML: :mod:`.parse` turns the text into values, :mod:`.load` merges them.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from .errors import Diagnostic, Location


@dataclass(frozen=True)
class Limits:
    """Bounds on what the loader accepts, so hostile input fails fast.

    Each can be changed with the environment variable named in ``ENV``.
    """

    max_file_bytes: int = 8 * 1024 * 1024
    max_alias_nodes: int = 100_000
    max_depth: int = 50
    max_list_items: int = 50_000
    max_text_chars: int = 20_000

    ENV: ClassVar[dict[str, str]] = {
        "max_file_bytes": "PLAYBOOK_MAX_FILE_BYTES",
        "max_alias_nodes": "PLAYBOOK_MAX_ALIAS_NODES",
        "max_depth": "PLAYBOOK_MAX_DEPTH",
        "max_list_items": "PLAYBOOK_MAX_LIST_ITEMS",
        "max_text_chars": "PLAYBOOK_MAX_TEXT_CHARS",
    }

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> Limits:
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, int] = {}
        for name, var in cls.ENV.items():
            raw = environ.get(var, "").strip()
            if raw.isdigit() and int(raw) > 0:
                values[name] = int(raw)
        return cls(**values)


def display_path(path: Path, cwd: Path | None = None) -> str:
    """A file name relative to the current directory where possible."""
    cwd = cwd or Path.cwd()
    try:
        return os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        return str(path)


def is_playbook_name(name: str) -> bool:
    """A folder entry the loader reads: ends in ``.yaml`` or ``.yml`` in any letter case
    (``B.YAML`` is read, not silently left out), and is not hidden: a name starting with
    ``.`` is an editor's or a system's artefact (``.#a.yaml`` Emacs lock, ``._a.yaml``
    AppleDouble) or meant to stay out of sight."""
    return not name.startswith(".") and name.lower().endswith((".yaml", ".yml"))


def playbook_files(folder: Path) -> list[Path]:
    """Every playbook entry of ``folder`` (see :func:`is_playbook_name`), sorted by name.
    Entries that are not readable files (a folder, a broken link, a FIFO) are kept so that
    reading them reports the problem."""
    return sorted((p for p in folder.iterdir() if is_playbook_name(p.name)), key=lambda p: p.name)


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after the check cannot hang the read
    | getattr(os, "O_NOFOLLOW", 0)  # the path is resolved already: a new link is refused
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class _Unreadable(Exception):
    """A playbook entry that is not read; the message says why."""


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _not_regular(kind: str, link: str) -> _Unreadable:
    return _Unreadable(f"{link}{kind}, not a file; only regular files are read")


def _inside(root: str, real: str) -> bool:
    try:
        return os.path.commonpath([root, real]) == root
    except ValueError:  # another drive on Windows
        return False


def _open_regular(path: Path, root: str) -> tuple[int, int]:
    """An open descriptor of the regular file ``path`` names, and the size it claims.

    A link is followed only to a place inside the folder ``root``. The kind of file is
    looked at before opening (a FIFO or a device is never opened) and again on the
    descriptor itself, so a file swapped in between is still refused.
    """
    found = os.lstat(path)
    real: str | Path = path
    link = ""
    if stat.S_ISLNK(found.st_mode):
        target = os.readlink(path)
        real = os.path.realpath(path)
        if not os.path.lexists(real):
            raise _Unreadable(f"a broken link: '{target}' does not exist")
        if not _inside(root, real):
            raise _Unreadable(
                f"a link to '{target}', outside the playbook folder; only files inside it are read"
            )
        link = f"a link to '{target}', which is "
        found = os.stat(real)
    kind = _kind(found.st_mode)
    if kind:
        raise _not_regular(kind, link)
    fd = os.open(real, _OPEN_FLAGS)
    opened = os.fstat(fd)
    kind = _kind(opened.st_mode)
    if kind:
        os.close(fd)
        raise _not_regular(kind, link)
    return fd, opened.st_size


def _read_bytes(fd: int, limit: int, claimed: int) -> bytes:
    """At most ``limit + 1`` bytes: what is read counts, not the size the file claims."""
    chunks: list[bytes] = []
    left = limit + 1
    while left:
        chunk = os.read(fd, min(left, max(claimed + 1, 65536)))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_text(
    path: Path, file: str, limits: Limits, root: str
) -> tuple[str | None, Diagnostic | None]:
    """The text of the playbook file ``path`` (shown as ``file``), or why it cannot be read.

    Only a regular file inside the folder ``root`` is read, at most
    ``limits.max_file_bytes``, and it must be UTF-8 (a byte order mark is dropped).
    """

    def problem(message: str, line: int = 1, column: int = 1) -> Diagnostic:
        return Diagnostic("error", Location(file, line, column), "", message)

    try:
        fd, claimed = _open_regular(path, root)
        try:
            raw = _read_bytes(fd, limits.max_file_bytes, claimed)
        finally:
            os.close(fd)
    except _Unreadable as exc:
        return None, problem(str(exc))
    except OSError as exc:
        return None, problem(f"cannot read file: {exc.strerror or exc}")
    if len(raw) > limits.max_file_bytes:
        return None, problem(
            f"file is larger than the {limits.max_file_bytes:,} bytes allowed "
            "(limit PLAYBOOK_MAX_FILE_BYTES)"
        )
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, problem(
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded); "
            "save it as UTF-8",
            line,
            column,
        )
