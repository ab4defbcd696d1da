#!/usr/bin/env bash
# `make bench`: release builds of every function and of the bare floor function with
# cargo-lambda (x86_64 to run here, arm64 for sizes), then tools/bench/bench.py runs them under
# its Lambda Runtime API with moto and the connection emulator behind them. Writes
# target/bench/report.json and prints the table. See BENCHMARKS.md.
#
# Settings (environment): BENCH_COLD (fresh processes per function, default 25),
# BENCH_WARM (measured warm invocations per function and credential, default 1000),
# BENCH_FUNCTIONS (comma-separated, default: every function with a real main.rs),
# BENCH_SKIP_BUILD=1 (measure what target/ holds), BENCH_SKIP_ARM64=1 (no arm64 build),
# BENCH_ARGS (more arguments for bench.py, e.g. "--variant old:BENCH_BIN_DIR=/tmp/old-bin").
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
VENV_PY="$ROOT/.venv/bin/python"
# cargo-lambda finds zig through the python3 on PATH: the venv's comes first.
export PATH="$ROOT/.venv/bin:$PATH"
# shellcheck source=tools/scripts/moto.sh
source tools/scripts/moto.sh

# Where cargo puts things (CARGO_TARGET_DIR, as the SAM build sets it, or target/).
TARGET=${CARGO_TARGET_DIR:-target}
OUT=$TARGET/bench
mkdir -p "$OUT/logs"
rm -f "$OUT"/logs/*.log

if [ -n "${BENCH_FUNCTIONS:-}" ]; then
  IFS=, read -r -a FUNCTIONS <<<"$BENCH_FUNCTIONS"
else
  FUNCTIONS=()
  for dir in functions/*/; do
    name=$(basename "$dir")
    # A function still being written has `fn main() {}`: nothing to measure yet.
    if grep -q 'lambda_http::run' "$dir/src/main.rs"; then FUNCTIONS+=("$name"); fi
  done
fi
BIN_ARGS=(--bin bench-bare)
for f in "${FUNCTIONS[@]}"; do BIN_ARGS+=(--bin "$f"); done
echo "functions: ${FUNCTIONS[*]}"

if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  echo "building x86_64 (runs here) ..."
  cargo lambda build --release --output-format zip "${BIN_ARGS[@]}"
  if [ "${BENCH_SKIP_ARM64:-}" != 1 ]; then
    # Its own lambda dir: both architectures would otherwise write target/lambda/<bin>/.
    echo "building arm64 (sizes only) ..."
    cargo lambda build --release --arm64 --output-format zip --lambda-dir "$TARGET/lambda-arm64" \
      "${BIN_ARGS[@]}"
  fi
fi
# A copy of what was just built: other builds sharing target/ cannot change it mid-run.
rm -rf "$OUT/bin" "$OUT/zip"
mkdir -p "$OUT/bin/x86_64" "$OUT/bin/arm64" "$OUT/zip/x86_64" "$OUT/zip/arm64"
for b in bench-bare "${FUNCTIONS[@]}"; do
  cp "$TARGET/x86_64-unknown-linux-gnu/release/$b" "$OUT/bin/x86_64/"
  mkdir -p "$OUT/zip/x86_64/$b" "$OUT/zip/arm64/$b"
  cp "$TARGET/lambda/$b/bootstrap.zip" "$OUT/zip/x86_64/$b/"
  if [ -f "$TARGET/lambda-arm64/$b/bootstrap.zip" ]; then
    cp "$TARGET/aarch64-unknown-linux-gnu/release/$b" "$OUT/bin/arm64/"
    cp "$TARGET/lambda-arm64/$b/bootstrap.zip" "$OUT/zip/arm64/$b/"
  fi
done

# A build leaves gigabytes of dirty pages; their writeback made cold starts 2-3x slower and
# erratic for the first minutes. Measure on a quiet disk.
sync

# The tools around the functions are not measured: debug builds, shared with `make test`.
cargo build --quiet --bin gatewayctl --bin connection-emulator

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_moto
}
trap cleanup EXIT
trap 'exit 130' INT TERM

MOTO_LOG=$OUT/logs/moto.log start_moto
# With two or more cores, the function under test gets the last one to itself (bench.py);
# moto, the emulator and bench.py share the first.
FIRST_CORE=$("$VENV_PY" -c 'import os; print(min(os.sched_getaffinity(0)))')
taskset -a -p -c "$FIRST_CORE" "$MOTO_PID" >/dev/null
export GATEWAY_TABLE=bench
CTL=$TARGET/debug/gatewayctl
$CTL create-table >/dev/null
$CTL dev seed >/dev/null
ACCOUNT=6281234567890@s.whatsapp.net
$CTL session add --org demo-org --id bench-create --account "$ACCOUNT" >/dev/null

export GATEWAY_CONNECTION_TOKEN=bench-connection-secret
EMULATOR_PORT=$(free_port)
export GATEWAY_CONNECTION_URL=http://127.0.0.1:$EMULATOR_PORT
EMULATOR_LISTEN=127.0.0.1:$EMULATOR_PORT RUST_LOG=warn \
  EMULATOR_SESSIONS="demo=$ACCOUNT,bench-create=$ACCOUNT" \
  taskset -c "$FIRST_CORE" "$TARGET/debug/connection-emulator" >"$OUT/logs/emulator.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
  if "$VENV_PY" -c "import urllib.request as u; u.urlopen('$GATEWAY_CONNECTION_URL/_emulator/health', timeout=0.2)" 2>/dev/null; then
    break
  fi
  sleep 0.1
done

FUNCTION_LIST=$(IFS=,; echo "${FUNCTIONS[*]}")
"$VENV_PY" tools/bench/bench.py \
  --functions "$FUNCTION_LIST" \
  --bin-dir "$OUT/bin/x86_64" \
  --bin-dir-arm64 "$OUT/bin/arm64" \
  --zip-dir-x86-64 "$OUT/zip/x86_64" \
  --zip-dir-arm64 "$OUT/zip/arm64" \
  --cold "${BENCH_COLD:-25}" \
  --warm "${BENCH_WARM:-1000}" \
  --out "$OUT/report.json" \
  ${BENCH_ARGS:-}
