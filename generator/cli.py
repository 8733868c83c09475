"""The ``playbook`` command. One place (:func:`_run`) maps errors to exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml

from . import __version__
from .errors import InvalidPlaybook, OutputFailure, PlaybookError, format_diagnostics
from .text import json_text, one_line, printable
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
    """Run a command body and turn the project's errors into exit codes.

    A failure to write standard output is left to :func:`main`, which reports it once.
    """
    try:
        code = action() or 0
    except OutputFailure:
        raise
    except InvalidPlaybook as exc:
        click.echo(format_diagnostics(exc.diagnostics), err=False)
        code = exc.exit_code
    except PlaybookError as exc:
        click.echo(f"error: {printable(str(exc))}", err=True)
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

    click.echo(json_text(json_schema()))


def main() -> None:
    """The console script; see :mod:`generator.console` for how its output is guarded."""
    from .console import run

    run(lambda: cli(prog_name="playbook"))


def _write_file(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` in one step, replacing only a regular file.

    A folder, device, FIFO, socket or symbolic link at ``target``, a missing folder, or a
    place the user may not write is refused (exit 2) and left as it was; a write that fails
    on the way (a full disk) is exit 1.
    """
    import errno
    import stat

    from .errors import UsageError
    from .write import atomic_write

    shown = one_line(str(target))
    try:
        mode: int | None = target.lstat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UsageError(f"cannot write '{shown}': {exc.strerror or exc}") from None
    if mode is not None and not stat.S_ISREG(mode):
        kinds = (
            (stat.S_ISLNK, "a symbolic link"),
            (stat.S_ISDIR, "a folder"),
            (stat.S_ISFIFO, "a named pipe"),
            (stat.S_ISSOCK, "a socket"),
        )
        kind = next((name for test, name in kinds if test(mode)), "a device")
        raise UsageError(f"refusing to write '{shown}': it is {kind}; -o takes a file name")
    if not target.parent.is_dir():
        folder = one_line(str(target.parent))
        raise UsageError(f"cannot write '{shown}': no such folder '{folder}'")
    try:
        atomic_write(target, data)
    except OSError as exc:
        refused = exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENAMETOOLONG)
        error = UsageError if refused else PlaybookError
        raise error(f"cannot write '{shown}': {exc.strerror or exc}") from None


@cli.command("export")
@DIR
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("csv", "xlsx", "json")),
    required=True,
    help="csv or xlsx: the RACI matrix; json: the whole validated model.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="File to write (replaced in one step); default: standard output.",
)
def export_command(directory: Path | None, fmt: str, output: Path | None) -> None:
    """Export the RACI matrix (CSV, XLSX) or the whole playbook (JSON)."""
    from . import export
    from .console import write_bytes
    from .errors import UsageError

    def body() -> int:
        if output is None and fmt == "xlsx" and sys.stdout.isatty():
            raise UsageError("an XLSX workbook is binary: write it to a file with -o FILE")
        playbook = require_valid(directory or default_source()).playbook
        assert playbook is not None
        if fmt == "xlsx":
            data = export.matrix_xlsx(playbook)
        elif fmt == "csv":
            data = export.matrix_csv(playbook).encode("utf-8")
        else:
            data = export.playbook_json(playbook).encode("utf-8")
        if output is None:
            write_bytes(data)
        else:
            _write_file(output, data)
        return 0

    _run(body)


CONFIG = click.option(
    "-f",
    "--config-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("mkdocs.yml"),
    show_default=True,
    help="The MkDocs configuration that uses the playbook plugin.",
)


def _mkdocs_config(config_file: Path, **overrides: Any) -> Any:
    """Load mkdocs.yml through MkDocs; usage problems become exit code 2.

    ``site_dir`` comes back as configured but unchecked, for
    :func:`generator.write.check_output_folder`: MkDocs' own check would stop some folders
    (``site_dir: .``) with its wording before ours, and let others through (``playbook``),
    so MkDocs checks a placeholder and the configured value is read from the file.
    """
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    from .errors import UsageError

    if not config_file.is_file():
        raise UsageError(f"no MkDocs configuration at '{config_file}' (use -f FILE)")
    base = config_file.resolve().parent
    try:
        config = load_config(config_file=str(config_file),
                             site_dir=str(base / ".playbook-site-unchecked"), **overrides)
        with config_file.open("rb") as stream:
            configured = yaml_load(stream, get_yaml_loader(config=config)).get("site_dir", "site")
    except ConfigurationError as exc:
        raise UsageError(f"{config_file}: {exc}") from None
    if "playbook" not in config.plugins:
        raise UsageError(f"{config_file} does not use the 'playbook' plugin (see README)")
    if not isinstance(configured, str) or not configured:
        raise UsageError(f"{config_file}: site_dir: expected the name of a folder")
    config.site_dir = str(base / configured)
    return config


def _validate_for(config: Any, strict: bool) -> None:
    """Validate the plugin's playbook first, so problems print in the contract's format.

    The result is handed to the plugin, which then does not load the files again.
    """
    plugin = config.plugins["playbook"]
    folder = Path(config.config_file_path).resolve().parent / plugin.config.source
    result = check(folder)
    if not result.ok(strict):
        raise InvalidPlaybook(diagnostics=result.diagnostics)
    plugin.preloaded = (folder.resolve(), result)


@cli.command("build")
@CONFIG
@click.option("-d", "--site-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the site (default: site_dir of mkdocs.yml).")
@click.option("--strict", is_flag=True, help="Warnings fail the build.")
def build_command(config_file: Path, site_dir: Path | None, strict: bool) -> None:
    """Build the site through MkDocs. The previous site stays until the new one is complete."""

    def body() -> int:
        import logging
        import signal

        from mkdocs.commands.build import build
        from mkdocs.exceptions import Abort, PluginError

        from . import write

        config = _mkdocs_config(config_file, strict=strict)
        plugin = config.plugins["playbook"]
        final = write.check_output_folder(
            site_dir or Path(config.site_dir), kept=plugin.kept_folders(config),
            outside={"docs_dir": Path(config.docs_dir)}, marker=write.SITE_MARKER,
            setting="--site-dir" if site_dir else f"site_dir in {config_file}",
            from_option=site_dir is not None,
        )
        _validate_for(config, strict)
        kept = (f"the previous site in {final} is unchanged" if final.exists()
                else "no site was written")
        logging.basicConfig(format="%(levelname)-7s -  %(message)s", level=logging.INFO)
        staging: Path | None = None
        old: Path | None = None
        swapped = False
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            with write.sigterm_as_interrupt(), write.output_lock(final):
                write.clear_leftovers(final)
                staging = write.staging_folder(final)
                config.site_dir = str(staging)
                try:
                    build(config)
                    with write.signals_deferred():
                        old = write.replace_folder(final, staging)
                        swapped = True
                finally:
                    plugin.discard_downloads()
                    _cleanup(old if swapped else staging)
        except (PluginError, Abort) as exc:
            click.echo(f"error: {exc}\n{kept}", err=True)
            return 1
        except OSError as exc:
            where = exc.filename or final
            click.echo(f"error: cannot write '{where}': {exc.strerror or exc}\n{kept}", err=True)
            return 1
        except KeyboardInterrupt as exc:
            now = f"the new site is in {final}" if swapped else kept
            click.echo(f"error: interrupted; {now}", err=True)
            return 128 + (signal.SIGTERM if isinstance(exc, write.Terminated) else signal.SIGINT)
        click.echo(f"site written to {final}", err=True)
        return 0

    _run(body)


def _cleanup(folder: Path | None) -> None:
    import shutil

    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _serve_address(dev_addr: str) -> None:
    """Refuse (exit 2) an address that is not ``IP:PORT`` or that cannot be served on now (in
    use, not this machine's), before MkDocs builds the site only to fail on it."""
    import ipaddress
    import os
    import socket

    from .errors import UsageError

    host, colon, port = dev_addr.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        valid = bool(colon) and port.isascii() and port.isdigit() and 0 < int(port) < 65536
        family = socket.AF_INET
        if valid and host != "localhost" and ipaddress.ip_address(host).version == 6:
            family = socket.AF_INET6
    except ValueError:
        valid = False
    if not valid:
        raise UsageError(
            f"-a/--dev-addr: '{one_line(dev_addr)}' is not an address to serve on "
            "(expected IP:PORT, such as 127.0.0.1:8000)"
        )
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            if os.name == "posix":  # as the server does; elsewhere it would allow a busy port
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, int(port)))
    except OSError as exc:
        raise UsageError(f"cannot serve on {dev_addr}: {exc.strerror or exc}") from None


@cli.command("serve")
@CONFIG
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True,
              help="Address to serve on.")
def serve_command(config_file: Path, dev_addr: str) -> None:
    """Preview the site; editing any YAML or template rebuilds it."""

    def body() -> int:
        import errno
        import logging

        from mkdocs.commands.serve import serve

        from .errors import UsageError

        _mkdocs_config(config_file)
        _serve_address(dev_addr)
        logging.basicConfig(format="%(levelname)-7s -  %(message)s", level=logging.INFO)
        try:
            serve(config_file=str(config_file), dev_addr=dev_addr, livereload=True)
        except OSError as exc:
            if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
                raise
            # Taken between the check above and MkDocs' own bind.
            raise UsageError(f"cannot serve on {dev_addr}: {exc.strerror}") from None
        return 0

    _run(body)


@cli.command("render")
@DIR
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the Markdown pages and .nav.yml.")
@click.option("--templates", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder whose templates override the built-in ones.")
@click.option("--no-directory-urls", is_flag=True,
              help="Links for a site built with use_directory_urls: false.")
def render_command(
    directory: Path | None, out: Path, templates: Path | None, no_directory_urls: bool
) -> None:
    """Write the pages as Markdown plus DOCS/.nav.yml, for engines without the plugin."""

    def body() -> int:
        import signal

        from . import write
        from .export import site_downloads
        from .render import TemplateFailure, make_environment, render

        source = directory or default_source()
        target = write.check_output_folder(
            out, kept={"the playbook folder": source, "the templates folder": templates,
                       "the current folder": Path.cwd()},
            marker=write.MANIFEST, setting="--out", from_option=True,
        )
        result = require_valid(source)
        assert result.playbook is not None
        try:
            site = render(result.playbook, make_environment(templates),
                          directory_urls=not no_directory_urls)
        except TemplateFailure as exc:
            click.echo(f"{exc}\nnothing was written", err=True)
            return 1
        files = {**write.site_files(site), **site_downloads(result.playbook)}
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with write.sigterm_as_interrupt(), write.output_lock(target):
                written = write.write_files(out, files)
        except OSError as exc:
            where = exc.filename or out
            raise PlaybookError(f"cannot write '{where}': {exc.strerror or exc}") from None
        except KeyboardInterrupt as exc:
            click.echo(f"error: interrupted; the next render into {out} finishes it", err=True)
            return 128 + (signal.SIGTERM if isinstance(exc, write.Terminated) else signal.SIGINT)
        click.echo(f"{len(site.pages)} pages in {out} ({len(written)} changed)", err=True)
        return 0

    _run(body)


def _git(cwd: Path, *args: str) -> bytes | None:
    """Git's standard output in ``cwd``, or None when git fails or is not installed."""
    import subprocess

    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def _revision_tree(spec: str, other: str) -> tuple[str, str, Path, str]:
    """(revision, tree path for git, folder to run git in, label) of a ``REV[:path]`` side.

    A bare ``REV`` takes the other side's folder (or the default source) at that revision.
    """
    from .load import display_path

    revision, colon, path = spec.partition(":")
    if colon:
        return revision, path, Path.cwd(), spec
    other_revision, other_colon, other_path = other.partition(":")
    if other_colon and other_revision and not Path(other).is_dir():
        return revision, other_path, Path.cwd(), f"{revision}:{other_path}"
    hint = Path(other) if Path(other).is_dir() else default_source()
    label = f"{revision}:{display_path(hint)}"
    if hint.is_dir():
        return revision, "./", hint, label
    return revision, f"./{hint.as_posix()}", Path.cwd(), label


def _checkout(spec: str, other: str, folder: Path) -> str | None:
    """Copy the playbook files of ``spec`` (``REV`` or ``REV:path``) into ``folder``.

    Returns:
        The label that stands for ``folder`` in diagnostics, or None if ``spec`` names no
        git revision.
    """
    from .errors import UsageError
    from .load import is_playbook_name

    revision, path, cwd, label = _revision_tree(spec, other)
    commit = f"{revision}^{{commit}}"
    if (
        not revision
        or _git(cwd, "rev-parse", "--verify", "--quiet", "--end-of-options", commit) is None
    ):
        return None
    listing = _git(cwd, "ls-tree", "--full-tree", "-z", "--end-of-options", f"{revision}:{path}")
    if listing is None:
        raise UsageError(f"no playbook folder '{label}': the path is not a folder at {revision}")
    for entry in filter(None, listing.split(b"\0")):
        meta, _, name = entry.partition(b"\t")
        mode, kind, blob = meta.split()
        filename = name.decode("utf-8", "surrogateescape")
        if kind == b"blob" and mode != b"120000" and is_playbook_name(filename):
            (folder / filename).write_bytes(_git(cwd, "cat-file", "blob", blob.decode()) or b"")
    return label


def _relabel(result: Result, folder: Path, label: str) -> Result:
    """``result`` with its diagnostics naming ``REV:path/file`` instead of the copy."""
    import dataclasses
    import os

    from .load import display_path

    shown = display_path(folder)
    relabelled = []
    for problem in result.diagnostics:
        file = problem.location.file
        if file == shown or file.startswith(shown + os.sep):
            file = label + file[len(shown) :].replace(os.sep, "/")
        relabelled.append(
            dataclasses.replace(
                problem,
                location=dataclasses.replace(problem.location, file=file),
                message=problem.message.replace(shown + os.sep, label + "/").replace(shown, label),
            )
        )
    return Result(result.playbook, relabelled)


@cli.command("diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "markdown", "json")),
    default="text",
    show_default=True,
)
def diff_command(old: str, new: str, fmt: str) -> None:
    """Show who gained or lost which letter, and SLA, stage and scope changes, OLD → NEW.

    OLD and NEW are playbook folders or git revisions: REV:path, or a bare REV for the
    other side's folder at that revision (playbook diff HEAD~1 playbook). Exit 0 when
    nothing changed, 3 when something did, 1 when a side is invalid.
    """
    import tempfile

    from .diff import diff_playbooks, format_changes
    from .errors import UsageError

    def side(spec: str, other: str, scratch: Path) -> Result:
        if Path(spec).is_dir():
            return check(spec)
        scratch.mkdir()
        label = _checkout(spec, other, scratch)
        if label is None:
            raise UsageError(
                f"'{spec}' is neither a playbook folder nor a git revision (REV or REV:path)"
            )
        return _relabel(check(scratch), scratch, label)

    def body() -> int:
        with tempfile.TemporaryDirectory(prefix="playbook-diff-") as scratch:
            before = side(old, new, Path(scratch, "old"))
            after = side(new, old, Path(scratch, "new"))
        problems = [d for r in (before, after) if not r.ok() for d in r.diagnostics]
        if problems or before.playbook is None or after.playbook is None:
            raise InvalidPlaybook(diagnostics=problems)
        changes = diff_playbooks(before.playbook, after.playbook)
        click.echo(format_changes(changes, fmt))
        return 3 if changes.items else 0

    _run(body)


@cli.command("init")
@click.argument("directory", required=False, default=".",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--example", type=click.Choice(("small-business", "agency", "b2b")),
              help="The starter playbook to copy (asked when interactive; else small-business).")
@click.option("--name", "organisation", help="The organisation's name (default: the example's).")
@click.option("--force", is_flag=True, help="Overwrite files that are in the way.")
@click.option("--interactive/--no-interactive", default=None,
              help="Ask for what is not given (default: when standard input is a terminal).")
def init_command(
    directory: Path, example: str | None, organisation: str | None, force: bool,
    interactive: bool | None,
) -> None:
    """Scaffold a working playbook project in DIRECTORY (default: here); never overwrites.

    Every target is checked first: if any file is in the way, nothing is written and each
    one is named (exit 1), unless --force.
    """
    import shlex

    from . import init
    from .errors import UsageError

    def body() -> int:
        nonlocal example, organisation
        asking = sys.stdin.isatty() if interactive is None else interactive
        if example is None and asking:
            if organisation is None:
                typed = click.prompt("Organisation name (Enter keeps the example's)",
                                     default="", show_default=False)
                organisation = typed if typed.strip() else None
            example = click.prompt("Example", type=click.Choice(init.EXAMPLES),
                                   default=init.DEFAULT_EXAMPLE, show_default=True)
        elif example is None:
            example = init.DEFAULT_EXAMPLE
            click.echo(f"using the {example} example (choose another with --example)", err=True)
        try:
            project = init.scaffold(example, organisation)
        except ValueError as exc:
            raise UsageError(f"--name: {exc}") from None
        blocking = init.conflicts(directory, project, force=force)
        if blocking:
            for path in blocking:
                click.echo(f"error: {path} exists", err=True)
            hint = "" if force else ", or use --force to overwrite"
            click.echo(f"nothing was written: move {'it' if len(blocking) == 1 else 'them'} "
                       f"away, choose another folder{hint}", err=True)
            return 1
        try:
            written = init.write_project(directory, project)
        except OSError as exc:
            raise PlaybookError(f"cannot write '{exc.filename}': {exc.strerror}") from None
        name = organisation.strip() if organisation else init.example_organisation(example)
        click.echo(f"Created {len(written)} files for {name} from the {example} example:")
        for path in written:
            click.echo(f"  {path}")
        here = directory.resolve() == Path.cwd().resolve()
        prefix = "" if here else f"cd {shlex.quote(str(directory))} && "
        click.echo("Next steps:")
        click.echo(f"  {prefix}playbook build    (the site, in site/)")
        click.echo("  playbook serve    (a preview that rebuilds on every save)")
        click.echo("  edit playbook/*.yaml, then run playbook check --strict")
        return 0

    _run(body)
