"""Output folders: which a command may fill or replace, one run at a time, and a site that is
swapped in whole.

Output folders (``playbook build``'s site, ``render --out``, MkDocs' ``site_dir`` with the
plugin) are checked before anything is touched (:func:`check_output_folder`): never one that
is or holds the project's own folders (:func:`project_folders`), never a non-empty one that
no earlier run made (the site keeps :data:`SITE_MARKER`, ``render`` its manifest). One run at
a time writes a folder (:func:`output_lock`). A site is built in a staging folder beside it,
on the same file system, and swapped in whole (:func:`staged_site`); whatever an interrupted
build left beside the site is removed by the next one (:func:`clear_leftovers`).
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .errors import PlaybookError, UnsafeOutput
from .text import one_line
from .write import atomic_write, umask

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; runs are not kept apart there
    fcntl = None  # type: ignore[assignment]


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
    os.chmod(build, 0o777 & ~umask())
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


def project_folders(
    config_file: Path,
    *,
    docs_dir: Path,
    source: str,
    templates: str | None,
    custom_dir: str | None,
) -> dict[str, Path | None]:
    """The folders a site folder may never be or contain, by how messages name them.

    Args:
        config_file: The mkdocs.yml; ``source`` and ``templates`` are relative to its folder.
        docs_dir: MkDocs' ``docs_dir``.
        source: The plugin's ``source``.
        templates: The plugin's ``templates``, if set.
        custom_dir: The theme's ``custom_dir``, if set.
    """
    config_file = config_file.resolve()
    base = config_file.parent
    return {
        f"the folder of {config_file.name}": base,
        "docs_dir": docs_dir,
        "the playbook folder": base / source,
        "the templates folder": base / templates if templates else None,
        "the theme's custom_dir": Path(custom_dir) if custom_dir else None,
        "the current folder": Path.cwd(),
    }


def claim_site(site: Path) -> None:
    """Mark ``site`` as a folder a later build may replace (before MkDocs cleans it)."""
    site.mkdir(parents=True, exist_ok=True)
    if not (site / SITE_MARKER).is_file():
        atomic_write(site / SITE_MARKER, SITE_MARKER_TEXT)


class Interrupted(PlaybookError):
    """Ctrl-C or SIGTERM stopped a run; the exit code is the shell's for that signal."""

    def __init__(self, *, what: str, terminated: bool) -> None:
        self.exit_code = 128 + (signal.SIGTERM if terminated else signal.SIGINT)
        super().__init__(f"interrupted; {what}")


def _write_failure(exc: OSError, where: Path, then: str = "") -> PlaybookError:
    return PlaybookError(f"cannot write '{exc.filename or where}': {exc.strerror or exc}{then}")


@contextmanager
def writing(folder: Path, *, shown: Path, on_interrupt: str) -> Iterator[None]:
    """Hold ``folder``'s lock while the block writes into it; a failed write becomes
    :class:`PlaybookError` naming the file (or ``shown``), Ctrl-C or SIGTERM
    :class:`Interrupted` saying ``on_interrupt``."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with sigterm_as_interrupt(), output_lock(folder):
            yield
    except OSError as exc:
        raise _write_failure(exc, shown) from None
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        raise Interrupted(what=on_interrupt, terminated=terminated) from None


@contextmanager
def staged_site(final: Path, *, failures: tuple[type[BaseException], ...] = ()) -> Iterator[Path]:
    """A new empty folder for the block to build a site in, swapped in at ``final`` when the
    block ends well; ``final`` keeps the previous site until then, and whatever fails leaves
    it as it was.

    Holds ``final``'s lock and removes what interrupted builds left beside it. A failure of
    one of the ``failures`` types (the engine's own errors) or a failed write becomes
    :class:`PlaybookError` saying the previous site is unchanged; Ctrl-C and SIGTERM become
    :class:`Interrupted`.
    """
    kept = f"the previous site in {final} is unchanged" if final.exists() else "no site was written"
    staging: Path | None = None
    old: Path | None = None
    swapped = False
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        with sigterm_as_interrupt(), output_lock(final):
            clear_leftovers(final)
            staging = staging_folder(final)
            try:
                yield staging
                with signals_deferred():
                    old = replace_folder(final, staging)
                    swapped = True
            finally:
                folder = old if swapped else staging
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)
    except PlaybookError:
        raise
    except OSError as exc:
        raise _write_failure(exc, final, f"\n{kept}") from None
    except KeyboardInterrupt as exc:
        now = f"the new site is in {final}" if swapped else kept
        raise Interrupted(what=now, terminated=isinstance(exc, Terminated)) from None
    except failures as exc:
        raise PlaybookError(f"{exc}\n{kept}") from None
