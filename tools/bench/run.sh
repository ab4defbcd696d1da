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
# BENCH_ARGS (more arguments for bench.py, e.g. "--variant old:BENCH_BIN_DIR=/tmp/old-bin"),
# CARGO_LOCKED=--locked (cargo builds exactly Cargo.lock; the Makefile sets it in CI),
# BENCH_PEERS (get-group's peers, default "node,raw-floor"; "" for none: the Node.js function
# of tools/bench/node, installed with `npm ci`, and the raw floor bench-raw-floor),
# BENCH_FLAME=0 (no flame graph of get-group; by default one is drawn from `perf record` of
# BENCH_FLAME_N=5000 warm invocations of a build with symbols, target/bench/get-group.flame.svg),
# BENCH_INGEST (the ingest scenario, last: one ingest-events process applies this many
# group.snapshot events of new 50-member groups of the session bench-ingest, sent as SQS
# batches, then the same again (stale), then each group with one member changed; default 1000,
# 0 for none), BENCH_INGEST_BATCH (messages per SQS event, default 10, SQS's largest receive).
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
BENCH_PEERS=${BENCH_PEERS-node,raw-floor}
HAS_GET_GROUP=0
for f in "${FUNCTIONS[@]}"; do if [ "$f" = get-group ]; then HAS_GET_GROUP=1; fi; done
# The peers only mean something beside get-group.
if [ "$HAS_GET_GROUP" != 1 ]; then BENCH_PEERS=; fi
EXTRA_BINS=(bench-bare)
if [[ ",$BENCH_PEERS," == *,raw-floor,* ]]; then EXTRA_BINS+=(bench-raw-floor); fi
BENCH_INGEST=${BENCH_INGEST:-1000}
# An SQS function (lambda_runtime::run): the filter above does not pick it up.
if [ "$BENCH_INGEST" != 0 ]; then EXTRA_BINS+=(ingest-events); fi
BIN_ARGS=()
for b in "${EXTRA_BINS[@]}" "${FUNCTIONS[@]}"; do BIN_ARGS+=(--bin "$b"); done
echo "functions: ${FUNCTIONS[*]}; peers: ${BENCH_PEERS:-none}; ingest events: $BENCH_INGEST"

if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  echo "building x86_64 (runs here) ..."
  cargo lambda build ${CARGO_LOCKED:+"$CARGO_LOCKED"} --release --output-format zip "${BIN_ARGS[@]}"
  if [ "${BENCH_SKIP_ARM64:-}" != 1 ]; then
    # Its own lambda dir: both architectures would otherwise write target/lambda/<bin>/.
    echo "building arm64 (sizes only) ..."
    cargo lambda build ${CARGO_LOCKED:+"$CARGO_LOCKED"} --release --arm64 --output-format zip \
      --lambda-dir "$TARGET/lambda-arm64" \
      "${BIN_ARGS[@]}"
  fi
fi
# A copy of what was just built: other builds sharing target/ cannot change it mid-run.
rm -rf "${OUT:?}/bin" "${OUT:?}/zip"
mkdir -p "$OUT/bin/x86_64" "$OUT/bin/arm64" "$OUT/zip/x86_64" "$OUT/zip/arm64"
for b in "${EXTRA_BINS[@]}" "${FUNCTIONS[@]}"; do
  cp "$TARGET/x86_64-unknown-linux-gnu/release/$b" "$OUT/bin/x86_64/"
  mkdir -p "$OUT/zip/x86_64/$b" "$OUT/zip/arm64/$b"
  cp "$TARGET/lambda/$b/bootstrap.zip" "$OUT/zip/x86_64/$b/"
  if [ -f "$TARGET/lambda-arm64/$b/bootstrap.zip" ]; then
    cp "$TARGET/aarch64-unknown-linux-gnu/release/$b" "$OUT/bin/arm64/"
    cp "$TARGET/lambda-arm64/$b/bootstrap.zip" "$OUT/zip/arm64/$b/"
  fi
done

# The Node.js peer: exactly what its lockfile pins (tools/bench/node/package-lock.json).
if [[ ",$BENCH_PEERS," == *,node,* ]]; then
  if command -v node >/dev/null && command -v npm >/dev/null; then
    echo "installing the Node.js peer (npm ci) ..."
    (cd tools/bench/node && npm ci --no-audit --no-fund --loglevel=error)
  else
    echo "no node/npm: the Node.js peer is skipped" >&2
  fi
fi

# The flame graph: get-group again with symbols (profile `flame` = release + symbols + line
# tables, in its own directories so the measured binaries stay as they are), perf, inferno.
FLAME_ARGS=()
if [ "${BENCH_FLAME:-1}" != 0 ] && [ "$HAS_GET_GROUP" = 1 ]; then
  if ! command -v perf >/dev/null; then
    echo "installing perf (Debian's linux-perf) ..."
    SUDO=; if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
    $SUDO apt-get install -y -qq linux-perf >/dev/null
  fi
  INFERNO_ROOT=$ROOT/.tools/inferno-0.12.8
  if [ ! -x "$INFERNO_ROOT/bin/inferno-flamegraph" ]; then
    echo "installing inferno 0.12.8 into $INFERNO_ROOT ..."
    cargo install --quiet --locked --version 0.12.8 --root "$INFERNO_ROOT" inferno
  fi
  if perf record -q -o /dev/null -- true 2>/dev/null; then
    if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
      echo "building get-group with symbols for the flame graph ..."
      # cargo-lambda adds `-C target-cpu=haswell` to release builds only: given here, so the
      # profiled code is the measured code, plus frame pointers: perf's DWARF unwinding copies
      # at most 64 KiB of stack, less than lies between a sample and main() here (the runtime's
      # futures live on the stack), which cut half the stacks short.
      RUSTFLAGS="-C target-cpu=haswell -C force-frame-pointers=yes" \
        CARGO_PROFILE_FLAME_INHERITS=release CARGO_PROFILE_FLAME_STRIP=none \
        CARGO_PROFILE_FLAME_DEBUG=line-tables-only \
        cargo lambda build ${CARGO_LOCKED:+"$CARGO_LOCKED"} --profile flame \
        --lambda-dir "$TARGET/lambda-flame" --bin get-group
    fi
    if [ -f "$TARGET/lambda-flame/get-group/bootstrap" ]; then
      mkdir -p "$OUT/bin/flame"
      cp "$TARGET/lambda-flame/get-group/bootstrap" "$OUT/bin/flame/get-group"
      FLAME_ARGS=(--flame get-group --flame-bin-dir "$OUT/bin/flame"
        --flame-n "${BENCH_FLAME_N:-5000}" --inferno-dir "$INFERNO_ROOT/bin")
    else
      echo "no flame build of get-group in $TARGET/lambda-flame: no flame graph" >&2
    fi
  else
    echo "perf cannot sample here: no flame graph (valgrind --tool=callgrind is the fallback)" >&2
  fi
fi

# A build leaves gigabytes of dirty pages; their writeback made cold starts 2-3x slower and
# erratic for the first minutes. Measure on a quiet disk.
sync

# The tools around the functions are not measured: debug builds, shared with `make test`.
cargo build ${CARGO_LOCKED:+"$CARGO_LOCKED"} --quiet --bin gatewayctl --bin connection-emulator

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_moto
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck disable=SC2119 # start_moto picks its own port
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
# The ingest scenario's own session: its groups stay out of the partitions the others read.
if [ "$BENCH_INGEST" != 0 ]; then
  $CTL session add --org demo-org --id bench-ingest --account "$ACCOUNT" >/dev/null
fi

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
# The demo groups with their members, as make dev has them: the member and invite functions
# act on them (events/<function>/ say what each answers).
"$VENV_PY" tools/scripts/seed_emulator.py "$GATEWAY_CONNECTION_URL"

FUNCTION_LIST=$(IFS=,; echo "${FUNCTIONS[*]}")
# shellcheck disable=SC2086 # BENCH_ARGS: several words on purpose
"$VENV_PY" tools/bench/bench.py \
  --functions "$FUNCTION_LIST" \
  --bin-dir "$OUT/bin/x86_64" \
  --bin-dir-arm64 "$OUT/bin/arm64" \
  --zip-dir-x86-64 "$OUT/zip/x86_64" \
  --zip-dir-arm64 "$OUT/zip/arm64" \
  --cold "${BENCH_COLD:-25}" \
  --warm "${BENCH_WARM:-1000}" \
  --peers "$BENCH_PEERS" \
  ${FLAME_ARGS[@]+"${FLAME_ARGS[@]}"} \
  --ingest "$BENCH_INGEST" \
  --ingest-batch "${BENCH_INGEST_BATCH:-10}" \
  --ingest-session bench-ingest \
  --moto-pid "$MOTO_PID" \
  --out "$OUT/report.json" \
  ${BENCH_ARGS:-}
