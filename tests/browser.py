"""Debian's Chromium, headless, as the tests' real browser (setup.sh installs it)."""

from __future__ import annotations

import shutil
import subprocess


def chromium(url: str, *args: str) -> str:
    """Chromium's DOM of ``url`` once its scripts have run (stdout of --dump-dom), or what --screenshot says."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "chromium is missing: ./setup.sh installs it"
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio"]
    command += ["--virtual-time-budget=3000", *(args or ["--dump-dom"]), url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout
