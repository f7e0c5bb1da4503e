#!/usr/bin/env bash
# Compares release opt-levels for the functions' packages: zipped size, init time and first
# invocation (cold_start_report), and the click redirect's handler speed (its criterion bench).
# This is how the release profile's opt-level was chosen (docs/performance.md, "Cold start and size").
#
#   tests/load/opt_levels.sh                       # levels 3, s and z; every function
#   LEVELS="3 z" tests/load/opt_levels.sh link-redirect click-aggregator
#
# Each level rebuilds the dependencies (about 10 minutes per level on 2 cores); the binaries
# and bench outputs are kept under target/opt-levels/<level>/. Needs moto in .venv (./tests/run
# installs it).
set -euo pipefail
cd "$(dirname "$0")/../.."

levels=${LEVELS:-"3 s z"}
functions=("$@")
out=target/opt-levels
mkdir -p "$out"
export MOTO_SERVER=${MOTO_SERVER:-$PWD/.venv/bin/moto_server}

# The report itself is built once, at the workspace's own profile, and kept aside: the builds
# below overwrite target/release.
cargo build --release -p integration-tests --bin cold_start_report
cp target/release/cold_start_report "$out/cold_start_report"

# Every function crate's binary is named after it; the local stack is not deployed.
bins=("${functions[@]}")
if [ ${#bins[@]} -eq 0 ]; then
  for dir in functions/*/; do
    name=$(basename "$dir")
    [ "$name" = local-stack ] || bins+=("$name")
  done
fi
packages=()
for name in "${bins[@]}"; do packages+=(-p "$name"); done

for level in $levels; do
  echo "== opt-level $level" >&2
  dir="$out/$level"
  mkdir -p "$dir"
  export CARGO_PROFILE_RELEASE_OPT_LEVEL=$level CARGO_PROFILE_BENCH_OPT_LEVEL=$level
  cargo build --release --bins "${packages[@]}"
  for name in "${bins[@]}"; do cp "target/release/$name" "$dir/"; done
  cargo bench -p link-redirect --bench redirect -- --noplot 2>&1 | tee "$dir/redirect-bench.txt" >&2
  unset CARGO_PROFILE_RELEASE_OPT_LEVEL CARGO_PROFILE_BENCH_OPT_LEVEL
done

for level in $levels; do
  echo
  echo "### opt-level $level"
  echo
  PARTNERLINE_BIN_DIR="$out/$level" "$out/cold_start_report" "${functions[@]}"
  echo
  echo "redirect handler (cargo bench -p link-redirect --bench redirect):"
  grep -B1 -E "p50|time:" "$out/$level/redirect-bench.txt"
done
