"""The ``playbook`` command: parse, call the core, and map errors to exit codes in one place
(:func:`_run`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from . import __version__, cache, outputs
from .config import default_source
from .errors import InvalidPlaybook, OutputFailure, PlaybookError, format_diagnostics
from .init import EXAMPLES
from .text import json_text, printable
from .validate import Result

FORMATS = ("text", "json", "github")


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
        from .site import TemplateFailure

        if isinstance(exc, TemplateFailure):  # already a diagnostics line: file, line, what
            click.echo(f"{exc}\nnothing was written", err=True)
        else:
            click.echo(f"error: {printable(str(exc))}", err=True)
        code = exc.exit_code
    sys.exit(code)


def require_valid(folder: Path) -> Result:
    """Check ``folder`` or raise :class:`InvalidPlaybook` with every diagnostic; print its
    warnings."""
    result = cache.check(folder)
    if not result.ok():
        raise InvalidPlaybook(diagnostics=result.diagnostics)
    if result.warnings:
        click.echo(format_diagnostics(result.warnings), err=True)
    return result


DIR = click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))


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
        result = cache.check(directory or default_source())
        if result.diagnostics or fmt == "json":
            click.echo(format_diagnostics(result.diagnostics, fmt))
        elif fmt == "text":
            count = len(result.playbook.activities) if result.playbook else 0
            click.echo(f"{count} activities, no problems")
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


@cli.command("export")
@DIR
@click.option(
    "--format",
    "fmt",
    type=click.Choice(outputs.EXPORT_FORMATS),
    required=True,
    help="; ".join(f"{o.export_format}: {o.summary}" for o in outputs.OUTPUTS if o.export_format)
    + ".",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="File to write (replaced in one step); default: standard output.",
)
def export_command(directory: Path | None, fmt: str, output: Path | None) -> None:
    """Export the RACI matrix (CSV, XLSX) or the whole playbook (JSON)."""
    from .console import write_bytes
    from .errors import UsageError
    from .write import write_file

    produced = outputs.for_format(fmt)

    def body() -> int:
        if output is None and produced.binary and sys.stdout.isatty():
            raise UsageError("an XLSX workbook is binary: write it to a file with -o FILE")
        playbook = require_valid(directory or default_source()).playbook
        assert playbook is not None
        made = produced.make(playbook)
        data = made.encode("utf-8") if isinstance(made, str) else made
        if output is None:
            write_bytes(data)
        else:
            write_file(output, data)
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


@cli.command("build")
@CONFIG
@click.option(
    "-d",
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site (default: site_dir of mkdocs.yml).",
)
@click.option("--strict", is_flag=True, help="Warnings fail the build.")
def build_command(config_file: Path, site_dir: Path | None, strict: bool) -> None:
    """Build the site through MkDocs. The previous site stays until the new one is complete."""

    def body() -> int:
        from .engine import build_site

        final = build_site(config_file, site_dir, strict=strict)
        click.echo(f"site written to {final}", err=True)
        return 0

    _run(body)


@cli.command("serve")
@CONFIG
@click.option(
    "-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on."
)
def serve_command(config_file: Path, dev_addr: str) -> None:
    """Preview the site; editing any YAML or template rebuilds it."""

    def body() -> int:
        from .engine import serve_site

        serve_site(config_file, dev_addr)
        return 0

    _run(body)


@cli.command("render")
@DIR
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the Markdown pages and .nav.yml.",
)
@click.option(
    "--templates",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder whose templates override the built-in ones.",
)
@click.option(
    "--no-directory-urls",
    is_flag=True,
    help="Links for a site built with use_directory_urls: false.",
)
def render_command(
    directory: Path | None, out: Path, templates: Path | None, no_directory_urls: bool
) -> None:
    """Write the pages as Markdown plus DOCS/.nav.yml, for engines without the plugin."""

    def body() -> int:
        from . import guard, write
        from .site import make_environment, render

        source = directory or default_source()
        target = guard.check_output_folder(
            out,
            kept={
                "the playbook folder": source,
                "the templates folder": templates,
                "the current folder": Path.cwd(),
            },
            marker=write.MANIFEST,
            setting="--out",
            from_option=True,
        )
        playbook = require_valid(source).playbook
        assert playbook is not None
        site = render(
            playbook,
            make_environment(templates),
            directory_urls=not no_directory_urls,
            parallel=True,
        )
        files = {**write.site_files(site), **outputs.produced_files(playbook, site)}
        finishes = f"the next render into {out} finishes it"
        with guard.writing(target, shown=out, on_interrupt=finishes):
            written = write.write_files(out, files)
        click.echo(f"{len(site.pages)} pages in {out} ({len(written)} changed)", err=True)
        return 0

    _run(body)


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

    from . import gitrev
    from .diff import diff_playbooks, format_changes
    from .errors import UsageError

    def side(spec: str, other: str, scratch: Path) -> Result:
        if Path(spec).is_dir():
            return cache.check(spec)
        scratch.mkdir()
        label = gitrev.checkout(spec, other, scratch)
        if label is None:
            raise UsageError(
                f"'{spec}' is neither a playbook folder nor a git revision (REV or REV:path)"
            )
        return gitrev.relabel(cache.check(scratch), scratch, label)

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
@click.argument(
    "directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--example",
    type=click.Choice(EXAMPLES),
    help="The starter playbook to copy (asked when interactive; else small-business).",
)
@click.option("--name", "organisation", help="The organisation's name (default: the example's).")
@click.option("--force", is_flag=True, help="Overwrite files that are in the way.")
@click.option(
    "--interactive/--no-interactive",
    default=None,
    help="Ask for what is not given (default: when standard input is a terminal).",
)
def init_command(
    directory: Path,
    example: str | None,
    organisation: str | None,
    force: bool,
    interactive: bool | None,
) -> None:
    """Scaffold a working playbook project in DIRECTORY (default: here); never overwrites.

    Every target is checked first: if any file is in the way, nothing is written and each
    one is named (exit 1), unless --force.
    """
    from . import init

    def body() -> int:
        nonlocal example, organisation
        asking = sys.stdin.isatty() if interactive is None else interactive
        if example is None and asking:
            if organisation is None:
                typed = click.prompt(
                    "Organisation name (Enter keeps the example's)", default="", show_default=False
                )
                organisation = typed if typed.strip() else None
            example = click.prompt(
                "Example",
                type=click.Choice(init.EXAMPLES),
                default=init.DEFAULT_EXAMPLE,
                show_default=True,
            )
        elif example is None:
            example = init.DEFAULT_EXAMPLE
            click.echo(f"using the {example} example (choose another with --example)", err=True)
        written = init.create(directory, example, organisation, force=force)
        name = organisation.strip() if organisation else init.example_organisation(example)
        click.echo(f"Created {len(written)} files for {name} from the {example} example:")
        click.echo("".join(f"  {path}\n" for path in written), nl=False)
        click.echo(
            "Next steps:\n" + "".join(f"  {step}\n" for step in init.next_steps(directory)),
            nl=False,
        )
        return 0

    _run(body)
