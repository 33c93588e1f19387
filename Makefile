# dlncheck — the two commands of the README, each installing what a fresh machine lacks first.
# rug builds GMP and MPFR from source; GMP's configure needs m4 (absent on a fresh machine).
# The HTML report's test renders the page in headless Chromium (Debian's package).

CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Where cargo builds (it honours CARGO_TARGET_DIR itself); the Python package's venv lives there too.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
PYENV := $(abspath $(TARGET_DIR))/pyenv
PYTHON := $(PYENV)/bin/python

.PHONY: deps test-deps check test bench compare py-deps py-dev py-test

deps:
	@command -v m4 >/dev/null 2>&1 || { \
	  echo "installing m4 (needed by GMP's build, through rug)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq m4; }

test-deps: deps
	@command -v chromium >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1 || { \
	  echo "installing chromium and python3 (HTML report screenshot test, report contract checker)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium python3; }

# Run the main job: every shipped case, reports under reports/.
check: deps
	$(CARGO) run --release --quiet -- check cases

# Run the tests: formatting, lints, unit, property and integration tests, then the Python
# package's (built with maturin, tested with pytest).
test: test-deps
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --workspace --quiet
	$(CARGO) test --workspace --all-targets
	$(CARGO) bench --no-run
	$(MAKE) --no-print-directory py-test

# The Python package's build and test tools from PyPI, in a venv under the target dir (the
# system's Python is left alone).
py-deps:
	@test -x $(PYTHON) || python3 -m venv $(PYENV) || { \
	  echo "installing python3-venv"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv && python3 -m venv $(PYENV); }
	$(PYTHON) -m pip install --quiet --disable-pip-version-check maturin pytest numpy mpmath safetensors

# Build the Python package (crates/dlncheck-py, module `dlncheck`) into the venv with maturin:
# the dev profile, in the same target dir as the cargo steps (GMP and MPFR are not rebuilt).
py-dev: deps py-deps
	VIRTUAL_ENV=$(PYENV) $(PYENV)/bin/maturin develop -m crates/dlncheck-py/Cargo.toml

# The Python package's tests (pytest), comparing with the command line binary `cargo test` built.
py-test: py-dev
	@test -x $(TARGET_DIR)/debug/dlncheck || $(CARGO) build --bin dlncheck
	cd crates/dlncheck-py && DLNCHECK_BIN=$(abspath $(TARGET_DIR))/debug/dlncheck \
	  $(PYTHON) -m pytest -q -p no:cacheprovider tests

bench: deps
	$(CARGO) bench --bench lambda_max
	$(CARGO) bench --bench paths

# dlncheck against the reference peers (../shared/anchors/peers.py): reports/bench.md, bench.svg
compare: deps
	benches/compare.sh
