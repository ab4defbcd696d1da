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
	rm -rf $(VENV) .dev
