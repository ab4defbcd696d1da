# Sourced by dev.sh and test.sh: starts moto's server (DynamoDB and SQS) on a free loopback
# port and exports the variables the AWS SDK reads. `stop_moto` ends it.
# shellcheck shell=bash

free_port() {
  "$VENV_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_moto() {
  local port=${1:-$(free_port)}
  # Our launcher of moto serialises requests, as DynamoDB does per item (see moto_server.py).
  "$VENV_PY" "$(dirname "${BASH_SOURCE[0]}")/moto_server.py" 127.0.0.1 "$port" >"${MOTO_LOG:-/dev/null}" 2>&1 &
  MOTO_PID=$!
  export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$port"
  export AWS_ENDPOINT_URL_SQS="http://127.0.0.1:$port"
  # Dummy credentials and a region: without them the SDK looks for EC2 metadata and waits.
  export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
  export AWS_EC2_METADATA_DISABLED=true
  for _ in $(seq 1 100); do
    if "$VENV_PY" -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$MOTO_PID" 2>/dev/null; then
      echo "moto's server did not start" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "moto's server did not answer on port $port" >&2
  return 1
}

# Waits (bounded) until something accepts connections on HOST:PORT.
wait_for() {
  for _ in $(seq 1 100); do
    if "$VENV_PY" -c "import socket; h, p = '$1'.rsplit(':', 1); socket.create_connection((h, int(p)), 0.2)" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "nothing answers on $1" >&2
  return 1
}

stop_moto() {
  if [ -n "${MOTO_PID:-}" ]; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
}
