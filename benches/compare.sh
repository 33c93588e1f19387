#!/bin/sh
# dlncheck against the reference peers (../shared/anchors/peers.py), side by side, in one run:
# builds dlncheck (release), sets up a Python environment with the peers' packages outside the
# repository (PEERS_VENV, default ~/.cache/dlncheck-peers-venv), generates the same random balanced
# minimizers for both, and writes reports/bench.md and reports/bench.svg.
#
#   benches/compare.sh                 # the full comparison (about 15 minutes on 2 cores)
#   benches/compare.sh --max-d 16      # a quick one; any option is passed to benches/compare.py
set -eu
cd "$(dirname "$0")/.."
VENV="${PEERS_VENV:-$HOME/.cache/dlncheck-peers-venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q numpy scipy mpmath python-flint jax matplotlib
fi
cargo build --release --quiet
exec "$VENV/bin/python" benches/compare.py --dlncheck "${CARGO_TARGET_DIR:-$PWD/target}/release/dlncheck" "$@"
