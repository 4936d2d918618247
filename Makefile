# rtl4ml developer entry points. `make setup` once, then `make test` / `make sim TEST=jet_tagger`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TEST ?= jet_tagger
# pytest workers: Verilator builds are the slow part and use both cores already
JOBS ?= 2

.PHONY: setup test test-deep test-fast test-synth test-torch onnx-fixtures hgq-fixtures bench-hgq2 hgq1-fixtures sim lint bench perf docs mutation clean

setup:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e ".[dev]"

test:
	$(PY) -m pytest -n $(JOBS) --dist loadgroup -q --durations=15

# The deeper tier: every CLI command on every kind of converted design (minutes), not in `make test`
test-deep:
	$(PY) -m pytest -n $(JOBS) -q -m deep

# PyTorch and Brevitas (gigabytes of wheels) live in their own venv, never in `make setup`: the live-module tests,
# and the script that exports the committed ONNX fixtures with each framework's own outputs
TORCH_VENV ?= .venv-torch
$(TORCH_VENV)/bin/python:
	$(PYTHON) -m venv $(TORCH_VENV)
	$(TORCH_VENV)/bin/python -m pip install -e ".[torch]" pytest

test-torch: $(TORCH_VENV)/bin/python
	$(TORCH_VENV)/bin/python -m pytest -q -m torch -p no:cacheprovider tests/test_onnx_frontend.py

onnx-fixtures: $(TORCH_VENV)/bin/python
	$(TORCH_VENV)/bin/python tests/fixtures/onnx/export_models.py

# HGQ2 (Keras 3) cannot share .venv with QKeras (its wheel installs a top-level `qkeras`): its own venv, only to
# re-export the committed HGQ2 fixtures with HGQ2's outputs; rtl4ml reads HGQ2 files without it
HGQ_VENV ?= .venv-hgq
$(HGQ_VENV)/bin/python:
	$(PYTHON) -m venv $(HGQ_VENV)
	$(HGQ_VENV)/bin/python -m pip install "hgq2==0.2.0" "keras==3.15.1" "jax[cpu]==0.10.2"

hgq-fixtures: $(HGQ_VENV)/bin/python
	$(HGQ_VENV)/bin/python tests/fixtures/hgq2/export_models.py

# HGQ2 jet taggers against uniform QKeras twins at equal accuracy, flat Yosys LUTs (about an hour)
bench-hgq2: $(HGQ_VENV)/bin/python
	$(PY) bench/hgq2_vs_qkeras.py --hgq-python $(HGQ_VENV)/bin/python

# HGQ v1 needs TensorFlow 2.15 with Keras 2: the proxy-model fixtures come from their own venv too
HGQ1_VENV ?= .venv-hgq1
$(HGQ1_VENV)/bin/python:
	$(PYTHON) -m venv $(HGQ1_VENV)
	$(HGQ1_VENV)/bin/python -m pip install "tensorflow==2.15.1" "keras==2.15.0" "HGQ==0.2.6"

hgq1-fixtures: $(HGQ1_VENV)/bin/python
	$(HGQ1_VENV)/bin/python tests/fixtures/hgq1/export_models.py

# Yosys synthesis tests (report resources, analytic estimate against Yosys): minutes, not in `make test`
test-synth:
	$(PY) -m pytest -m synth -q

# Unit tests only: no simulator builds (seconds)
test-fast:
	$(PY) -m pytest -q -m "not sim and not synth" tests

sim:
	$(PY) sim/run_test.py $(TEST) $(if $(HDL),--hdl $(HDL))

lint:
	$(PY) sim/run_test.py $(TEST) >/dev/null && $(PY) -m rtl4ml.simulation.lint sim/build/$(TEST)

bench:
	$(PY) bench/golden_throughput.py
	$(PY) bench/csim_throughput.py

# The benchmarks behind the documentation's performance page (about 25 minutes), then the page itself
perf:
	$(PY) bench/bundled_jobs.py
	$(PY) bench/jet_accuracy.py --plots docs/figures
	$(PY) bench/stream_models.py --frames 100
	$(PY) bench/recurrent_models.py --synth
	$(PY) bench/golden_throughput.py
	$(PY) bench/csim_throughput.py
	$(PY) bench/perf_pages.py

# The manual (Sphinx + MyST), its tutorial notebooks executed, into docs/_build/html
docs:
	$(VENV)/bin/sphinx-build -W --keep-going -b html docs docs/_build/html

# Mutation scores of the golden arithmetic (mutmut), the Verilog primitives and generated layer modules (Yosys
# mutate + cocotb on Icarus) and the VHDL primitives (token mutants + VUnit on GHDL): over an hour on 2 cores; writes
# bench/results/mutation_*.json and docs/test_strength.md
mutation:
	$(PY) bench/mutation_python.py; $(PY) bench/mutation_rtl.py; $(PY) bench/mutation_generated.py; \
	$(PY) bench/mutation_vhdl.py; \
	$(PY) bench/mutation_report.py

clean:
	rm -rf sim/build .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
