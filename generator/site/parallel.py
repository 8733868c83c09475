"""Rendering on two cores: half of a large site's pages made in a forked process.

The pages are pure functions of the playbook, so a forked copy of the process makes every
other page and hands them back pickled; the order, and so the output, is the same as one
process gives. Where a process may not fork (no ``fork``, or threads running, as under
``serve``) or the site is small, the pages are made here, one after the other.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

WORTH_IT = 300
"""Pages below which a second process costs more than it saves."""


def map_in_two(items: Sequence[In], make: Callable[[In], Out]) -> list[Out]:
    """``[make(item) for item in items]``, the odd items made in a forked process.

    A failure in the forked process is not carried over: the parent makes those items
    itself, so the error is raised here as it would be in one process.
    """
    if len(items) < WORTH_IT or not hasattr(os, "fork") or threading.active_count() > 1:
        return [make(item) for item in items]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: make the odd items, send them, leave without cleaning up
        os.close(read)
        try:
            data = pickle.dumps([make(item) for item in items[1::2]], pickle.HIGHEST_PROTOCOL)
        except BaseException:
            data = b""
        try:
            with os.fdopen(write, "wb") as stream:
                stream.write(data)
        finally:
            os._exit(0)
    os.close(write)
    try:
        with os.fdopen(read, "rb") as stream:
            mine = [make(item) for item in items[0::2]]
            data = stream.read()
    finally:
        os.waitpid(pid, 0)
    theirs: list[Out] = pickle.loads(data) if data else [make(item) for item in items[1::2]]
    out: list[Out] = []
    for index, made in enumerate(mine):
        out.append(made)
        if index < len(theirs):
            out.append(theirs[index])
    return out
