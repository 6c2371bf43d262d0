# mirror: one command per task. `make help` lists them.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run server server-stop test test-fast bench ui docs docs-serve demo clean visnet-control planted sweep-seeds sweep-actions sweep-hidden sweep-noise sweep-lag counter-mirror ablations readout asl asl-untrained report paper claims publish-claims pairing-error hebbian-conditions hebbian-emergence sweep-consequences sweep-observer power-curve

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

bench: $(STAMP) ## the framework against the same work by hand, a GRU job against its compute floor, make paper's plan against its floor (ARGS=--run, --parts, --variants, --recording: docs/performance.md)
	$(PY) -m mirror.diagnostics.bench $(ARGS)
	$(if $(ARGS),,$(PY) -m mirror.plan $(PAPER_PRESETS) --jobs 2 --fresh)

# Sweeps: presets in conf/experiment/, one MLflow experiment each. JOBS=2 runs two jobs at
# once through the joblib launcher; a re-run skips jobs that already FINISHED.
JOBS   ?= 1
PORT   ?= 5000
DB_PORT ?= 5433
LAUNCH := $(if $(filter-out 1,$(JOBS)),hydra/launcher=joblib hydra.launcher.n_jobs=$(JOBS))
SWEEP  := $(PY) -m mirror.run $(LAUNCH)

sweep-seeds: $(STAMP) ## one model (MODEL=shared_gru) over seeds 0-9
	$(SWEEP) experiment=sweep_seeds model=$(or $(MODEL),shared_gru) $(ARGS) -m

sweep-hidden: $(STAMP) ## hidden size 4..512 (powers of two) x seeds 0-4, shared_gru
	$(SWEEP) experiment=sweep_hidden $(ARGS) -m

sweep-noise: $(STAMP) ## GRU sensory noise 0..0.8, then Hebbian mismatch 0..0.5 (simulation 2), x seeds 0-4
	$(SWEEP) experiment=sweep_noise_gru $(ARGS) -m
	$(SWEEP) experiment=sweep_noise_hebbian $(ARGS) -m

sweep-consequences: $(STAMP) ## randomised sensory dynamics (D11): the share of each action's effect redrawn per sequence 0..1, the shared core and two planted observers x seeds 0-9 (120 jobs)
	$(SWEEP) experiment=sweep_consequences $(ARGS) -m

sweep-observer: $(STAMP) ## could the observer see (M3): noise on the observed sensations alone 0..16, the shared core and two planted observers x seeds 0-4 (75 jobs)
	$(SWEEP) experiment=sweep_observer $(ARGS) -m

power-curve: $(STAMP) ## absence of evidence (M3): the same-unit test's power over prevalence x recorded units, from planted populations, seeds 0-4 (5 jobs)
	$(SWEEP) experiment=power_curve $(ARGS) -m

visnet-control: $(STAMP) ## VisNet's positive control: four shapes at nine positions, trace vs Hebb rules x seeds 0-4 (20 jobs)
	$(SWEEP) experiment=visnet_control $(ARGS) -m

sweep-actions: $(STAMP) ## the shared core with K = 4, 8, 16 actions x seeds 0-9: where the chance level of a threshold falls
	$(SWEEP) experiment=sweep_actions $(ARGS) -m

planted: $(STAMP) ## the planted populations every claim is calibrated on, x seeds 0-9 (60 jobs, no training; docs/calibration.md)
	$(SWEEP) experiment=planted $(ARGS) -m

sweep-lag: $(STAMP) ## Hebbian simulation 3: the parent's lag 0..10 steps x seeds 0-4
	$(SWEEP) experiment=sweep_lag $(ARGS) -m

counter-mirror: $(STAMP) ## Hebbian: development, counter-mirror training, repair, x seeds 0-4
	$(SWEEP) experiment=counter_mirror $(ARGS) -m

ablations: $(STAMP) ## the four GRU models, trained and untrained, seeds 0-9 (80 jobs)
	$(SWEEP) experiment=ablations $(ARGS) -m

readout: $(STAMP) ## the four GRU models x four readouts, tied and untied heads, untrained, then the textbook forward model, x seeds 0-9 (400 jobs)
	$(SWEEP) experiment=readout $(ARGS) -m
	$(SWEEP) experiment=readout_untied $(ARGS) -m
	$(SWEEP) experiment=readout_untrained $(ARGS) -m
	$(SWEEP) experiment=readout_input $(ARGS) -m

asl: $(STAMP) ## Associative Sequence Learning, Hebb, covariance Hebb and Rescorla-Wagner: contingency (each unpaired kind, signalled or not), Cook et al.'s signalled design, contiguity, mismatch, counter-mirror, repair of a deficient system, the route through a sound (1,830 jobs)
	$(SWEEP) experiment=asl_contingency $(ARGS) -m
	$(SWEEP) experiment=asl_signalled $(ARGS) -m
	$(SWEEP) experiment=asl_contiguity $(ARGS) -m
	$(SWEEP) experiment=asl_mismatch $(ARGS) -m
	$(SWEEP) experiment=asl_counter_mirror $(ARGS) -m
	$(SWEEP) experiment=asl_repair $(ARGS) -m
	$(SWEEP) experiment=asl_sound $(ARGS) -m

asl-untrained: $(STAMP) ## the associative model untrained over asl_contiguity's lags, x seeds 0-9: A1's effect-absent reference (docs/calibration.md)
	$(SWEEP) experiment=asl_untrained $(ARGS) -m

REPORTS := planted visnet_control visnet_references hebbian_references ablations readout pairing_error asl_contingency asl_signalled asl_contiguity asl_mismatch asl_counter_mirror asl_repair asl_sound asl_untrained sweep_seeds sweep_actions sweep_hidden sweep_noise_gru sweep_noise_hebbian sweep_lag counter_mirror hebbian_emergence sweep_consequences sweep_observer power_curve

report: $(STAMP) ## tables and figures from MLflow: make report NAME=<experiment> (default: every preset's, JOBS at a time; a missing one is named and skipped)
	@printf '%s\n' $(or $(NAME),$(REPORTS)) | xargs -P $(JOBS) -I{} $(PY) -m mirror.report --experiment {} $(ARGS)

PAPER_PRESETS := planted visnet_control ablations readout readout_untied readout_untrained readout_input pairing_error asl_contingency asl_signalled asl_contiguity asl_mismatch asl_counter_mirror asl_repair asl_sound asl_untrained sweep_seeds sweep_actions sweep_seeds_hebbian hebbian_conditions hebbian_regimes hebbian_emergence hebbian_emergence_lag hebbian_emergence_reference hebbian_references visnet_references sweep_hidden sweep_noise_gru sweep_consequences sweep_observer power_curve sweep_noise_hebbian sweep_lag counter_mirror

paper: $(STAMP) ## every sweep (resumable: a re-run skips finished jobs), every report, then the claims page
	$(PY) -m mirror.plan $(PAPER_PRESETS) --jobs $(JOBS)
	$(foreach preset,$(PAPER_PRESETS),$(SWEEP) experiment=$(preset) $(ARGS) -m &&) true
	$(MAKE) report ARGS=
	$(MAKE) claims ARGS=

claims: $(STAMP) ## the claims page (reports/paper/index.html and claims.md) from whatever runs the store holds
	$(PY) -m mirror.claims $(ARGS)

publish-claims: $(STAMP) ## the claims page, its Markdown also copied to docs/claims.md (after a full make paper)
	$(PY) -m mirror.claims --publish docs/claims.md $(ARGS)

hebbian-conditions: $(STAMP) ## the Hebbian network under the claims page's conditions: split test x conscience competition, seeds 0-19
	$(SWEEP) experiment=hebbian_conditions $(ARGS) -m

hebbian-regimes: $(STAMP) ## the Hebbian network under the source's design and the former one: parent's images or unseen transforms x mirror learning rate 0.05 or 1.0, seeds 0-19
	$(SWEEP) experiment=hebbian_regimes $(ARGS) -m

hebbian-emergence: $(STAMP) ## "still emerge": the Hebbian network at mismatch 0.3 and at lag 4, and its planted references, seeds 0-19 (80 jobs)
	$(SWEEP) experiment=hebbian_emergence $(ARGS) -m
	$(SWEEP) experiment=hebbian_emergence_lag $(ARGS) -m
	$(SWEEP) experiment=hebbian_emergence_reference $(ARGS) -m

vision-references: $(STAMP) ## the vision's references: no pre-training, or pre-trained on the parent's own images (faces), and VisNet untrained (shapes), seeds 0-4 (30 jobs)
	$(SWEEP) experiment=hebbian_references $(ARGS) -m
	$(SWEEP) experiment=visnet_references $(ARGS) -m

pairing-error: $(STAMP) ## the draft paper's pairing error (D10): matched vs independent sequences, seeds 0-9 (20 jobs)
	$(SWEEP) experiment=pairing_error $(ARGS) -m

STORE ?= mlruns
server: $(STAMP) ## a tracking server on PostgreSQL at http://127.0.0.1:$(PORT) (DB_PORT=5433; data in outputs/server): docs/cluster.md
	$(PY) -m mirror.tracking.server start --port $(PORT) --db-port $(DB_PORT)

server-stop: $(STAMP) ## stop make server's MLflow server and PostgreSQL
	$(PY) -m mirror.tracking.server stop

ui: $(STAMP) ## browse every run in the MLflow UI on http://127.0.0.1:$(PORT) (PORT=5000; STORE=outputs/demo for the demo's)
	@echo "the runs, in MLflow's model-training view: http://127.0.0.1:$(PORT)/#/experiments?workflowType=machine_learning"
	$(VENV)/bin/mlflow ui --backend-store-uri sqlite:///$(STORE)/mlflow.db --host 127.0.0.1 --port $(PORT)

docs: $(STAMP) ## build the documentation site into site/ (a broken link fails the build)
	$(VENV)/bin/mkdocs build --strict

docs-serve: $(STAMP) ## serve the documentation site on http://127.0.0.1:8000, rebuilt as you edit
	$(VENV)/bin/mkdocs serve --dev-addr 127.0.0.1:8000

# A small store of its own that fills claims of every source with all their planned seeds, then its claims page:
# not the published evidence (a claim whose planned seeds have not all run says "no verdict yet").
DEMO      := outputs/demo
DEMO_RUN  := $(PY) -m mirror.run hydra/launcher=joblib hydra.launcher.n_jobs=2 tracking.uri=sqlite:///$(DEMO)/mlflow.db tracking.artifact_root=$(DEMO)/artifacts
demo: $(STAMP) ## a claim or more of each source, every planned seed, into outputs/demo, then its claims page (under 10 min; not the published evidence)
	$(DEMO_RUN) experiment=planted model=planted_chance,planted_silent,planted_mirrors,planted_draft,planted_noisy_observe -m
	$(DEMO_RUN) experiment=sweep_seeds model=shared_gru -m
	$(DEMO_RUN) experiment=ablations model=shared_gru trainer.max_epochs=20 -m
	$(DEMO_RUN) experiment=counter_mirror -m
	$(DEMO_RUN) experiment=asl_contiguity -m
	$(DEMO_RUN) experiment=asl_untrained -m
	$(DEMO_RUN) experiment=asl_counter_mirror -m
	$(PY) -m mirror.claims --tracking-uri sqlite:///$(DEMO)/mlflow.db --artifact-root $(DEMO)/artifacts --out $(DEMO)/claims
	@echo "the demo's claims page: $(DEMO)/claims/index.html; its runs: make ui STORE=$(DEMO)"

clean: ## delete generated output (runs, sweeps, caches); keeps .venv
	rm -rf outputs multirun mlruns reports site .cache .pytest_cache
