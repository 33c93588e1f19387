"""The example script runs: it trains, measures every tenth step and ends with a proven λ_max
that agrees with the finite-difference oracle at its last point."""

import re
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "train_and_check.py"


def test_train_and_check_runs():
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), "--steps", "20", "--certify-every", "20"],
        capture_output=True, text=True, check=False, timeout=600,
    )
    assert run.returncode == 0, run.stderr
    rows = [l.split() for l in run.stdout.splitlines() if re.match(r"^\s+\d+\s", l)]
    assert [int(r[0]) for r in rows] == [0, 10, 20]
    losses = [float(r[1]) for r in rows]
    assert losses[0] > losses[1] > losses[2] > 0  # gradient descent makes progress
    assert all(r[3] == "40" for r in rows)  # 2/η for η = 0.05
    assert "(proven, exact-rational)" in run.stdout
    assert re.search(r"λ_max ∈ \[[\d.e+-]+, [\d.e+-]+\], proven", run.stdout)
