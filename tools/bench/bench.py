#!/usr/bin/env python3
"""`make bench`: cold starts, warm cost, request counts, memory and sizes of every function.

Each function's release binary (built by `cargo lambda build`) runs as a child process under a
minimal Lambda Runtime API (`/2018-06-01/runtime/invocation/next`, `/response`, `/error`)
served by this script, with moto's DynamoDB server behind a counting proxy, the connection
emulator, and a JWKS endpoint for login tokens. The floor is `bench-bare`, a lambda_http
function that does nothing, built in the same workspace with the same profile and measured in
the same run, interleaved with the others.

Peers of get-group, measured the same way in the same run (`--peers`): `node-get-group`, the
same getGroup in Node.js 20 as a user would deploy it (tools/bench/node: AWS SDK v3 + jose,
run by a JavaScript runtime loop, bootstrap.mjs, under this script's Runtime API), and
`bench-raw-floor`, one hand-signed GetItem over hyper and rustls without the SDK
(tools/bench/raw-floor): the least one authenticated read can cost. The report's `peers` and
`ratios` compare get-group with them. `--flame` profiles get-group's warm invocations with
`perf record` and draws a flame graph with inferno.

The ingest scenario (`--ingest N`, last in the run): one ingest-events process applies N
`group.snapshot` events of new groups (tools/bench/ingest_events.py makes them) delivered as SQS
batches, then the same messages again (stale), then a newer snapshot of each group with one
member changed: events/s, CPU per event, DynamoDB requests per event by operation, peak RSS
(the report's `ingest`).

Standard library only, plus `cryptography` (signs the login tokens). `tools/bench/run.sh`
builds, starts moto and the emulator, seeds the table and calls this script; see BENCHMARKS.md.

Measurement notes:
- Every socket this script serves sets TCP_NODELAY and sends each response in one write:
  otherwise Nagle's algorithm and delayed ACKs add up to 40 ms per round trip.
- "spawn" is the moment just before `posix_spawn`; init ends when the process's first
  `GET /invocation/next` arrives; the first invocation ends when its response has arrived.
- With two or more cores the function runs alone on the last one; everything else shares the
  first (run.sh pins moto and the emulator there).
- Wall time of a warm invocation: from handing the event to the function to having its whole
  response. CPU time: the process's own (all its threads, from /proc/<pid>/task/*/schedstat,
  in ns), read while the function waits in `GET /next`, so a window holds whole invocations.
"""

from __future__ import annotations

import argparse
import base64
import collections
import json
import os
import platform
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import traceback
import urllib.request
import uuid
from pathlib import Path

import datetime
import io
import ipaddress
import shutil
import zipfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

NS_PER_MS = 1_000_000
# (cores of everything else, core of the function under test), when there are two or more:
# then the function's caches are its own, as on Lambda, and its CPU figures steadier.
_CORES = sorted(os.sched_getaffinity(0))
PIN = ({_CORES[0]}, {_CORES[-1]}) if len(_CORES) >= 2 else None
ORG = "demo-org"
SESSION = "demo"
# The bench's own session for createGroup, so the groups it makes do not grow the partition
# that listGroups pages through.
CREATE_SESSION = "bench-create"
ACCOUNT = "6281234567890@s.whatsapp.net"
DEMO_KEY = "wgk_DemoKeyLocalOnly0DemoSecretForLocalRunsOnly0000007ukFz"
# A demo group (tools/gatewayctl/src/demo.rs) that the emulator is seeded with too.
UPDATE_GROUP = "120363021234567891@g.us"
# The second wave's functions run their sample event (events/<function>/<case>.<status>.json,
# against the demo data) over and over: each answers the same status every time (an add of
# someone already in the group reports them, a remove of someone gone is a 204, a sync requested
# while one runs shares it).
SAMPLE_EVENTS = {
    "list-group-members": "found.200.json",
    "get-group-sync": "last-sync.200.json",
    "sync-groups": "started.202.json",
    "add-group-members": "added.200.json",
    "remove-group-member": "not-a-participant.204.json",
    "promote-group-member": "already-admin.204.json",
    "demote-group-member": "plain-member.204.json",
    "get-group-invite": "found.200.json",
    "reset-group-invite": "reset.200.json",
}
GET_GROUP = "120363021234567890@g.us"
ISSUER = "http://127.0.0.1/bench"
AUDIENCE = "whatsapp-gateway-bench"
# The peers of get-group (targets like the functions, with these names).
NODE = "node-get-group"
RAW = "bench-raw-floor"
PEERS = {"node": NODE, "raw-floor": RAW}
# What Lambda's bootstrap for nodejs20.x passes to node at 256 MB: new space = memory / 10,
# semi space = new / 2, old space = memory - new space (MB).
NODE_FLAGS = ["--expose-gc", "--max-http-header-size", "81920",
              "--max-semi-space-size=12", "--max-old-space-size=231"]


# --------------------------------------------------------------------------------------------
# Minimal HTTP/1.1 over blocking sockets (keep-alive, Content-Length or chunked bodies)


class Closed(Exception):
    pass


def _read_head(reader) -> tuple[bytes, list[bytes]]:
    line = reader.readline(65537)
    while line in (b"\r\n", b"\n"):  # tolerate stray CRLF between messages
        line = reader.readline(65537)
    if not line:
        raise Closed()
    lines = [line]
    while True:
        h = reader.readline(65537)
        if not h:
            raise Closed()
        if h in (b"\r\n", b"\n"):
            break
        lines.append(h)
    return line, lines


def _headers(lines: list[bytes]) -> dict[str, str]:
    headers = {}
    for h in lines[1:]:
        name, _, value = h.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers


def _read_body(reader, headers: dict[str, str], until_close: bool) -> tuple[bytes, bytes]:
    """(body, raw bytes as received)."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body, raw = bytearray(), bytearray()
        while True:
            size_line = reader.readline(65537)
            raw += size_line
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while True:  # trailers
                    t = reader.readline(65537)
                    raw += t
                    if t in (b"\r\n", b"\n", b""):
                        break
                return bytes(body), bytes(raw)
            chunk = reader.read(size + 2)
            raw += chunk
            body += chunk[:size]
    if "content-length" in headers:
        body = reader.read(int(headers["content-length"]))
        return body, body
    if until_close:
        body = reader.read()
        return body, body
    return b"", b""


def read_request(reader):
    line, lines = _read_head(reader)
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers = _headers(lines)
    body, raw_body = _read_body(reader, headers, until_close=False)
    return method, target, headers, body, b"".join(lines) + b"\r\n" + raw_body


def read_response(reader, method: str):
    line, lines = _read_head(reader)
    parts = line.decode("latin-1").split(" ", 2)
    status = int(parts[1])
    headers = _headers(lines)
    no_body = method == "HEAD" or status in (204, 304) or 100 <= status < 200
    if no_body:
        body, raw_body = b"", b""
    else:
        framed = "content-length" in headers or "chunked" in headers.get("transfer-encoding", "")
        body, raw_body = _read_body(reader, headers, until_close=not framed)
    keep = parts[0] == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    if not no_body and "content-length" not in headers and "chunked" not in headers.get(
        "transfer-encoding", ""
    ):
        keep = False
    return status, headers, body, b"".join(lines) + b"\r\n" + raw_body, keep


def http_response(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    reason = {200: "OK", 202: "Accepted", 400: "Bad Request", 404: "Not Found"}.get(status, "X")
    head = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}"]
    for name, value in (headers or {}).items():
        head.append(f"{name}: {value}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def listener() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


def serve_forever(sock: socket.socket, handle_connection) -> None:
    def accept_loop():
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=handle_connection, args=(conn,), daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()


# --------------------------------------------------------------------------------------------
# DynamoDB: a counting proxy in front of moto


class DynamoProxy:
    """Forwards each request to moto on a kept-alive upstream connection and counts it by
    operation (`X-Amz-Target`). Also counts the TCP connections functions open."""

    def __init__(self, upstream: str, tls: ssl.SSLContext | None = None):
        m = re.match(r"https?://([^:/]+):(\d+)", upstream)
        if not m:
            raise SystemExit(f"upstream DynamoDB endpoint {upstream!r} is not http://host:port")
        self.upstream = (m.group(1), int(m.group(2)))
        self.lock = threading.Lock()
        self.ops: collections.Counter[str] = collections.Counter()
        self.connections = 0
        self.busy_ns = 0  # request fully read to response fully sent, summed
        self.tls = tls
        self.sock = listener()
        port = self.sock.getsockname()[1]
        # Over TLS by name, as on AWS: the SDK resolves it and checks the certificate for it.
        self.url = f"https://localhost:{port}" if tls else f"http://127.0.0.1:{port}"
        serve_forever(self.sock, self._connection)

    def snapshot(self) -> tuple[collections.Counter, int, int]:
        with self.lock:
            return collections.Counter(self.ops), self.connections, self.busy_ns

    def _connect(self):
        up = socket.create_connection(self.upstream)
        up.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return up, up.makefile("rb")

    def _connection(self, conn: socket.socket) -> None:
        with self.lock:
            self.connections += 1
        up = up_reader = None
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            reader = conn.makefile("rb")
            while True:
                method, _, headers, _, raw = read_request(reader)
                t0 = time.perf_counter_ns()
                op = headers.get("x-amz-target", "?").rpartition(".")[2]
                with self.lock:
                    self.ops[op] += 1
                for attempt in (1, 2):
                    if up is None:
                        up, up_reader = self._connect()
                    try:
                        up.sendall(raw)
                        _, _, _, raw_response, keep = read_response(up_reader, method)
                        break
                    except (Closed, OSError):
                        up.close()
                        up = up_reader = None
                        if attempt == 2:
                            raise
                conn.sendall(keep_alive(raw_response))
                with self.lock:
                    self.busy_ns += time.perf_counter_ns() - t0
                if not keep:
                    up.close()
                    up = up_reader = None
        except (Closed, OSError, ValueError, ssl.SSLError):
            pass
        finally:
            conn.close()
            if up is not None:
                up.close()


def keep_alive(raw_response: bytes) -> bytes:
    """moto's server (werkzeug) answers `Connection: close`: the function would open a new
    connection for every request, which DynamoDB never makes it do. The proxy keeps the
    function's connection open (and reconnects to moto itself)."""
    head, sep, body = raw_response.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    framed = any(l.lower().startswith((b"content-length:", b"transfer-encoding:")) for l in lines)
    if not framed:
        return raw_response
    kept = [l for l in lines if not l.lower().startswith(b"connection:")]
    return b"\r\n".join(kept) + sep + body


def make_tls(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A bench CA and a certificate for localhost signed by it, RSA 2048 like DynamoDB's.
    Returns the server's context and a trust bundle: the system's roots plus the bench CA,
    so a function parses as many roots as it would on Lambda (its SSL_CERT_FILE)."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gateway bench CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM)
    (directory / "leaf.pem").write_bytes(pem(leaf) + pem(ca))
    (directory / "leaf.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    system = Path(ssl.get_default_verify_paths().openssl_cafile or "")
    if not system.is_file():
        system = Path("/etc/ssl/certs/ca-certificates.crt")
    (directory / "ca.pem").write_bytes(pem(ca))  # NODE_EXTRA_CA_CERTS: Node keeps its own roots
    bundle = directory / "bundle.pem"
    bundle.write_bytes((system.read_bytes() if system.is_file() else b"") + pem(ca))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "leaf.pem", directory / "leaf.key")
    return context, bundle


# --------------------------------------------------------------------------------------------
# Login tokens: the bench's own Ed25519 key, its JWKS served over HTTP


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class LoginTokens:
    KID = "bench-ed25519"

    def __init__(self):
        self.key = Ed25519PrivateKey.generate()
        public = self.key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        jwks = {
            "keys": [
                {"kty": "OKP", "crv": "Ed25519", "x": b64url(public), "kid": self.KID,
                 "alg": "EdDSA", "use": "sig"}
            ]
        }
        self.jwks = json.dumps(jwks).encode()
        self.fetches = 0
        self.sock = listener()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/.well-known/jwks.json"
        self.header = b64url(json.dumps({"alg": "EdDSA", "typ": "JWT", "kid": self.KID}).encode())
        serve_forever(self.sock, self._connection)

    def mint(self, role: str = "admin") -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER, "aud": AUDIENCE, "sub": "bench-user", "iat": now, "nbf": now,
            "exp": now + 3600, "org_id": ORG, "role": role, "jti": uuid.uuid4().hex,
        }
        signing_input = f"{self.header}.{b64url(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode("ascii"))
        return f"{signing_input}.{b64url(signature)}"

    def _connection(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        try:
            while True:
                read_request(reader)
                self.fetches += 1
                conn.sendall(http_response(200, self.jwks, {"Content-Type": "application/json"}))
        except (Closed, OSError, ValueError):
            pass
        finally:
            conn.close()


# --------------------------------------------------------------------------------------------
# The Lambda Runtime API, one instance per function process


def cpu_ns(pid: int) -> tuple[int, frozenset]:
    """(CPU time of all the process's live threads in ns, their ids)."""
    total, tids = 0, []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
            tids.append(tid)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total, frozenset(tids)


def cpu_ticks_ns(pid: int) -> int:
    """utime + stime of the whole process (dead threads included), in ns, tick resolution."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def peak_rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class Probe:
    """What the driver reads while the function waits in GET /next."""

    def __init__(self, pid: int, dynamo: DynamoProxy, emulator_url: str | None):
        self.pid, self.dynamo, self.emulator_url = pid, dynamo, emulator_url

    def read(self) -> dict:
        cpu, tids = cpu_ns(self.pid)
        ops, conns, busy = self.dynamo.snapshot()
        return {
            "t": time.perf_counter_ns(), "cpu_ns": cpu, "tids": tids,
            "cpu_ticks_ns": cpu_ticks_ns(self.pid), "dynamo_ops": ops, "dynamo_conns": conns,
            "dynamo_busy_ns": busy,
            "connection_calls": connection_calls(self.emulator_url),
            "rss_kb": peak_rss_kb(self.pid),
        }


def connection_calls(emulator_url: str | None) -> int:
    if not emulator_url:
        return 0
    with urllib.request.urlopen(f"{emulator_url}/_emulator/calls", timeout=5) as r:
        return int(json.load(r)["total"])


class RuntimeApi:
    """Hands out the queued events one per `GET /next` and records each response.

    `probe_at` holds the numbers of `GET /next` requests (1 = the first, sent at the end of
    init) at which `probe()` is read before the event is handed out."""

    PREFIX = "/2018-06-01/runtime"

    def __init__(self, events: list[bytes], probe_at: set[int] | None = None):
        self.events = collections.deque(events)
        self.probe_at = probe_at or set()
        self.probe = None
        self.probes: dict[int, dict] = {}
        self.probe_error: Exception | None = None
        self.cond = threading.Condition()
        self.nexts = 0
        self.first_next_ns = None
        self.sent: dict[str, int] = {}
        self.done: list[tuple[int, int, bool, bytes]] = []  # (sent ns, done ns, ok, body)
        self.init_error = None
        self.init_cpu_of = None  # a pid: read its CPU time at the first GET /next
        self.init_cpu_ns = None
        self.after_first_cpu_ns = None
        self.closed = False
        self.sock = listener()
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        serve_forever(self.sock, self._connection)

    def close(self):
        with self.cond:
            self.closed = True
            self.cond.notify_all()
        self.sock.close()

    def wait(self, responses: int, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        with self.cond:
            while len(self.done) < responses and self.init_error is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.done)} of {responses} responses")
                self.cond.wait(left)
        if self.init_error is not None:
            raise RuntimeError(f"init error: {self.init_error!r}")

    def _next(self, conn: socket.socket) -> bool:
        now = time.perf_counter_ns()
        with self.cond:
            self.nexts += 1
            n = self.nexts
            if self.first_next_ns is None:
                self.first_next_ns = now
                self.cond.notify_all()
        if n in self.probe_at and self.probe is not None:
            try:
                self.probes[n] = self.probe.read()
            except Exception as error:  # noqa: BLE001 - reported by the run that asked
                self.probe_error = error
        elif n == 1 and self.init_cpu_of is not None:
            self.init_cpu_ns = cpu_ns(self.init_cpu_of)[0]
        elif n == 2 and self.init_cpu_of is not None:
            self.after_first_cpu_ns = cpu_ns(self.init_cpu_of)[0]
        with self.cond:
            while not self.events and not self.closed:
                self.cond.wait()
            if self.closed:
                return False
            event = self.events.popleft()
        request_id = str(uuid.uuid4())
        deadline_ms = int(time.time() * 1000) + 10_000
        response = http_response(200, event, {
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn":
                "arn:aws:lambda:us-east-1:123456789012:function:bench",
            "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
        })
        self.sent[request_id] = time.perf_counter_ns()
        conn.sendall(response)
        return True

    def _finished(self, request_id: str, ok: bool, body: bytes) -> None:
        now = time.perf_counter_ns()
        with self.cond:
            self.done.append((self.sent.pop(request_id, now), now, ok, body))
            self.cond.notify_all()

    def _connection(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        try:
            while True:
                method, target, _, body, _ = read_request(reader)
                path = target.split("?")[0]
                if method == "GET" and path == f"{self.PREFIX}/invocation/next":
                    if not self._next(conn):
                        return
                    continue
                m = re.fullmatch(rf"{self.PREFIX}/invocation/([^/]+)/(response|error)", path)
                if method == "POST" and m:
                    self._finished(m.group(1), m.group(2) == "response", body)
                    conn.sendall(http_response(202, b'{"status":"OK"}',
                                               {"Content-Type": "application/json"}))
                elif method == "POST" and path == f"{self.PREFIX}/init/error":
                    with self.cond:
                        self.init_error = body
                        self.cond.notify_all()
                    conn.sendall(http_response(202, b'{"status":"OK"}'))
                else:
                    conn.sendall(http_response(404, b"{}"))
        except (Closed, OSError, ValueError):
            pass
        finally:
            conn.close()


# --------------------------------------------------------------------------------------------
# Events


class Events:
    """API Gateway HTTP API (payload 2.0) events for each function, from events/*/."""

    def __init__(self, repo: Path, tokens: LoginTokens):
        self.tokens = tokens
        self.get_group = json.loads((repo / "events/get-group/found.200.json").read_text())
        self.list_groups = json.loads((repo / "events/list-groups/first-page.200.json").read_text())
        self.samples = {name: json.loads((repo / "events" / name / file).read_text())
                        for name, file in SAMPLE_EVENTS.items()}
        self.counter = 0

    def _event(self, name: str) -> dict:
        self.counter += 1
        i = self.counter
        if name == "list-groups":
            return json.loads(json.dumps(self.list_groups))
        if name in ("get-group", "bench-bare", NODE, RAW):
            return json.loads(json.dumps(self.get_group))
        event = json.loads(json.dumps(self.get_group))
        if name == "create-group":
            path = f"/api/v1/sessions/{CREATE_SESSION}/groups"
            body = {"name": f"Bench group {i}", "participants": [f"62811{i:07d}@s.whatsapp.net"]}
            method, route = "POST", "POST /api/v1/sessions/{session}/groups"
            params = {"session": CREATE_SESSION}
        elif name == "update-group":
            path = f"/api/v1/sessions/{SESSION}/groups/{UPDATE_GROUP}"
            body = {"subject": f"Support Rota {i}"}
            method, route = "PATCH", "PATCH /api/v1/sessions/{session}/groups/{gid}"
            params = {"session": SESSION, "gid": UPDATE_GROUP}
        elif name in SAMPLE_EVENTS:
            return json.loads(json.dumps(self.samples[name]))
        else:
            raise SystemExit(f"no event for function {name}")
        event.update(routeKey=route, rawPath=path, pathParameters=params, body=json.dumps(body))
        event["requestContext"].update(routeKey=route)
        event["requestContext"]["http"].update(method=method, path=path)
        event["headers"]["content-type"] = "application/json"
        return event

    def make(self, name: str, auth: str) -> bytes:
        event = self._event(name)
        if auth == "jwt":
            event["headers"]["authorization"] = f"Bearer {self.tokens.mint()}"
        else:
            event["headers"]["authorization"] = f"Bearer {DEMO_KEY}"
        event["requestContext"]["requestId"] = uuid.uuid4().hex[:16]
        return json.dumps(event).encode()


# --------------------------------------------------------------------------------------------
# Runs


class Child:
    def __init__(self, pid: int):
        self.pid = pid

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)


def base(target: str) -> str:
    """The binary of a target: `get-group@lazy` is get-group run with the variant's settings."""
    return target.partition("@")[0]


def expected_status(name: str) -> int:
    if name in SAMPLE_EVENTS:
        return int(SAMPLE_EVENTS[name].split(".")[-2])
    return {"create-group": 201, "update-group": 204}.get(name, 200)


def check_response(name: str, body: bytes) -> None:
    status = json.loads(body).get("statusCode")
    if status != expected_status(name):
        raise RuntimeError(f"{name}: status {status}, expected {expected_status(name)}: {body[:300]!r}")


class Bench:
    def __init__(self, args):
        self.args = args
        self.repo = Path(args.repo).resolve()
        self.dynamo = DynamoProxy(os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
        self.extra_env: dict[str, str] = {}
        self.extra_env_node: dict[str, str] = {}
        self.node_dir = Path(args.node_dir).resolve()
        self.tokens = LoginTokens()
        self.events = Events(self.repo, self.tokens)
        self.emulator_url = args.emulator_url
        self.logs = Path(args.out).parent / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    def env(self, target: str, runtime_api: str) -> dict[str, str]:
        name = base(target)
        env = {
            "PATH": "/usr/bin:/bin",
            "AWS_LAMBDA_RUNTIME_API": runtime_api,
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynamo.url,
            "GATEWAY_TABLE": os.environ["GATEWAY_TABLE"],
            "GATEWAY_JWKS_URL": self.tokens.url,
            "GATEWAY_JWT_ISSUER": ISSUER,
            "GATEWAY_JWT_AUDIENCE": AUDIENCE,
            "RUST_LOG": "info",
            # The per-session budgets stay on (their counter rides on the gate's write, as in
            # production) but far above what a run sends.
            "GATEWAY_PACE_CREATES_PER_HOUR": "1000000",
            "GATEWAY_PACE_ADDS_PER_MINUTE": "1000000",
        }
        if self.emulator_url:
            env["GATEWAY_CONNECTION_URL"] = self.emulator_url
            env["GATEWAY_CONNECTION_TOKEN"] = os.environ["GATEWAY_CONNECTION_TOKEN"]
        env.update(self.extra_env)
        if name == NODE:
            # What Lambda's Node.js runtime has in its environment, and where the code is.
            env.update({"AWS_EXECUTION_ENV": "AWS_Lambda_nodejs20.x", "_HANDLER": "index.handler",
                        "LAMBDA_TASK_ROOT": str(self.node_dir), "LAMBDA_RUNTIME_DIR": str(self.node_dir)})
            env.update(self.extra_env_node)
        variant = target.partition("@")[2]
        for passed in self.args.env + (self.args.variants[variant] if variant else []):
            key, _, value = passed.partition("=")
            env[key] = value
        return env

    def spawn(self, name: str, api: RuntimeApi, bin_dir: str | None = None) -> tuple["Child", int]:
        """posix_spawn (vfork and exec): 0.1 ms here, where subprocess.Popen takes 2-4 ms
        and varies with the state of this process, which would blur the floor."""
        env = self.env(name, api.address)
        # A variant may name another build: BENCH_BIN_DIR=... among its settings.
        binary = str(Path(env.pop("BENCH_BIN_DIR", bin_dir or self.args.bin_dir)) / base(name))
        argv = [binary]
        if base(name) == NODE:
            # As Lambda's bootstrap starts its runtime: node, its flags, the runtime loop.
            binary = self.args.node
            argv = [binary, *NODE_FLAGS, str(self.node_dir / "bootstrap.mjs")]
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, str(self.logs / f"{name}.log"),
             os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ]
        if PIN:
            # The function gets a core of its own (it inherits this thread's affinity);
            # this script, moto and the emulator share the other one.
            os.sched_setaffinity(0, PIN[1])
        t0 = time.perf_counter_ns()
        try:
            pid = os.posix_spawn(binary, argv, env, file_actions=actions)
        finally:
            if PIN:
                os.sched_setaffinity(0, PIN[0])
        return Child(pid), t0

    @staticmethod
    def stop(proc: "Child", api: RuntimeApi) -> None:
        proc.kill()
        api.close()

    def cold(self, name: str) -> dict:
        api = RuntimeApi([self.events.make(base(name), "api_key")])
        before, _, busy_before = self.dynamo.snapshot()
        calls_before = connection_calls(self.emulator_url)
        proc, t0 = self.spawn(name, api)
        api.init_cpu_of = proc.pid
        try:
            api.wait(1, timeout_s=30)
            # The next GET /next ends the first invocation's CPU time.
            deadline = time.monotonic() + 2
            while api.after_first_cpu_ns is None and time.monotonic() < deadline:
                time.sleep(0.0005)
        finally:
            self.stop(proc, api)
        sent, done, ok, body = api.done[0]
        if not ok:
            raise RuntimeError(f"{name}: first invocation failed: {body[:300]!r}")
        if name != "bench-bare":
            check_response(base(name), body)
        after, _, busy_after = self.dynamo.snapshot()
        ops = after - before
        return {
            "init_ns": api.first_next_ns - t0,
            "first_ns": done - t0,
            "init_cpu_ns": api.init_cpu_ns,
            "first_cpu_ns": (api.after_first_cpu_ns - api.init_cpu_ns
                             if api.after_first_cpu_ns is not None and api.init_cpu_ns is not None
                             else None),
            "dynamo": sum(ops.values()),
            "dynamo_busy_ns": busy_after - busy_before,
            "connection_calls": connection_calls(self.emulator_url) - calls_before,
        }

    def warm(self, name: str, auth: str, n: int | None = None) -> dict:
        warmup, n = self.args.warmup, n or self.args.warm
        events = [self.events.make(base(name), auth) for _ in range(warmup + n)]
        first, last = warmup + 1, warmup + n + 1  # the GET /next before and after the window
        api = RuntimeApi(events, probe_at={first, last})
        proc, _ = self.spawn(name, api)
        api.probe = Probe(proc.pid, self.dynamo, self.emulator_url)
        try:
            api.wait(warmup + n, timeout_s=600)
            # the GET /next that follows the last response closes the window
            deadline = time.monotonic() + 10
            while last not in api.probes and time.monotonic() < deadline:
                time.sleep(0.001)
            if first not in api.probes or last not in api.probes:
                raise RuntimeError(f"{name}/{auth}: no reading at GET /next {first} or {last} "
                                   f"({api.probe_error!r})")
            a, b = api.probes[first], api.probes[last]
            rss_kb = peak_rss_kb(proc.pid)
        finally:
            self.stop(proc, api)
        if name != "bench-bare":
            for _, _, ok, body in api.done[: 3] + api.done[-3:]:
                check_response(base(name), body)
        failed = sum(1 for _, _, ok, _ in api.done if not ok)
        if failed:
            raise RuntimeError(f"{name}/{auth}: {failed} failed invocations")
        walls = sorted((d - s) / NS_PER_MS for s, d, _, _ in api.done[warmup:])
        if a["tids"] == b["tids"]:
            cpu = b["cpu_ns"] - a["cpu_ns"]
            cpu_source = "schedstat"
        else:  # a thread came or went: fall back to the tick-resolution total
            cpu = b["cpu_ticks_ns"] - a["cpu_ticks_ns"]
            cpu_source = "stat"
        ops = b["dynamo_ops"] - a["dynamo_ops"]
        return summarise_warm([{
            "walls": walls, "cpu_ns": cpu, "cpu_source": cpu_source, "threads": len(b["tids"]),
            "ops": ops, "conns": b["dynamo_conns"] - a["dynamo_conns"],
            "busy_ns": b["dynamo_busy_ns"] - a["dynamo_busy_ns"],
            "calls": b["connection_calls"] - a["connection_calls"], "rss_kb": rss_kb, "n": n,
        }])

    def warm_rounds(self, runs: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        """The warm runs (target, credential), interleaved: `--warm-rounds` rounds, each a fresh
        process per run (its own warm-up, then `--warm` / rounds measured invocations), run after
        run, summed per run. The load that other work puts on this machine drifts over
        minutes; interleaved, every target sees the same drift, and ratios between targets of
        one run hold (one window per target moved them by 30-70 % here: the raw floor measured
        242 and 191 us in two windows of the same run for the same work)."""
        rounds = max(1, self.args.warm_rounds)
        sizes = [self.args.warm // rounds + (1 if i < self.args.warm % rounds else 0)
                 for i in range(rounds)]
        parts: dict[tuple[str, str], list] = {run: [] for run in runs}
        for size in sizes:
            for t, auth in runs:
                parts[(t, auth)] += self.warm(t, auth, n=size)["raw"]
        return {run: summarise_warm(parts[run]) for run in runs}


def summarise_warm(parts: list[dict]) -> dict:
    """One warm figure from the measured windows of one or more processes."""
    n = sum(p["n"] for p in parts)
    walls = sorted(w for p in parts for w in p["walls"])
    ops: collections.Counter[str] = collections.Counter()
    for p in parts:
        ops.update(p["ops"])
    sources = {p["cpu_source"] for p in parts}
    return {
        "warm_ms": {"p50": pct(walls, 50), "p99": pct(walls, 99), "mean": sum(walls) / len(walls)},
        "cpu_us_per_invocation": sum(p["cpu_ns"] for p in parts) / n / 1000,
        "cpu_us_by_process": [p["cpu_ns"] / p["n"] / 1000 for p in parts],
        "cpu_source": sources.pop() if len(sources) == 1 else "schedstat+stat",
        "threads": max(p["threads"] for p in parts),
        "dynamodb_requests_per_invocation": sum(ops.values()) / n,
        "dynamodb_by_operation": {op: c / n for op, c in sorted(ops.items())},
        "dynamodb_connections_opened": sum(p["conns"] for p in parts),
        "dynamodb_ms_per_invocation": sum(p["busy_ns"] for p in parts) / n / NS_PER_MS,
        "connection_calls_per_invocation": sum(p["calls"] for p in parts) / n,
        "peak_rss_kb": max(p["rss_kb"] for p in parts),
        "invocations": n,
        "processes": len(parts),
        "raw": parts,
    }


def tls_pass(args, bench: Bench, targets_: list[str]) -> dict:
    """Cold starts with DynamoDB behind TLS, as on AWS: what the first request costs when it
    also loads the trust roots, resolves a name and does the handshake."""
    context, bundle = make_tls(Path(args.out).parent / "tls")
    bench.dynamo = DynamoProxy(os.environ["AWS_ENDPOINT_URL_DYNAMODB"], tls=context)
    bench.extra_env = {"SSL_CERT_FILE": str(bundle)}
    # Node.js keeps its own (Mozilla) roots and reads extra ones from this file, as a function
    # on Lambda's Node.js runtime would be given a private CA.
    bench.extra_env_node = {"NODE_EXTRA_CA_CERTS": str(bundle.parent / "ca.pem")}
    colds: dict[str, list] = {t: [] for t in targets_}
    print(f"DynamoDB over TLS: {args.tls_cold} cold starts per function", file=sys.stderr)
    for t in targets_:
        bench.cold(t)
    for _ in range(args.tls_cold):
        for t in targets_:
            colds[t].append(bench.cold(t))
    out = {"note": "SSL_CERT_FILE = the system's roots + the bench CA; DynamoDB at https://localhost"}
    for t in sorted(targets_, key=lambda t: base(t) == "create-group"):
        w = bench.warm(t, "api_key", n=args.tls_warm)
        inits = sorted(x["init_ns"] / NS_PER_MS for x in colds[t])
        firsts = sorted(x["first_ns"] / NS_PER_MS for x in colds[t])
        first_ddb = sorted(x["dynamo_busy_ns"] / NS_PER_MS for x in colds[t])
        init_cpu = sorted(x["init_cpu_ns"] / NS_PER_MS for x in colds[t] if x["init_cpu_ns"] is not None)
        first_cpu = sorted(x["first_cpu_ns"] / NS_PER_MS for x in colds[t] if x["first_cpu_ns"] is not None)
        extra = pct(firsts, 50) - pct(inits, 50) - w["warm_ms"]["p50"]
        ddb_extra = pct(first_ddb, 50) - w["dynamodb_ms_per_invocation"]
        out[t] = {
            "init_ms": {"p50": r(pct(inits, 50), 3), "p90": r(pct(inits, 90), 3)},
            "init_cpu_ms": {"p50": r(pct(init_cpu, 50), 3)},
            "first_invocation_cpu_ms": {"p50": r(pct(first_cpu, 50), 3)},
            "first_invocation_ms": {"p50": r(pct(firsts, 50), 3)},
            "first_invocation_extra_ms": r(extra, 3),
            "first_invocation_extra_breakdown_ms": {"dynamodb": r(ddb_extra, 3),
                                                    "other": r(extra - ddb_extra, 3)},
            "warm_ms": {"p50": r(w["warm_ms"]["p50"], 3), "p99": r(w["warm_ms"]["p99"], 3)},
            "cpu_us_per_invocation": r(w["cpu_us_per_invocation"], 1),
            "dynamodb_connections_opened_warm": w["dynamodb_connections_opened"],
        }
    tls_ratios = ratios({}, out)
    if tls_ratios:
        out["ratios"] = tls_ratios
    return out


def pct(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, -(-len(sorted_values) * p // 100) - 1))
    return sorted_values[int(k)]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} vCPU, {mem_gb:.0f} GiB, Linux {platform.release()}, "
            f"{platform.machine()}; {rustc}; Python {platform.python_version()}")


def zip_size(directory: str, name: str) -> int | None:
    path = Path(directory) / name / "bootstrap.zip"
    return path.stat().st_size if path.exists() else None


def r(x, digits=2):
    return None if x is None else round(x, digits)


def summarise(args, bench: Bench, colds: dict, warms: dict) -> dict:
    report = {"machine": machine(), "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "settings": {"cold_starts": args.cold, "warm_invocations": args.warm,
                           "warmup_invocations": args.warmup,
                           "warm_rounds": args.warm_rounds,
                           "memory_size_setting_mb": 256,
                           "dynamodb": "moto server behind a counting proxy, http on loopback",
                           "runtime_api": "tools/bench/bench.py (Python, TCP_NODELAY, one write per response)",
                           "function_core": sorted(PIN[1]) if PIN else "shared",
                           "spawn": "posix_spawn"}}

    def entry(name: str) -> dict:
        c = colds[name]
        inits = sorted(x["init_ns"] / NS_PER_MS for x in c)
        firsts = sorted(x["first_ns"] / NS_PER_MS for x in c)
        w = warms[name]
        init_cpu = sorted(x["init_cpu_ns"] / NS_PER_MS for x in c if x["init_cpu_ns"] is not None)
        first_cpu = sorted(x["first_cpu_ns"] / NS_PER_MS for x in c if x["first_cpu_ns"] is not None)
        first_ddb = sorted(x["dynamo_busy_ns"] / NS_PER_MS for x in c)
        extra = pct(firsts, 50) - pct(inits, 50) - w["api_key"]["warm_ms"]["p50"]
        ddb_extra = pct(first_ddb, 50) - w["api_key"]["dynamodb_ms_per_invocation"]
        e = {
            "init_ms": {"p50": r(pct(inits, 50), 3), "p90": r(pct(inits, 90), 3)},
            "first_invocation_ms": {"p50": r(pct(firsts, 50), 3), "p90": r(pct(firsts, 90), 3)},
            "first_invocation_extra_ms": r(extra, 3),
            "init_cpu_ms": {"p50": r(pct(init_cpu, 50), 3)},
            "first_invocation_cpu_ms": {"p50": r(pct(first_cpu, 50), 3)},
            # The first invocation's extra, split: more time waiting for DynamoDB (on the API
            # key path the key's record is not cached yet: one more read) and everything else.
            "first_invocation_extra_breakdown_ms": {
                "dynamodb": r(ddb_extra, 3),
                "other": r(extra - ddb_extra, 3),
            },
            "warm_ms": {"p50": r(w["api_key"]["warm_ms"]["p50"], 3), "p99": r(w["api_key"]["warm_ms"]["p99"], 3)},
            "cpu_us_per_invocation": r(w["api_key"]["cpu_us_per_invocation"], 1),
            "by_auth": {
                auth: {
                    "warm_ms": {"p50": r(v["warm_ms"]["p50"], 3), "p99": r(v["warm_ms"]["p99"], 3)},
                    "cpu_us_per_invocation": r(v["cpu_us_per_invocation"], 1),
                    # each process's figure: the spread of the machine while measuring
                    "cpu_us_by_process": [r(x, 1) for x in v["cpu_us_by_process"]],
                    "cpu_source": v["cpu_source"],
                    "dynamodb_requests_per_invocation": r(v["dynamodb_requests_per_invocation"], 3),
                    "dynamodb_by_operation": {k: r(x, 3) for k, x in v["dynamodb_by_operation"].items()},
                    "dynamodb_ms_per_invocation": r(v["dynamodb_ms_per_invocation"], 3),
                    "connection_calls_per_invocation": r(v["connection_calls_per_invocation"], 3),
                    "peak_rss_mb": r(v["peak_rss_kb"] / 1024, 1),
                    "threads": v["threads"],
                }
                for auth, v in w.items()
            },
            "dynamodb_requests_per_invocation": r(w["api_key"]["dynamodb_requests_per_invocation"], 3),
            "dynamodb_requests_first_invocation": max(x["dynamo"] for x in c),
            "connection_calls_per_invocation": r(w["api_key"]["connection_calls_per_invocation"], 3),
            "peak_rss_mb": r(max(v["peak_rss_kb"] for v in w.values()) / 1024, 1),
        }
        if base(name) == NODE:
            # No binary: the deployment package is the handler and its node_modules (the
            # same for both architectures; pure JavaScript).
            unzipped, zipped = node_package_bytes(Path(args.node_dir))
            e.update({"binary_bytes_x86_64": None, "binary_bytes_arm64": None,
                      "zip_bytes_arm64": zipped, "zip_bytes_x86_64": zipped,
                      "package_bytes_unzipped": unzipped})
            return e
        e["binary_bytes_x86_64"] = (Path(args.bin_dir) / base(name)).stat().st_size
        e["zip_bytes_arm64"] = zip_size(args.zip_dir_arm64, base(name))
        e["zip_bytes_x86_64"] = zip_size(args.zip_dir_x86_64, base(name))
        arm_binary = Path(args.bin_dir_arm64) / base(name)
        e["binary_bytes_arm64"] = arm_binary.stat().st_size if arm_binary.exists() else None
        return e

    def with_bare_ratios(e: dict) -> dict:
        e["init_ratio_to_bare"] = r(e["init_ms"]["p50"] / bare["init_ms"]["p50"], 2)
        e["cpu_ratio_to_bare"] = r(e["cpu_us_per_invocation"] / bare["cpu_us_per_invocation"], 2)
        for auth, v in e["by_auth"].items():
            v["cpu_ratio_to_bare"] = r(v["cpu_us_per_invocation"] / bare["by_auth"][auth]["cpu_us_per_invocation"], 2)
        return e

    report["bare"] = entry("bench-bare")
    bare = report["bare"]
    report["functions"] = {}
    for name in args.functions:
        report["functions"][name] = with_bare_ratios(entry(name))
    if args.peer_targets:
        report["peers"] = {key.replace("-", "_"): with_bare_ratios(entry(t))
                           for key, t in PEERS.items() if t in args.peer_targets}
        report["ratios"] = ratios(report)
    report["targets"] = targets(report)
    return report


def node_package_bytes(directory: Path) -> tuple[int, int]:
    """(bytes unzipped, bytes as a deflated zip) of what a user uploads: the handler and its
    node_modules as `npm ci` installs them (the SDK bundled, not the runtime's copy)."""
    files = [directory / "index.mjs", directory / "package.json"]
    files += sorted(p for p in (directory / "node_modules").rglob("*") if p.is_file())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            z.write(f, f.relative_to(directory))
    return sum(f.stat().st_size for f in files), buffer.getbuffer().nbytes


PROJECT = "get-group"


def ratios(report: dict, section: dict | None = None) -> dict:
    """get-group against its peers, from one run. `section`: the TLS pass's figures instead."""
    if section is None:
        ours = report["functions"].get(PROJECT)
        peers = report.get("peers", {})
        node, raw = peers.get("node"), peers.get("raw_floor")
    else:
        ours, node, raw = section.get(PROJECT), section.get(NODE), section.get(RAW)
    if not isinstance(ours, dict):
        return {}
    q = lambda a, b: r(a / b, 2) if a is not None and b else None
    out = {}
    if isinstance(node, dict):
        out["node_over_project_init"] = q(node["init_ms"]["p50"], ours["init_ms"]["p50"])
        out["node_over_project_first"] = q(node["first_invocation_ms"]["p50"], ours["first_invocation_ms"]["p50"])
        out["node_over_project_first_cpu"] = q(node["first_invocation_cpu_ms"]["p50"],
                                               ours["first_invocation_cpu_ms"]["p50"])
        out["node_over_project_warm_p50"] = q(node["warm_ms"]["p50"], ours["warm_ms"]["p50"])
        out["node_over_project_cpu"] = q(node["cpu_us_per_invocation"], ours["cpu_us_per_invocation"])
        if section is None:
            out["node_over_project_cpu_jwt"] = q(node["by_auth"]["jwt"]["cpu_us_per_invocation"],
                                                 ours["by_auth"]["jwt"]["cpu_us_per_invocation"])
            out["node_over_project_rss"] = q(node["peak_rss_mb"], ours["peak_rss_mb"])
    if isinstance(raw, dict):
        out["project_over_raw_cpu"] = q(ours["cpu_us_per_invocation"], raw["cpu_us_per_invocation"])
        if section is None:
            # The raw floor verifies no token: this one includes get-group's EdDSA verification.
            out["project_over_raw_cpu_jwt"] = q(ours["by_auth"]["jwt"]["cpu_us_per_invocation"],
                                                raw["by_auth"]["jwt"]["cpu_us_per_invocation"])
        out["project_over_raw_init"] = q(ours["init_ms"]["p50"], raw["init_ms"]["p50"])
        out["project_over_raw_first"] = q(ours["first_invocation_ms"]["p50"], raw["first_invocation_ms"]["p50"])
    return out


# (ratio, what, limit, at least (else at most)): get-group against its peers.
PEER_TARGETS = [
    ("node_over_project_first", "first invocation: Node.js / get-group", 20, True),
    ("node_over_project_cpu", "warm CPU (api_key): Node.js / get-group", 8, True),
    ("node_over_project_cpu_jwt", "warm CPU (jwt): Node.js / get-group", 8, True),
    ("node_over_project_rss", "peak RSS: Node.js / get-group", 8, True),
    ("project_over_raw_cpu", "warm CPU (api_key): get-group / raw floor", 1.5, False),
]


# DynamoDB requests per warm invocation (API key and session owner cached), at most: the
# budgets tests/api/budgets.rs holds, production's pacing on.
BUDGETS = {
    "get-group": 1, "list-groups": 1, "get-group-sync": 1, "list-group-members": 2,
    "update-group": 2, "create-group": 2, "add-group-members": 4, "sync-groups": 1,
    "promote-group-member": 3, "demote-group-member": 3, "remove-group-member": 3,
    "get-group-invite": 1, "reset-group-invite": 1,
}


def targets(report: dict) -> list[dict]:
    out = []
    for name, e in report["functions"].items():
        def check(what, value, limit, unit=""):
            out.append({"function": name, "target": what, "value": value, "limit": limit,
                        "unit": unit, "met": value is not None and value <= limit})
        check("init / bare init", e["init_ratio_to_bare"], 1.5, "x")
        check("first_invocation_extra_ms", e["first_invocation_extra_ms"], 2.0, "ms")
        for auth, v in e["by_auth"].items():
            check(f"warm CPU / bare ({auth})", v["cpu_ratio_to_bare"], 2.0, "x")
        check("peak RSS", e["peak_rss_mb"], 32, "MB")
        if e["zip_bytes_arm64"] is not None:
            check("arm64 zip", r(e["zip_bytes_arm64"] / 2**20, 2), 4.0, "MiB")
        if base(name) in BUDGETS:
            check("DynamoDB requests per invocation (warm, auth cached)",
                  e["dynamodb_requests_per_invocation"], BUDGETS[base(name)])
    for key, what, limit, at_least in PEER_TARGETS:
        value = report.get("ratios", {}).get(key)
        if value is None:
            continue
        out.append({"function": PROJECT, "target": what, "value": value, "limit": limit,
                    "unit": "x", "at_least": at_least,
                    "met": value >= limit if at_least else value <= limit})
    return out


def table(report: dict) -> str:
    rows = [("bench-bare (floor)", report["bare"])] + list(report["functions"].items())
    peer_names = {"node": f"{NODE} (peer)", "raw_floor": f"{RAW} (peer)"}
    rows += [(peer_names[k], e) for k, e in report.get("peers", {}).items()]
    head = ["function", "init p50/p90 ms", "x bare", "1st inv p50", "extra ms", "CPU init/1st ms",
            "key warm p50/p99 ms", "key CPU us", "x bare", "jwt warm p50/p99 ms", "jwt CPU us",
            "x bare", "DDB/inv", "conn/inv", "RSS MB", "zip arm64 KiB", "zip x86 KiB"]
    lines = []
    for name, e in rows:
        k, j = e["by_auth"]["api_key"], e["by_auth"]["jwt"]
        lines.append([
            name,
            f"{e['init_ms']['p50']:.2f}/{e['init_ms']['p90']:.2f}",
            f"{e.get('init_ratio_to_bare', 1.0):.2f}",
            f"{e['first_invocation_ms']['p50']:.2f}",
            f"{e['first_invocation_extra_ms']:.2f}",
            f"{e['init_cpu_ms']['p50']:.1f}/{e['first_invocation_cpu_ms']['p50']:.1f}",
            f"{k['warm_ms']['p50']:.2f}/{k['warm_ms']['p99']:.2f}",
            f"{k['cpu_us_per_invocation']:.0f}",
            f"{k.get('cpu_ratio_to_bare', 1.0):.2f}",
            f"{j['warm_ms']['p50']:.2f}/{j['warm_ms']['p99']:.2f}",
            f"{j['cpu_us_per_invocation']:.0f}",
            f"{j.get('cpu_ratio_to_bare', 1.0):.2f}",
            f"{e['dynamodb_requests_per_invocation']:g}",
            f"{e['connection_calls_per_invocation']:g}",
            f"{e['peak_rss_mb']:.1f}",
            "-" if e["zip_bytes_arm64"] is None else f"{e['zip_bytes_arm64'] / 1024:.0f}",
            "-" if e["zip_bytes_x86_64"] is None else f"{e['zip_bytes_x86_64'] / 1024:.0f}",
        ])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
    fmt = lambda row: "| " + " | ".join(str(x).ljust(w) for x, w in zip(row, widths)) + " |"
    out = [fmt(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [fmt(row) for row in lines]
    tls = report.get("dynamodb_over_tls")
    if tls:
        out.append("")
        out.append("DynamoDB over TLS (cold starts): function: init p50 (CPU) | first invocation p50 (its CPU) | extra (of which waiting for DynamoDB)")
        for name, e in tls.items():
            if not isinstance(e, dict) or "init_ms" not in e:
                continue
            b = e["first_invocation_extra_breakdown_ms"]
            out.append(f"  {name:<13} {e['init_ms']['p50']:.2f} ms ({e['init_cpu_ms']['p50']:.2f}) | "
                       f"{e['first_invocation_ms']['p50']:.2f} ms ({e['first_invocation_cpu_ms']['p50']:.2f}) | "
                       f"{e['first_invocation_extra_ms']:.2f} ms ({b['dynamodb']:.2f} ms)")
    if report.get("ratios"):
        out.append("")
        out.append(peer_table(report))
    out.append("")
    for t in report["targets"]:
        mark = "met " if t["met"] else "MISS"
        bound = "at least" if t.get("at_least") else "limit"
        out.append(f"{mark}  {t['function']:<13} {t['target']:<52} {t['value']}{t['unit']} ({bound} {t['limit']}{t['unit']})")
    if report.get("flame"):
        f = report["flame"]
        out.append("")
        out.append(f"flame graph: {f.get('svg') or f.get('error')}")
        if "categories" in f:
            out.append(f"  sampled CPU {f['sampled_cpu_ms']} ms, in the kernel {f['kernel_percent']} %; "
                       f"CPU while profiled {f['cpu_us_per_invocation_while_profiled']} us/inv")
        for c in f.get("categories", []):
            out.append(f"  {c['percent']:5.1f} %  {c['category']}: {c['what']}")
        out.append("  top frames by self time:")
        for frame in f.get("top_self", [])[:10]:
            out.append(f"  {frame['percent']:5.1f} %  {frame['frame'][:150]}")
    return "\n".join(out)


def peer_table(report: dict) -> str:
    """get-group beside its peers: the figures the targets compare, and the ratios."""
    ours = report["functions"].get(PROJECT)
    peers = report.get("peers", {})
    rows = [(PROJECT, ours)] + [(PEERS.get(k.replace("_", "-"), k), e) for k, e in peers.items()]
    head = ["getGroup", "init p50 ms", "1st inv p50 ms", "CPU init/1st ms", "warm p50/p99 ms (key)",
            "CPU us (key)", "CPU us (jwt)", "DDB/inv", "RSS MB"]
    lines = []
    for name, e in rows:
        if not e:
            continue
        lines.append([
            name, f"{e['init_ms']['p50']:.2f}", f"{e['first_invocation_ms']['p50']:.2f}",
            f"{e['init_cpu_ms']['p50']:.1f}/{e['first_invocation_cpu_ms']['p50']:.1f}",
            f"{e['warm_ms']['p50']:.2f}/{e['warm_ms']['p99']:.2f}",
            f"{e['by_auth']['api_key']['cpu_us_per_invocation']:.0f}",
            f"{e['by_auth']['jwt']['cpu_us_per_invocation']:.0f}",
            f"{e['dynamodb_requests_per_invocation']:g}", f"{e['peak_rss_mb']:.1f}",
        ])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
    fmt = lambda row: "| " + " | ".join(str(x).ljust(w) for x, w in zip(row, widths)) + " |"
    out = ["get-group and its peers (same run)", fmt(head),
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [fmt(row) for row in lines]
    out.append("ratios: " + ", ".join(f"{k} {v}" for k, v in report["ratios"].items()))
    tls = report.get("dynamodb_over_tls", {}).get("ratios")
    if tls:
        out.append("ratios over TLS (cold starts): " + ", ".join(f"{k} {v}" for k, v in tls.items()))
    return "\n".join(out)


class PerfProbe:
    """Attaches `perf record` to the function at the first probe (after the warm-up) and stops
    it at the second (after the last measured response), so the profile holds exactly the
    measured invocations; also reads the process's CPU time at both."""

    def __init__(self, pid: int, data: Path, args, log):
        self.pid, self.data, self.args, self.log = pid, data, args, log
        self.perf = None

    def read(self) -> dict:
        if self.perf is None:
            # perf itself runs on the driver's core (this thread's affinity).
            self.perf = subprocess.Popen(
                ["perf", "record", "-F", str(self.args.flame_freq), "--call-graph", "fp",
                 "-p", str(self.pid), "-o", str(self.data)],
                stdout=self.log, stderr=self.log)
            time.sleep(1.0)  # attached: perf opens its events within milliseconds
            if self.perf.poll() is not None:
                raise RuntimeError(f"perf record exited with {self.perf.returncode}; see {self.log.name}")
        else:
            self.perf.send_signal(signal.SIGINT)
            self.perf.wait(timeout=120)
        return {"cpu_ns": cpu_ns(self.pid)[0], "t": time.perf_counter_ns()}


def flame(args, bench: Bench) -> dict:
    """`perf record` (frame-pointer call graphs) of `--flame-n` warm API-key invocations of one
    function, built with symbols and frame pointers (`--flame-bin-dir`), folded and drawn
    with inferno."""
    name, n, warmup = args.flame, args.flame_n, args.warmup
    out = Path(args.out).parent
    data, folded = out / f"{name}.perf.data", out / f"{name}.folded"
    svg = out / f"{name}.flame.svg"
    inferno = Path(args.inferno_dir) if args.inferno_dir else None
    tool = lambda t: str(inferno / t) if inferno else (shutil.which(t) or t)
    print(f"flame graph: perf record of {n} warm invocations of {name}", file=sys.stderr)
    data.unlink(missing_ok=True)  # perf would keep it as .old
    events = [bench.events.make(name, "api_key") for _ in range(warmup + n)]
    first, last = warmup + 1, warmup + n + 1
    api = RuntimeApi(events, probe_at={first, last})
    proc, _ = bench.spawn(name, api, bin_dir=args.flame_bin_dir)
    with open(bench.logs / "perf.log", "w") as log:
        api.probe = PerfProbe(proc.pid, data, args, log)
        try:
            api.wait(warmup + n, timeout_s=1200)
            deadline = time.monotonic() + 130
            while last not in api.probes and time.monotonic() < deadline:
                time.sleep(0.01)
        finally:
            if api.probe.perf is not None and api.probe.perf.poll() is None:
                api.probe.perf.send_signal(signal.SIGINT)
                api.probe.perf.wait(timeout=120)
            bench.stop(proc, api)
        for _, _, ok, body in api.done[-3:]:
            check_response(name, body)
        script = subprocess.Popen(["perf", "script", "--no-inline", "-i", str(data)],
                                  stdout=subprocess.PIPE, stderr=log)
        with open(folded, "wb") as f:
            subprocess.run([tool("inferno-collapse-perf"), "--all"], stdin=script.stdout, stdout=f,
                           check=True)
        script.wait()
    title = f"{name}: {n} warm invocations (API key, record cached), perf -F {args.flame_freq}"
    with open(svg, "wb") as f:
        subprocess.run([tool("inferno-flamegraph"), "--title", title, str(folded)], stdout=f,
                       check=True)
    a, b = api.probes[first], api.probes[last]
    return {"svg": str(svg), "folded": str(folded), "invocations": n,
            "cpu_us_per_invocation_while_profiled": r((b["cpu_ns"] - a["cpu_ns"]) / n / 1000, 1),
            **top_frames(folded)}


# Where a sample belongs, first match wins (a stack holds the handler inside the runtime's
# frames, and the SDK inside the handler's).
CATEGORIES = [
    ("dynamodb_sdk", "the SDK's DynamoDB call: orchestrator, endpoint, SigV4, JSON, retries",
     ("aws_sdk_", "aws_smithy_", "aws_runtime::", "aws_sigv4::", "aws_credential_types::",
      "aws_types::", "<aws_sdk_", "<aws_smithy_", "<aws_runtime::", "<aws_sigv4::")),
    ("handler", "the handler's own code: authentication, admission, decoding, response, log line",
     ("get_group::handle", "gateway_", "<gateway_")),
    ("hyper_connections", "hyper's connection tasks (the Runtime API's and DynamoDB's sockets)",
     ("hyper::proto::", "<hyper::proto::", "hyper::client::conn::", "<hyper::client::conn::")),
    ("lambda_runtime", "the Lambda runtime: its requests to the Runtime API, event and response (de)serialisation",
     ("lambda_runtime::", "<lambda_runtime::", "lambda_http::", "<lambda_http::",
      "aws_lambda_events::", "<aws_lambda_events::")),
    ("tokio_io_driver", "tokio's I/O driver: epoll_wait (sleeping and waking in the kernel), wake-ups",
     ("tokio::runtime::io::", "<tokio::runtime::io::", "epoll_wait")),
    # glibc is built without frame pointers: a sample inside malloc/free loses its callers.
    ("allocator_callers_lost", "glibc malloc/free whose callers perf could not walk to",
     ("malloc", "_int_malloc", "_int_free", "cfree", "free", "realloc", "_int_realloc",
      "malloc_consolidate", "unlink_chunk")),
]


def top_frames(folded: Path, count: int = 40) -> dict:
    """From folded stacks: each frame's share of all samples, inclusive (anywhere on the
    stack, once per stack) and self (the leaf); and the samples by category (CATEGORIES, the
    rest `other`), with the share spent in the kernel."""
    inclusive: collections.Counter[str] = collections.Counter()
    leaf: collections.Counter[str] = collections.Counter()
    category: collections.Counter[str] = collections.Counter()
    kernel = 0
    total = 0
    for line in folded.read_text(errors="replace").splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        k = int(samples)
        total += k
        frames = stack.split(";")
        for frame in set(frames):
            inclusive[frame] += k
        leaf[frames[-1]] += k
        if frames[-1].endswith("_[k]"):
            kernel += k
        name = next((name for name, _, prefixes in CATEGORIES
                     if any(f.startswith(prefixes) for f in frames)), "other")
        category[name] += k
    share = lambda v: r(100 * v / total, 1) if total else None
    pc = lambda c: [{"frame": f, "percent": share(v)} for f, v in c.most_common(count)]
    names = {name: what for name, what, _ in CATEGORIES}
    names["other"] = "the rest: tokio's scheduler, clock reads, unattributed frames"
    # inferno weighs each stack by perf's sample period: with the cpu-clock event, nanoseconds.
    return {"sampled_cpu_ms": r(total / NS_PER_MS, 1), "kernel_percent": share(kernel),
            "categories": [{"category": n, "what": names[n], "percent": share(category[n])}
                           for n in names],
            "top": pc(inclusive), "top_self": pc(leaf)}


# --------------------------------------------------------------------------------------------
# Ingest: the connection service's events applied by ingest-events (SQS batches)

INGEST = "ingest-events"
# (key in the report, what the pass sends, outcome every event must have in the function's log)
INGEST_PASSES = [
    ("first_store", "a snapshot of each of N new groups", "applied"),
    ("stale_redelivery", "the same N messages delivered again: all stale", "stale"),
    ("one_member_changed", "a newer snapshot of each group, one member promoted", "applied"),
]


class IngestProbe:
    """Read at the GET /next that opens and closes each pass (the function idle, waiting)."""

    def __init__(self, pid: int, dynamo: DynamoProxy, moto_pid: int | None, log: Path):
        self.pid, self.dynamo, self.moto_pid, self.log = pid, dynamo, moto_pid, log

    def read(self) -> dict:
        cpu, tids = cpu_ns(self.pid)
        ops, conns, busy = self.dynamo.snapshot()
        moto = None
        if self.moto_pid:
            try:
                moto = cpu_ticks_ns(self.moto_pid)
            except OSError:
                moto = None
        return {
            "t": time.perf_counter_ns(), "cpu_ns": cpu, "tids": tids,
            "cpu_ticks_ns": cpu_ticks_ns(self.pid), "dynamo_ops": ops, "dynamo_conns": conns,
            "dynamo_busy_ns": busy, "moto_cpu_ns": moto,
            # this script: the Runtime API and the DynamoDB proxy
            "driver_cpu_ns": cpu_ticks_ns(os.getpid()),
            "log_bytes": self.log.stat().st_size if self.log.exists() else 0,
            "rss_kb": peak_rss_kb(self.pid),
        }


def process_state(pid: int) -> str | None:
    """The state letter of /proc/<pid>/stat (Z: exited, not yet reaped), None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0]
    except OSError:
        return None


def log_outcomes(log: Path, start: int, end: int) -> collections.Counter:
    """The function's `event` log lines (JSON, one a line) between two offsets, by outcome;
    warnings (an event not applied) as `warn`."""
    with open(log, "rb") as f:
        f.seek(start)
        text = f.read(end - start)
    out: collections.Counter[str] = collections.Counter()
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            out["unparsed_lines"] += 1
            continue
        fields = entry.get("fields", {})
        if entry.get("level") in ("WARN", "ERROR"):
            out[entry["level"].lower()] += 1
        if fields.get("message") == "event":
            out[fields.get("outcome", "?")] += 1
    return out


def ingest(args, bench: Bench) -> dict:
    """ONE ingest-events process applies `--ingest` group.snapshot events of new groups of
    `--ingest-members` members each, in SQS batches of `--ingest-batch`, sent one after the
    other as fast as it answers (one instance, as with MaximumConcurrency 1 and a full queue);
    then the same messages again (redelivered: stale); then, with `--ingest-change`, a newer
    snapshot of each group with one member changed. Every answer must have an empty
    `batchItemFailures`, and every event the outcome its pass expects (from its log)."""
    import ingest_events  # tools/bench/ingest_events.py, beside this script

    n, size = args.ingest, args.ingest_batch
    if not 1 <= size <= 10_000:
        raise SystemExit(f"--ingest-batch {size}: SQS delivers 1 to 10000 messages a batch")
    passes = ingest_events.Passes(args.ingest_session, ACCOUNT, n, args.ingest_members)
    batches = [ingest_events.sqs_events(passes.first, size),
               ingest_events.sqs_events(passes.first, size, receive_count=2)]
    if args.ingest_change:
        batches.append(ingest_events.sqs_events(passes.changed, size))
    bounds = [1]  # the GET /next opening each pass, and the one after the last answer
    for b in batches:
        bounds.append(bounds[-1] + len(b))
    print(f"ingest: {INGEST}, {n} snapshots of {args.ingest_members}-member groups, batches of "
          f"{size}, {len(batches)} passes, one process", file=sys.stderr)
    # Its own proxy over plain http, as the main figures (the TLS pass may have run before).
    saved = bench.dynamo, bench.extra_env
    bench.dynamo, bench.extra_env = DynamoProxy(os.environ["AWS_ENDPOINT_URL_DYNAMODB"]), {}
    log = bench.logs / f"{INGEST}.log"
    api = RuntimeApi([e for b in batches for e in b], probe_at=set(bounds))
    try:
        proc, t0 = bench.spawn(INGEST, api)
        api.probe = IngestProbe(proc.pid, bench.dynamo, args.moto_pid, log)
        try:
            give_up = time.monotonic() + args.ingest_timeout
            while True:
                try:
                    api.wait(bounds[-1] - 1, timeout_s=5)
                    break
                except TimeoutError as waiting:
                    if process_state(proc.pid) in ("Z", "X", None):
                        raise RuntimeError(f"{INGEST} exited after {len(api.done)} batches; "
                                           f"see {log}") from waiting
                    if time.monotonic() > give_up:
                        raise
            deadline = time.monotonic() + 10
            while bounds[-1] not in api.probes and time.monotonic() < deadline:
                time.sleep(0.001)
            missing = [b for b in bounds if b not in api.probes]
            if missing:
                raise RuntimeError(f"{INGEST}: no reading at GET /next {missing} ({api.probe_error!r})")
            rss_kb = peak_rss_kb(proc.pid)
            init_ms = (api.first_next_ns - t0) / NS_PER_MS
        finally:
            bench.stop(proc, api)
    finally:
        bench.dynamo, bench.extra_env = saved

    out = {
        "function": INGEST, "events": n, "batch_size": size,
        "members_per_group": args.ingest_members, "session": args.ingest_session,
        "note": "one process; batches sent back to back through this script's Runtime API; "
                "DynamoDB = moto behind the counting proxy (http); CPU from schedstat",
        "init_ms": r(init_ms, 3),
        "peak_rss_mb": r(rss_kb / 1024, 1),
        "binary_bytes_x86_64": (Path(args.bin_dir) / INGEST).stat().st_size,
        "zip_bytes_x86_64": zip_size(args.zip_dir_x86_64, INGEST),
        "zip_bytes_arm64": zip_size(args.zip_dir_arm64, INGEST),
        "passes": {},
    }
    problems = []
    for k, (key, what, expected) in enumerate(INGEST_PASSES[:len(batches)]):
        done = api.done[bounds[k] - 1:bounds[k + 1] - 1]
        for i, (_, _, ok, body) in enumerate(done):
            answer = json.loads(body) if ok else None
            if not ok or not isinstance(answer, dict) or answer.get("batchItemFailures") != []:
                problems.append(f"{key} batch {i}: {'error' if not ok else 'answer'} {body[:300]!r}")
        a, b = api.probes[bounds[k]], api.probes[bounds[k + 1]]
        if a["tids"] == b["tids"]:
            cpu, source = b["cpu_ns"] - a["cpu_ns"], "schedstat"
        else:  # a thread came or went: the tick-resolution total
            cpu, source = b["cpu_ticks_ns"] - a["cpu_ticks_ns"], "stat"
        wall_ns = done[-1][1] - done[0][0]
        batch_ms = sorted((d - s) / NS_PER_MS for s, d, _, _ in done)
        ops = b["dynamo_ops"] - a["dynamo_ops"]
        busy = b["dynamo_busy_ns"] - a["dynamo_busy_ns"]
        outcomes = log_outcomes(log, a["log_bytes"], b["log_bytes"])
        if outcomes.get(expected, 0) != n or sum(outcomes.values()) != n:
            problems.append(f"{key}: outcomes {dict(outcomes)}, expected {n} {expected}")
        moto = (b["moto_cpu_ns"] - a["moto_cpu_ns"]
                if a["moto_cpu_ns"] is not None and b["moto_cpu_ns"] is not None else None)
        out["passes"][key] = {
            "what": what,
            "events": n, "batches": len(done),
            "wall_ms": r(wall_ns / NS_PER_MS, 1),
            "events_per_s": r(n / (wall_ns / 1e9), 1),
            "batch_ms": {"first": r((done[0][1] - done[0][0]) / NS_PER_MS, 2),
                         "p50": r(pct(batch_ms, 50), 2), "p99": r(pct(batch_ms, 99), 2),
                         "max": r(batch_ms[-1], 2)},
            "cpu_ms_per_event": r(cpu / n / NS_PER_MS, 3),
            "cpu_percent_of_wall": r(100 * cpu / wall_ns, 1),
            "cpu_source": source,
            "dynamodb_requests_per_event": r(sum(ops.values()) / n, 3),
            "dynamodb_by_operation": {op: r(c / n, 3) for op, c in sorted(ops.items())},
            "dynamodb_requests": dict(sorted(ops.items())),
            "dynamodb_connections_opened": b["dynamo_conns"] - a["dynamo_conns"],
            # request read to response sent at the proxy: moto's work plus the proxy's
            "dynamodb_ms_per_event": r(busy / n / NS_PER_MS, 3),
            "dynamodb_percent_of_wall": r(100 * busy / wall_ns, 1),
            "moto_cpu_ms_per_event": None if moto is None else r(moto / n / NS_PER_MS, 3),
            "driver_cpu_ms_per_event": r((b["driver_cpu_ns"] - a["driver_cpu_ns"]) / n / NS_PER_MS, 3),
            "outcomes": dict(sorted(outcomes.items())),
        }
    if problems:
        out["failures"] = problems[:20]
    return out


def ingest_table(e: dict) -> str:
    if "passes" not in e:
        return f"ingest: {e.get('error')}"
    head = ["ingest-events pass", "events/s", "wall s", "batch p50/p99 ms", "CPU ms/event",
            "CPU % wall", "DDB req/event", "by operation (per event)", "DDB ms/event",
            "DDB % wall", "moto CPU ms/event"]
    lines = []
    for key, p in e["passes"].items():
        by_op = ", ".join(f"{op} {v:g}" for op, v in p["dynamodb_by_operation"].items())
        moto = p["moto_cpu_ms_per_event"]
        lines.append([key, f"{p['events_per_s']:.0f}", f"{p['wall_ms'] / 1000:.2f}",
                      f"{p['batch_ms']['p50']:.1f}/{p['batch_ms']['p99']:.1f}",
                      f"{p['cpu_ms_per_event']:.3f}", f"{p['cpu_percent_of_wall']:.0f}",
                      f"{p['dynamodb_requests_per_event']:g}", by_op,
                      f"{p['dynamodb_ms_per_event']:.2f}", f"{p['dynamodb_percent_of_wall']:.0f}",
                      "-" if moto is None else f"{moto:.2f}"])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
    fmt = lambda row: "| " + " | ".join(str(x).ljust(w) for x, w in zip(row, widths)) + " |"
    out = [f"ingest: {e['events']} group.snapshot events of {e['members_per_group']}-member groups, "
           f"SQS batches of {e['batch_size']}, one {e['function']} process "
           f"(init {e['init_ms']} ms, peak RSS {e['peak_rss_mb']} MB)",
           fmt(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [fmt(row) for row in lines]
    for problem in e.get("failures", []):
        out.append(f"FAILED  {problem}")
    return "\n".join(out)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repo", default=".")
    p.add_argument("--functions", required=True, help="comma-separated binary names")
    p.add_argument("--bin-dir", required=True, help="release binaries that run here (x86_64)")
    p.add_argument("--bin-dir-arm64", default="target/aarch64-unknown-linux-gnu/release")
    p.add_argument("--zip-dir-x86-64", default="target/lambda")
    p.add_argument("--zip-dir-arm64", default="target/lambda-arm64")
    p.add_argument("--emulator-url", default=os.environ.get("GATEWAY_CONNECTION_URL"))
    p.add_argument("--cold", type=int, default=25, help="fresh processes per function")
    p.add_argument("--warm", type=int, default=1000, help="measured warm invocations per function and auth")
    p.add_argument("--warmup", type=int, default=50, help="unmeasured invocations per warm process")
    p.add_argument("--warm-rounds", type=int, default=5,
                   help="warm runs interleaved in this many rounds, a fresh process per target and round")
    p.add_argument("--tls-cold", type=int, default=25,
                   help="cold starts per function with DynamoDB behind TLS (0: skip)")
    p.add_argument("--tls-warm", type=int, default=300)
    p.add_argument("--env", action="append", default=[], help="KEY=VALUE for every function")
    p.add_argument("--variant", action="append", default=[], metavar="NAME:K=V[,K=V]",
                   help="also measure every function as <function>@NAME with these settings "
                        "(for trying a change: same binary, same run, interleaved)")
    p.add_argument("--peers", default="node,raw-floor",
                   help="peers of get-group to measure beside it: node, raw-floor ('' for none)")
    p.add_argument("--node-dir", default="tools/bench/node", help="the Node.js peer (npm ci done)")
    p.add_argument("--node", default=shutil.which("node"), help="the node binary")
    p.add_argument("--flame", default="", help="a function to profile (flame graph); '' for none")
    p.add_argument("--flame-bin-dir", help="where its build with symbols is")
    p.add_argument("--flame-n", type=int, default=5000, help="profiled warm invocations")
    p.add_argument("--flame-freq", type=int, default=2999, help="perf samples per second")
    p.add_argument("--inferno-dir", help="where inferno-collapse-perf and inferno-flamegraph are")
    p.add_argument("--ingest", type=int, default=0,
                   help="the ingest scenario: this many group.snapshot events of new groups "
                        "applied by one ingest-events process (0: skip)")
    p.add_argument("--ingest-batch", type=int, default=10,
                   help="messages per SQS event (SQS receives at most 10; the template's mapping batches 20)")
    p.add_argument("--ingest-members", type=int, default=50, help="members of each group")
    p.add_argument("--ingest-session", default="bench-ingest",
                   help="a stored session of the demo org (run.sh adds it)")
    p.add_argument("--ingest-change", action=argparse.BooleanOptionalAction, default=True,
                   help="a third pass: a newer snapshot of each group with one member changed")
    p.add_argument("--ingest-timeout", type=float, default=1800, help="seconds for all passes")
    p.add_argument("--moto-pid", type=int, help="moto's server: its CPU time in the ingest figures")
    p.add_argument("--out", default="target/bench/report.json")
    args = p.parse_args()
    args.functions = [f for f in args.functions.split(",") if f]
    args.peer_targets = []
    for peer in filter(None, args.peers.split(",")):
        if peer not in PEERS:
            raise SystemExit(f"unknown peer {peer!r}: one of {', '.join(PEERS)}")
        if PROJECT not in args.functions:
            print(f"peer {peer} skipped: {PROJECT} is not measured", file=sys.stderr)
        elif peer == "node" and not (args.node and (Path(args.node_dir) / "node_modules").is_dir()):
            print("peer node skipped: no node binary, or no node_modules (npm ci)", file=sys.stderr)
        elif peer == "raw-floor" and not (Path(args.bin_dir) / RAW).exists():
            print(f"peer raw-floor skipped: no {RAW} in {args.bin_dir}", file=sys.stderr)
        else:
            args.peer_targets.append(PEERS[peer])
    if PIN:
        os.sched_setaffinity(0, PIN[0])
    args.variants = {}
    for spec in args.variant:
        vname, _, settings = spec.partition(":")
        args.variants[vname] = [kv for kv in settings.split(",") if kv]
    def in_variant(function: str, settings: list[str]) -> bool:
        # A variant naming another build measures the functions that build has (an earlier
        # commit may have fewer).
        other = [kv.partition("=")[2] for kv in settings if kv.startswith("BENCH_BIN_DIR=")]
        return not other or (Path(other[0]) / function).exists()

    args.functions += [f"{f}@{v}" for v, settings in args.variants.items()
                       for f in list(args.functions) if in_variant(f, settings)]
    os.chdir(args.repo)

    bench = Bench(args)
    targets_ = ["bench-bare"] + args.functions + args.peer_targets
    colds: dict[str, list] = {t: [] for t in targets_}
    warms: dict[str, dict] = {t: {} for t in targets_}

    # Page cache and first-run effects out of the way.
    for t in targets_:
        bench.cold(t)
    print(f"cold starts: {args.cold} per function, interleaved", file=sys.stderr)
    for i in range(args.cold):
        for t in targets_:
            colds[t].append(bench.cold(t))
    # createGroup last: moto's Query got slower as the thousands of groups it makes filled
    # the table, which showed in listGroups' wall times.
    order = sorted(targets_, key=lambda t: base(t) == "create-group")
    for creating in (False, True):
        group = [t for t in order if (base(t) == "create-group") == creating]
        if group:
            print(f"warm: {', '.join(group)}: {args.warm} invocations per credential each, "
                  f"in {args.warm_rounds} interleaved rounds", file=sys.stderr)
            runs = [(t, auth) for auth in ("api_key", "jwt") for t in group]
            for (t, auth), w in bench.warm_rounds(runs).items():
                warms[t][auth] = w

    report = summarise(args, bench, colds, warms)
    report["jwks_fetches"] = bench.tokens.fetches
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    if args.flame:
        try:
            report["flame"] = flame(args, bench)
        except Exception as error:  # the figures stand without it
            report["flame"] = {"error": repr(error)}
    if args.tls_cold:
        try:
            report["dynamodb_over_tls"] = tls_pass(args, bench, targets_)
        except Exception as error:  # the main figures stand without it
            report["dynamodb_over_tls"] = {"error": repr(error)}
    status = 0
    if args.ingest:
        # Last: its 1000 groups of 51 items each would slow moto for everything after them.
        try:
            report["ingest"] = ingest(args, bench)
        except Exception as error:  # the other figures stand; the run still fails below
            traceback.print_exc()
            report["ingest"] = {"error": repr(error)}
        if "error" in report["ingest"] or report["ingest"].get("failures"):
            status = 1
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(table(report))
    if args.ingest:
        print("")
        print(ingest_table(report["ingest"]))
    print(f"\nwritten: {args.out}")
    if status:
        print("the ingest scenario FAILED (see above and report.json's ingest)", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
