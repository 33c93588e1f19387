"""dlncheck.check against the command line: the same case gives the same report.json, whether
given as the shipped file or as a dict; dicts may hold Fractions, numpy arrays and array files
written by numpy and the safetensors package; invalid input raises with the library's message."""

import json
import shutil
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

import dlncheck

CASE = "cases/kp-depth3-diagonal.yaml"


def strip_dir(report, report_dir):
    """The report with `report_dir` removed from certificate paths (the one place it appears)."""
    text = json.dumps(report).replace(str(report_dir), "REPORT_DIR")
    return json.loads(text)


def checks(report):
    return [
        (c["claim"], c["verdict"], c["strength"], c["met"], c["values"])
        for case in report["cases"]
        for c in case["checks"]
    ]


@pytest.fixture(scope="module")
def cli_report(cli, root, tmp_path_factory):
    """report.json of `dlncheck check cases/kp-depth3-diagonal.yaml --no-timing`."""
    out = tmp_path_factory.mktemp("cli")
    run = cli("check", CASE, "--report-dir", out, "--no-timing", "--quiet")
    assert run.returncode == 0, run.stdout + run.stderr
    return out, json.loads((out / "report.json").read_text())


def test_check_path_gives_the_command_s_report(cli_report, root, tmp_path, monkeypatch):
    cli_dir, cli = cli_report
    monkeypatch.chdir(root)
    report = dlncheck.check(CASE, report_dir=tmp_path, timing=False)
    assert strip_dir(report, tmp_path) == strip_dir(cli, cli_dir)
    # and it is what was written beside it
    assert report == json.loads((tmp_path / "report.json").read_text())
    verdicts = {c[0]: c[1] for c in checks(report)}
    assert verdicts["KP-naive"] == "refuted" and verdicts["KP-exact"] == "verified"
    # the counterexample's λ_max is 91/9 exactly
    naive = next(c for c in report["cases"][0]["checks"] if c["claim"] == "KP-naive")
    assert "91/9" in json.dumps(naive["values"])


def test_check_dict_gives_the_same_verdicts(cli_report):
    _, cli = cli_report
    case = {
        "version": 1,
        "name": "depth3-diagonal",
        "seed": 7,
        "model": {"kind": "linear", "dims": [2, 2, 2, 2]},
        "data": {"x": "identity", "y": np.eye(2, dtype=np.int64)},
        "point": {
            "weights": [
                [[Fraction(1, 3), 0], [0, "1/2"]],
                np.diag([3, 1]),
                np.array([[1.0, 0.0], [0.0, 2.0]]),
            ]
        },
        "generate": {"minimizers": {"count": 4}},
        "checks": [
            {"claim": "KP-exact", "expect": "verified"},
            {"claim": "KP-trace", "expect": "proved"},
            {"claim": "KP-bound", "expect": "proved"},
            {"claim": "KP-naive", "expect": "refuted"},
            {"claim": "KP-min", "expect": "proved"},
            {"claim": "BAL-invariant", "expect": "proved"},
        ],
    }
    report = dlncheck.check(case, timing=False)
    assert checks(report) == checks(cli)
    assert report["summary"] == cli["summary"]
    # without report_dir nothing is left behind: the certificates were in a removed directory
    certs = [c["certificate"] for c in report["cases"][0]["checks"] if c["certificate"]]
    assert certs and not any(Path(p).exists() for p in certs)
    assert not Path(certs[0]).parent.parent.exists()


def test_check_dict_reads_array_files_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w1 = np.array([[1.0, 1.0], [0.0, 1.0]], dtype=np.float32)
    w2 = np.array([[2.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    save_file({"layers.0.weight": w1, "layers.1.weight": w2}, "run.safetensors")
    np.savez("data.npz", X=np.eye(2), Y=(w2 @ w1).astype(np.float64))
    case = {
        "version": 1,
        "name": "from-files",
        "model": {"kind": "linear", "dims": [2, 2, 2]},
        "data": {"file": "data.npz", "x": "X", "y": "Y"},
        "point": {"file": "run.safetensors"},
        "checks": [{"claim": "KP-exact", "expect": "verified"}, {"claim": "KP-depth2", "expect": "verified"}],
    }
    report = dlncheck.check(case, timing=False)
    (c,) = report["cases"]
    assert c["status"] == "ok", c
    assert [k["verdict"] for k in c["checks"]] == ["verified", "verified"]
    assert all(k["met"] for k in c["checks"])
    assert any("read as the exact binary values" in n for n in c["notes"])


def test_invalid_input_raises_with_the_library_message(tmp_path, root):
    bad = {
        "version": 1,
        "model": {"kind": "linear", "dims": [2, 2]},
        "data": {"x": "identity", "y": [[1, 0]]},
        "checks": [{"claim": "KP-exact"}],
    }
    with pytest.raises(ValueError, match=r"^<case dict>: data\.y: expected 2 rows \(d_L = d_1 = 2\), found 1"):
        dlncheck.check(bad)
    with pytest.raises(ValueError, match=r"checks\[0\]\.claim: unknown claim \"KP-exakt\"; did you mean KP-exact\?"):
        dlncheck.check({**bad, "data": {"x": "identity", "y": "identity"}, "checks": [{"claim": "KP-exakt"}]})
    with pytest.raises(ValueError, match=r"non-finite number"):
        dlncheck.check({**bad, "data": {"x": "identity", "y": [[1, float("nan")], [0, 1]]}})
    # a file: the message of the report, with the file and line
    f = tmp_path / "bad.yaml"
    f.write_text("version: 1\nmodel: {kind: linear, dims: [2, 2]}\ndata: {x: identity, y: [[1, 0]]}\nchecks: [{claim: KP-exact}]\n")
    with pytest.raises(ValueError, match=r"bad\.yaml:3:\d+: data\.y: expected 2 rows"):
        dlncheck.check(f)
    # in a directory an invalid case is that case's error in the report, as with the command
    shutil.copy(root / "cases" / "kp-scalar-balanced.yaml", tmp_path)
    report = dlncheck.check(str(tmp_path), timing=False)
    statuses = {Path(c["file"]).name: c["status"] for c in report["cases"]}
    assert statuses == {"bad.yaml": "error", "kp-scalar-balanced.yaml": "ok"}
    with pytest.raises(FileNotFoundError, match="no such file or directory"):
        dlncheck.check(tmp_path / "missing.yaml")
    with pytest.raises(ValueError, match=r"claims: unknown claim"):
        dlncheck.check(f, claims=["nope"])
    with pytest.raises(TypeError, match="expected a path"):
        dlncheck.check(42)
