"""``mkdocs.yml``: reading it outside MkDocs (the playbook plugin's options, the default
playbook folder, ``site_dir``), and what the playbook adds to it (the navigation merged with
the user's, the footer). The one reader of that file in the core.

It reads the file as MkDocs does where it matters here: ``!ENV`` tags take their value from the
environment, ``INHERIT`` merges the parent file under this one, and every other tag
(``!!python/name:``, ``!relative``) is not ours to run and reads as null.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import UsageError
from .model import Organisation

if TYPE_CHECKING:
    from .site import Site

PLUGIN = "playbook"
DEFAULT_SOURCE = "playbook"
DEFAULT_SITE_DIR = "site"
CONFIG_FILE = Path("mkdocs.yml")


class ConfigError(UsageError):
    """mkdocs.yml cannot be read (the message says why; exit 2)."""


class _Loader(yaml.SafeLoader):
    """A private loader: ``!ENV`` as MkDocs reads it, other tags as null."""


def _env(loader: _Loader, node: yaml.Node) -> Any:
    """``!ENV NAME`` or ``!ENV [NAME, OTHER, default]``: the first variable set, else the
    default (the last item of a list of two or more), else null."""
    default = None
    if isinstance(node, yaml.ScalarNode):
        names = [loader.construct_scalar(node)]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
        if len(children) > 1:
            default = loader.construct_object(children.pop())
        names = [loader.construct_scalar(child) for child in children]
    else:
        return None
    for name in names:
        if isinstance(name, str) and name in os.environ:
            value = os.environ[name]
            implicit = (True, False)
            tag = loader.resolve(yaml.ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
            return loader.construct_object(yaml.ScalarNode(tag, value))
    return default


_Loader.add_constructor("!ENV", _env)
_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def _merged(parent: Any, child: Any) -> Any:
    """``child`` over ``parent``: mappings merge key by key, anything else is replaced."""
    if not (isinstance(parent, dict) and isinstance(child, dict)):
        return child
    merged = dict(parent)
    for key, value in child.items():
        merged[key] = _merged(parent.get(key), value) if key in parent else value
    return merged


def read_config(config_file: Path, _seen: frozenset[Path] = frozenset()) -> dict[str, Any]:
    """The settings of ``config_file``, its ``INHERIT`` parent merged in.

    Raises:
        ConfigError: the file (or its parent) cannot be read, is not YAML, or is not a mapping.
    """
    real = config_file.resolve()
    if real in _seen:
        raise ConfigError(f"{config_file}: INHERIT: the files inherit from each other")
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{config_file}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{config_file}: expected a mapping of settings")
    parent = data.pop("INHERIT", None)
    if isinstance(parent, str):
        base = read_config(config_file.parent / parent, _seen | {real})
        return dict(_merged(base, data))
    return data


def plugin_options(settings: dict[str, Any]) -> dict[str, Any] | None:
    """The ``playbook`` plugin's options in ``settings`` ({} when it has none), or None when
    the plugin is not used."""
    plugins = settings.get("plugins") or []
    if isinstance(plugins, dict):
        plugins = [{key: value} for key, value in plugins.items()]
    if not isinstance(plugins, list):
        return None
    for entry in plugins:
        if entry == PLUGIN:
            return {}
        if isinstance(entry, dict) and PLUGIN in entry:
            options = entry[PLUGIN]
            return options if isinstance(options, dict) else {}
    return None


def default_source(config_file: Path = CONFIG_FILE) -> Path:
    """The playbook folder a command reads when given none: the plugin's ``source`` in
    ``config_file`` (relative to it), else ``./playbook``."""
    try:
        options = plugin_options(read_config(config_file)) if config_file.is_file() else None
    except ConfigError:
        options = None
    source = (options or {}).get("source")
    if isinstance(source, str):
        return config_file.parent / source
    return Path(DEFAULT_SOURCE)


def site_dir(config_file: Path) -> str:
    """``site_dir`` as written in ``config_file`` (relative to it; ``site`` when unset).

    Raises:
        ConfigError: it cannot be read, or is not the name of a folder.
    """
    value = read_config(config_file).get("site_dir", DEFAULT_SITE_DIR)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{config_file}: site_dir: expected the name of a folder")
    return value


def footer(org: Organisation) -> str:
    """What the site adds to every page's footer (``copyright``), as HTML."""
    parts = [f"{org.name} responsibility playbook"]
    parts += [f"version {org.version}"] if org.version else []
    parts += [f"effective {org.effective.isoformat()}"] if org.effective else []
    return html.escape(" · ".join(parts))


def merged_nav(site: Site, user_nav: Any, hand_written: list[str]) -> list[Any]:
    """The user's nav plus the generated entries it does not mention; else the generated
    nav, then the hand-written pages."""
    if user_nav:
        mentioned = paths_in(user_nav)
        return list(user_nav) + [e for e in site.nav if not (paths_in([e]) & mentioned)]
    return list(site.nav) + [p for p in hand_written if p not in site.pages]


def paths_in(nav: Any) -> set[str]:
    """Every page path a navigation (or part of one) names."""
    if isinstance(nav, str):
        return {nav}
    items = nav.values() if isinstance(nav, dict) else nav if isinstance(nav, list) else []
    return set().union(*(paths_in(item) for item in items))
