"""`playbook serve` rebuilds the site when a YAML file or a template changes."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import EXAMPLE, write_tree
from test_site import ABOUT, MINIMAL_CONFIG


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def wait_for(url: str, text: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in fetch(url):
            return True
        time.sleep(0.25)
    return False


def test_serve_rebuilds_on_yaml_and_template_edits(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "playbook")
    config = MINIMAL_CONFIG.replace("source: playbook", "source: playbook\n      templates: mine")
    write_tree(tmp_path, {"mkdocs.yml": config, "docs/about.md": ABOUT,
                          "mine/glossary.md.j2": "# Glossary\n\nFirst version.\n"})
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "-f", str(tmp_path / "mkdocs.yml"),
         "-a", f"127.0.0.1:{port}"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        assert wait_for(base, "Kilnworth"), "serve did not start"
        organisation = tmp_path / "playbook/organisation.yaml"
        text = organisation.read_text(encoding="utf-8")
        organisation.write_text(text.replace("name: Kilnworth Ceramics",
                                             "name: Kilnworth Potteries", 1), encoding="utf-8")
        assert wait_for(base, "Kilnworth Potteries"), "no rebuild after a YAML edit"
        (tmp_path / "mine/glossary.md.j2").write_text("# Glossary\n\nSecond version.\n",
                                                      encoding="utf-8")
        assert wait_for(base + "glossary/", "Second version."), "no rebuild after a template edit"
    finally:
        server.terminate()
        server.wait(timeout=20)
