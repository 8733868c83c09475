"""The only code that writes files for the CLI. It never writes outside its target folder.

``write_files`` keeps a manifest of the files it wrote, so a later run replaces or removes
only its own files and refuses to overwrite anything else. Every file goes through a
temporary file and an atomic rename.

Output folders (``playbook build``'s site, ``render --out``, MkDocs' ``site_dir`` with the
plugin) are checked before anything is touched (:func:`check_output_folder`): never one that
is or holds the project's own folders, never a non-empty one that no earlier run made (the
site keeps :data:`SITE_MARKER`, ``render`` its manifest). One run at a time writes a folder
(:func:`output_lock`). A site is built in a staging folder beside it, on the same file
system, and swapped in whole (:func:`replace_folder`); whatever an interrupted build left
beside the site is removed by the next one (:func:`clear_leftovers`).
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import yaml

from .errors import PlaybookError, UnsafeOutput, UnsafeWrite
from .render import Site
from .text import one_line

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; runs are not kept apart there
    fcntl = None  # type: ignore[assignment]

MANIFEST = ".playbook-manifest.json"
NAV_FILE = ".nav.yml"


def _umask() -> int:
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
        os.chmod(temp, 0o666 & ~_umask())
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
    files: dict[str, str | bytes] = dict(sorted(site.pages.items()))
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


SITE_MARKER = ".playbook-site"
"""The file that marks a folder as a site built by playbook (``build``, or MkDocs with the
plugin): a later build may clean or replace that folder, and no other non-empty one."""

SITE_MARKER_TEXT = "A site built by playbook: the next build replaces this whole folder.\n"


def check_output_folder(
    folder: Path,
    *,
    kept: Mapping[str, Path | None],
    marker: str,
    setting: str,
    from_option: bool,
    outside: Mapping[str, Path] | None = None,
) -> Path:
    """The real path of ``folder`` if a command may fill or replace it, else
    :class:`UnsafeOutput` (nothing touched).

    Refused, comparing real paths (links resolved): a folder that is or contains one of
    ``kept`` (name → folder), one inside one of ``outside``, something that is not a folder,
    and a non-empty folder without ``marker`` (no earlier run of the command made it).

    Args:
        setting: how the user names the folder (``--out``, ``site_dir in mkdocs.yml``).
        from_option: the folder came from the command line (exit 2), not configuration (1).
    """
    real = Path(folder).resolve()

    def refuse(reason: str, hint: str) -> UnsafeOutput:
        return UnsafeOutput(folder=str(real), reason=reason, hint=hint, from_option=from_option)

    another = f"choose another {setting}"
    for name, path in kept.items():
        if path is None:
            continue
        protected = Path(path).resolve()
        if protected == real:
            raise refuse(f"it is {name}", another)
        if protected.is_relative_to(real):
            raise refuse(f"it contains {name} ({protected})", another)
    for name, path in (outside or {}).items():
        if real.is_relative_to(Path(path).resolve()):
            raise refuse(f"it is inside {name} ({Path(path).resolve()})", another)
    if real.exists() and not real.is_dir():
        raise refuse("it is not a folder", another)
    try:
        filled = real.is_dir() and any(real.iterdir())
    except OSError as exc:
        raise refuse(f"it cannot be read ({exc.strerror})", another) from None
    if filled and not (real / marker).is_file():
        raise refuse(
            f"it is not empty and no earlier run of playbook made it (it has no {marker})",
            f"remove it or {another}",
        )
    return real


def _lock_path(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.lock"


@contextmanager
def output_lock(folder: Path) -> Iterator[None]:
    """Hold the lock of ``folder`` (a file beside it, present only while held), or raise
    :class:`PlaybookError` at once if another run holds it.

    The file is removed while still locked, so a run that opened it just before checks,
    once it holds the lock, that the path still names the file it locked, else tries again.
    """
    if fcntl is None:
        yield
        return
    path = _lock_path(folder)
    while True:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            raise PlaybookError(
                one_line(
                    f"another playbook run is writing '{folder}' (it holds {path}); "
                    "wait for it to finish, then run this again; nothing was touched"
                )
            ) from None
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        mine = os.fstat(handle)
        if current is not None and (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino):
            break
        os.close(handle)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(handle)


_LEFTOVER = r"\.{name}\.(?:build-[a-z0-9_]{{8}}|old-[0-9]+)"


def staging_folder(target: Path) -> Path:
    """A new empty folder beside ``target`` (same file system, so it can be renamed in)."""
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.build-", dir=target.parent))


def clear_leftovers(target: Path) -> list[Path]:
    """Remove what interrupted builds left beside ``target``: staging folders, and old sites
    that were being removed. Call it holding :func:`output_lock`.

    Where an interruption between the two renames of the fallback in :func:`replace_folder`
    left no site at ``target``, the old one is put back first.

    Returns:
        The folders removed.
    """
    pattern = re.compile(_LEFTOVER.format(name=re.escape(target.name)))
    found = sorted(p for p in target.parent.iterdir() if pattern.fullmatch(p.name))
    olds = [p for p in found if ".old-" in p.name and (p / SITE_MARKER).is_file()]
    if olds and not (target.exists() or target.is_symlink()):
        os.rename(olds[-1], target)
        found.remove(olds[-1])
    for leftover in found:
        shutil.rmtree(leftover, ignore_errors=True)
    return found


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM that arrive inside the block take effect when it ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signals = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where it arrives so the work stops as it does on Ctrl-C."""


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Inside the block SIGTERM raises :class:`Terminated` (a KeyboardInterrupt), so the
    clean-up that runs on Ctrl-C runs on ``kill`` too. Only in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def replace_folder(target: Path, build: Path) -> Path | None:
    """Put the freshly built folder ``build`` at ``target``, which always holds a complete
    site: the old one until the new one is in place.

    The two folders swap places in one step where the system can (Linux ``renameat2`` with
    ``RENAME_EXCHANGE``, macOS ``renamex_np`` with ``RENAME_SWAP``); elsewhere the old
    folder is renamed aside, then the new one in, and :func:`clear_leftovers` puts the old
    one back if a kill lands between the two. Ctrl-C and SIGTERM wait for the swap.

    Returns:
        The folder now holding the old site, for the caller to remove (None if there was
        none).
    """
    target = Path(target)
    os.chmod(build, 0o777 & ~_umask())
    with signals_deferred():
        if not (target.exists() or target.is_symlink()):
            os.rename(build, target)
            return None
        if _exchange(build, target):
            return build
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.rename(target, old)
        try:
            os.rename(build, target)
        except BaseException:
            os.rename(old, target)
            raise
        return old


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # Linux <linux/fs.h>
_RENAME_SWAP = 2  # macOS <stdio.h>
_NO_EXCHANGE = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths atomically; False where the system or file system cannot."""
    if not sys.platform.startswith(("linux", "darwin")):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    a, b = os.fsencode(first), os.fsencode(second)
    if hasattr(libc, "renameat2"):
        done = libc.renameat2(_AT_FDCWD, a, _AT_FDCWD, b, ctypes.c_uint(_RENAME_EXCHANGE))
    elif hasattr(libc, "renamex_np"):
        done = libc.renamex_np(a, b, ctypes.c_uint(_RENAME_SWAP))
    else:
        return False
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))
