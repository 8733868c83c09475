"""``check`` remembered: a repeated check of unchanged files, in the same process, is served
from memory.

``playbook build`` checks the playbook before MkDocs starts and the plugin checks it again in
``on_config``; ``playbook serve`` checks it on every rebuild, most of them for an edited
template or page. The second check of the same files costs nothing.

A result is keyed by what the check read: the current folder (diagnostics name files relative
to it), the reading limits, the folder's real path and its own stat (a file added or removed
changes it), its listing, and for every playbook entry its path, size, ``mtime_ns``,
``ctime_ns``, inode, device and mode, through a link and of the link itself. A file written so
recently that a second write could keep its time stamp (:data:`RACY_NS`) is not remembered.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from pathlib import Path

from .load import Limits, is_playbook_name
from .validate import Result
from .validate import check as check_uncached

KEEP = 4
"""Results remembered (the last checked folders)."""

RACY_NS = 2_000_000_000
"""A file changed less than this before the check began may change again with the same stat
(file systems keep time stamps as coarse as 2 s): its result is not remembered."""

_lock = threading.Lock()
_results: OrderedDict[Hashable, Result] = OrderedDict()


def _stat(path: str, follow: bool) -> tuple[int, ...] | None:
    try:
        s = os.stat(path, follow_symlinks=follow)
    except OSError:
        return None
    return (s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino, s.st_dev, s.st_mode)


def files_key(folder: Path | str, limits: Limits) -> tuple[Hashable, int] | None:
    """What a check of ``folder`` depends on, and the newest change time among it; None when
    the folder cannot be listed (the check reports why, each time)."""
    folder = os.path.abspath(folder)
    try:
        names = sorted(name for name in os.listdir(folder) if is_playbook_name(name))
    except OSError:
        return None
    entries = []
    for name in names:
        path = os.path.join(folder, name)
        entries.append((name, _stat(path, True), _stat(path, False)))
    stats = [_stat(folder, True), *(s for entry in entries for s in entry[1:])]
    newest = max((max(s[1], s[2]) for s in stats if s is not None), default=0)
    key = (
        os.getcwd(),
        dataclasses.astuple(limits),
        folder,
        os.path.realpath(folder),
        stats[0],
        tuple(entries),
    )
    return key, newest


def check(folder: Path | str, limits: Limits | None = None) -> Result:
    """:func:`generator.validate.check`, served from memory when nothing it read changed.

    Returns:
        The result; its diagnostics list is the caller's own to change.
    """
    limits = limits or Limits.from_environ()
    started = time.time_ns()
    found = files_key(folder, limits)
    if found is not None:
        with _lock:
            cached = _results.get(found[0])
            if cached is not None:
                _results.move_to_end(found[0])
                return dataclasses.replace(cached, diagnostics=list(cached.diagnostics))
    result = check_uncached(folder, limits)
    if found is not None and found[1] < started - RACY_NS and files_key(folder, limits) == found:
        with _lock:
            _results[found[0]] = result
            while len(_results) > KEEP:
                _results.popitem(last=False)
    return dataclasses.replace(result, diagnostics=list(result.diagnostics))


def clear() -> None:
    """Forget every result."""
    with _lock:
        _results.clear()
