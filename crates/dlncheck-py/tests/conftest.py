"""Fixtures of the Python package's tests: the repository root and the `dlncheck` command line
binary, whose outputs (report.json, certificates) the package's results are compared with.

The binary is $DLNCHECK_BIN (`make test` sets it to the one `cargo test` built), else the first
of $CARGO_TARGET_DIR/debug/dlncheck, target/debug/dlncheck and `dlncheck` on PATH."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def cli():
    """A function running the dlncheck binary with arguments; returns the CompletedProcess."""
    candidates = [os.environ.get("DLNCHECK_BIN")]
    if os.environ.get("CARGO_TARGET_DIR"):
        candidates.append(str(Path(os.environ["CARGO_TARGET_DIR"]) / "debug" / "dlncheck"))
    candidates += [str(ROOT / "target" / "debug" / "dlncheck"), shutil.which("dlncheck")]
    binary = next((c for c in candidates if c and Path(c).is_file()), None)
    if binary is None:
        pytest.fail(
            "the dlncheck binary was not found: build it (cargo build) and set DLNCHECK_BIN "
            "to its path"
        )

    def run(*args, cwd=ROOT):
        return subprocess.run(
            [binary, *map(str, args)], cwd=cwd, capture_output=True, text=True, check=False
        )

    return run
