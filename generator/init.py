"""``playbook init``: the files of a new playbook project, computed before anything is written.

:func:`scaffold` is pure: it returns ``{relative path: content}`` for an example playbook
(shipped in ``generator/examples/<name>/playbook``) and the project files around it
(``generator/examples/_project``). :func:`conflicts` and :func:`write_project` are the only
parts that touch the disk, so ``init`` can check every target before it writes any.
"""

from __future__ import annotations

import json
import re
import shlex
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

import yaml

from .errors import PlaybookError, UsageError
from .model import json_schema
from .write import atomic_write

EXAMPLES = ("small-business", "agency", "b2b")
DEFAULT_EXAMPLE = "small-business"

# Project files: template in generator/examples/_project → path in the new project. The
# templates carry no leading dot, so no packaging tool mistakes them for hidden files.
PROJECT_FILES = {
    "mkdocs.yml": "mkdocs.yml",
    "gitignore": ".gitignore",
    "README.md": "README.md",
    "about.md": "docs/about.md",
    "workflow.yml": ".github/workflows/playbook.yml",
}

_TOKEN = re.compile(r"@([A-Z_]+)@")
_SECTION = re.compile(r"^organisation:[ \t]*(#.*)?$")
_NAME_LINE = re.compile(r"^([ \t]+)name:[ \t]*\S.*$")
_TOP_LEVEL = re.compile(r"^[^\s#]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!])")
# Characters a YAML stream may not hold raw, or that would break a line in the files.
_FORBIDDEN_CATEGORIES = {"Cc", "Cs", "Co", "Cn", "Zl", "Zp"}


def _examples_root() -> Traversable:
    return files("generator") / "examples"


def _example_files(example: str) -> dict[str, str]:
    if example not in EXAMPLES:
        raise ValueError(f"unknown example '{example}' (choose from {', '.join(EXAMPLES)})")
    folder = _examples_root() / example / "playbook"
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda item: item.name)
        if entry.name.endswith((".yaml", ".yml"))
    }


def _organisation_name_line(text: str) -> int | None:
    """Index of the ``name:`` line directly inside the top-level ``organisation:`` mapping."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        if not _SECTION.match(line):
            continue
        for index in range(start + 1, len(lines)):
            if _TOP_LEVEL.match(lines[index]):
                return None
            match = _NAME_LINE.match(lines[index])
            if match:
                return index
        return None
    return None


def example_organisation(example: str) -> str:
    """The organisation name an example ships with."""
    for text in _example_files(example).values():
        data = yaml.safe_load(text)
        if isinstance(data, dict) and isinstance(data.get("organisation"), dict):
            return str(data["organisation"]["name"])
    raise ValueError(f"example '{example}' has no organisation")


def check_name(name: str) -> str:
    """``name`` without surrounding blanks; raises ValueError if it cannot be an organisation."""
    stripped = name.strip()
    if not stripped:
        raise ValueError("the organisation name is empty")
    bad = sorted({ch for ch in stripped if unicodedata.category(ch) in _FORBIDDEN_CATEGORIES})
    if bad:
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in bad)
        raise ValueError(
            f"the organisation name contains control or line-break characters ({shown})"
        )
    return stripped


def _rename(text: str, name: str) -> str:
    """``text`` with the organisation's ``name:`` line set to ``name``; comments survive."""
    index = _organisation_name_line(text)
    if index is None:
        return text
    lines = text.splitlines(keepends=True)
    indent = _NAME_LINE.match(lines[index].rstrip("\r\n"))
    assert indent is not None
    ending = lines[index][len(lines[index].rstrip("\r\n")) :]
    lines[index] = f"{indent.group(1)}name: {json.dumps(name, ensure_ascii=False)}{ending}"
    renamed = "".join(lines)
    if yaml.safe_load(renamed)["organisation"]["name"] != name:
        raise ValueError(f"cannot write the organisation name {name!r} into the YAML")
    return renamed


def _markdown(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _yaml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _fill(template: str, values: Mapping[str, str]) -> str:
    """Replace every ``@TOKEN@`` in one pass (a value is never itself searched for tokens)."""
    return _TOKEN.sub(lambda match: values[match.group(1)], template)


def scaffold(example: str = DEFAULT_EXAMPLE, organisation: str | None = None) -> dict[str, str]:
    """Every file of a new playbook project, by POSIX path relative to the project folder.

    Args:
        example: One of :data:`EXAMPLES`.
        organisation: The organisation's name; None keeps the example's.

    Raises:
        ValueError: An unknown example or a name that cannot be used.
    """
    playbook_files = _example_files(example)
    name = example_organisation(example) if organisation is None else check_name(organisation)
    result: dict[str, str] = {}
    for filename, text in playbook_files.items():
        result[f"playbook/{filename}"] = text if organisation is None else _rename(text, name)
    result["playbook.schema.json"] = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    values = {
        "SITE_NAME": _yaml_string(f"{name} — responsibility playbook"),
        "SITE_DESCRIPTION": _yaml_string(f"Who does what in marketing and sales at {name}"),
        "ORGANISATION": _markdown(name),
        "EXAMPLE": example,
    }
    project = _examples_root() / "_project"
    for template, target in PROJECT_FILES.items():
        result[target] = _fill((project / template).read_text(encoding="utf-8"), values)
    return dict(sorted(result.items()))


def _target(root: Path, relative: str) -> Path:
    return root.joinpath(*PurePosixPath(relative).parts)


def conflicts(root: Path, paths: Iterable[str], *, force: bool = False) -> list[Path]:
    """The files in the way of writing ``paths`` under ``root``, sorted.

    A target that exists is in the way unless ``force`` (a folder is always in the way), and
    so is anything but a folder where a parent folder must be.
    """
    found: set[Path] = set()
    for relative in paths:
        target = _target(root, relative)
        if (target.is_symlink() or target.exists()) and (not force or target.is_dir()):
            found.add(target)
        for parent in target.parents:
            if parent == root or root not in parent.parents:
                break
            if (parent.is_symlink() or parent.exists()) and not parent.is_dir():
                found.add(parent)
    return sorted(found)


def write_project(root: Path, project: Mapping[str, str]) -> list[Path]:
    """Write ``project`` under ``root`` (each file atomically); returns the files written.

    Raises:
        PlaybookError: a file cannot be written.
    """
    written = []
    for relative, content in project.items():
        target = _target(root, relative)
        try:
            atomic_write(target, content)
        except OSError as exc:
            raise PlaybookError(f"cannot write '{exc.filename}': {exc.strerror}") from None
        written.append(target)
    return written


class Conflicts(PlaybookError):
    """Files are in the way of a new project: each is named, and nothing was written."""

    def __init__(self, *, paths: Sequence[Path], force: bool) -> None:
        self.paths = list(paths)
        hint = "" if force else ", or use --force to overwrite"
        them = "it" if len(self.paths) == 1 else "them"
        named = "\nerror: ".join(f"{path} exists" for path in self.paths)
        super().__init__(
            f"{named}\nnothing was written: move {them} away, choose another folder{hint}"
        )


def create(root: Path, example: str, organisation: str | None, *, force: bool) -> list[Path]:
    """Scaffold ``example`` under ``root``, checking every target before writing any.

    Returns:
        The files written.

    Raises:
        UsageError: ``organisation`` cannot be an organisation's name.
        Conflicts: files are in the way (nothing was written).
    """
    try:
        project = scaffold(example, organisation)
    except ValueError as exc:
        raise UsageError(f"--name: {exc}") from None
    blocking = conflicts(root, project, force=force)
    if blocking:
        raise Conflicts(paths=blocking, force=force)
    return write_project(root, project)


def next_steps(root: Path) -> list[str]:
    """What to run in the new project, from the current folder."""
    here = root.resolve() == Path.cwd().resolve()
    prefix = "" if here else f"cd {shlex.quote(str(root))} && "
    return [
        f"{prefix}playbook build    (the site, in site/)",
        "playbook serve    (a preview that rebuilds on every save)",
        "edit playbook/*.yaml, then run playbook check --strict",
    ]
