# mirror: one command per task. `make help` lists them.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast bench ui clean ablations sweep-lag sweep-noise

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first and pinned: an unpinned resolve pulls a multi-GB CUDA build
	$(PY) -m pip install --quiet -c constraints.txt torch
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

install: $(STAMP) ## create .venv and install mirror with the pinned versions

run: $(STAMP) ## train and analyse the default experiment (shared_gru, seed 42)
	$(PY) -m mirror.run $(ARGS)

test: $(STAMP) ## the whole test suite, slow end-to-end tests included (what CI runs)
	$(PY) -m pytest $(ARGS)

test-fast: $(STAMP) ## unit tests only
	$(PY) -m pytest -m "not slow" $(ARGS)

bench: $(STAMP) ## time the training loop against plain PyTorch, and the analysis
	$(PY) -m mirror.bench $(ARGS)

ABLATION_MODELS := shared_gru,separate_gru,forward_only_gru,shuffled_gru

ablations: $(STAMP) ## the four GRU models, trained (20 epochs) and untrained (0), seeds 0-9: one multirun
	$(PY) -m mirror.run 'model=$(ABLATION_MODELS)' 'trainer.max_epochs=20,0' 'seed=range(10)' \
		trainer.enable_progress_bar=false tracking.experiment=ablations $(ARGS) -m

sweep-lag: $(STAMP) ## Hebbian simulation 3: parent's lag 0..10 steps x seeds 0-4, one multirun
	$(PY) -m mirror.run model=hebbian_face 'data.lag=range(0,11)' 'seed=range(5)' \
		trainer.enable_progress_bar=false tracking.experiment=hebbian_lag $(ARGS) -m

sweep-noise: $(STAMP) ## Hebbian simulation 2: mismatch 0..0.5 x seeds 0-4, one multirun
	$(PY) -m mirror.run model=hebbian_face 'data.mismatch=0,0.1,0.2,0.3,0.4,0.5' 'seed=range(5)' \
		trainer.enable_progress_bar=false tracking.experiment=hebbian_noise $(ARGS) -m

ui: $(STAMP) ## browse every run in the MLflow UI on http://127.0.0.1:5000
	$(VENV)/bin/mlflow ui --backend-store-uri sqlite:///mlruns/mlflow.db --host 127.0.0.1 --port 5000

clean: ## delete generated output (runs, sweeps, caches); keeps .venv
	rm -rf outputs multirun mlruns reports .cache .pytest_cache
