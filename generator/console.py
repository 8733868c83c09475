"""The ``playbook`` process's standard streams: a failure to write is a message, never a traceback.

:func:`run` wraps the console script. Standard output that is closed, full or over the
file-size limit (``ulimit -f``) is one ``error:`` line on standard error and exit 1; a pipe
whose reader left early (``playbook diff … | head -1``) ends quietly with 141, the status of a
command stopped by SIGPIPE. A character the streams' encoding lacks (``PYTHONIOENCODING=cp1252``)
is written as its escape (``\\u2192``), and every text goes through
:func:`~generator.text.printable`, so no command sends a raw control character to a terminal.
"""

from __future__ import annotations

import errno
import io
import os
import select
import signal
import sys
from collections.abc import Callable
from typing import Any, BinaryIO, NoReturn

from .errors import OutputFailure
from .text import printable

BROKEN_PIPE_EXIT = 128 + 13
"""What a shell reports for a command that SIGPIPE stopped; ``playbook`` ends with it, quietly,
when the reader of its output has gone."""


class _Descriptor(io.RawIOBase):
    """One standard stream's file descriptor. A failed write raises :class:`OutputFailure`
    (or, for standard error, where nothing could report it, is dropped); after it, every write
    is dropped, so the interpreter's last flush cannot fail a second time."""

    def __init__(self, raw: Any, fd: int, name: str, *, quiet: bool) -> None:
        super().__init__()
        self._raw = raw
        self._fd = fd
        self._name = name
        self._quiet = quiet
        self._failed = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return self._raw is not None and bool(self._raw.isatty())

    def write(self, data: Any) -> int:
        size = len(memoryview(data).cast("B"))
        if self._failed:
            return size
        try:
            if self._raw is None:
                raise OSError(errno.EBADF, "it was closed when playbook started")
            written = self._raw.write(data)
            while written is None:  # a non-blocking descriptor that is full: wait for room
                select.select([], [self._fd], [])
                written = self._raw.write(data)
        except OSError as exc:
            self._failed = True
            if self._quiet:
                return size
            raise OutputFailure(stream=self._name, error=exc) from None
        return int(written)


class _Text(io.TextIOWrapper):
    """A text stream that shows control characters escaped (line feeds and tabs kept)."""

    def write(self, text: str) -> int:
        super().write(printable(text))
        return len(text)


def _closed_descriptors() -> set[int]:
    """Which of 0, 1, 2 were closed when the process started. Each is opened on the null
    device, so no file the command opens later can take its number and receive its output."""
    closed = set()
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.add(fd)
    if closed:
        while (fd := os.open(os.devnull, os.O_RDWR)) <= 2:
            pass
        os.close(fd)
    return closed


def _wrap(stream: Any, fd: int, name: str, *, closed: bool, quiet: bool) -> Any:
    binary = getattr(stream, "buffer", None)
    raw = binary if isinstance(binary, io.RawIOBase) else getattr(binary, "raw", None)
    if closed:
        raw = None
    elif raw is None:
        # Not a file-backed stream (an embedding program replaced it): keep it as it is.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
        return stream
    return _Text(
        io.BufferedWriter(_Descriptor(raw, fd, name, quiet=quiet)),
        encoding=getattr(stream, "encoding", None) or "utf-8",
        errors="backslashreplace",
        line_buffering=bool(getattr(stream, "line_buffering", True)),
        write_through=bool(getattr(stream, "write_through", False)),
    )


def prepare() -> None:
    """Set up the process's standard streams (see the module docstring)."""
    if hasattr(signal, "SIGXFSZ"):
        # Over ``ulimit -f`` a write then fails with EFBIG, reported, instead of killing the
        # process and leaving a cut file behind with no word.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    closed = _closed_descriptors()
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    sys.stdout = _wrap(sys.stdout, 1, "standard output", closed=1 in closed, quiet=False)
    sys.stderr = _wrap(sys.stderr, 2, "standard error", closed=2 in closed, quiet=True)


def write_bytes(data: bytes) -> None:
    """``data`` to standard output as it is (an export), after any text already written."""
    sys.stdout.flush()
    binary: BinaryIO | None = getattr(sys.stdout, "buffer", None)
    if binary is None:
        sys.stdout.write(data.decode("utf-8", "backslashreplace"))
    else:
        binary.write(data)
        binary.flush()


def run(command: Callable[[], Any]) -> NoReturn:
    """Run ``command`` (the click group) with :func:`prepare`'d streams and exit."""
    prepare()
    code: Any
    try:
        try:
            command()
            code = 0
        except SystemExit as exit_:
            code = exit_.code
        sys.stdout.flush()
    except OutputFailure as exc:
        if exc.errno == errno.EPIPE:
            code = BROKEN_PIPE_EXIT
        else:
            sys.stderr.write(f"error: {exc}\n")
            sys.stderr.flush()
            code = 1
    sys.exit(code)
