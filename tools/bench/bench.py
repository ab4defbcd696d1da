#!/usr/bin/env python3
"""`make bench`: cold starts, warm cost, request counts, memory and sizes of every function.

Each function's release binary (built by `cargo lambda build`) runs as a child process under a
minimal Lambda Runtime API (`/2018-06-01/runtime/invocation/next`, `/response`, `/error`)
served by this script, with moto's DynamoDB server behind a counting proxy, the connection
emulator, and a JWKS endpoint for login tokens. The floor is `bench-bare`, a lambda_http
function that does nothing, built in the same workspace with the same profile and measured in
the same run, interleaved with the others.

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
import urllib.request
import uuid
from pathlib import Path

import datetime
import ipaddress

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
GET_GROUP = "120363021234567890@g.us"
ISSUER = "http://127.0.0.1/bench"
AUDIENCE = "whatsapp-gateway-bench"


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
            self.probes[n] = self.probe.read()
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
        self.counter = 0

    def _event(self, name: str) -> dict:
        self.counter += 1
        i = self.counter
        if name == "list-groups":
            return json.loads(json.dumps(self.list_groups))
        if name in ("get-group", "bench-bare"):
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
        self.tokens = LoginTokens()
        self.events = Events(self.repo, self.tokens)
        self.emulator_url = args.emulator_url
        self.logs = Path(args.out).parent / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        if any(base(f) == "update-group" for f in args.functions):
            # WhatsApp's side of the group that updateGroup changes: the session's account
            # is its admin.
            request = urllib.request.Request(
                f"{self.emulator_url}/_emulator/sessions/{SESSION}/groups/{UPDATE_GROUP}",
                data=json.dumps({"subject": "Support Rota"}).encode(), method="PUT",
                headers={"Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=5).close()

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
        }
        if self.emulator_url:
            env["GATEWAY_CONNECTION_URL"] = self.emulator_url
            env["GATEWAY_CONNECTION_TOKEN"] = os.environ["GATEWAY_CONNECTION_TOKEN"]
        env.update(self.extra_env)
        variant = target.partition("@")[2]
        for passed in self.args.env + (self.args.variants[variant] if variant else []):
            key, _, value = passed.partition("=")
            env[key] = value
        return env

    def spawn(self, name: str, api: RuntimeApi) -> tuple["Child", int]:
        """posix_spawn (vfork and exec): 0.1 ms here, where subprocess.Popen takes 2-4 ms
        and varies with the state of this process, which would blur the floor."""
        env = self.env(name, api.address)
        # A variant may name another build: BENCH_BIN_DIR=... among its settings.
        binary = str(Path(env.pop("BENCH_BIN_DIR", self.args.bin_dir)) / base(name))
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
            pid = os.posix_spawn(binary, [binary], env, file_actions=actions)
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
        return {
            "warm_ms": {"p50": pct(walls, 50), "p99": pct(walls, 99), "mean": sum(walls) / len(walls)},
            "cpu_us_per_invocation": cpu / n / 1000,
            "cpu_source": cpu_source,
            "threads": len(b["tids"]),
            "dynamodb_requests_per_invocation": sum(ops.values()) / n,
            "dynamodb_by_operation": {op: c / n for op, c in sorted(ops.items())},
            "dynamodb_connections_opened": b["dynamo_conns"] - a["dynamo_conns"],
            "dynamodb_ms_per_invocation": (b["dynamo_busy_ns"] - a["dynamo_busy_ns"]) / n / NS_PER_MS,
            "connection_calls_per_invocation": (b["connection_calls"] - a["connection_calls"]) / n,
            "peak_rss_kb": rss_kb,
            "invocations": n,
        }


def tls_pass(args, bench: Bench, targets_: list[str]) -> dict:
    """Cold starts with DynamoDB behind TLS, as on AWS: what the first request costs when it
    also loads the trust roots, resolves a name and does the handshake."""
    context, bundle = make_tls(Path(args.out).parent / "tls")
    bench.dynamo = DynamoProxy(os.environ["AWS_ENDPOINT_URL_DYNAMODB"], tls=context)
    bench.extra_env = {"SSL_CERT_FILE": str(bundle)}
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
            "binary_bytes_x86_64": (Path(args.bin_dir) / base(name)).stat().st_size,
            "zip_bytes_arm64": zip_size(args.zip_dir_arm64, base(name)),
            "zip_bytes_x86_64": zip_size(args.zip_dir_x86_64, base(name)),
        }
        arm_binary = Path(args.bin_dir_arm64) / base(name)
        e["binary_bytes_arm64"] = arm_binary.stat().st_size if arm_binary.exists() else None
        return e

    report["bare"] = entry("bench-bare")
    bare = report["bare"]
    report["functions"] = {}
    for name in args.functions:
        e = entry(name)
        e["init_ratio_to_bare"] = r(e["init_ms"]["p50"] / bare["init_ms"]["p50"], 2)
        e["cpu_ratio_to_bare"] = r(e["cpu_us_per_invocation"] / bare["cpu_us_per_invocation"], 2)
        for auth, v in e["by_auth"].items():
            v["cpu_ratio_to_bare"] = r(v["cpu_us_per_invocation"] / bare["by_auth"][auth]["cpu_us_per_invocation"], 2)
        report["functions"][name] = e
    report["targets"] = targets(report)
    return report


BUDGETS = {"get-group": 1, "list-groups": 2}


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
    return out


def table(report: dict) -> str:
    rows = [("bench-bare (floor)", report["bare"])] + list(report["functions"].items())
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
            if not isinstance(e, dict):
                continue
            b = e["first_invocation_extra_breakdown_ms"]
            out.append(f"  {name:<13} {e['init_ms']['p50']:.2f} ms ({e['init_cpu_ms']['p50']:.2f}) | "
                       f"{e['first_invocation_ms']['p50']:.2f} ms ({e['first_invocation_cpu_ms']['p50']:.2f}) | "
                       f"{e['first_invocation_extra_ms']:.2f} ms ({b['dynamodb']:.2f} ms)")
    out.append("")
    for t in report["targets"]:
        mark = "met " if t["met"] else "MISS"
        out.append(f"{mark}  {t['function']:<13} {t['target']:<52} {t['value']}{t['unit']} (limit {t['limit']}{t['unit']})")
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
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--tls-cold", type=int, default=25,
                   help="cold starts per function with DynamoDB behind TLS (0: skip)")
    p.add_argument("--tls-warm", type=int, default=300)
    p.add_argument("--env", action="append", default=[], help="KEY=VALUE for every function")
    p.add_argument("--variant", action="append", default=[], metavar="NAME:K=V[,K=V]",
                   help="also measure every function as <function>@NAME with these settings "
                        "(for trying a change: same binary, same run, interleaved)")
    p.add_argument("--out", default="target/bench/report.json")
    args = p.parse_args()
    args.functions = [f for f in args.functions.split(",") if f]
    if PIN:
        os.sched_setaffinity(0, PIN[0])
    args.variants = {}
    for spec in args.variant:
        vname, _, settings = spec.partition(":")
        args.variants[vname] = [kv for kv in settings.split(",") if kv]
    args.functions += [f"{f}@{v}" for v in args.variants for f in list(args.functions)]
    os.chdir(args.repo)

    bench = Bench(args)
    targets_ = ["bench-bare"] + args.functions
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
        for auth in ("api_key", "jwt"):
            for t in order:
                if (base(t) == "create-group") == creating:
                    print(f"warm: {t} ({auth}), {args.warm} invocations", file=sys.stderr)
                    warms[t][auth] = bench.warm(t, auth)

    report = summarise(args, bench, colds, warms)
    report["jwks_fetches"] = bench.tokens.fetches
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    if args.tls_cold:
        try:
            report["dynamodb_over_tls"] = tls_pass(args, bench, targets_)
        except Exception as error:  # the main figures stand without it
            report["dynamodb_over_tls"] = {"error": repr(error)}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(table(report))
    print(f"\nwritten: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
