"""Measure the generator and write ``benchmarks/RESULTS.md`` (issue 14's targets).

    python -m benchmarks.run [--sizes S,M,L,XL] [--shapes typical,worst] [--runs 3] [--seed 0]
                             [--work DIR] [--code DIR --baseline-out FILE]

By default it measures the typical shape at S, M, L and XL and the worst shape
(``benchmarks/synth.py --shape worst``) at M and XL; ``--sizes`` and ``--shapes`` narrow that
to their product (S is the shipped example and has only the typical shape).

For each case, in one run: ``playbook check --strict`` wall time; ``playbook build --strict``
wall time and the whole process's peak memory; the floor — plain ``mkdocs build`` of the same
pages written by ``playbook render --out`` (no plugin; the theme, features, Markdown extensions,
CSS/JS, search settings and ``extra`` the plugin build ends up with, read by running the plugin's
``on_config``: ``benchmarks/floor_config.py``) — and the ratio build/floor; the largest HTML
page, the site's size and the search index's size; and for S and M (typical) the time from
saving a YAML edit to the new text being served by ``playbook serve``. Every timing is the
median of ``--runs`` repeats (build and floor runs alternate, so drift on a shared machine hits
both alike); the 1-minute load average is recorded before each.

The *before* column reads ``benchmarks/baseline.json``, which this script writes with
``--code DIR --baseline-out benchmarks/baseline.json``: the same measurements of another
checkout (``DIR`` first on ``PYTHONPATH``, commands run as ``python -m generator``).

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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import synth

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BASELINE = Path(__file__).resolve().parent / "baseline.json"
FLOOR_CONFIG = Path(__file__).resolve().parent / "floor_config.py"
KEEP_SECTION = "## Where the time goes"
LIVE_SIZES = ("S", "M")
TIME_BINARY = Path("/usr/bin/time")
MB = 1_000_000
PYCACHE = Path(tempfile.gettempdir()) / "playbook-benchmark-pycache"
DEFAULT_PLAN = (
    ("S", "typical"),
    ("M", "typical"),
    ("L", "typical"),
    ("XL", "typical"),
    ("M", "worst"),
    ("XL", "worst"),
)
"""The cases of a full run: M worst is there for the worst shape's growth from M to XL."""
MAIN_SHAPES = ("typical", "worst")
"""The shapes the targets are reported for (others are measured but only tabled)."""

TARGETS: dict[str, tuple[str, float]] = {
    "build_xl": ("`playbook build`, XL ≤ 15 s", 15.0),
    "memory_xl": ("Peak memory of the build, XL ≤ 200 MB", 200.0),
    "ratio_xl": ("Build / plain MkDocs on the same `render --out` pages, XL ≤ 1.00", 1.00),
    "ratio_s": ("Same ratio at S ≤ 1.10", 1.10),
    "check_xl": ("`playbook check`, XL ≤ 0.5 s", 0.5),
    "page_xl": ("Largest HTML page, XL ≤ 0.25 MB", 0.25),
    "search_xl": ("Search index, XL ≤ half of the baseline", 0.5),
    "live_s": ("Live rebuild at S ≤ 1.0 s", 1.0),
    "growth": ("Growth: time per page at XL ≤ 1.2 × time per page at M", 1.2),
}


def _script(name: str) -> str:
    """The console script next to this interpreter (not a pyenv shim, which adds its own time)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if not found:
        raise SystemExit(f"error: '{name}' is not installed")
    return found


def child_env(code: Path | None = None) -> dict[str, str]:
    """The environment of every measured command; ``code`` first on ``PYTHONPATH``.

    Bytecode is cached, as in an installed copy, but in a folder of its own
    (``PYTHONPYCACHEPREFIX``), so no checkout gets ``__pycache__`` folders; the setup commands
    run before any measured one, so the measured runs find it warm."""
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPYCACHEPREFIX": str(PYCACHE),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(code), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])]
        )
    return env


@dataclass
class Run:
    seconds: float
    cpu: float
    """User plus system CPU seconds: less disturbed than wall time by other work on the machine."""
    peak_kb: int | None
    code: int
    output: str


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Wall time and the peak resident memory of one child process (and what it printed)."""
    env = env if env is not None else child_env()
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch, "log")
        if TIME_BINARY.is_file():
            report = Path(scratch, "time")
            wrapped = [str(TIME_BINARY), "-v", "-o", str(report), *command]
            with log.open("wb") as out:
                start = time.perf_counter()
                code = subprocess.call(
                    wrapped, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
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
                    command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
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
    shape: str = "typical"
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
    floor_dropped: list[str] = field(default_factory=list)
    """Settings of the plugin build the floor could not copy (see floor_config.py)."""

    @property
    def label(self) -> str:
        return self.size if self.shape == "typical" else f"{self.size} {self.shape}"

    @property
    def key(self) -> str:
        return f"{self.size} {self.shape}"

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

    @property
    def per_page(self) -> float:
        """Build seconds per page (``render --out`` files)."""
        return self.build / self.pages if self.pages else 0.0

    def summary(self) -> dict[str, Any]:
        """The medians, as baseline.json keeps them."""
        return {
            "activities": self.activities,
            "roles": self.roles,
            "pages": self.pages,
            "check_s": round(self.check, 3),
            "check_cpu_s": round(statistics.median(self.check_cpu), 3),
            "build_s": round(self.build, 3),
            "build_cpu_s": round(statistics.median(self.build_cpu), 3),
            "build_peak_mb": round(self.build_peak_mb, 1),
            "floor_s": round(self.floor, 3),
            "floor_cpu_s": round(statistics.median(self.floor_cpu), 3),
            "floor_peak_mb": round(self.floor_peak_mb, 1),
            "ratio": round(self.ratio, 3),
            "cpu_ratio": round(self.cpu_ratio, 3),
            "per_page_s": round(self.per_page, 5),
            "largest_page": self.largest_page,
            "largest_page_bytes": self.largest_page_bytes,
            "site_bytes": self.site_bytes,
            "search_index_bytes": self.search_index_bytes,
            "live_s": round(self.live, 3) if self.live is not None else None,
            "load_1min": [round(min(self.load), 2), round(max(self.load), 2)] if self.load else [],
            "runs": {
                "check": [round(x, 3) for x in self.check_runs],
                "build": [round(x, 3) for x in self.build_runs],
                "floor": [round(x, 3) for x in self.floor_runs],
                "build_peak_mb": [round(k * 1024 / MB, 1) for k in self.build_peak_kb],
                "live": [round(x, 3) for x in self.live_runs],
            },
        }


class Bench:
    def __init__(
        self,
        size: str,
        work: Path,
        seed: int,
        runs: int,
        shape: str = "typical",
        code: Path | None = None,
    ) -> None:
        self.size = size
        self.shape = shape
        self.dir = work / (size if shape == "typical" else f"{size}-{shape}")
        self.seed = seed
        self.runs = runs
        self.code = code
        """Another checkout to measure (first on PYTHONPATH), or None for this one."""
        self.env = child_env(code)
        self.playbook = [sys.executable, "-m", "generator"] if code else [_script("playbook")]
        self.mkdocs = _script("mkdocs")
        self.result = Result(size, shape)

    def log(self, message: str) -> None:
        print(f"[{self.result.label}] {message}", file=sys.stderr, flush=True)

    def measure(self, command: list[str], cwd: Path, what: str) -> Run:
        self.result.load.append(os.getloadavg()[0])
        return _require(measure(command, cwd, self.env), what)

    def setup(self, command: list[str], what: str) -> Run:
        return _require(measure(command, self.dir, self.env), what)

    def prepare(self) -> None:
        """The playbook, a plugin mkdocs.yml, and the floor: ``render --out`` pages + plain
        config with what the plugin build's config ends up with."""
        if self.dir.exists():
            shutil.rmtree(self.dir)
        (self.dir / "docs").mkdir(parents=True)
        synth.write(self.size, self.dir / "playbook", self.seed, shape=self.shape)
        root = self.code or ROOT
        example = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
        search: list[Any] = [
            p
            for p in example.get("plugins", [])
            if p == "search" or (isinstance(p, dict) and "search" in p)
        ] or ["search"]
        common: dict[str, Any] = {"site_name": f"Benchmark playbook ({self.result.label})"}
        for key in ("theme", "markdown_extensions", "extra", "extra_css", "extra_javascript"):
            if key in example:
                common[key] = example[key]
        plugin = {
            **common,
            "docs_dir": "docs",
            "site_dir": "site",
            "plugins": [*search, {"playbook": {"source": "playbook"}}],
        }
        (self.dir / "mkdocs.yml").write_text(
            yaml.safe_dump(plugin, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        floor = self.dir / "floor"
        self.setup(
            [*self.playbook, "render", str(self.dir / "playbook"), "--out", str(floor / "docs")],
            "playbook render",
        )
        downloads = floor / "docs" / "downloads"
        downloads.mkdir(exist_ok=True)
        for fmt, name in (("csv", "raci.csv"), ("xlsx", "raci.xlsx"), ("json", "playbook.json")):
            if not (downloads / name).exists():  # render may already write the downloads
                self.setup(
                    [
                        *self.playbook,
                        "export",
                        str(self.dir / "playbook"),
                        "--format",
                        fmt,
                        "-o",
                        str(downloads / name),
                    ],
                    f"playbook export {fmt}",
                )
        if not (downloads / "playbook.schema.json").exists():
            schema = subprocess.run(
                [*self.playbook, "schema"], capture_output=True, check=True, env=self.env
            )
            (downloads / "playbook.schema.json").write_bytes(schema.stdout)
        settings = self.floor_settings()
        theme = dict(common.get("theme") or {})
        if settings["theme_features"]:
            theme["features"] = settings["theme_features"]
        plain: dict[str, Any] = {
            "INHERIT": "docs/.nav.yml",
            **common,
            "theme": theme,
            "markdown_extensions": settings["markdown_extensions"],
            "docs_dir": "docs",
            "site_dir": "site",
            "plugins": [{"search": settings["search"]} if settings["search"] else "search"],
            "extra_css": settings["extra_css"],
            "extra_javascript": settings["extra_javascript"],
        }
        if settings["extra"]:
            plain["extra"] = settings["extra"]
        if settings["copyright"]:
            plain["copyright"] = settings["copyright"]
        if not (floor / "docs" / ".nav.yml").is_file():
            del plain["INHERIT"]
        self.result.floor_dropped = settings["dropped"]
        if settings["dropped"]:
            self.log(f"the floor could not copy: {', '.join(settings['dropped'])}")
        (floor / "mkdocs.yml").write_text(
            yaml.safe_dump(plain, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        playbook = self.dir / "playbook"
        data: dict[str, list[Any]] = {}
        for path in sorted(playbook.glob("*.y*ml")):
            loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
            for key, value in loaded.items():
                if isinstance(value, list):
                    data.setdefault(key, []).extend(value)
        self.result.activities = len(data.get("activities", []))
        self.result.roles = len(data.get("roles", []))
        self.result.pages = sum(1 for _ in (floor / "docs").rglob("*.md"))
        self.log(
            f"{self.result.activities} activities, {self.result.roles} roles, "
            f"{self.result.pages} pages"
        )

    def floor_settings(self) -> dict[str, Any]:
        """What the plugin build's config ends up with (its ``on_config`` run, in the code
        under test): the floor builds with the same."""
        found = subprocess.run(
            [sys.executable, str(FLOOR_CONFIG), str(self.dir / "mkdocs.yml")],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if found.returncode != 0:
            raise SystemExit(f"error: reading the plugin build's config failed:\n{found.stderr}")
        settings: dict[str, Any] = json.loads(found.stdout)
        shutil.rmtree(self.dir / "site", ignore_errors=True)
        return settings

    def measure_check(self) -> None:
        command = [*self.playbook, "check", "--strict", str(self.dir / "playbook")]
        for n in range(self.runs):
            run = self.measure(command, self.dir, "playbook check")
            self.result.check_runs.append(run.seconds)
            self.result.check_cpu.append(run.cpu)
            self.log(f"check {n + 1}/{self.runs}: {run.seconds:.2f} s (CPU {run.cpu:.2f} s)")

    def measure_builds(self) -> None:
        config, site = str(self.dir / "mkdocs.yml"), str(self.dir / "site")
        build = [*self.playbook, "build", "-f", config, "-d", site, "--strict"]
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
            [
                *self.playbook,
                "serve",
                "-f",
                str(self.dir / "mkdocs.yml"),
                "-a",
                f"127.0.0.1:{port}",
            ],
            cwd=self.dir,
            env=self.env,
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
        if live and self.size in LIVE_SIZES and self.shape == "typical":
            self.measure_live()
        return self.result


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def machine(root: Path = ROOT) -> dict[str, str]:
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
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=False
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
        "| Case | Activities / roles / pages | check | build | peak memory (build) | floor "
        "(peak) | build / floor | build per page | largest page | site | search index "
        "| live rebuild |"
    )
    rows = [head, "|" + " --- |" * 12]
    for r in results:
        live = f"{r.live:.2f} s" if r.live is not None else "—"
        rows.append(
            f"| {r.label} | {r.activities} / {r.roles} / {r.pages} | {r.check:.2f} s | "
            f"{r.build:.2f} s | {r.build_peak_mb:.0f} MB | {r.floor:.2f} s "
            f"({r.floor_peak_mb:.0f} MB) | {r.ratio:.2f} | {1000 * r.per_page:.1f} ms | "
            f"{_mb(r.largest_page_bytes)} (`{r.largest_page}`) | {_mb(r.site_bytes)} | "
            f"{_mb(r.search_index_bytes)} | {live} |"
        )
    return "\n".join(rows)


def cpu_table(results: list[Result]) -> str:
    rows = [
        (
            "| Case | check CPU | build CPU | floor CPU | build / floor (CPU) "
            "| serve's own rebuild | load average (1 min) during the runs |"
        ),
        "|" + " --- |" * 7,
    ]
    for r in results:
        own = f"{statistics.median(r.live_builds):.2f} s" if r.live_builds else "—"
        load = f"{min(r.load):.1f}–{max(r.load):.1f}" if r.load else "—"
        rows.append(
            f"| {r.label} | {statistics.median(r.check_cpu):.2f} s | "
            f"{statistics.median(r.build_cpu):.2f} s | {statistics.median(r.floor_cpu):.2f} s | "
            f"{r.cpu_ratio:.2f} | {own} | {load} |"
        )
    return "\n".join(rows)


@dataclass
class Verdict:
    target: str
    case: str
    before: str
    now: str
    met: bool


def load_baseline(path: Path = BASELINE) -> dict[str, Any]:
    """baseline.json, or an empty one when it is missing."""
    if not path.is_file():
        return {"cases": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    data.setdefault("cases", {})
    return data


def verdicts(results: list[Result], baseline: dict[str, Any] | None = None) -> list[Verdict]:
    """Every issue-14 target whose case was measured, for the typical and the worst shape."""
    base = (baseline or {"cases": {}})["cases"]
    by = {(r.size, r.shape): r for r in results}
    out: list[Verdict] = []

    def before(size: str, shape: str, name: str, show: Callable[[Any], str]) -> str:
        case = base.get(f"{size} {shape}")
        value = case.get(name) if case else None
        return show(value) if value is not None else "—"

    def before_cpu(size: str, shape: str, name: str) -> str:
        case = base.get(f"{size} {shape}") or {}
        if case.get(f"{name}_s") is None:
            return "—"
        cpu = case.get(f"{name}_cpu_s")
        return f"{case[f'{name}_s']:.2f} s" + (f" (CPU {cpu:.2f} s)" if cpu is not None else "")

    def seconds(x: float) -> str:
        return f"{x:.2f} s"

    def ratio(x: float) -> str:
        return f"{x:.2f}"

    for shape in MAIN_SHAPES:
        xl = by.get(("XL", shape))
        if xl is not None:
            label = xl.label

            def add(key: str, value: float, now: str, was: str, case: str = label) -> None:
                text, limit = TARGETS[key]
                out.append(Verdict(text, case, was, now, value <= limit))

            add(
                "build_xl",
                xl.build,
                f"{xl.build:.2f} s (CPU {statistics.median(xl.build_cpu):.2f} s)",
                before_cpu("XL", shape, "build"),
            )
            add(
                "memory_xl",
                xl.build_peak_mb,
                f"{xl.build_peak_mb:.0f} MB",
                before("XL", shape, "build_peak_mb", lambda x: f"{x:.0f} MB"),
            )
            add(
                "ratio_xl",
                xl.ratio,
                f"{xl.ratio:.2f} ({xl.build:.2f} s / {xl.floor:.2f} s; CPU {xl.cpu_ratio:.2f})",
                before("XL", shape, "ratio", ratio),
            )
            add(
                "check_xl",
                xl.check,
                f"{xl.check:.2f} s (CPU {statistics.median(xl.check_cpu):.2f} s)",
                before_cpu("XL", shape, "check"),
            )
            add(
                "page_xl",
                xl.largest_page_bytes / MB,
                f"{_mb(xl.largest_page_bytes)} (`{xl.largest_page}`)",
                before("XL", shape, "largest_page_bytes", _mb),
            )
            was = (base.get(f"XL {shape}") or {}).get("search_index_bytes")
            text, limit = TARGETS["search_xl"]
            share = xl.search_index_bytes / was if was else None
            out.append(
                Verdict(
                    text,
                    label,
                    _mb(was) if was else "— (no baseline)",
                    _mb(xl.search_index_bytes)
                    + (f" ({100 * share:.0f} % of the baseline)" if share is not None else ""),
                    share is not None and share <= limit,
                )
            )
            m = by.get(("M", shape))
            if m is not None and m.per_page and xl.per_page:
                growth = xl.per_page / m.per_page
                was_m = base.get(f"M {shape}") or {}
                was_xl = base.get(f"XL {shape}") or {}
                old = (
                    f"{was_xl['per_page_s'] / was_m['per_page_s']:.2f}"
                    if was_m.get("per_page_s") and was_xl.get("per_page_s")
                    else "—"
                )
                add(
                    "growth",
                    growth,
                    f"{growth:.2f} ({1000 * xl.per_page:.1f} ms / {1000 * m.per_page:.1f} ms "
                    "per page)",
                    old,
                    f"M → XL{'' if shape == 'typical' else ' ' + shape}",
                )
    s = by.get(("S", "typical"))
    if s is not None:
        text, limit = TARGETS["ratio_s"]
        out.append(
            Verdict(
                text,
                "S",
                before("S", "typical", "ratio", ratio),
                f"{s.ratio:.2f} ({s.build:.2f} s / {s.floor:.2f} s; CPU {s.cpu_ratio:.2f})",
                s.ratio <= limit,
            )
        )
        if s.live is not None:
            text, limit = TARGETS["live_s"]
            out.append(
                Verdict(
                    text,
                    "S",
                    before("S", "typical", "live_s", seconds),
                    seconds(s.live),
                    s.live <= limit,
                )
            )
    order = list(TARGETS.values())
    out.sort(key=lambda v: next(i for i, (t, _) in enumerate(order) if t == v.target))
    return out


METHOD = """\
- Playbooks from `benchmarks/synth.py` (seed {seed}): S is the shipped example; M has 50 roles
  and 500 activities; L 200 and 2,000; XL 500 roles, 5,000 activities, 50 teams, 40 stages,
  300 handoffs, 20 engagements, 100 people. Each passes `playbook check --strict`.
- Shapes (`synth.py --shape`): *typical* spreads activities evenly over the areas (each
  0.5–1.5 × the mean), with 0–2 Consulted, 0–2 Informed, notes on 8 % and one-line
  descriptions. *worst* has the same counts laid out as heavily as a real organisation might:
  one area holds 40 % of the activities and the other areas are heavy-tailed, 1–5 Consulted,
  30–45 Informed (across the area's teams and five others) on 30 % of activities, per-role
  notes on 60 %, and descriptions of 2–4 Markdown paragraphs and a numbered list on half.
- Every figure is the median of {runs} runs; each run is a fresh process (interpreter start and
  imports included), as a user or a CI job runs it. The 1-minute load average is read before
  each run (the machine is shared).
- *check*: `playbook check --strict DIR`. *build*: `playbook build -f mkdocs.yml -d SITE
  --strict` (validation, rendering, downloads and the MkDocs build). *Peak memory*: maximum
  resident set size of the process (`/usr/bin/time -v`). *Build per page*: build time over the
  number of pages `render --out` writes.
- *floor*: plain `mkdocs build` (no plugin) of the pages written beforehand by `playbook render
  --out`, with what the plugin build's configuration ends up with after the plugin's
  `on_config` (`benchmarks/floor_config.py`): theme and features, Markdown extensions and their
  options, CSS/JS, `extra`, and the search plugin's options; the navigation through
  `INHERIT: docs/.nav.yml` and the same download files. Build and floor runs alternate.
- *live rebuild* (S and M, typical): under `playbook serve`, from writing a changed
  `organisation.summary` to the front page served over HTTP containing the new text. MkDocs'
  watcher polls the watched folders every 0.5 s and waits 0.1 s before it rebuilds.
- *Before*: `benchmarks/baseline.json`, the same measurements of {baseline} on the same
  playbooks.
- Sizes in MB are 10^6 bytes.
"""


def _baseline_name(baseline: dict[str, Any]) -> str:
    if not baseline.get("commit"):
        return "the released code (none recorded yet)"
    when = baseline.get("date", "")
    load = baseline.get("load_1min")
    busy = f", load average {load[0]:.1f}–{load[1]:.1f}" if load else ""
    return f"commit {baseline['commit']} ({when}{busy})"


def report(
    results: list[Result], runs: int, seed: int, baseline: dict[str, Any] | None = None
) -> str:
    baseline = baseline or {"cases": {}}
    lines = [
        "# Benchmark results",
        "",
        (
            "Written by `python -m benchmarks.run` (issue 14: pages as HTML, lighter pages, a "
            "one-second preview). Regenerate with that command; the section *Where the time "
            "goes* is kept."
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
        METHOD.format(seed=seed, runs=runs, baseline=_baseline_name(baseline)),
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
        f"Before: {_baseline_name(baseline)}.",
        "",
        "| Target | Case | Before | Now | |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {v.target} | {v.case} | {v.before} | {v.now} | {'met' if v.met else '**not met**'} |"
        for v in verdicts(results, baseline)
    ]
    lines += ["", "<details><summary>Every run (seconds)</summary>", ""]
    for r in results:
        live = ""
        if r.live_runs:
            live = f"; live {_runs(r.live_runs)} (serve's own rebuild {_runs(r.live_builds)})"
        lines.append(
            f"- {r.label}: check {_runs(r.check_runs)} (CPU {_runs(r.check_cpu)}); "
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


def _names(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def plan(sizes: list[str] | None, shapes: list[str] | None) -> list[tuple[str, str]]:
    """The (size, shape) cases to measure: the default plan, narrowed by what was asked for.

    With ``--shapes``, every asked size in every asked shape (S only typical); with only
    ``--sizes``, the default plan's cases of those sizes."""
    if shapes is None:
        return [c for c in DEFAULT_PLAN if sizes is None or c[0] in sizes]
    return [
        (size, shape)
        for shape in shapes
        for size in (sizes or list(synth.SIZE_NAMES))
        if size != "S" or shape == "typical"
    ]


def write_baseline(results: list[Result], path: Path, code: Path | None) -> None:
    root = code or ROOT
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    previous = load_baseline(path) if path.is_file() else {"cases": {}}
    if previous.get("commit") != commit:
        previous = {"cases": {}}
    cases = {**previous["cases"], **{r.key: r.summary() for r in results}}
    loads = [x for r in results for x in r.load] + list(previous.get("load_1min") or [])
    data = {
        "commit": commit,
        "code": str(root),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_1min": [round(min(loads), 2), round(max(loads), 2)] if loads else [],
        "runs": len(results[0].build_runs) if results else 0,
        "machine": {k: v for k, v in machine(root).items() if k not in ("Commit", "Date")},
        "cases": cases,
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", nargs="+", help="sizes to measure, e.g. --sizes S,XL (or S XL)")
    parser.add_argument(
        "--shapes",
        nargs="+",
        help="shapes to measure at each size, e.g. --shapes typical,worst "
        f"({', '.join(synth.SHAPES)})",
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
    parser.add_argument(
        "--code",
        type=Path,
        help="measure the generator of another checkout (first on PYTHONPATH), e.g. a worktree",
    )
    parser.add_argument(
        "--baseline-out",
        type=Path,
        help="write the medians to this JSON file (the baseline) instead of RESULTS.md; the "
        "cases of an earlier baseline of the same commit that this run did not measure are kept",
    )
    parser.add_argument(
        "--baseline", type=Path, default=BASELINE, help="the before figures (baseline.json)"
    )
    args = parser.parse_args(argv)
    sizes = [s.upper() for s in _names(args.sizes) or []] or None
    shapes = _names(args.shapes)
    unknown = [s for s in sizes or [] if s not in synth.SIZE_NAMES]
    unknown += [s for s in shapes or [] if s not in synth.SHAPES]
    if unknown or args.runs < 1:
        parser.error(
            f"unknown size or shape {unknown[0]}" if unknown else "--runs must be 1 or more"
        )
    cases = plan(sizes, shapes)
    if not cases:
        parser.error("no case to measure (S has only the typical shape)")
    code = args.code.resolve() if args.code else None
    work = args.work.resolve()
    print(
        f"cases: {', '.join(f'{s} {h}' for s, h in cases)}; {args.runs} runs each"
        + (f"; code from {code}" if code else ""),
        file=sys.stderr,
    )
    results = []
    for size, shape in cases:
        bench = Bench(size, work, args.seed, args.runs, shape, code)
        results.append(bench.run(not args.no_live))
    baseline = load_baseline(args.baseline)
    print(table(results))
    print()
    print(cpu_table(results))
    for v in verdicts(results, baseline):
        print(f"{v.target} [{v.case}]: {v.before} → {v.now} — {'met' if v.met else 'not met'}")
    (work / "results.json").write_text(json.dumps([asdict(r) for r in results], indent=2))
    if args.baseline_out:
        write_baseline(results, args.baseline_out, code)
        print(f"written {args.baseline_out}", file=sys.stderr)
    elif not args.no_write:
        RESULTS.write_text(report(results, args.runs, args.seed, baseline), encoding="utf-8")
        shown = RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS
        print(f"written {shown}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
