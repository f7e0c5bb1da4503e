#!/usr/bin/env bash
# Build time of the workspace's own crates: every function binary and test target in the dev
# profile (what tests/run builds), in a target directory whose dependencies are built already.
# The dependency tree is the same whatever the layout of our crates, so this is the part of a
# clean build that a change to the crates' layout moves. Each workspace given is built RUNS
# times, in turn (A B A B ...), so the shared machine's drift falls on all of them; the median
# of each is printed with its commit.
#
#   tests/load/workspace_build.sh [--runs N] [WORKSPACE ...]     (default: this workspace)
#   git worktree add /tmp/before <commit> && tests/load/workspace_build.sh /tmp/before .
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
runs=3
if [ "${1:-}" = "--runs" ]; then runs="$2"; shift 2; fi
[ $# -gt 0 ] || set -- "$here"
export CARGO_INCREMENTAL=0
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
build=(cargo build --quiet --workspace --all-features --bins --tests)

members() {
  (cd "$1" && cargo metadata --no-deps --format-version 1 \
    | python3 -c 'import json, sys; print(" ".join("-p " + p["name"] for p in json.load(sys.stdin)["packages"]))')
}

echo "dependencies (once) in $CARGO_TARGET_DIR"
for workspace in "$@"; do (cd "$workspace" && "${build[@]}"); done

declare -A seconds
for run in $(seq "$runs"); do
  for workspace in "$@"; do
    # shellcheck disable=SC2046 # one -p per member
    (cd "$workspace" && cargo clean --quiet $(members "$workspace"))
    start=$(date +%s.%N)
    (cd "$workspace" && "${build[@]}")
    end=$(date +%s.%N)
    took=$(python3 -c "print(round($end - $start, 1))")
    echo "run $run  $workspace  $took s"
    seconds[$workspace]+="$took "
  done
done
for workspace in "$@"; do
  # shellcheck disable=SC2086 # the list of times
  median=$(python3 -c 'import statistics, sys; print(statistics.median(map(float, sys.argv[1:])))' ${seconds[$workspace]})
  echo "median  $(cd "$workspace" && git rev-parse --short HEAD)  $workspace  $median s  ($(nproc) cores, $(date -u +%F))"
done
