"""`playbook serve` rebuilds the site when a YAML file or a template changes.

Nothing here depends on how fast the machine is: each step polls the served page until it shows
what it must. The bound on that wait is a safety net against a hang, not a speed requirement;
on a loaded machine a rebuild may take long, and the test simply waits for it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLE, write_tree
from test_site import ABOUT, MINIMAL_CONFIG

SAFETY_NET_SECONDS = 180
PORT_TRIES = 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    """The page's text, or "" while the server is not answering yet (or is rebuilding)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


class Server:
    """A ``playbook serve`` subprocess, its log, and a wait for what it serves."""

    def __init__(self, project: Path, site_name: str) -> None:
        self.project = project
        self.site_name = site_name
        self.log = project.parent / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.base = ""

    def start(self) -> None:
        """Start on a free port; another port if a concurrent process took that one first."""
        for _ in range(PORT_TRIES):
            port = free_port()
            self.base = f"http://127.0.0.1:{port}/"
            with self.log.open("ab") as log:
                self.process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "generator",
                        "serve",
                        "-f",
                        str(self.project / "mkdocs.yml"),
                        "-a",
                        f"127.0.0.1:{port}",
                    ],
                    cwd=self.project,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                )
            # the site name is unique to this test: a page from another server never matches
            if self.wait_for("", self.site_name, "the first build", give_up_on_exit=False):
                return
        pytest.fail(f"serve did not start on any of {PORT_TRIES} ports:\n{self.output()}")

    def wait_for(self, page: str, text: str, what: str, give_up_on_exit: bool = True) -> bool:
        """Poll ``page`` until it contains ``text``; False if the server stopped first."""
        assert self.process is not None
        deadline = time.monotonic() + SAFETY_NET_SECONDS
        while text not in fetch(self.base + page):
            if self.process.poll() is not None:
                if give_up_on_exit:
                    pytest.fail(f"serve stopped before {what}:\n{self.output()}")
                return False
            if time.monotonic() > deadline:
                pytest.fail(
                    f"{what}: '{text}' never appeared on /{page} "
                    f"(waited {SAFETY_NET_SECONDS} s):\n{self.output()}"
                )
            time.sleep(0.5)
        return True

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=SAFETY_NET_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def served() -> Iterator[Callable[[Path, str], Server]]:
    servers: list[Server] = []

    def start(project: Path, site_name: str) -> Server:
        server = Server(project, site_name)
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


def test_serve_rebuilds_on_yaml_and_template_edits(
    tmp_path: Path, served: Callable[[Path, str], Server]
) -> None:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE, project / "playbook")
    site_name = f"Serve test {secrets.token_hex(8)}"
    config = MINIMAL_CONFIG.replace("source: playbook", "source: playbook\n      templates: mine")
    config = config.replace("site_name: Test playbook", f"site_name: {site_name}")
    assert site_name in config
    write_tree(
        project,
        {
            "mkdocs.yml": config,
            "docs/about.md": ABOUT,
            "mine/glossary.html.j2": "<h1>Glossary</h1>\n<p>First version.</p>\n",
        },
    )
    server = served(project, site_name)
    server.wait_for("glossary/", "First version.", "the first build of the glossary")

    organisation = project / "playbook/organisation.yaml"
    text = organisation.read_text(encoding="utf-8")
    organisation.write_text(
        text.replace("name: Kilnworth Ceramics", "name: Kilnworth Potteries", 1), encoding="utf-8"
    )
    server.wait_for("", "Kilnworth Potteries", "a rebuild after a YAML edit")

    (project / "mine/glossary.html.j2").write_text(
        "<h1>Glossary</h1>\n<p>Second version.</p>\n", encoding="utf-8"
    )
    server.wait_for("glossary/", "Second version.", "a rebuild after a template edit")
