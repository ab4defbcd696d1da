# Sourced by tools/schemathesis/run.sh (`make conformance`) and tools/scripts/client-tests.sh
# (`make client-tests`): builds the local tools and starts what the local API needs on free
# loopback ports, with real data: moto's server (DynamoDB and SQS), a fresh table and its events
# queue, the demo organization's session 'demo' with its stored groups, their members and the API
# key (read,send), the connection emulator with that session connected and the same groups and
# members there (its account the superadmin of each, so updateGroup may change announce/locked and
# the member and invite operations are allowed), publishing its events to the queue, and the local
# API itself, applying them. The sessions' pacing budgets are off (see below).
#
#   source tools/scripts/local-stack.sh      # with ROOT (the repository) and VENV_PY set
#   trap stop_local_stack EXIT               # stops everything started so far, also on failure
#   start_local_stack NAME OUT               # NAME: the run's name (table, JWT audience, secret)
#                                            # OUT:  folder for logs and the dev signer
#
# Afterwards: BIN (where cargo put the tools), LOCAL_STACK_API_KEY (the demo API key), and the
# exported GATEWAY_* and AWS_* variables of the running API (GATEWAY_LISTEN is its host:port;
# `"$BIN"/gatewayctl dev-token --org demo-org --role admin` mints login tokens it accepts).
# shellcheck shell=bash

# shellcheck source=tools/scripts/moto.sh
source "$(dirname "${BASH_SOURCE[0]}")/moto.sh"

LOCAL_STACK_PIDS=()

# shellcheck disable=SC2317  # called by the caller's trap
stop_local_stack() {
  for pid in "${LOCAL_STACK_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${LOCAL_STACK_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_moto
}

start_local_stack() {
  local name=$1 out=$2

  echo "building the local tools..."
  # --locked where CARGO_LOCKED says so (in CI; see the Makefile).
  cargo build ${CARGO_LOCKED:+"$CARGO_LOCKED"} --quiet --bin local-api --bin gatewayctl --bin connection-emulator
  # Where cargo put them (CARGO_TARGET_DIR moves the whole target folder).
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug"

  export RUST_LOG=${RUST_LOG:-warn}
  GATEWAY_TABLE="$name-$(date +%s)"
  export GATEWAY_TABLE
  GATEWAY_LISTEN="127.0.0.1:$(free_port)"
  export GATEWAY_LISTEN
  # Login tokens: the local API publishes a development key as the "frontend's" JWKS.
  export GATEWAY_DEV_SIGNER="$ROOT/$out/dev-signer.json"
  export GATEWAY_JWKS_URL="http://$GATEWAY_LISTEN/.well-known/jwks.json"
  export GATEWAY_JWT_ISSUER="http://$GATEWAY_LISTEN/dev"
  export GATEWAY_JWT_AUDIENCE="whatsapp-gateway-$name"
  export GATEWAY_CONNECTION_TOKEN="$name-$RANDOM$RANDOM"
  # No pacing budgets (0 turns one off): a run makes hundreds of creates and adds in a minute or
  # two, far over the default 20 creates an hour and 60 adds a minute, and a spent budget would
  # turn every later createGroup/addGroupMembers into a 429 that tests nothing else. The budgets
  # have tests of their own (tests/api/pacing.rs).
  export GATEWAY_PACE_CREATES_PER_HOUR=0
  export GATEWAY_PACE_ADDS_PER_MINUTE=0

  # shellcheck disable=SC2119  # start_moto picks a free port when given none
  MOTO_LOG="$out/moto.log" start_moto
  "$BIN"/gatewayctl create-table >/dev/null
  # The events queue (as tools/scripts/dev.sh): the emulator publishes to it, the local API's
  # ingest reads it, so stored data follows WhatsApp (syncGroups completes, changes made on
  # "WhatsApp" are stored). `create-queue` prints the queue's URL, then its DLQ's.
  GATEWAY_EVENTS_QUEUE_URL=$("$BIN"/gatewayctl dev create-queue --name "$GATEWAY_TABLE-events" | sed -n 1p)
  export GATEWAY_EVENTS_QUEUE_URL
  # The demo data: organization demo-org, session 'demo', three groups with their members, and
  # the demo API key.
  # shellcheck disable=SC2034  # read by the scripts that source this one
  LOCAL_STACK_API_KEY=$("$BIN"/gatewayctl dev seed)

  # WhatsApp as the stored data has it: session 'demo' connected, its groups there with the demo
  # members (tools/gatewayctl/src/demo.rs), its account the superadmin of each.
  EMULATOR_LISTEN=127.0.0.1:0 EMULATOR_SESSIONS="demo=6281234567890@s.whatsapp.net" \
    "$BIN"/connection-emulator >"$out/emulator.out" 2>"$out/emulator.log" &
  LOCAL_STACK_PIDS+=($!)
  for _ in $(seq 1 100); do
    grep -q '^connection-emulator listening on ' "$out/emulator.out" 2>/dev/null && break
    sleep 0.1
  done
  GATEWAY_CONNECTION_URL=$(sed -n 's/^connection-emulator listening on //p' "$out/emulator.out")
  if [ -z "$GATEWAY_CONNECTION_URL" ]; then
    echo "the connection emulator did not start; see $out/emulator.log" >&2
    return 1
  fi
  export GATEWAY_CONNECTION_URL
  "$VENV_PY" "$ROOT/tools/scripts/seed_emulator.py" "$GATEWAY_CONNECTION_URL"

  # Its logs (JSON lines on stdout, as on Lambda; e.g. an event it will apply on redelivery) and
  # its stderr go to the log file, not into the run's output.
  "$BIN"/local-api >"$out/local-api.log" 2>&1 &
  LOCAL_STACK_PIDS+=($!)
  wait_for "$GATEWAY_LISTEN"
  echo "local API on http://$GATEWAY_LISTEN (moto $AWS_ENDPOINT_URL_DYNAMODB, emulator $GATEWAY_CONNECTION_URL, events $GATEWAY_EVENTS_QUEUE_URL)"
}
