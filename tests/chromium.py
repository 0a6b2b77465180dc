"""Which Chromium the browser tests drive, and how it is started (stdlib only: nox reads it too)."""

from pathlib import Path

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")  # Debian's package "chromium"
INSTALL_HINT = (
    "install Debian's package (sudo apt-get install chromium) "
    "or run `python -m playwright install chromium`"
)
# Headless as root, with no traffic to outside hosts (the machine may have no network).
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
