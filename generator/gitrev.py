"""``REV`` or ``REV:path`` → a folder to read: the playbook files of a git revision, copied out,
for ``playbook diff``. Only this module runs git."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

from .config import default_source
from .errors import UsageError
from .load import display_path, is_playbook_name
from .validate import Result


def _git(cwd: Path, *args: str) -> bytes | None:
    """Git's standard output in ``cwd``, or None when git fails or is not installed."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def _revision_tree(spec: str, other: str) -> tuple[str, str, Path, str]:
    """(revision, tree path for git, folder to run git in, label) of a ``REV[:path]`` side.

    A bare ``REV`` takes the other side's folder (or the default source) at that revision.
    """
    revision, colon, path = spec.partition(":")
    if colon:
        return revision, path, Path.cwd(), spec
    other_revision, other_colon, other_path = other.partition(":")
    if other_colon and other_revision and not Path(other).is_dir():
        return revision, other_path, Path.cwd(), f"{revision}:{other_path}"
    hint = Path(other) if Path(other).is_dir() else default_source()
    label = f"{revision}:{display_path(hint)}"
    if hint.is_dir():
        return revision, "./", hint, label
    return revision, f"./{hint.as_posix()}", Path.cwd(), label


def checkout(spec: str, other: str, folder: Path) -> str | None:
    """Copy the playbook files of ``spec`` (``REV`` or ``REV:path``; ``other`` is the other
    side of the diff, which a bare ``REV`` borrows its path from) into ``folder``.

    Returns:
        The label that stands for ``folder`` in diagnostics (``HEAD~1:playbook``), or None if
        ``spec`` names no git revision.

    Raises:
        UsageError: the revision exists but the path is not a folder in it.
    """
    revision, path, cwd, label = _revision_tree(spec, other)
    commit = f"{revision}^{{commit}}"
    if (
        not revision
        or _git(cwd, "rev-parse", "--verify", "--quiet", "--end-of-options", commit) is None
    ):
        return None
    listing = _git(cwd, "ls-tree", "--full-tree", "-z", "--end-of-options", f"{revision}:{path}")
    if listing is None:
        raise UsageError(f"no playbook folder '{label}': the path is not a folder at {revision}")
    for entry in filter(None, listing.split(b"\0")):
        meta, _, name = entry.partition(b"\t")
        mode, kind, blob = meta.split()
        filename = name.decode("utf-8", "surrogateescape")
        if kind == b"blob" and mode != b"120000" and is_playbook_name(filename):
            (folder / filename).write_bytes(_git(cwd, "cat-file", "blob", blob.decode()) or b"")
    return label


def relabel(result: Result, folder: Path, label: str) -> Result:
    """``result`` with its diagnostics naming ``REV:path/file`` instead of the copy in
    ``folder``."""
    shown = display_path(folder)
    relabelled = []
    for problem in result.diagnostics:
        file = problem.location.file
        if file == shown or file.startswith(shown + os.sep):
            file = label + file[len(shown) :].replace(os.sep, "/")
        relabelled.append(
            dataclasses.replace(
                problem,
                location=dataclasses.replace(problem.location, file=file),
                message=problem.message.replace(shown + os.sep, label + "/").replace(shown, label),
            )
        )
    return Result(result.playbook, relabelled)
