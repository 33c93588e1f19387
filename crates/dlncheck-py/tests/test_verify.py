"""dlncheck.verify_cert on certificates the command line wrote, and on tampered copies: the same
answer as `dlncheck verify-cert`."""

import json

import pytest

import dlncheck


@pytest.fixture(scope="module")
def certs(cli, tmp_path_factory):
    """The certificates of `dlncheck check cases/kp-depth3-diagonal.yaml`."""
    out = tmp_path_factory.mktemp("certs")
    run = cli("check", "cases/kp-depth3-diagonal.yaml", "--report-dir", out, "--quiet")
    assert run.returncode == 0, run.stdout + run.stderr
    files = sorted((out / "certs").glob("*.json"))
    assert files
    return files


def test_certificates_the_command_wrote_pass(certs, cli):
    for f in certs:
        v = dlncheck.verify_cert(f)
        assert v.passed and bool(v), str(v)
        assert v.lines and all(line["ok"] for line in v.lines)
        assert v.verdict and not v.failures
        assert str(v).startswith(f"{f}: PASS\n")
        assert "PASS" in repr(v)
        assert cli("verify-cert", "--quiet", f).returncode == 0


def test_tampered_certificates_fail(certs, cli, tmp_path):
    naive = next(f for f in certs if "KP-naive" in f.name)
    cert = json.loads(naive.read_text())
    assert cert["verdict"] == "refuted"
    flipped = tmp_path / "flipped.json"
    flipped.write_text(json.dumps({**cert, "verdict": "verified"}))
    v = dlncheck.verify_cert(str(flipped))
    assert not v.passed and not v
    assert v.failures
    assert cli("verify-cert", "--quiet", flipped).returncode == 1
    # a perturbed number: 91/9 is the exact λ_max the refutation rests on
    text = naive.read_text()
    assert '"91/9"' in text
    perturbed = tmp_path / "perturbed.json"
    perturbed.write_text(text.replace('"91/9"', '"91/8"', 1))
    v = dlncheck.verify_cert(perturbed)
    assert not v.passed
    assert any("✗" in line for line in v.failures)
    assert cli("verify-cert", "--quiet", perturbed).returncode == 1


def test_unreadable_certificates_raise(tmp_path):
    with pytest.raises(FileNotFoundError, match="cannot read"):
        dlncheck.verify_cert(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(ValueError, match=r"broken\.json: not valid JSON"):
        dlncheck.verify_cert(broken)
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"kind": "something-else"}')
    with pytest.raises(ValueError, match=r"wrong\.json: "):
        dlncheck.verify_cert(wrong)
