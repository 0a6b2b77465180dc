#!/usr/bin/env python3
"""nox for a machine with nothing but python3: ``python3 noxw.py -s tests`` is ``nox -s tests``.

Like ./gradlew: it runs your ``nox`` if one is on PATH, else one that ``uv tool install`` put in
.nox/bootstrap/ (pipx's way, with uv), installed on first use. uv also makes the sessions'
virtualenvs: yours if on PATH, else the static binary from uv's wheel on PyPI (a zip), checked
against the index's sha256 and kept in .nox/bootstrap/. Standard library only: nothing goes into
the system Python, and neither pip nor venv (python3-venv, ensurepip) is needed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
UV_VERSION = "0.13.9"  # the uv fetched where none is on PATH
BOOTSTRAP = ROOT / ".nox" / "bootstrap"
UV_DIR = BOOTSTRAP / f"uv-{UV_VERSION}"
NOX = BOOTSTRAP / "bin" / "nox"
NOX_INSTALLED = BOOTSTRAP / "nox-requirement"  # what NOX was installed as
INDEX = "https://pypi.org/simple"  # PEP 691: the JSON form of the index that pip and uv use
TIMEOUT_S = 60


def fail(message: str) -> None:
    sys.exit(f"noxw: error: {message}")


def nox_requirement() -> str:
    """``nox>=…``: the noxfile's own ``nox.needs_version``, so the floor is said once."""
    found = re.search(r'^nox\.needs_version = "(.+)"', (ROOT / "noxfile.py").read_text(), re.M)
    return f"nox{found.group(1)}"


def wheel_platform() -> tuple[str, str]:
    """(the wheel's platform family, its architecture), as spelled in uv's wheel names."""
    machine = platform.machine().lower()
    if sys.platform == "darwin":
        return "macosx", {"aarch64": "arm64", "amd64": "x86_64"}.get(machine, machine)
    if sys.platform.startswith("linux"):
        family = "manylinux" if platform.libc_ver()[0] == "glibc" else "musllinux"
        return family, {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    fail(f"no uv to fetch for {sys.platform}: install uv or nox (https://docs.astral.sh/uv/)")


def pick_wheel(files: list[dict], version: str, family: str, arch: str) -> dict:
    """The index entry of uv's wheel for this platform."""
    for entry in files:
        name = entry["filename"]
        if name.startswith(f"uv-{version}-") and name.endswith(".whl"):
            tags = name.removesuffix(".whl").split("-")[-1]
            if any(tag.startswith(family) and tag.endswith(f"_{arch}") for tag in tags.split(".")):
                return entry
    fail(f"PyPI has no uv {version} wheel for {family} {arch}: install uv or nox yourself")


def fetch(url: str, accept: str = "*/*") -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return response.read()
    except OSError as error:
        fail(f"cannot fetch {url} ({error}); PyPI must be reachable the first time")


def fetch_uv() -> Path:
    """uv's binary from its wheel (a zip), fetched once into .nox/bootstrap/."""
    target = UV_DIR / "uv"
    if target.exists():
        return target
    print(f"noxw: no uv on PATH: fetching uv {UV_VERSION} from PyPI into {UV_DIR}", file=sys.stderr)
    index = json.loads(fetch(f"{INDEX}/uv/", "application/vnd.pypi.simple.v1+json"))
    wheel = pick_wheel(index["files"], UV_VERSION, *wheel_platform())
    data = fetch(wheel["url"])
    if hashlib.sha256(data).hexdigest() != wheel["hashes"]["sha256"]:
        fail(f"{wheel['filename']} does not match the sha256 PyPI gives for it; not using it")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        binary = archive.read(f"uv-{UV_VERSION}.data/scripts/uv")
    UV_DIR.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}")  # renamed into place: a second run never
    partial.write_bytes(binary)  # sees half a file
    partial.chmod(0o755)
    partial.replace(target)
    return target


def install_nox(uv: str, env: dict[str, str]) -> Path:
    """nox in .nox/bootstrap/, installed by ``uv tool install`` when missing or outdated.

    Not ``uv tool run`` (uvx): that asks the index again on every run, and offline it waits.
    """
    requirement = nox_requirement()
    if NOX.exists() and NOX_INSTALLED.exists() and NOX_INSTALLED.read_text() == requirement:
        return NOX
    print(f"noxw: installing {requirement} into {BOOTSTRAP} (uv tool install)", file=sys.stderr)
    places = {"UV_TOOL_DIR": str(BOOTSTRAP / "tools"), "UV_TOOL_BIN_DIR": str(NOX.parent)}
    installed = subprocess.run(
        [uv, "tool", "install", "--quiet", requirement], env={**env, **places}
    )
    if installed.returncode != 0:
        fail(f"uv could not install {requirement} (see above)")
    NOX_INSTALLED.write_text(requirement)
    return NOX


def command(argv: list[str], env: dict[str, str]) -> list[str]:
    """The nox command line to run; ``env`` is made to find uv."""
    uv = shutil.which("uv", path=env.get("PATH"))
    if uv is None:
        uv = str(fetch_uv())
        env["PATH"] = os.pathsep.join([str(Path(uv).parent), env.get("PATH", os.defpath)])
    nox = shutil.which("nox", path=env.get("PATH")) or install_nox(uv, env)
    return [str(nox), *argv]


def main() -> None:
    env = dict(os.environ)
    argv = command(sys.argv[1:], env)
    os.execve(argv[0], argv, env)


if __name__ == "__main__":
    main()
