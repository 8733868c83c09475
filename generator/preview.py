"""What makes ``playbook serve`` a one-second preview: MkDocs' file watcher polling faster,
and the theme's templates compiled once per process. Used by the plugin under ``serve``;
imports no MkDocs code (the server is handed in).
"""

from __future__ import annotations

from typing import Any

import jinja2
import jinja2.bccache


class _MemoryBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the life of the process."""

    def __init__(self) -> None:
        self.kept: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.kept.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.kept[bucket.key] = bucket.bytecode_to_string()


THEME_BYTECODE = _MemoryBytecode()
"""The theme's compiled templates under ``serve`` (see the plugin's ``on_env``)."""


POLL_SECONDS = 0.1
"""How often ``serve`` looks for changed files (MkDocs' own is 0.5 s): a saved YAML file is
seen within 0.1 s, for a preview within one second."""


def poll_faster(server: Any) -> None:
    """Make MkDocs' file watcher poll every :data:`POLL_SECONDS` and rebuild after 0.05 s
    of quiet (0.1 s in MkDocs). MkDocs does not expose either setting: the watcher is
    replaced before it starts, with the paths it watches. A server of another shape is left
    as it is (MkDocs' own timing)."""
    try:
        from watchdog.observers.polling import PollingObserver

        watched = dict(server._watched_paths)
        if server.observer.is_alive():
            return
        server.observer = PollingObserver(timeout=POLL_SECONDS)
        server._watched_paths.clear()
        server._watch_refs.clear()
        for path in watched:
            server.watch(path)
        server.build_delay = 0.05
    except (AttributeError, ImportError, TypeError):
        return
