#!/usr/bin/env bash
# Proves the deploy path the README documents, on this machine, and prints a table:
#   1. cargo-lambda builds every function for arm64 (aarch64-unknown-linux-gnu, release, zig as
#      the cross linker) as zips: each zip's size against the 4 MB target;
#   2. AWS SAM CLI: `sam validate --lint` and `sam build` of infra/template.yaml with
#      BuildMethod rust-cargolambda (no container);
#   3. cargo-lambda's emulator (`cargo lambda watch`) serves the functions (x86_64, debug) and
#      `cargo lambda invoke <function> --data-file events/<function>/<event>.json` answers every
#      sample event against moto.
# Slow on 2 cores (every function is a fat-LTO release build for arm64, then again for SAM), so
# it is a documented command, not a CI step; docs/deploy.md holds its last output.
#
# Usage: infra/prove_deploy.sh [build|sam|invoke|all]   (default: all)
# Installs what it needs into the git-ignored .venv (pinned) and the arm64 target via rustup.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LAMBDA_VERSION="1.9.2"
ZIGLANG_VERSION="0.17.1"
SAM_CLI_VERSION="1.170.0"
MOTO_VERSION="5.2.5"
TARGET_MB=4
phase="${1:-all}"
step() { printf '\n==> %s\n' "$*"; }

step "tools: cargo-lambda==$CARGO_LAMBDA_VERSION and ziglang==$ZIGLANG_VERSION in .venv, aws-sam-cli==$SAM_CLI_VERSION in .venv-sam"
[ -x .venv/bin/python ] || python3 -m venv .venv
pin() { # package version [extras]
  if ! .venv/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('$1') != '$2')" 2>/dev/null; then
    .venv/bin/pip install --quiet --disable-pip-version-check "$1${3:-}==$2"
  fi
}
pin cargo-lambda "$CARGO_LAMBDA_VERSION"
pin ziglang "$ZIGLANG_VERSION"
pin moto "$MOTO_VERSION" "[server]"
export PATH="$PWD/.venv/bin:$PATH"
rustup target add aarch64-unknown-linux-gnu >/dev/null

# The deployable functions: every crate under functions/ but the local stack.
functions=()
for manifest in functions/*/Cargo.toml; do
  grep -q '^deploy = false' "$manifest" && continue
  functions+=("$(basename "$(dirname "$manifest")")")
done

build() {
  step "cargo lambda build --release --arm64 --output-format zip (${#functions[@]} functions)"
  local packages=()
  for f in "${functions[@]}"; do packages+=(-p "$f"); done
  local started=$SECONDS
  cargo lambda build --release --arm64 --output-format zip --lambda-dir target/lambda-arm64 "${packages[@]}"
  echo "built in $((SECONDS - started)) s"
  printf '\n| function | arm64 zip | within %s MB |\n| --- | --- | --- |\n' "$TARGET_MB"
  for f in "${functions[@]}"; do
    local bytes
    bytes=$(stat -c %s "target/lambda-arm64/$f/bootstrap.zip")
    printf '| %s | %.2f MB | %s |\n' "$f" "$(echo "$bytes / 1048576" | bc -l)" \
      "$([ "$bytes" -le $((TARGET_MB * 1048576)) ] && echo yes || echo NO)"
  done
}

sam_checks() {
  # In its own venv, as tests/run installs it: it pins its own boto3 and jsonschema.
  [ -x .venv-sam/bin/python ] || python3 -m venv .venv-sam
  if ! .venv-sam/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('aws-sam-cli') != '$SAM_CLI_VERSION')" 2>/dev/null; then
    .venv-sam/bin/pip install --quiet --disable-pip-version-check "aws-sam-cli==$SAM_CLI_VERSION"
  fi
  export SAM_CLI_TELEMETRY=0
  step "sam validate --lint"
  (cd infra && ../.venv-sam/bin/sam validate --lint --region us-east-1)
  step "sam build (BuildMethod rust-cargolambda; a beta feature of SAM)"
  local started=$SECONDS
  (cd infra && ../.venv-sam/bin/sam build --beta-features --region us-east-1)
  echo "sam build in $((SECONDS - started)) s"
}

invoke() {
  step "moto, the table and queues, and cargo lambda watch"
  local port
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  .venv/bin/moto_server -H 127.0.0.1 -p "$port" > target/prove-moto.log 2>&1 &
  moto=$!
  watch=""
  trap 'kill $moto $watch 2>/dev/null || true' EXIT
  sleep 2
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
  # The same resources the template declares, and the environment it gives the functions.
  cargo run -q -p integration-tests --bin emulator_setup > target/prove-env
  cargo lambda watch --env-file target/prove-env --invoke-port 9100 > target/prove-watch.log 2>&1 &
  watch=$!
  sleep 5
  printf '\n| function | event | answer |\n| --- | --- | --- |\n'
  for f in "${functions[@]}"; do
    for event in events/"$f"/*.json; do
      local answer
      answer=$(cargo lambda invoke "$f" --invoke-port 9100 --data-file "$event" 2>&1 | .venv/bin/python infra/summarise_answer.py)
      printf '| %s | %s | %s |\n' "$f" "$(basename "$event")" "$answer"
    done
  done
}

case "$phase" in
  build) build ;;
  sam) sam_checks ;;
  invoke) invoke ;;
  all) build; sam_checks; invoke ;;
  *) echo "usage: $0 [build|sam|invoke|all]" >&2; exit 2 ;;
esac
