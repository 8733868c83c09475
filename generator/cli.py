"""The ``playbook`` command. One place (:func:`_run`) maps errors to exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml

from . import __version__
from .errors import InvalidPlaybook, PlaybookError, UnsafeWrite, format_diagnostics
from .validate import Result, check

FORMATS = ("text", "json", "github")


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose ``!!python/name:`` and ``!ENV`` tags are not ours to run."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def plugin_options(config_file: Path) -> dict[str, Any]:
    """The ``playbook`` plugin's options in a mkdocs.yml (empty when absent)."""
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_TolerantLoader)
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return {}
    plugins = config.get("plugins", []) if isinstance(config, dict) else []
    if isinstance(plugins, dict):
        plugins = [{k: v} for k, v in plugins.items()]
    for entry in plugins or []:
        if isinstance(entry, dict) and "playbook" in entry:
            return entry["playbook"] if isinstance(entry["playbook"], dict) else {}
        if entry == "playbook":
            return {}
    return {}


def default_source(config_file: Path = Path("mkdocs.yml")) -> Path:
    """The plugin's ``source`` relative to ./mkdocs.yml, else ./playbook."""
    if config_file.is_file():
        source = plugin_options(config_file).get("source")
        if isinstance(source, str):
            return config_file.parent / source
    return Path("playbook")


def _run(action: Callable[[], int | None]) -> None:
    """Run a command body and turn the project's errors into exit codes."""
    try:
        code = action() or 0
    except InvalidPlaybook as exc:
        click.echo(format_diagnostics(exc.diagnostics), err=False)
        code = exc.exit_code
    except UnsafeWrite as exc:
        click.echo(f"error: {exc}", err=True)
        code = exc.exit_code
    except PlaybookError as exc:
        click.echo(f"error: {exc}", err=True)
        code = exc.exit_code
    sys.exit(code)


def require_valid(folder: Path, strict: bool = False) -> Result:
    """Validate ``folder`` or raise :class:`InvalidPlaybook` with every diagnostic."""
    result = check(folder)
    if not result.ok(strict):
        raise InvalidPlaybook(diagnostics=result.diagnostics)
    if result.warnings:
        click.echo(format_diagnostics(result.warnings), err=True)
    return result


DIR = click.argument(
    "directory", required=False, type=click.Path(file_okay=False, path_type=Path)
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="playbook")
def cli() -> None:
    """Turn a YAML playbook of who does what in marketing and sales into a website."""


@cli.command("check")
@DIR
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def check_command(directory: Path | None, strict: bool, fmt: str) -> None:
    """Validate the playbook and print every problem (exit 1 if any)."""

    def body() -> int:
        result = check(directory or default_source())
        if result.diagnostics or fmt == "json":
            click.echo(format_diagnostics(result.diagnostics, fmt))
        elif fmt == "text":
            click.echo(f"{len(result.playbook.activities) if result.playbook else 0} activities, "
                       "no problems")
        return 0 if result.ok(strict) else 1

    _run(body)


@cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the playbook's YAML files."""
    from .model import json_schema

    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def main() -> None:
    cli(prog_name="playbook")
