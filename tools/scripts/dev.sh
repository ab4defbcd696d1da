#!/usr/bin/env bash
# `make dev`: the whole API on 127.0.0.1:3000 with everything it needs: moto's DynamoDB server,
# the table, demo data and the local API. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV_PY="$PWD/.venv/bin/python"
# shellcheck source=tools/scripts/moto.sh
source tools/scripts/moto.sh

export GATEWAY_TABLE=${GATEWAY_TABLE:-gateway-dev}
export GATEWAY_LISTEN=${GATEWAY_LISTEN:-127.0.0.1:3000}
# Browser origins allowed to call the local API (a frontend's dev server); * allows any.
export GATEWAY_CORS_ORIGINS=${GATEWAY_CORS_ORIGINS:-*}
export RUST_LOG=${RUST_LOG:-info}
# Login tokens: the local API publishes a development key as the "frontend's" JWKS.
export GATEWAY_DEV_SIGNER=${GATEWAY_DEV_SIGNER:-$PWD/.dev/dev-signer.json}
export GATEWAY_JWKS_URL=${GATEWAY_JWKS_URL:-http://$GATEWAY_LISTEN/.well-known/jwks.json}
export GATEWAY_JWT_ISSUER=${GATEWAY_JWT_ISSUER:-http://$GATEWAY_LISTEN/dev}
export GATEWAY_JWT_AUDIENCE=${GATEWAY_JWT_AUDIENCE:-whatsapp-gateway-local}
# Live operations go to the connection-service emulator, an in-memory WhatsApp.
export EMULATOR_LISTEN=${EMULATOR_LISTEN:-127.0.0.1:3001}
export GATEWAY_CONNECTION_URL=${GATEWAY_CONNECTION_URL:-http://$EMULATOR_LISTEN}
export GATEWAY_CONNECTION_TOKEN=${GATEWAY_CONNECTION_TOKEN:-local-connection-secret}

echo "building the local tools..."
cargo build --quiet --bin local-api --bin gatewayctl --bin connection-emulator
# Where cargo put them (CARGO_TARGET_DIR moves the whole target folder).
BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_moto
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p .dev
MOTO_LOG=.dev/moto.log start_moto
"$BIN"/gatewayctl create-table >/dev/null
KEY=$("$BIN"/gatewayctl dev seed)
TOKEN=$("$BIN"/gatewayctl dev-token --org demo-org --role admin --ttl 86400)

# WhatsApp as the demo data has it: the demo session connected, its groups there.
EMULATOR_SESSIONS="demo=6281234567890@s.whatsapp.net" "$BIN"/connection-emulator >.dev/emulator.log 2>&1 &
PIDS+=($!)
wait_for "$EMULATOR_LISTEN"
for group in "120363021234567890@g.us|Project Team|Coordination for Q3 launch" \
             "120363021234567891@g.us|Support Rota|" \
             "6281234567890-1700000000@g.us|Family (legacy JID)|Created before 2021"; do
  IFS='|' read -r jid subject description <<<"$group"
  "$VENV_PY" - "$GATEWAY_CONNECTION_URL" "$jid" "$subject" "$description" <<'PY'
import json, sys, urllib.request
url, jid, subject, description = sys.argv[1:]
body = json.dumps({"subject": subject, "description": description}).encode()
request = urllib.request.Request(f"{url}/_emulator/sessions/demo/groups/{jid}", body, method="PUT",
                                 headers={"content-type": "application/json"})
urllib.request.urlopen(request).read()
PY
done

"$BIN"/local-api &
PIDS+=($!)
wait_for "$GATEWAY_LISTEN"

cat <<MSG

The group API is running on http://$GATEWAY_LISTEN (DynamoDB: moto at $AWS_ENDPOINT_URL_DYNAMODB,
table $GATEWAY_TABLE). Demo organization 'demo-org', session 'demo', API key with read,send:

  curl -s -H "Authorization: Bearer $KEY" http://$GATEWAY_LISTEN/api/v1/sessions/demo/groups

  curl -s -H "Authorization: Bearer $KEY" http://$GATEWAY_LISTEN/api/v1/sessions/demo/groups/120363021234567890%40g.us

A login token of an admin of demo-org, as the web frontend would send (valid 24 h; make another
with: $BIN/gatewayctl dev-token --org demo-org --role member):

  curl -s -H "Authorization: Bearer $TOKEN" http://$GATEWAY_LISTEN/api/v1/sessions/demo/groups

Live operations reach the connection-service emulator (an in-memory WhatsApp) at
$GATEWAY_CONNECTION_URL; its control API is in tools/connection-emulator/README.md.

  curl -s -X POST -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \\
    -d '{"name": "Launch Crew", "participants": ["6281111111111@s.whatsapp.net"]}' \\
    http://$GATEWAY_LISTEN/api/v1/sessions/demo/groups

  curl -s -X PATCH -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \\
    -d '{"subject": "Project Team (Q4)", "announce": true}' -w '%{http_code}\n' \\
    http://$GATEWAY_LISTEN/api/v1/sessions/demo/groups/120363021234567890%40g.us

Ctrl-C stops everything.
MSG
wait "${PIDS[@]}"
