"""Profile ``playbook check`` and a plugin build at one size; print Markdown tables.

    python -m benchmarks.profile [SIZE] [--shape SHAPE] [--work DIR] [--top N]

Runs each under cProfile in a fresh process (``python -m cProfile -o FILE -m generator check``
and ``… -m mkdocs build``), keeps the ``.prof`` files in the work folder for ``pstats`` or
snakeviz, and prints the phases of the build and the top functions by own and cumulative time
— the raw material of the "Where the time goes" section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

from . import synth
from .run import Bench, child_env

PHASES = (
    ("load YAML (generator.load.load)", "generator/load.py", "load"),
    ("validate (generator.validate.validate)", "generator/validate.py", "validate"),
    ("render pages (generator.site.render)", "generator/site/__init__.py", "render"),
    ("CSV download", "generator/outputs/csv_matrix.py", "matrix_csv"),
    ("XLSX download", "generator/outputs/__init__.py", "matrix_xlsx"),
    ("JSON download", "generator/outputs/json_model.py", "playbook_json"),
    ("JSON Schema download", "generator/model/schema.py", "json_schema"),
    ("plugin on_config, all of it", "generator/plugin.py", "on_config"),
    ("Markdown → HTML (Page.render)", "mkdocs/structure/pages.py", "render"),
    ("theme templates (_build_page)", "mkdocs/commands/build.py", "_build_page"),
    (
        "search index: collect (on_page_context)",
        "mkdocs/contrib/search/__init__.py",
        "on_page_context",
    ),
    ("search index: write (on_post_build)", "mkdocs/contrib/search/__init__.py", "on_post_build"),
    ("navigation (get_navigation)", "mkdocs/structure/nav.py", "get_navigation"),
    ("MkDocs build(), all of it", "mkdocs/commands/build.py", "build"),
)


def profile(command: list[str], output: Path, cwd: Path) -> pstats.Stats:
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(output), *command],
        cwd=cwd,
        env=child_env(),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return pstats.Stats(str(output))


def _name(key: tuple[str, int, str]) -> str:
    filename, line, function = key
    if filename == "~":
        return function
    parts = Path(filename).parts
    for anchor in (
        "generator",
        "mkdocs",
        "material",
        "markdown",
        "jinja2",
        "pydantic",
        "yaml",
        "xlsxwriter",
        "pymdownx",
    ):
        if anchor in parts:
            filename = "/".join(parts[parts.index(anchor) :])
            break
    else:
        filename = Path(filename).name
    return f"`{filename}:{line}({function})`"


def _total(stats: pstats.Stats) -> float:
    return float(stats.total_tt)  # type: ignore[attr-defined]


def top(stats: pstats.Stats, count: int, by: int) -> str:
    """Functions sorted by own time (``by`` = 2) or cumulative time (``by`` = 3)."""
    total = _total(stats)
    entries = stats.stats  # type: ignore[attr-defined]
    skip = (
        "<built-in method builtins.exec>",
        "<module>",
        "_run_code",
        "_run_module_as_main",
        "run",
        "main",
        "invoke",
        "__call__",
    )
    rows = sorted(entries.items(), key=lambda item: item[1][by], reverse=True)
    lines = [
        "| function | calls | own s | cumulative s | share |",
        "| --- | --- | --- | --- | --- |",
    ]
    shown = 0
    for key, (_calls, ncalls, own, cumulative, _callers) in rows:
        if by == 3 and (key[2] in skip or key[2].startswith("<")):
            continue
        value = own if by == 2 else cumulative
        lines.append(
            f"| {_name(key)} | {ncalls} | {own:.2f} | {cumulative:.2f} | "
            f"{100 * value / total:.0f} % |"
        )
        shown += 1
        if shown == count:
            break
    return "\n".join(lines)


def phases(stats: pstats.Stats) -> str:
    total = _total(stats)
    entries = stats.stats  # type: ignore[attr-defined]
    lines = [f"| phase | s | share of {total:.1f} s |", "| --- | --- | --- |"]
    for label, suffix, function in PHASES:
        found = [
            v[3]
            for k, v in entries.items()
            if k[2] == function and k[0].replace(os.sep, "/").endswith(suffix)
        ]
        if found:
            seconds = max(found)
            lines.append(f"| {label} | {seconds:.2f} | {100 * seconds / total:.0f} % |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profile", description=__doc__.split("\n")[0]
    )
    parser.add_argument("size", nargs="?", default="XL", type=str.upper, choices=synth.SIZE_NAMES)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "playbook-profile"
    )
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shape", choices=synth.SHAPE_NAMES, default="typical")
    args = parser.parse_args(argv)
    bench = Bench(args.size, args.work.resolve(), args.seed, 1, args.shape)
    bench.prepare()
    folder = bench.dir
    check = profile(
        ["-m", "generator", "check", "--strict", str(folder / "playbook")],
        folder / "check.prof",
        folder,
    )
    build = profile(
        ["-m", "mkdocs", "build", "-f", str(folder / "mkdocs.yml"), "-d", str(folder / "site")],
        folder / "build.prof",
        folder,
    )
    at = args.size if args.shape == "typical" else f"{args.size} ({args.shape} shape)"
    print(f"### `playbook check --strict` at {at} under cProfile: {_total(check):.2f} s\n")
    print(phases(check), "\n")
    print("By own time:\n")
    print(top(check, args.top, 2), "\n")
    print("By cumulative time:\n")
    print(top(check, args.top, 3), "\n")
    print(f"### Plugin build (`mkdocs build`) at {at} under cProfile: {_total(build):.2f} s\n")
    print(phases(build), "\n")
    print("By own time:\n")
    print(top(build, args.top, 2), "\n")
    print("By cumulative time:\n")
    print(top(build, args.top, 3))
    print(f"\nProfiles: {folder / 'check.prof'}, {folder / 'build.prof'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
