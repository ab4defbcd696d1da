#!/usr/bin/env bash
# `make conformance`: schemathesis against the local API, with every default check, to hold the
# code to openapi.yaml. Starts what the API needs (moto's DynamoDB server, the connection
# emulator, the local API) on free loopback ports, with real data: the demo organization's
# session 'demo' (connected in the emulator), its stored groups (also on "WhatsApp") and a real
# API key with read,send. The doc's examples name that data, so schemathesis' examples phase
# reaches 2xx on every operation; summary.py shows the statuses per operation and fails the run
# if an operation never answered 2xx.
#
# Extra arguments go to `st run` (e.g. `--max-examples 20`; one operation alone:
# `--include-operation-id getGroup --phases examples,coverage,fuzzing`, as the stateful phase
# needs the links between operations).
# CONFORMANCE_SEED fixes the random seed (default: a fixed one, so CI runs are repeatable).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
VENV_PY="$ROOT/.venv/bin/python"
# shellcheck source=tools/scripts/local-stack.sh
source tools/scripts/local-stack.sh

OUT=.dev/conformance
rm -rf "$OUT"
mkdir -p "$OUT"

trap stop_local_stack EXIT
trap 'exit 130' INT TERM
# moto, the table with the demo data, the connection emulator and the local API (see the script).
start_local_stack conformance "$OUT"
CONFORMANCE_API_KEY=$LOCAL_STACK_API_KEY
export CONFORMANCE_API_KEY

status=0
"$ROOT/.venv/bin/st" --config-file tools/schemathesis/schemathesis.toml run openapi.yaml \
  --url "http://$GATEWAY_LISTEN" \
  --seed "${CONFORMANCE_SEED:-20261126}" \
  --report vcr --report-vcr-path "$OUT/cassette.yaml" \
  --no-color "$@" || status=$?

# A run narrowed by arguments (e.g. --include-operation-id) may leave operations untested.
summary_args=()
if [ "$#" -gt 0 ]; then summary_args+=(--allow-untested); fi
"$VENV_PY" tools/schemathesis/summary.py openapi.yaml "$OUT/cassette.yaml" "${summary_args[@]}" \
  || status=$((status == 0 ? 1 : status))
if [ "$status" -ne 0 ]; then
  echo "conformance failed; logs in $OUT/ (local-api.log, emulator.log, cassette.yaml)" >&2
fi
exit "$status"
