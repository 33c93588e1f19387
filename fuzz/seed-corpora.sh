#!/bin/sh
# Seed the fuzz corpora (fuzz/corpus/, not committed) from the shipped inputs: every case file
# (cases/, tests/bad/, tests/data/good/, tests/data/slow/) for case_input, and every certificate
# (tests/data/certs/ plus the certificates a run of the shipped cases writes) for certificate.
set -eu
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/case_input fuzz/corpus/certificate
cp cases/*.yaml tests/bad/*.yaml tests/data/good/*.yaml tests/data/slow/*.yaml fuzz/corpus/case_input/
cp tests/data/certs/*.json fuzz/corpus/certificate/
cargo run --release --quiet -- check cases --quiet --no-timing --report-dir target/fuzz-seed-report >/dev/null || true
cp target/fuzz-seed-report/certs/*.json fuzz/corpus/certificate/
ls fuzz/corpus/case_input | wc -l
ls fuzz/corpus/certificate | wc -l
