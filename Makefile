# Quick start: `make run` (venv, install, lint and patch the bundled example) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLE := fixtures/kops/cluster.yaml

.PHONY: run test bench clean lint-example fix-example fuzz

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

# pytest exits 5 when it collected no test: a run that checked nothing must not pass, so say it and fail.
# The suite includes tests/install (a wheel in a fresh venv, the pre-commit hooks, action.yml): they
# need PyPI or pip's cache and skip with the reason when neither is there.
test: $(STAMP)
	@rc=0; $(BIN)/python -m pytest -n 2 -q || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no test" >&2; exit 1; fi; exit $$rc

# Long mutation fuzzing (tests/fuzz): 3 input kinds x FUZZ_EXAMPLES cases, 10 s hang limit per case, 40 min cap.
FUZZ_EXAMPLES ?= 3400
fuzz: $(STAMP)
	rm -f /tmp/specpatch-fuzz-counts.*
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_COUNTS=/tmp/specpatch-fuzz-counts timeout 2400 $(BIN)/python -m pytest -n 2 -q -p no:cacheprovider tests/fuzz/test_fuzz.py
	@$(BIN)/python -c "import glob,json,collections; c=collections.Counter(); [c.update(json.load(open(f))) for f in glob.glob('/tmp/specpatch-fuzz-counts.*')]; print('fuzz cases:', sum(c.values()), dict(sorted(c.items())))"

# Timings, never part of the suite: cold starts in the dev venv and in a wheel venv (bench/out), fleet,
# state stores, checkov when present. Knobs: BENCH_RUNS, BENCH_FLEET, BENCH_BIG, BENCH_CHECKOV (see bench/run.py).
bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
