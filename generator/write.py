"""The only code that writes files for the CLI. It never writes outside its target folder.

``write_site`` keeps a manifest of the files it wrote, so a later run replaces or removes
only its own files and refuses to overwrite anything else. Every file goes through a
temporary file and an atomic rename.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

import yaml

from .errors import UnsafeWrite
from .render import Site

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
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _inside(root: Path, relative: str) -> Path:
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise UnsafeWrite(paths=[relative], reason="refusing a path outside the output folder")
    return root.joinpath(*pure.parts)


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
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def write_files(root: Path, files: Mapping[str, str | bytes]) -> list[str]:
    """Write ``files`` under ``root``; remove files an earlier run wrote that are gone now.

    Raises :class:`UnsafeWrite` (and writes nothing) when a target exists that no earlier
    run wrote. Returns the paths written.
    """
    root = Path(root)
    previous = read_manifest(root)
    targets = {path: _inside(root, path) for path in files}
    foreign = sorted(
        str(target)
        for path, target in targets.items()
        if path not in previous and (target.exists() or target.is_symlink())
    )
    if foreign:
        raise UnsafeWrite(
            paths=foreign,
            reason="refusing to overwrite files that playbook did not create "
            "(move them away or choose another --out folder)",
        )
    written = []
    for path, content in files.items():
        target = targets[path]
        if previous.get(path) == _digest(content) and target.is_file():
            continue
        atomic_write(target, content)
        written.append(path)
    for path in sorted(set(previous) - set(files)):
        stale = _inside(root, path)
        if stale.is_file() and not stale.is_symlink():
            stale.unlink()
    manifest = {"generator": "playbook", "files": {p: _digest(c) for p, c in files.items()}}
    atomic_write(root / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return written


def replace_folder(target: Path, build: Path) -> None:
    """Put the freshly built folder ``build`` where ``target`` is, keeping ``target`` until
    the new one is in place."""
    target = Path(target)
    os.chmod(build, 0o777 & ~_umask())
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        try:
            os.replace(build, target)
        except BaseException:
            os.replace(old, target)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(build, target)
