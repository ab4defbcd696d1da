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
# shellcheck source=tools/scripts/moto.sh
source tools/scripts/moto.sh

OUT=.dev/conformance
rm -rf "$OUT"
mkdir -p "$OUT"

echo "building the local tools..."
cargo build --quiet --bin local-api --bin gatewayctl --bin connection-emulator
# Where cargo put them (CARGO_TARGET_DIR moves the whole target folder).
BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug"

PIDS=()
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_moto
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export RUST_LOG=${RUST_LOG:-warn}
GATEWAY_TABLE="conformance-$(date +%s)"
export GATEWAY_TABLE
GATEWAY_LISTEN="127.0.0.1:$(free_port)"
export GATEWAY_LISTEN
# Login tokens are not what this run fuzzes (API keys are), but the API needs its settings.
export GATEWAY_DEV_SIGNER="$ROOT/$OUT/dev-signer.json"
export GATEWAY_JWKS_URL="http://$GATEWAY_LISTEN/.well-known/jwks.json"
export GATEWAY_JWT_ISSUER="http://$GATEWAY_LISTEN/dev"
export GATEWAY_JWT_AUDIENCE=whatsapp-gateway-conformance
export GATEWAY_CONNECTION_TOKEN="conformance-$RANDOM$RANDOM"

MOTO_LOG="$OUT/moto.log" start_moto
"$BIN"/gatewayctl create-table >/dev/null
# The demo data: organization demo-org, session 'demo', three groups, and the demo API key.
CONFORMANCE_API_KEY=$("$BIN"/gatewayctl dev seed)
export CONFORMANCE_API_KEY

# WhatsApp as the stored data has it: session 'demo' connected, its groups there, its account
# an admin of each (so updateGroup may change announce/locked).
EMULATOR_LISTEN=127.0.0.1:0 EMULATOR_SESSIONS="demo=6281234567890@s.whatsapp.net" \
  "$BIN"/connection-emulator >"$OUT/emulator.out" 2>"$OUT/emulator.log" &
PIDS+=($!)
for _ in $(seq 1 100); do
  grep -q '^connection-emulator listening on ' "$OUT/emulator.out" 2>/dev/null && break
  sleep 0.1
done
GATEWAY_CONNECTION_URL=$(sed -n 's/^connection-emulator listening on //p' "$OUT/emulator.out")
if [ -z "$GATEWAY_CONNECTION_URL" ]; then
  echo "the connection emulator did not start; see $OUT/emulator.log" >&2
  exit 1
fi
export GATEWAY_CONNECTION_URL
"$VENV_PY" - "$GATEWAY_CONNECTION_URL" <<'PY'
import json, sys, urllib.request
url = sys.argv[1]
groups = [
    ("120363021234567890@g.us", "Project Team", "Coordination for Q3 launch"),
    ("120363021234567891@g.us", "Support Rota", ""),
    ("6281234567890-1700000000@g.us", "Family (legacy JID)", "Created before 2021"),
]
for jid, subject, description in groups:
    body = json.dumps({"subject": subject, "description": description, "admin": True}).encode()
    request = urllib.request.Request(f"{url}/_emulator/sessions/demo/groups/{jid}", body,
                                     method="PUT", headers={"content-type": "application/json"})
    urllib.request.urlopen(request, timeout=5).read()
PY

"$BIN"/local-api 2>"$OUT/local-api.log" &
PIDS+=($!)
wait_for "$GATEWAY_LISTEN"
echo "local API on http://$GATEWAY_LISTEN (moto $AWS_ENDPOINT_URL_DYNAMODB, emulator $GATEWAY_CONNECTION_URL)"

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
