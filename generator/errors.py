"""Locations, diagnostics and the few exceptions the pipeline raises.

A user's mistake is never an exception that escapes to the terminal: every problem in the
input becomes a :class:`Diagnostic`, and the CLI turns a :class:`PlaybookError` into an exit
code after printing its diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from .text import github_data, github_property, json_text, one_line

Severity = Literal["error", "warning"]
PathKey = tuple[str | int, ...]
"""A path into the data: ``('activities', 3, 'raci', 'A')``."""


def format_path(path: PathKey) -> str:
    """``('activities', 3, 'raci', 'A')`` → ``activities[3].raci.A``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


@dataclass(frozen=True, order=True, slots=True)
class Location:
    """A place in a YAML file: 1-based line and column."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the playbook.

    ``code`` names the rule behind a warning (``unused-role``, see :mod:`generator.rules`);
    errors and the loader's problems have none.
    """

    severity: Severity
    location: Location
    path: str
    message: str
    code: str | None = None

    def sort_key(self) -> tuple[str, int, int, int, str, str]:
        return (
            self.location.file,
            self.location.line,
            self.location.column,
            0 if self.severity == "error" else 1,
            self.path,
            self.message,
        )

    def described(self) -> str:
        """``PATH: MESSAGE [code]``, or only the message when the path is empty (YAML
        syntax); a warning's code ends the line."""
        text = f"{self.path}: {self.message}" if self.path else self.message
        return f"{text} [{self.code}]" if self.code else text

    def format_text(self) -> str:
        return one_line(f"{self.location}: {self.severity}: {self.described()}")

    def format_github(self) -> str:
        loc = self.location
        file = github_property(loc.file)
        return (
            f"::{self.severity} file={file},line={loc.line},col={loc.column}"
            f"::{github_data(self.described())}"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "path": self.path,
            "message": self.message,
            "code": self.code,
        }


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by file, line and column; exact duplicates dropped."""
    unique = {(d.severity, d.location, d.path, d.message): d for d in diagnostics}
    return sorted(unique.values(), key=Diagnostic.sort_key)


def count_line(diagnostics: Sequence[Diagnostic]) -> str:
    """The closing line: ``2 problems (1 error, 1 warning)``."""
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if not diagnostics:
        return "no problems"
    problems = plural(len(diagnostics), "problem")
    return f"{problems} ({plural(errors, 'error')}, {plural(warnings, 'warning')})"


def format_diagnostics(diagnostics: Sequence[Diagnostic], fmt: str = "text") -> str:
    """All diagnostics in one of the contract's formats (text, json, github)."""
    ordered = sort_diagnostics(diagnostics)
    if fmt == "json":
        return json_text([d.as_dict() for d in ordered])
    if fmt == "github":
        return "\n".join(d.format_github() for d in ordered)
    lines = [d.format_text() for d in ordered]
    lines.append(count_line(ordered))
    return "\n".join(lines)


class PlaybookError(Exception):
    """Base of the errors the CLI maps to exit codes."""

    exit_code = 1


class InvalidPlaybook(PlaybookError):
    """The playbook has errors (or warnings under ``--strict``)."""

    def __init__(self, *, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = sort_diagnostics(diagnostics)
        super().__init__(count_line(self.diagnostics))


class UnsafeWrite(PlaybookError):
    """Writing would touch a file the generator did not create."""

    def __init__(self, *, paths: Sequence[str], reason: str) -> None:
        self.paths = list(paths)
        listed = "\n".join(f"  {one_line(p)}" for p in self.paths)
        super().__init__(f"{reason}:\n{listed}")


class OutputFailure(PlaybookError):
    """Standard output could not take what a command wrote: closed, full, over the file-size
    limit, or a pipe whose reader has gone (``errno`` tells which)."""

    def __init__(self, *, stream: str, error: OSError) -> None:
        self.errno = error.errno
        super().__init__(f"cannot write to {stream}: {error.strerror or error}")


class UsageError(PlaybookError):
    """A command was called the wrong way (exit 2)."""

    exit_code = 2


class UnsafeOutput(PlaybookError):
    """An output folder a command must not fill or replace: it is or holds the project's own
    folders, or no earlier run made it. Exit 2 when the folder came from a command-line
    option, 1 when from configuration."""

    def __init__(self, *, folder: str, reason: str, hint: str, from_option: bool) -> None:
        self.folder = folder
        self.exit_code = 2 if from_option else 1
        super().__init__(
            one_line(f"refusing to write into '{folder}': {reason}; {hint}; nothing was touched")
        )
