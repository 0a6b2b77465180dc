"""The README's commands on a stock machine: noxw.py, and what noxfile.py does with arguments.

The stock-machine test needs /usr/bin/python3 and, the first time only, PyPI (uv's wheel and
nox); what it fetches stays in .nox/bootstrap/, which later runs reuse.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

import noxfile
import noxw
from playground import manifest
from playground.claims import LAYERS
from playground.run import ASYNC_MODES

ROOT = manifest.ROOT
LESSONS = manifest.lessons()
STOCK_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
SYSTEM_PYTHON = "/usr/bin/python3"
WORKFLOW = ROOT / ".github" / "workflows" / "tests.yml"
# This machine reaches PyPI through a TLS proxy whose CA these name; a stock machine needs none.
TLS_SETTINGS = ("SSL_CERT_FILE", "SSL_CERT_DIR")


def outer_env() -> dict[str, str]:
    """This environment without the test session's virtualenv, as a user's shell has it.

    Else noxw.py would find the nox installed in it and make the session's virtualenvs anew.
    """
    venv_bin = str(Path(sys.prefix) / "bin")
    path = [part for part in os.environ["PATH"].split(os.pathsep) if part != venv_bin]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "NOX_CURRENT_SESSION")}
    return {**env, "PATH": os.pathsep.join(path)}


def run_noxw(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "noxw.py", *args],
        cwd=ROOT,
        env=env or outer_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


# --- noxw.py --------------------------------------------------------------------------------


def test_noxw_runs_nox_with_only_the_distributions_python_and_no_venv_module(tmp_path):
    """A stock Debian/Ubuntu: python3 without python3-venv, an empty HOME, no nox, uv or pip."""
    no_venv = tmp_path / "no-python3-venv"  # shadows the standard library's modules
    for module in ("ensurepip", "venv"):
        (no_venv / module).mkdir(parents=True)
        (no_venv / module / "__init__.py").write_text(
            f"raise ImportError('{module}: python3-venv is not installed (simulated)')\n"
        )
    home = tmp_path / "home"
    home.mkdir()
    tls = {name: os.environ[name] for name in TLS_SETTINGS if name in os.environ}
    env = {"HOME": str(home), "PATH": STOCK_PATH, "PYTHONPATH": str(no_venv), **tls}
    cannot = subprocess.run(
        [SYSTEM_PYTHON, "-m", "venv", str(tmp_path / "venv")], env=env, capture_output=True
    )
    assert cannot.returncode != 0 and b"(simulated)" in cannot.stderr  # the simulation holds

    result = subprocess.run(
        [SYSTEM_PYTHON, "noxw.py", "-l"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"needs PyPI the first time:\n{result.stderr}"
    assert "* tests -> " in result.stdout
    assert "uv binary not found" not in result.stderr
    assert not (home / ".local").exists()  # nothing outside the project and uv's cache


@pytest.mark.parametrize(
    "family, arch, expected",
    [
        ("manylinux", "x86_64", "uv-1.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
        ("musllinux", "x86_64", "uv-1.0-py3-none-musllinux_1_1_x86_64.whl"),
        (
            "musllinux",
            "aarch64",
            "uv-1.0-py3-none-manylinux_2_17_aarch64.musllinux_1_1_aarch64.whl",
        ),
        ("macosx", "arm64", "uv-1.0-py3-none-macosx_11_0_arm64.whl"),
    ],
)
def test_noxw_picks_the_uv_wheel_of_the_platform(family, arch, expected):
    names = [
        "uv-1.0.tar.gz",
        "uv-0.9-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "uv-1.0-py3-none-macosx_10_12_x86_64.whl",
        "uv-1.0-py3-none-macosx_11_0_arm64.whl",
        "uv-1.0-py3-none-manylinux_2_17_aarch64.musllinux_1_1_aarch64.whl",
        "uv-1.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "uv-1.0-py3-none-musllinux_1_1_x86_64.whl",
    ]
    files = [{"filename": name} for name in names]
    assert noxw.pick_wheel(files, "1.0", family, arch)["filename"] == expected


def test_noxw_asks_for_the_nox_the_noxfile_needs():
    assert noxw.nox_requirement() == f"nox{noxfile.nox.needs_version}"


def readme_test_command() -> str:
    """The second command of the README's quick start: the suite."""
    quick_start = (ROOT / "README.md").read_text().split("```bash\n")[1].split("```")[0]
    commands = [line.split("#")[0].strip() for line in quick_start.splitlines()]
    assert commands == ["python3 noxw.py -s playground", "python3 noxw.py -s tests"]
    return commands[1]


def test_ci_runs_the_readme_test_command_in_every_mode_with_only_the_distributions_python():
    ci = (ROOT / ".ci/run").read_text().splitlines()
    assert ci[-1] == f"{readme_test_command()} -- --async-mode all"
    assert f"export PATH={STOCK_PATH}" in ci


def test_the_github_workflow_runs_the_readme_test_command_in_each_mode_and_python():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    suite = workflow["jobs"]["suite"]
    matrix = suite["strategy"]["matrix"]
    assert matrix["async-mode"] == list(ASYNC_MODES)
    # Every Python requires-python allows, from its floor on: 3.11, 3.12, ...
    floor = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert floor == f">={matrix['python'][0]}"
    minors = [int(version.split(".")[1]) for version in matrix["python"]]
    assert minors == list(range(minors[0], minors[0] + len(minors))) and len(minors) >= 4
    [run] = [step for step in suite["steps"] if "run" in step]
    assert run["run"] == f'{readme_test_command()} -- --async-mode "$ASYNC_MODE"'
    assert run["env"] == {"ASYNC_MODE": "${{ matrix.async-mode }}"}
    [client_run] = [
        step["run"] for step in workflow["jobs"]["test-client"]["steps"] if "run" in step
    ]
    assert client_run == f"{readme_test_command()} -- --layer client"
    # actionlint runs where its installer can fetch it: on the runner, through nox -s lint.
    [lint_run] = [step["run"] for step in workflow["jobs"]["lint"]["steps"] if "run" in step]
    assert lint_run == "python3 noxw.py -s lint"


def test_the_github_workflow_reads_only_and_pins_every_action():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["permissions"] == {"contents": "read"}
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    for step in steps:
        if "uses" in step:  # a commit, not a tag that can move; its version in a comment
            assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    checkouts = [step for step in steps if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(step["with"]["persist-credentials"] is False for step in checkouts)
    pins = re.findall(r"uses: (\S+)@[0-9a-f]{40} # v\d+\.\d+\.\d+$", WORKFLOW.read_text(), re.M)
    assert len(pins) == len([step for step in steps if "uses" in step])


# --- nox -s lesson ---------------------------------------------------------------------------


def test_nox_lesson_without_a_lesson_lists_them_without_installing():
    result = run_noxw("-s", "lesson")
    assert result.returncode == 0, result.stderr
    assert all(f"{lesson.id}  {lesson.slug}" in result.stdout for lesson in LESSONS)
    assert "install" not in result.stderr


def test_nox_lesson_takes_options_first_and_refuses_an_unknown_lesson_before_installing():
    result = run_noxw("-s", "lesson", "--", "--port", "5001", "99")
    assert result.returncode == 2
    assert "error: unknown lesson '99'; valid lessons: 01 (namespaces)" in result.stderr
    assert "install" not in result.stderr


# --- nox -s tests -- 05 ----------------------------------------------------------------------


def test_a_lesson_id_or_slug_becomes_its_tests_and_layer_its_file():
    rooms = "tests/lesson05_rooms"
    assert noxfile.pytest_args(["05"]) == [rooms]
    assert noxfile.pytest_args(["rooms", "-x"]) == [rooms, "-x"]
    assert noxfile.pytest_args(["5", "--layer", "client"]) == [f"{rooms}/test_client.py"]
    assert noxfile.pytest_args(["--layer=browser", "05", "-q"]) == [
        f"{rooms}/test_browser.py",
        "-q",
    ]
    assert noxfile.pytest_args(["01", "02"]) == [
        "tests/lesson01_namespaces",
        "tests/lesson02_reserved_events",
    ]
    assert noxfile.pytest_args(["--layer", "client", "-q"]) == [
        *(f"{lesson.tests_path.relative_to(ROOT).as_posix()}/test_client.py" for lesson in LESSONS),
        "-q",
    ]


def test_the_async_mode_may_come_before_or_after_the_lesson():
    rooms = "tests/lesson05_rooms"
    expected = [rooms, "-x", "--async-mode", "all"]
    assert noxfile.pytest_args(["--async-mode", "all", "05", "-x"]) == expected
    assert noxfile.pytest_args(["05", "-x", "--async-mode=all"]) == expected


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_every_lesson_and_layer_translates_to_tests_that_exist(lesson):
    for layer in (None, *LAYERS):
        [path] = noxfile.pytest_args([lesson.id, *(["--layer", layer] if layer else [])])
        assert (ROOT / path).exists(), path


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["-k", "rooms", "-x"],
        ["tests/test_docs.py", "-q"],
        ["tests/lesson05_rooms"],
        ["-x", "05"],
    ],
)
def test_pytest_arguments_pass_through_unchanged(args):
    assert noxfile.pytest_args(args) == args


def test_an_unknown_lesson_or_layer_names_the_valid_ones():
    with pytest.raises(LookupError, match=r"unknown lesson '99'; valid lessons: 01 \(namespaces\)"):
        noxfile.pytest_args(["99"])
    with pytest.raises(LookupError, match="unknown layer 'gpu'; valid layers: client, browser"):
        noxfile.pytest_args(["05", "--layer", "gpu"])


def test_nox_tests_with_a_lesson_runs_only_its_proofs():
    result = run_noxw("-s", "tests", "--", "05", "--layer", "client", "--collect-only", "-q")
    assert result.returncode == 0, result.stderr
    collected = [line for line in result.stdout.splitlines() if "::" in line]
    assert collected and all(
        line.startswith("tests/lesson05_rooms/test_client.py::") for line in collected
    )


# --- installing once per change of pyproject.toml ---------------------------------------------


class RecordingSession:
    """What install() uses of a nox session: its virtualenv's location and install()."""

    def __init__(self, location: Path):
        self.virtualenv = SimpleNamespace(location=str(location))
        self.installed: list[tuple[str, ...]] = []

    def install(self, *args: str) -> None:
        self.installed.append(args)


def test_install_runs_again_only_when_pyproject_or_the_groups_change(tmp_path, monkeypatch):
    project, venv = tmp_path / "project", tmp_path / "venv"
    project.mkdir()
    venv.mkdir()
    (project / "pyproject.toml").write_bytes((ROOT / "pyproject.toml").read_bytes())
    monkeypatch.setattr(noxfile, "ROOT", project)
    session = RecordingSession(venv)

    noxfile.install(session, "test")
    noxfile.install(session, "test")
    assert len(session.installed) == 1 and session.installed[0][:2] == ("-e", ".")

    noxfile.install(session, "docs")  # other groups
    assert len(session.installed) == 2

    with (project / "pyproject.toml").open("a") as pyproject:
        pyproject.write("\n# changed\n")
    noxfile.install(session, "docs")
    noxfile.install(session, "docs")
    assert len(session.installed) == 3
