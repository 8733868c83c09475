"""Half of a large site's pages are made in a forked process: the result is the same, in
the same order, and a failure is raised as one process would raise it."""

from __future__ import annotations

import os

import pytest

from generator.site import parallel
from generator.site.parallel import map_in_two


@pytest.fixture
def no_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test runner's own threads (pytest-xdist) would keep the work in one process; the
    forked child only computes and leaves, so forking beside them is safe here."""
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)


def test_the_items_come_back_made_and_in_order(no_threads: None) -> None:
    def make(n: int) -> tuple[int, int]:
        return n * n, os.getpid()

    made = map_in_two(list(range(1001)), make)
    assert [m for m, _ in made] == [n * n for n in range(1001)]
    pids = {pid for _, pid in made}
    assert len(pids) == 2 and os.getpid() in pids  # the odd items came from another process


def test_a_failure_in_the_fork_is_raised_here(no_threads: None) -> None:
    parent = os.getpid()

    def make(n: int) -> int:
        if n == 501:
            raise ValueError(f"item {n} in {'parent' if os.getpid() == parent else 'child'}")
        return n

    with pytest.raises(ValueError, match="item 501 in parent"):
        map_in_two(list(range(1000)), make)


def test_small_sites_and_threaded_processes_stay_in_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def forbidden() -> int:
        raise AssertionError("forked")

    monkeypatch.setattr(parallel.os, "fork", forbidden)
    assert map_in_two(list(range(10)), lambda n: n + 1) == list(range(1, 11))
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)
    assert map_in_two(list(range(1000)), lambda n: -n) == [-n for n in range(1000)]
