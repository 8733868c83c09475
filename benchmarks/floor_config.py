"""Print, as JSON, the MkDocs configuration a plugin build ends up with: what the floor copies.

    python benchmarks/floor_config.py MKDOCS_YML

Loads ``MKDOCS_YML`` as ``mkdocs build`` does, runs every plugin's ``on_config`` (so the
playbook plugin adds its Markdown extensions, CSS and JavaScript, theme features and search
settings, whatever the code under test does there) and prints the settings a plain
``mkdocs build`` needs to build the same pages the same way: the Markdown extensions and their
options, ``extra_css``, ``extra_javascript``, the theme's features, ``extra``, ``copyright`` and
the search plugin's options that the file sets or the plugin changes.

Run as a script, not with ``-m``, so that ``PYTHONPATH`` chooses the ``generator`` under test
(``benchmarks.run --code DIR``) rather than this checkout's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml


def _plain(value: Any) -> Any:
    """``value`` if YAML can write it back as it is, else ``None``."""
    try:
        yaml.safe_dump(value)
    except yaml.YAMLError:
        return None
    return value


def _search(config: Any) -> tuple[str, Any] | None:
    for name, plugin in config.plugins.items():
        if name == "search" or name.endswith("/search"):
            return name, plugin
    return None


def floor_settings(path: Path) -> dict[str, Any]:
    from mkdocs.config import load_config

    written = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    config = load_config(config_file=str(path))
    found = _search(config)
    before = dict(found[1].config) if found else {}
    config = config.plugins.on_config(config)
    after = dict(found[1].config) if found else {}
    search: dict[str, Any] = {}
    for entry in written.get("plugins", []):  # the options the file sets …
        if isinstance(entry, dict) and "search" in entry:
            search.update(entry["search"] or {})
    search.update({k: v for k, v in after.items() if before.get(k) != v})  # … and the plugin's
    extensions: list[Any] = []
    dropped: list[str] = []
    for name in config.markdown_extensions:
        if not isinstance(name, str):
            dropped.append(repr(name))
            continue
        options = config.mdx_configs.get(name)
        if options:
            plain = _plain(dict(options))
            if plain is None:
                dropped.append(f"{name} (options YAML cannot write)")
                extensions.append(name)
            else:
                extensions.append({name: plain})
        else:
            extensions.append(name)
    theme = config.theme
    return {
        "markdown_extensions": extensions,
        "extra_css": [str(x) for x in config.extra_css],
        "extra_javascript": [str(getattr(x, "path", x)) for x in config.extra_javascript],
        "theme_features": list(theme.get("features") or []),
        "extra": _plain(dict(config.extra)) or {},
        "copyright": config.copyright,
        "search": _plain(search) or {},
        "dropped": dropped,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(floor_settings(Path(args[0]).resolve()), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
