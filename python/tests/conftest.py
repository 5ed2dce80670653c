"""Shared fixtures: the repository, the `spotsim` command line the package is compared with,
and helpers to run it.

The command line is `$SPOTSIM_BIN` when set (CI sets it to its release build), else the
newest of `target/release/spotsim` and `target/debug/spotsim` in the repository. Without one
the comparisons are skipped on a developer's machine and fail under CI (CI=true), so a CI run
can never pass without comparing.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"

# Scenarios find the shared data (Spot Instance Advisor feed, traces) in ../shared/data of the
# current folder or in $SPOTSIM_DATA; the tests run from python/, the command line from the
# repository, so both are pointed at the repository's sibling shared/ folder.
if (REPO.parent / "shared" / "data").is_dir():
    os.environ.setdefault("SPOTSIM_DATA", str(REPO.parent / "shared" / "data"))


def _cli_path():
    given = os.environ.get("SPOTSIM_BIN")
    if given:
        return Path(given)
    built = [REPO / "target" / kind / "spotsim" for kind in ("release", "debug")]
    built = [path for path in built if path.exists()]
    return max(built, key=lambda p: p.stat().st_mtime) if built else None


@pytest.fixture(scope="session")
def cli():
    """A function running the spotsim binary: cli(*args) -> CompletedProcess (text)."""
    path = _cli_path()
    if path is None or not path.exists():
        message = "no spotsim binary: build it (cargo build --release) or set SPOTSIM_BIN"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    def run(*args, check=True):
        done = subprocess.run(
            [str(path), *map(str, args)], capture_output=True, text=True, cwd=REPO, timeout=600
        )
        if check and done.returncode != 0:
            raise AssertionError(f"spotsim {' '.join(map(str, args))}: {done.stderr}")
        return done

    return run


@pytest.fixture(scope="session")
def cli_json(cli):
    """cli_json(*args) -> the parsed JSON the command prints."""

    def run(*args):
        return json.loads(cli(*args).stdout)

    return run


def without_run(document):
    """A summary or plan without its `run` members (elapsed time, threads: the only parts
    that depend on the machine)."""
    if isinstance(document, dict):
        return {k: without_run(v) for k, v in document.items() if k != "run"}
    if isinstance(document, list):
        return [without_run(v) for v in document]
    return document
