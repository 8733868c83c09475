"""Measure the generator at sizes S, M, L and XL and write ``benchmarks/RESULTS.md``.

    python -m benchmarks.run [--sizes S M L XL] [--runs 3] [--seed 0] [--work DIR]

For each size, in one run: ``playbook check --strict`` wall time; ``playbook build --strict``
wall time and the whole process's peak memory; the floor — plain ``mkdocs build`` of the same
pages pre-rendered by ``playbook render`` (no plugin, same theme, features and Markdown
extensions) — and the ratio build/floor; the largest HTML page, the site's size and the search
index's size; and for S and M the time from saving a YAML edit to the new text being served by
``playbook serve``. Every timing is the median of ``--runs`` repeats (build and floor runs
alternate, so drift on a shared machine hits both alike).

A section of RESULTS.md headed "Where the time goes" is hand-written (see
``benchmarks/profile.py``) and kept when the file is rewritten.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import synth

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
KEEP_SECTION = "## Where the time goes"
LIVE_SIZES = ("S", "M")
TIME_BINARY = Path("/usr/bin/time")
MB = 1_000_000

TARGETS = {
    "ratio_xl": ("Build ≤ 1.10 × floor at XL", 1.10),
    "ratio_s": ("Build ≤ 1.20 × floor at S", 1.20),
    "build_xl": ("Full build at XL ≤ 15 s", 15.0),
    "memory_xl": ("Peak memory of the build at XL ≤ 200 MB", 200.0),
    "check_xl": ("`playbook check` at XL ≤ 1 s", 1.0),
    "page_xl": ("No HTML page over 1 MB at XL", 1.0),
    "live_s": ("Live rebuild at S ≤ 1 s", 1.0),
}


def _script(name: str) -> str:
    """The console script next to this interpreter (not a pyenv shim, which adds its own time)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if not found:
        raise SystemExit(f"error: '{name}' is not installed")
    return found


def child_env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONUNBUFFERED": "1"}


@dataclass
class Run:
    seconds: float
    cpu: float
    """User plus system CPU seconds: less disturbed than wall time by other work on the machine."""
    peak_kb: int | None
    code: int
    output: str


def measure(command: list[str], cwd: Path) -> Run:
    """Wall time and the peak resident memory of one child process (and what it printed)."""
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch, "log")
        if TIME_BINARY.is_file():
            report = Path(scratch, "time")
            wrapped = [str(TIME_BINARY), "-v", "-o", str(report), *command]
            with log.open("wb") as out:
                start = time.perf_counter()
                code = subprocess.call(
                    wrapped, cwd=cwd, env=child_env(), stdout=out, stderr=subprocess.STDOUT
                )
                seconds = time.perf_counter() - start
            usage = report.read_text()
            found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", usage)
            peak = int(found[1]) if found else None
            cpu = sum(
                float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", usage)
            )
        else:  # wait4 reports the rusage of exactly this child
            with log.open("wb") as out:
                start = time.perf_counter()
                child = subprocess.Popen(
                    command, cwd=cwd, env=child_env(), stdout=out, stderr=subprocess.STDOUT
                )
                _pid, status, usage = os.wait4(child.pid, 0)
                seconds = time.perf_counter() - start
                child.returncode = code = os.waitstatus_to_exitcode(status)
            peak = usage.ru_maxrss
            cpu = usage.ru_utime + usage.ru_stime
        return Run(seconds, cpu, peak, code, log.read_text(errors="replace"))


def _require(run: Run, what: str) -> Run:
    if run.code != 0:
        raise SystemExit(f"error: {what} failed (exit {run.code}):\n{run.output[-3000:]}")
    return run


@dataclass
class Result:
    size: str
    activities: int = 0
    roles: int = 0
    pages: int = 0
    check_runs: list[float] = field(default_factory=list)
    check_cpu: list[float] = field(default_factory=list)
    build_runs: list[float] = field(default_factory=list)
    build_cpu: list[float] = field(default_factory=list)
    build_peak_kb: list[int] = field(default_factory=list)
    floor_runs: list[float] = field(default_factory=list)
    floor_cpu: list[float] = field(default_factory=list)
    floor_peak_kb: list[int] = field(default_factory=list)
    load: list[float] = field(default_factory=list)
    """The 1-minute load average before each measurement."""
    largest_page: str = ""
    largest_page_bytes: int = 0
    site_bytes: int = 0
    search_index_bytes: int = 0
    live_runs: list[float] = field(default_factory=list)
    live_builds: list[float] = field(default_factory=list)
    """What serve logged as each rebuild's own duration ("Documentation built in …")."""

    @property
    def check(self) -> float:
        return statistics.median(self.check_runs)

    @property
    def build(self) -> float:
        return statistics.median(self.build_runs)

    @property
    def floor(self) -> float:
        return statistics.median(self.floor_runs)

    @property
    def ratio(self) -> float:
        return self.build / self.floor

    @property
    def cpu_ratio(self) -> float:
        return statistics.median(self.build_cpu) / statistics.median(self.floor_cpu)

    @property
    def build_peak_mb(self) -> float:
        return statistics.median(self.build_peak_kb) * 1024 / MB

    @property
    def floor_peak_mb(self) -> float:
        return statistics.median(self.floor_peak_kb) * 1024 / MB

    @property
    def live(self) -> float | None:
        return statistics.median(self.live_runs) if self.live_runs else None


class Bench:
    def __init__(self, size: str, work: Path, seed: int, runs: int) -> None:
        self.size = size
        self.dir = work / size
        self.seed = seed
        self.runs = runs
        self.playbook = _script("playbook")
        self.mkdocs = _script("mkdocs")
        self.result = Result(size)

    def log(self, message: str) -> None:
        print(f"[{self.size}] {message}", file=sys.stderr, flush=True)

    def measure(self, command: list[str], cwd: Path, what: str) -> Run:
        self.result.load.append(os.getloadavg()[0])
        return _require(measure(command, cwd), what)

    def prepare(self) -> None:
        """The playbook, a plugin mkdocs.yml, and the floor: pre-rendered pages + plain config."""
        if self.dir.exists():
            shutil.rmtree(self.dir)
        (self.dir / "docs").mkdir(parents=True)
        synth.write(self.size, self.dir / "playbook", self.seed)
        example = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
        common = {
            "site_name": f"Benchmark playbook ({self.size})",
            "theme": example["theme"],
            "markdown_extensions": example["markdown_extensions"],
        }
        plugin = {
            **common,
            "docs_dir": "docs",
            "site_dir": "site",
            "plugins": ["search", {"playbook": {"source": "playbook"}}],
        }
        (self.dir / "mkdocs.yml").write_text(
            yaml.safe_dump(plugin, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        floor = self.dir / "floor"
        _require(
            measure(
                [self.playbook, "render", str(self.dir / "playbook"), "--out", str(floor / "docs")],
                self.dir,
            ),
            "playbook render",
        )
        downloads = floor / "docs" / "downloads"
        downloads.mkdir(exist_ok=True)
        for fmt, name in (("csv", "raci.csv"), ("xlsx", "raci.xlsx"), ("json", "playbook.json")):
            if not (downloads / name).exists():  # render may already write the downloads
                _require(
                    measure(
                        [
                            self.playbook,
                            "export",
                            str(self.dir / "playbook"),
                            "--format",
                            fmt,
                            "-o",
                            str(downloads / name),
                        ],
                        self.dir,
                    ),
                    f"playbook export {fmt}",
                )
        if not (downloads / "playbook.schema.json").exists():
            schema = subprocess.run(
                [self.playbook, "schema"], capture_output=True, check=True, env=child_env()
            )
            (downloads / "playbook.schema.json").write_bytes(schema.stdout)
        extensions = list(common["markdown_extensions"])
        names = {e if isinstance(e, str) else next(iter(e)) for e in extensions}
        from generator.plugin import MARKDOWN_EXTENSIONS

        extensions += [e for e in MARKDOWN_EXTENSIONS if e not in names]
        plain = {
            "INHERIT": "docs/.nav.yml",
            **common,
            "markdown_extensions": extensions,
            "docs_dir": "docs",
            "site_dir": "site",
            "plugins": ["search"],
            "extra_css": ["assets/playbook.css"],
            "extra_javascript": ["assets/playbook.js"],
        }
        (floor / "mkdocs.yml").write_text(
            yaml.safe_dump(plain, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        playbook = self.dir / "playbook"
        data: dict[str, list[Any]] = {}
        for path in sorted(playbook.glob("*.y*ml")):
            for key, value in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
                if isinstance(value, list):
                    data.setdefault(key, []).extend(value)
        self.result.activities = len(data.get("activities", []))
        self.result.roles = len(data.get("roles", []))
        self.result.pages = sum(1 for _ in (floor / "docs").rglob("*.md"))
        self.log(
            f"{self.result.activities} activities, {self.result.roles} roles, "
            f"{self.result.pages} pages"
        )

    def measure_check(self) -> None:
        command = [self.playbook, "check", "--strict", str(self.dir / "playbook")]
        for n in range(self.runs):
            run = self.measure(command, self.dir, "playbook check")
            self.result.check_runs.append(run.seconds)
            self.result.check_cpu.append(run.cpu)
            self.log(f"check {n + 1}/{self.runs}: {run.seconds:.2f} s (CPU {run.cpu:.2f} s)")

    def measure_builds(self) -> None:
        config, site = str(self.dir / "mkdocs.yml"), str(self.dir / "site")
        build = [self.playbook, "build", "-f", config, "-d", site, "--strict"]
        floor = self.dir / "floor"
        plain = [self.mkdocs, "build", "-f", str(floor / "mkdocs.yml"), "-d", str(floor / "site")]
        for n in range(self.runs):
            run = self.measure(build, self.dir, "playbook build")
            self.result.build_runs.append(run.seconds)
            self.result.build_cpu.append(run.cpu)
            self.result.build_peak_kb.append(run.peak_kb or 0)
            bare = self.measure(plain, floor, "mkdocs build (floor)")
            self.result.floor_runs.append(bare.seconds)
            self.result.floor_cpu.append(bare.cpu)
            self.result.floor_peak_kb.append(bare.peak_kb or 0)
            self.log(
                f"build {n + 1}/{self.runs}: {run.seconds:.2f} s (CPU {run.cpu:.2f} s), "
                f"{(run.peak_kb or 0) / 1024:.0f} MiB; floor {bare.seconds:.2f} s "
                f"(CPU {bare.cpu:.2f} s)"
            )

    def measure_site(self) -> None:
        site = self.dir / "site"
        total = 0
        for path in site.rglob("*"):
            if path.is_file():
                size = path.stat().st_size
                total += size
                if path.suffix == ".html" and size > self.result.largest_page_bytes:
                    self.result.largest_page_bytes = size
                    self.result.largest_page = path.relative_to(site).as_posix()
        self.result.site_bytes = total
        index = site / "search" / "search_index.json"
        self.result.search_index_bytes = index.stat().st_size if index.is_file() else 0

    def measure_live(self) -> None:
        """Save a YAML edit, then poll the served front page until the new text is there."""
        port = _free_port()
        url = f"http://127.0.0.1:{port}/"
        log = (self.dir / "serve.log").open("wb")
        server = subprocess.Popen(
            [self.playbook, "serve", "-f", str(self.dir / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"],
            cwd=self.dir,
            env=child_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_for(lambda: _get(url) is not None, 900, server, "playbook serve to answer")
            time.sleep(1.0)
            organisation = self.dir / "playbook" / "organisation.yaml"
            original = yaml.safe_load(organisation.read_text(encoding="utf-8"))
            summary = original["organisation"].get("summary") or ""
            for n in range(self.runs):
                token = f"Benchmark edit marker {n + 1}-{time.time_ns()}"
                edited = dict(original)
                edited["organisation"] = {
                    **original["organisation"],
                    "summary": f"{summary.rstrip()}\n\n{token}\n",
                }
                text = yaml.safe_dump(edited, sort_keys=False, allow_unicode=True)
                self.result.load.append(os.getloadavg()[0])
                start = time.perf_counter()
                organisation.write_text(text, encoding="utf-8")
                _wait_for(
                    lambda token=token: token in (_get(url) or ""),
                    600,
                    server,
                    "the edit to be served",
                    pause=0.02,
                )
                seconds = time.perf_counter() - start
                self.result.live_runs.append(seconds)
                self.log(f"live rebuild {n + 1}/{self.runs}: {seconds:.2f} s")
                time.sleep(1.5)
        finally:
            _stop(server)
            log.close()
        built = re.findall(
            r"Documentation built in ([\d.]+) seconds",
            (self.dir / "serve.log").read_text(errors="replace"),
        )
        self.result.live_builds = [float(x) for x in built[1:]]

    def run(self, live: bool) -> Result:
        self.prepare()
        self.measure_check()
        self.measure_builds()
        self.measure_site()
        if live and self.size in LIVE_SIZES:
            self.measure_live()
        return self.result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def _wait_for(
    condition: Any, timeout: float, server: subprocess.Popen[bytes], what: str, pause: float = 0.2
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if server.poll() is not None:
            raise SystemExit(
                f"error: playbook serve exited ({server.returncode}) while waiting for {what}"
            )
        if time.monotonic() > deadline:
            raise SystemExit(f"error: timed out waiting for {what}")
        time.sleep(pause)


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server this script started (its own session, so its process group)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        info = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", info, re.MULTILINE)
        cpu = found[1].strip() if found else cpu
    except OSError:
        pass
    ram = ""
    try:
        found = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
        ram = f"{int(found[1]) / 1024 / 1024:.1f} GiB" if found else ""
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "CPU": cpu,
        "Cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "MkDocs": importlib.metadata.version("mkdocs"),
        "Material for MkDocs": importlib.metadata.version("mkdocs-material"),
        "Commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "Date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _mb(value: float) -> str:
    return f"{value / MB:.2f} MB" if value < 10 * MB else f"{value / MB:.1f} MB"


def table(results: list[Result]) -> str:
    head = (
        "| Size | Activities / roles / pages | check | build | peak memory (build) | floor "
        "(peak) | build / floor | largest page | site | search index | live rebuild |"
    )
    rows = [head, "|" + " --- |" * 11]
    for r in results:
        live = f"{r.live:.2f} s" if r.live is not None else "—"
        rows.append(
            f"| {r.size} | {r.activities} / {r.roles} / {r.pages} | {r.check:.2f} s | "
            f"{r.build:.2f} s | {r.build_peak_mb:.0f} MB | {r.floor:.2f} s "
            f"({r.floor_peak_mb:.0f} MB) | {r.ratio:.2f} | {_mb(r.largest_page_bytes)} "
            f"(`{r.largest_page}`) | {_mb(r.site_bytes)} | {_mb(r.search_index_bytes)} | {live} |"
        )
    return "\n".join(rows)


def cpu_table(results: list[Result]) -> str:
    rows = [
        (
            "| Size | check CPU | build CPU | floor CPU | build / floor (CPU) "
            "| serve's own rebuild | load average (1 min) during the runs |"
        ),
        "|" + " --- |" * 7,
    ]
    for r in results:
        own = f"{statistics.median(r.live_builds):.2f} s" if r.live_builds else "—"
        load = f"{min(r.load):.1f}–{max(r.load):.1f}" if r.load else "—"
        rows.append(
            f"| {r.size} | {statistics.median(r.check_cpu):.2f} s | "
            f"{statistics.median(r.build_cpu):.2f} s | {statistics.median(r.floor_cpu):.2f} s | "
            f"{r.cpu_ratio:.2f} | {own} | {load} |"
        )
    return "\n".join(rows)


def verdicts(results: list[Result]) -> list[tuple[str, str, str]]:
    """(target, measured, met?) for every target whose size was measured."""
    by = {r.size: r for r in results}
    out = []

    def add(key: str, size: str, value: float | None, shown: str) -> None:
        label, limit = TARGETS[key]
        if size not in by or value is None:
            return
        out.append((label, shown, "met" if value <= limit else "**not met**"))

    if "XL" in by:
        xl = by["XL"]
        add(
            "ratio_xl",
            "XL",
            xl.ratio,
            f"{xl.ratio:.2f} × ({xl.build:.2f} s / {xl.floor:.2f} s; CPU {xl.cpu_ratio:.2f} ×)",
        )
        add("build_xl", "XL", xl.build, f"{xl.build:.2f} s")
        add("memory_xl", "XL", xl.build_peak_mb, f"{xl.build_peak_mb:.0f} MB")
        add("check_xl", "XL", xl.check, f"{xl.check:.2f} s")
        add(
            "page_xl",
            "XL",
            xl.largest_page_bytes / MB,
            f"{_mb(xl.largest_page_bytes)} (`{xl.largest_page}`)",
        )
    if "S" in by:
        s = by["S"]
        add(
            "ratio_s",
            "S",
            s.ratio,
            f"{s.ratio:.2f} × ({s.build:.2f} s / {s.floor:.2f} s; CPU {s.cpu_ratio:.2f} ×)",
        )
        add("live_s", "S", s.live, f"{s.live:.2f} s" if s.live is not None else "")
    return out


METHOD = """\
- Playbooks from `benchmarks/synth.py` (seed {seed}): S is the shipped example; M has 50 roles
  and 500 activities; L 200 and 2,000; XL 500 roles, 5,000 activities, 50 teams, 40 stages,
  300 handoffs, 20 engagements, 100 people. Each passes `playbook check --strict`.
- Every figure is the median of {runs} runs; each run is a fresh process (interpreter start and
  imports included), as a user or a CI job runs it.
- *check*: `playbook check --strict DIR`. *build*: `playbook build -f mkdocs.yml -d SITE
  --strict` (validation, rendering, downloads and the MkDocs build). *Peak memory*: maximum
  resident set size of the process (`/usr/bin/time -v`).
- *floor*: plain `mkdocs build` (no plugin) of the same pages written beforehand by `playbook
  render`, with the same theme, features and Markdown extensions, the navigation through
  `INHERIT: docs/.nav.yml`, the same CSS/JS and the same download files. Build and floor runs
  alternate.
- *live rebuild* (S and M): under `playbook serve`, from writing a changed
  `organisation.summary` to the front page served over HTTP containing the new text. MkDocs'
  watcher polls the watched folders every 0.5 s and waits 0.1 s before it rebuilds.
- Sizes in MB are 10^6 bytes.
"""


def report(results: list[Result], runs: int, seed: int) -> str:
    lines = [
        "# Benchmark results",
        "",
        (
            "Written by `python -m benchmarks.run` (issue 7, speed at enterprise scale). "
            "Regenerate with that command; the section *Where the time goes* is kept."
        ),
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in machine().items()]
    lines += [
        "",
        "## Method",
        "",
        METHOD.format(seed=seed, runs=runs),
        "## Results",
        "",
        table(results),
        "",
        "CPU time (user + system) of the same runs, and the machine's load:",
        "",
        cpu_table(results),
        "",
        "## Targets",
        "",
        "| Target | Measured | |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {label} | {shown} | {met} |" for label, shown, met in verdicts(results)]
    lines += ["", "<details><summary>Every run (seconds)</summary>", ""]
    for r in results:
        live = ""
        if r.live_runs:
            live = f"; live {_runs(r.live_runs)} (serve's own rebuild {_runs(r.live_builds)})"
        lines.append(
            f"- {r.size}: check {_runs(r.check_runs)} (CPU {_runs(r.check_cpu)}); "
            f"build {_runs(r.build_runs)} (CPU {_runs(r.build_cpu)}); "
            f"floor {_runs(r.floor_runs)} (CPU {_runs(r.floor_cpu)}){live}"
        )
    lines += ["", "</details>", ""]
    text = "\n".join(lines)
    if RESULTS.is_file():
        previous = RESULTS.read_text(encoding="utf-8")
        if KEEP_SECTION in previous:
            text += "\n" + previous[previous.index(KEEP_SECTION) :].rstrip() + "\n"
    return text


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--sizes",
        nargs="+",
        default=list(synth.SIZE_NAMES),
        help="sizes to measure, e.g. --sizes S M (or S,M)",
    )
    parser.add_argument("--runs", type=int, default=3, help="repeats of each measurement")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "playbook-benchmark",
        help="scratch folder for the playbooks and sites (replaced)",
    )
    parser.add_argument("--no-live", action="store_true", help="skip the live-rebuild timing")
    parser.add_argument("--no-write", action="store_true", help="print only; keep RESULTS.md")
    args = parser.parse_args(argv)
    sizes = [s.strip().upper() for item in args.sizes for s in item.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in synth.SIZE_NAMES]
    if unknown or args.runs < 1:
        parser.error(f"unknown size {unknown[0]}" if unknown else "--runs must be 1 or more")
    results = []
    for size in sizes:
        results.append(Bench(size, args.work.resolve(), args.seed, args.runs).run(not args.no_live))
    print(table(results))
    print()
    print(cpu_table(results))
    for label, shown, met in verdicts(results):
        print(f"{label}: {shown} — {met.strip('*')}")
    (args.work / "results.json").write_text(json.dumps([asdict(r) for r in results], indent=2))
    if not args.no_write:
        RESULTS.write_text(report(results, args.runs, args.seed), encoding="utf-8")
        shown = RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS
        print(f"written {shown}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
