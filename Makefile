# Quick start: `make run` (venv, install, lint and patch the bundled example) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLE := fixtures/kops/cluster.yaml

.PHONY: run test bench clean lint-example fix-example

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	@echo "== specpatch lint $(EXAMPLE) =="
	-@$(BIN)/specpatch lint $(EXAMPLE)
	@echo
	@echo "== specpatch fix $(EXAMPLE) (unified diff; --in-place writes it) =="
	-@$(BIN)/specpatch fix $(EXAMPLE)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
