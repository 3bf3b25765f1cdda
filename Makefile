# Golden Path IDP generator. Every target depends on `setup`, which builds the venvs from the
# lock files and installs the pinned npm CLIs once (a stamp file makes it idempotent).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := synth

PYTHON ?= python3
VENV := .venv
POLICY_VENV := .venv-policy
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp
POLICY_STAMP := $(POLICY_VENV)/.setup-stamp
NPM_STAMP := node_modules/.setup-stamp
# The pinned CRDs and charts: ../shared beside the checkout, else .shared/ (`make shared` fills it
# from the pinned upstream URLs, checked against shared.lock).
SHARED ?= $(if $(wildcard ../shared/crds),../shared,.shared)
CRDS ?= $(SHARED)/crds
# The chart cache (pinned archives, checked against charts.lock): ../shared/charts when it is
# beside the checkout (CI, tests), otherwise .charts/, which `make charts` fills from the network.
CHARTS ?= $(if $(wildcard $(SHARED)/charts/*.tgz),$(SHARED)/charts,.charts)
CONFIG ?= config
SYNTH_EXIT ?= .gen/synth.exit
ENV ?=
ARGS ?=
# the console script's own command, already under -O (orchestration/entry.py would re-execute it)
GOLDENPATH := $(PY) -O -m goldenpath
export GOLDENPATH_CRDS := $(abspath $(CRDS))
export GOLDENPATH_CHARTS := $(abspath $(CHARTS))
export GOLDENPATH_POLICY_BIN := $(abspath $(POLICY_VENV)/bin)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export CHECKPOINT_DISABLE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Python's bytecode cache for this checkout's own modules (__pycache__/, git-ignored): this
# workplace's machines set PYTHONDONTWRITEBYTECODE, so every Python process (the suite starts many)
# compiled goldenpath/, stacks/, cdk8s_app/, imports/ and the tests again: ~10 s of `make test`'s
# CPU (214 s against 224 s, measured as one pair of full runs).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help setup synth diff check test lint ci-guard deploy plan bench imports charts shared list clean

## help: list the targets (from their `## name: text` comments)
help:
	@grep -E '^## [a-z /-]+:' $(MAKEFILE_LIST) | sed -E 's/^## ([^:]+): /\1\t/' | awk -F'\t' '{printf "  make %-18s %s\n", $$1, $$2}'

# The venv from the lock file, then this project editable and without dependencies: the
# `goldenpath` console script (.venv/bin/goldenpath) runs the checkout's code.
$(STAMP): requirements.lock pyproject.toml
	@echo "setup: python venv from requirements.lock"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --no-deps -r requirements.lock 2> >(grep -v "is ignored" >&2 || true)
	@$(VENV)/bin/pip install --quiet --no-deps --no-build-isolation -e . 2> >(grep -v "is ignored" >&2 || true)
	@touch $@

$(POLICY_STAMP): requirements-policy.lock
	@echo "setup: policy venv (checkov, argocd-source-lint) from requirements-policy.lock"
	@test -x $(POLICY_VENV)/bin/python || $(PYTHON) -m venv $(POLICY_VENV)
	@$(POLICY_VENV)/bin/pip install --quiet --no-deps -r requirements-policy.lock 2> >(grep -v "is ignored" >&2 || true)
	@touch $@

$(NPM_STAMP): package-lock.json
	@echo "setup: npm ci (cdktf-cli, cdk8s-cli)"
	@npm ci --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

## setup: the venvs, the console script and the pinned npm CLIs (idempotent: stamp files)
setup: $(STAMP) $(POLICY_STAMP) $(NPM_STAMP)

## synth: render both halves from config/, guard, verify, then replace cdktf.out/ and dist/
# GNU make itself can only exit 0, 1 or 2; the tool's own code (1 violations, 2 bad input or
# busy, 3 destroy guard) is printed and kept in .gen/synth.exit for scripts and CI.
synth: setup
	@mkdir -p $(dir $(SYNTH_EXIT)); code=0; $(GOLDENPATH) synth --config $(CONFIG) || code=$$?; echo $$code > $(SYNTH_EXIT); \
	  if [ $$code -ne 0 ]; then echo "make synth: goldenpath exited $$code (see $(SYNTH_EXIT))" >&2; exit $$code; fi

## diff: what synth would change, without writing anything (exit 0 none, 2 changes, 3 guarded)
diff: setup
	@$(GOLDENPATH) diff --detailed-exitcode --config $(CONFIG)

## check: verify the committed dist/gitops against a fresh Terraform synth (schema, consistency, policy, drift)
check: setup
	@$(GOLDENPATH) verify --render-terraform --gitops dist/gitops --drift --config $(CONFIG)

## test: the whole suite (snapshots, validation, PostgreSQL, drift)
# --maxschedchunk 1: xdist hands each worker one test at a time. By default its first hand is a
# quarter of the suite per worker (845 // 2 // 4 = 105 tests), which with the slow tests sorted
# first (tests/conftest.py) gave every slow test to one worker: it ran 122 s of CPU while the
# other was done at 85 s (measured: 126 s -> 111 s wall, the workers now end 2 s apart).
test: setup
	@$(PY) -m pytest -n 2 --maxschedchunk 1

## lint: ruff and mypy
lint: setup
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/mypy goldenpath orchestration

## ci-guard: refuse losing stateful inventory items since BASE without an Allow-Destroy: trailer
ci-guard: setup
	@$(GOLDENPATH) guard --base "$(BASE)"

## deploy: one environment's stacks in dependency order, each plan guarded first (ENV=dev ARGS=--auto-approve)
deploy: setup
	@$(GOLDENPATH) deploy --env "$(ENV)" --config $(CONFIG) -- $(ARGS)

## plan: terraform plan of one environment's stacks, guarded, nothing applied (ENV=dev)
plan: setup
	@$(GOLDENPATH) deploy --plan --env "$(ENV)" --config $(CONFIG)

## list: the stacks (cdktf list)
list: setup
	@npx --no-install cdktf list

## bench: the synth benchmark (bench/RESULTS.md)
bench: setup
	@$(PY) -m bench

## charts: fill the chart cache .charts/ from each chart's repository (network) and rewrite charts.lock
charts: setup
	@GOLDENPATH_CHARTS=$(abspath .charts) $(GOLDENPATH) charts pull --config $(CONFIG)

## shared: fetch the pinned CRDs into .shared/crds (URLs and sha256 in shared.lock; network), then the charts
shared: setup
	@$(PY) -m orchestration.shared --lock shared.lock --into .shared
	@$(MAKE) --no-print-directory charts

## imports: regenerate imports/ (typed CRD bindings) from the pinned CRDs in $(CRDS)
imports: setup
	@$(PY) -m goldenpath.imports --crds $(CRDS)

## clean: remove cdktf.out/ and the tool caches
clean:
	rm -rf cdktf.out .pytest_cache .mypy_cache .ruff_cache
