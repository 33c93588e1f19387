# dlncheck — the two commands of the README, each installing what a fresh machine lacks first.
# rug builds GMP and MPFR from source; GMP's configure needs m4 (absent on a fresh machine).
# The HTML report's test renders the page in headless Chromium (Debian's package).

CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps test-deps check test bench compare

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

# Run the tests: formatting, lints, unit, property and integration tests.
test: test-deps
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) test --workspace --all-targets
	$(CARGO) bench --no-run

bench: deps
	$(CARGO) bench --bench lambda_max
	$(CARGO) bench --bench paths

# dlncheck against the reference peers (../shared/anchors/peers.py): reports/bench.md, bench.svg
compare: deps
	benches/compare.sh
