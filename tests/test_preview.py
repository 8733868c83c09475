"""serve's preview timing: MkDocs' watcher replaced by one that polls every 0.1 s, watching the
same paths; the theme's templates compiled once per process."""

from __future__ import annotations

from pathlib import Path

import jinja2
from mkdocs.livereload import LiveReloadServer

from generator import preview


def test_the_watcher_polls_faster_and_keeps_what_it_watches(tmp_path: Path) -> None:
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    try:
        _check_polling(server, tmp_path)
    finally:
        server.server_close()


def _check_polling(server: LiveReloadServer, tmp_path: Path) -> None:
    for name in ("docs", "playbook"):
        (tmp_path / name).mkdir()
        server.watch(str(tmp_path / name))
    before = server.observer
    assert before.timeout == 0.5  # MkDocs' own
    preview.poll_faster(server)
    assert server.observer is not before and server.observer.timeout == preview.POLL_SECONDS
    assert set(server._watched_paths) == {str(tmp_path / "docs"), str(tmp_path / "playbook")}
    assert len(server.observer.emitters) == 2
    assert server.build_delay == 0.05


def test_a_server_of_another_shape_is_left_alone() -> None:
    class Other:
        observer = None

    other = Other()
    preview.poll_faster(other)
    assert other.observer is None


def test_theme_templates_compile_once_per_process(tmp_path: Path) -> None:
    (tmp_path / "main.html").write_text("{{ 6 * 7 }}", encoding="utf-8")
    compiled: list[str] = []

    class Counting(jinja2.Environment):
        def _compile(self, source: str, filename: str) -> object:
            compiled.append(filename)
            return super()._compile(source, filename)

    for _ in range(3):  # MkDocs makes a new environment on every rebuild
        env = Counting(loader=jinja2.FileSystemLoader(str(tmp_path)))
        env.bytecode_cache = preview.THEME_BYTECODE
        assert env.get_template("main.html").render() == "42"
    assert len(compiled) == 1
