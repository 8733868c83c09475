"""The only code that writes files for the CLI. It never writes outside its target folder.

``write_files`` keeps a manifest of the files it wrote, so a later run replaces or removes
only its own files and refuses to overwrite anything else. Every file goes through a
temporary file and an atomic rename.

Output folders — which may be written, the lock, the site swap — are :mod:`generator.guard`'s.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import yaml

from .errors import PlaybookError, UnsafeWrite, UsageError
from .text import one_line

if TYPE_CHECKING:
    from .site import Site

MANIFEST = ".playbook-manifest.json"
NAV_FILE = ".nav.yml"


def umask() -> int:
    """The process's file-creation mask."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder.

    The file gets ordinary permissions (0666 less the umask), not the temporary file's 0600.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = None
    try:
        handle, temp = tempfile.mkstemp(
            prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent
        )
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp, 0o666 & ~umask())
        os.replace(temp, path)
    except BaseException as exc:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):  # a full disk names no file: name the one being written
            exc.filename, exc.filename2 = str(path), None
        raise


NAME_MAX = 255
"""Bytes in one file name on common file systems."""


def _relative(relative: str) -> PurePosixPath | None:
    """``relative`` as a path that stays inside its folder, or None."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or not pure.parts or any(p in ("..", ".", "") for p in pure.parts):
        return None
    if "\\" in relative or "\x00" in relative:
        return None
    return pure


def _inside(root: Path, relative: str) -> Path:
    """The target of ``relative`` under ``root``; an error if it could leave ``root`` (``..``,
    an absolute path, a symbolic link among its folders) or its name is too long."""
    pure = _relative(relative)
    if pure is None:
        raise UnsafeWrite(paths=[relative], reason="refusing a path outside the output folder")
    too_long = [part for part in pure.parts if len(part.encode("utf-8")) > NAME_MAX - 20]
    if too_long:
        raise UnsafeWrite(paths=[relative], reason="refusing a file name too long to write")
    target = root.joinpath(*pure.parts)
    base = root.resolve()
    folder = target.parent
    while not (folder.exists() or folder.is_symlink()) and folder != root:
        folder = folder.parent
    if (folder.exists() or folder.is_symlink()) and not folder.resolve().is_relative_to(base):
        raise UnsafeWrite(
            paths=[str(target)],
            reason="refusing to write through a link that leaves the output folder",
        )
    return target


def _digest(data: str | bytes) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def nav_yaml(site: Site) -> str:
    """The navigation as ``.nav.yml``: one key, ``nav``, for ``INHERIT``."""
    return yaml.safe_dump({"nav": site.nav}, allow_unicode=True, sort_keys=False, width=1000)


def site_files(site: Site) -> dict[str, str | bytes]:
    """Every file ``render --out`` writes, by path relative to the output folder."""
    files: dict[str, str | bytes] = {p: page.markdown() for p, page in sorted(site.pages.items())}
    files.update(sorted(site.assets.items()))
    files[NAV_FILE] = nav_yaml(site)
    return files


def read_manifest(root: Path) -> dict[str, str]:
    """The files an earlier run wrote (path → SHA-256); entries that could leave the folder
    are not trusted."""
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {str(k): str(v) for k, v in files.items() if _relative(str(k)) is not None}


def _write_manifest(root: Path, files: Mapping[str, str]) -> None:
    manifest = {"generator": "playbook", "files": dict(sorted(files.items()))}
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    if _file_digest(root / MANIFEST) != _digest(text):
        atomic_write(root / MANIFEST, text)


def _file_digest(path: Path) -> str | None:
    try:
        return _digest(path.read_bytes()) if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def write_files(root: Path, files: Mapping[str, str | bytes]) -> list[str]:
    """Write ``files`` under ``root``; remove files an earlier run wrote that are gone now.

    Every target is checked before anything is written: a target that exists and that no
    earlier run wrote (or that is now a folder or a link) raises :class:`UnsafeWrite` and
    nothing is written. Each file goes through a temporary file and a rename; the manifest
    names every file before the first one is written, so an interrupted run is finished by
    the next one. A stale file that was edited since it was written is kept.

    Returns:
        The paths written (unchanged files are not rewritten).
    """
    root = Path(root)
    previous = read_manifest(root)
    targets = {path: _inside(root, path) for path in files}
    stale = {path: _inside(root, path) for path in sorted(set(previous) - set(files))}
    foreign = sorted(
        str(target)
        for path, target in targets.items()
        if (target.exists() or target.is_symlink())
        and (path not in previous or target.is_symlink() or not target.is_file())
    )
    if foreign:
        raise UnsafeWrite(
            paths=foreign,
            reason="refusing to overwrite files that playbook did not create "
            "(move them away or choose another --out folder); nothing was written",
        )
    digests = {path: _digest(content) for path, content in files.items()}
    root.mkdir(parents=True, exist_ok=True)
    _write_manifest(root, {**previous, **digests})
    written = []
    for path, content in files.items():
        target = targets[path]
        if previous.get(path) == digests[path] and _file_digest(target) == digests[path]:
            continue
        atomic_write(target, content)
        written.append(path)
    for path, target in stale.items():
        if _file_digest(target) == previous[path]:  # else edited since: kept, and not claimed
            target.unlink()
            _remove_empty_folders(root, target.parent)
    _write_manifest(root, digests)
    return written


def _remove_empty_folders(root: Path, folder: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def write_file(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` in one step, replacing only a regular file.

    A folder, device, FIFO, socket or symbolic link at ``target``, a missing folder, or a
    place the user may not write is refused (exit 2) and left as it was; a write that fails
    on the way (a full disk) is exit 1.
    """
    shown = one_line(str(target))
    try:
        mode: int | None = target.lstat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UsageError(f"cannot write '{shown}': {exc.strerror or exc}") from None
    if mode is not None and not stat.S_ISREG(mode):
        kinds = (
            (stat.S_ISLNK, "a symbolic link"),
            (stat.S_ISDIR, "a folder"),
            (stat.S_ISFIFO, "a named pipe"),
            (stat.S_ISSOCK, "a socket"),
        )
        kind = next((name for test, name in kinds if test(mode)), "a device")
        raise UsageError(f"refusing to write '{shown}': it is {kind}; -o takes a file name")
    if not target.parent.is_dir():
        folder = one_line(str(target.parent))
        raise UsageError(f"cannot write '{shown}': no such folder '{folder}'")
    try:
        atomic_write(target, data)
    except OSError as exc:
        refused = exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENAMETOOLONG)
        error = UsageError if refused else PlaybookError
        raise error(f"cannot write '{shown}': {exc.strerror or exc}") from None
