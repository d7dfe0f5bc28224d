# Makefile for the HyperSimplex loss project. `make help` lists the targets.
GO      ?= go
PKGS    ?= ./...
BENCHTIME ?= 1s
BENCHCOUNT ?= 1

.PHONY: help test test-simd test-short vet fmt-check fuzz bench bench-op bench-other data experiment reproduce

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

test: ## run every test (what CI runs), the operator's also with its vector loops (test-simd)
	$(GO) test -count=1 $(PKGS)
	$(MAKE) test-simd

# The kernels' vectorised float32 loops (simd/archsimd) exist only with
# GOEXPERIMENT=simd on amd64 and run only with AVX2; elsewhere this runs the
# portable loops again.
SIMD_ENV := GOEXPERIMENT=simd

test-simd: ## the operator's and the layers' tests in the GOEXPERIMENT=simd build (vector loops on amd64 with AVX2)
	$(SIMD_ENV) $(GO) test -count=1 ./op/... ./nn/...

test-short: ## quick subset of the tests (-short)
	$(GO) test -short -count=1 $(PKGS)

vet: ## go vet
	$(GO) vet $(PKGS)

fmt-check: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# ---- training throughput and the PyTorch peer (docs/performance.md) ----
# BLAS_TAG is "openblas" when the OpenBLAS shared library is installed
# (scripts/setup-debian.sh), so benchmarks use the fast BLAS path.
BLAS_TAG  := $(shell ldconfig -p 2>/dev/null | grep -q libopenblas && echo openblas)
BLAS_TAGS := $(if $(BLAS_TAG),-tags $(BLAS_TAG))
PEER_PYTHON ?= /usr/bin/python3
PEER_COUNT  ?= 3
PEER_CNN_SECONDS ?= 4
EPOCH_ROUNDS ?= 3
TRAIN_BENCH ?= ^BenchmarkTrainStep$$

.PHONY: bench-train bench-peer bench-peer-cnn bench-epoch
bench-train: SHELL := /bin/bash
bench-train: .SHELLFLAGS := -o pipefail -c

# bench-train repeats the whole suite BENCHCOUNT times (not each case
# BENCHCOUNT times in a row), so that a slow spell of a shared host hits
# different cases in different rounds; the table takes the best round.
bench-train: ## training-step samples/s (MLP 784-512-512-10, CE/HS), pure Go and OpenBLAS, BENCHCOUNT rounds, best round tabulated; benchstat file in results/
	@mkdir -p results
	@: > results/bench-train.txt
	for round in $$(seq $(BENCHCOUNT)); do \
	  $(GO) test -run '^$$' -bench '$(TRAIN_BENCH)' -benchtime $(BENCHTIME) -count 1 ./train/ | tee -a results/bench-train.txt || exit 1; \
	  $(if $(BLAS_TAG),$(GO) test $(BLAS_TAGS) -run '^$$' -bench '$(TRAIN_BENCH)' -benchtime $(BENCHTIME) -count 1 ./train/ | tee -a results/bench-train.txt || exit 1;) \
	done
	@if command -v python3 >/dev/null; then python3 scripts/bench_training.py summary results/bench-train.txt; fi

bench-peer: SHELL := /bin/bash
bench-peer: .SHELLFLAGS := -o pipefail -c
bench-peer: ## Go trainer vs PyTorch (python3-torch), samples/s and ratios from one interleaved run; log in results/bench-peer.txt
	@mkdir -p results
	$(PEER_PYTHON) scripts/bench_training.py peer --go '$(GO)' --tags '$(BLAS_TAG)' --count $(PEER_COUNT) | tee results/bench-peer.txt

bench-peer-cnn: SHELL := /bin/bash
bench-peer-cnn: .SHELLFLAGS := -o pipefail -c
bench-peer-cnn: ## the paper's CNN: Go trainer (default and GOEXPERIMENT=simd builds) vs PyTorch at batch 32/128/512, samples/s, ratios, allocs and bytes per step; log in results/bench-peer-cnn.txt
	@mkdir -p results
	$(PEER_PYTHON) scripts/bench_training.py peer --model cnn --simd --go '$(GO)' --tags '$(BLAS_TAG)' --count $(PEER_COUNT) --seconds $(PEER_CNN_SECONDS) --min-steps 2 | tee results/bench-peer-cnn.txt

data: ## put MNIST and Fashion-MNIST into data/ (idempotent; DATA_FLAGS=-download on a connected machine), check CIFAR-10, report counts and load times
	$(GO) run ./cmd/data -data data $(DATA_FLAGS)

# ---- the study (cmd/train; README "Running the study") ----
# Both targets resume: rerunning one skips the runs already in its runs.csv.
# Extra cmd/train flags go in EXPERIMENT_FLAGS / REPRODUCE_FLAGS (e.g. -quiet).
EXPERIMENT_FLAGS ?=

experiment: ## compact study: MNIST, MLP 784-256-10, CE vs HS, batch 128/1024/8192, 3 seeds, 5 epochs (about a minute with OpenBLAS, 6 in pure Go) into results/experiment
	$(GO) run $(BLAS_TAGS) ./cmd/train -dataset mnist -train-subset 0 -model mlp -hidden 256 \
		-loss ce,hs -batch 128,1024,8192 -seeds 3 -epochs 5 -lr 1e-3 -out results/experiment $(EXPERIMENT_FLAGS)

# ---- sweeps on a cluster scheduler (scripts/cluster, README "Running the study") ----
.PHONY: cluster-check
cluster-check: SHELL := /bin/bash
cluster-check: ## (root) a synthetic sweep as a Slurm job array + merge job on a single-node cluster started here, vs one process; a task cancelled and resumed (about 1.5 minutes; installs slurm and munge with apt-get)
	@start=$$SECONDS; bin=$$(mktemp -d); trap 'rm -rf "$$bin"' EXIT; \
	$(GO) build -o "$$bin/train" ./cmd/train && \
	scripts/cluster/slurm-local.sh scripts/cluster/check.sh "$$bin/train" && \
	echo "cluster-check: $$((SECONDS - start)) s in all (build, cluster start and stop included)"

# ---- benchmarks and fuzzing (README "Performance") ----
bench: bench-op bench-train bench-other ## every benchmark of the repository: the operator table, the training table and the rest (BENCHTIME, BENCHCOUNT); benchstat files in results/

bench-op: SHELL := /bin/bash
bench-op: .SHELLFLAGS := -o pipefail -c
bench-op: ## operator kernels (vector build) vs a fused pass, the sort-based oracle and the portable build, and the op through a TapeMachine; results/bench-op.txt, results/bench-op-portable.txt
	@mkdir -p results
	$(SIMD_ENV) $(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) ./op/hypersimplex/ ./op/ | tee results/bench-op.txt
	$(GO) test -run '^$$' -bench '^Benchmark(Project|ProjectVJP|FusedPass)$$' -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) ./op/hypersimplex/ | tee results/bench-op-portable.txt
	@if command -v python3 >/dev/null; then python3 scripts/bench_op_table.py results/bench-op.txt results/bench-op-portable.txt; fi

bench-other: SHELL := /bin/bash
bench-other: .SHELLFLAGS := -o pipefail -c
bench-other: ## the other packages' benchmarks (ReLU, batch norm, CNN step, Predict, dataset loading, batcher, Adam); results/bench-other.txt
	@mkdir -p results
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) ./nn/ ./datasets/ ./internal/accel/ | tee results/bench-other.txt

FUZZTIME ?= 5m
fuzz: ## fuzz the op kernels and the shifted and Winograd convolutions, FUZZTIME per target with one worker; failures land in <package>/testdata/fuzz
	$(GO) test -run '^$$' -fuzz '^FuzzProject$$' -fuzztime $(FUZZTIME) -parallel 1 ./op/hypersimplex
	$(GO) test -run '^$$' -fuzz '^FuzzProjectVJP$$' -fuzztime $(FUZZTIME) -parallel 1 ./op/hypersimplex
	$(GO) test -run '^$$' -fuzz '^FuzzProjectEntropic$$' -fuzztime $(FUZZTIME) -parallel 1 ./op/hypersimplex
	$(GO) test -run '^$$' -fuzz '^FuzzShiftConv$$' -fuzztime $(FUZZTIME) -parallel 1 ./nn
	$(GO) test -run '^$$' -fuzz '^FuzzWinogradConv$$' -fuzztime $(FUZZTIME) -parallel 1 ./nn
	$(SIMD_ENV) $(GO) test -run '^$$' -fuzz '^FuzzWinogradConv$$' -fuzztime $(FUZZTIME) -parallel 1 ./nn

bench-epoch: SHELL := /bin/bash
bench-epoch: .SHELLFLAGS := -o pipefail -c
bench-epoch: ## split of one MNIST epoch (batching, forward+backward, Adam, evaluation) vs train.Train, EPOCH_ROUNDS rounds; benchstat file in results/
	@mkdir -p results
	@: > results/bench-epoch.txt
	for round in $$(seq $(EPOCH_ROUNDS)); do \
	  HSLOSS_EPOCH_SPLIT=1 $(GO) test $(BLAS_TAGS) -run '^$$' -bench '^BenchmarkEpochSplit$$' -benchtime 1x -count 1 -timeout 60m ./train/ | tee -a results/bench-epoch.txt || exit 1; \
	done
	@if command -v python3 >/dev/null; then python3 scripts/bench_training.py epoch results/bench-epoch.txt; fi

# ---- the large-batch study (docs/results.md) ----
# Fashion-MNIST and MNIST, MLP 784-256-10, four losses, batch 128…8192,
# 5 seeds, 12 epochs; then the ablations of the HyperSimplex loss: the public
# reference code's k = 0.5·n at every batch size, the class-prior k and τ
# at the largest batch, and the paper's learning rate 1e-4 at the smallest
# and largest batch; CE vs HS with calibrated class offsets (-calibrate);
# last, the entropic projection (-regularizer entropic) on Fashion-MNIST.
# Each folder resumes when the target is rerun.
REPRODUCE_FLAGS ?=
STUDY_DIR      ?= results/study
STUDY_DATASETS ?= fashion-mnist mnist
STUDY_COMMON   := -data data -train-subset 0 -model mlp -hidden 256 -lr 1e-3 -epochs 12 -seeds 5 -quiet $(REPRODUCE_FLAGS)
STUDY_TRAIN    := $(GO) run $(BLAS_TAGS) ./cmd/train
STUDY_BATCHES  := 128,256,512,1024,2048,4096,8192

reproduce: data ## the large-batch study (paper grid scaled down) and its ablations into results/study (about 1.5 hours with OpenBLAS on 2 cores)
	@for ds in $(STUDY_DATASETS); do \
	  $(STUDY_TRAIN) $(STUDY_COMMON) -dataset $$ds -loss ce,hs,hinge,mse -batch $(STUDY_BATCHES) -out $(STUDY_DIR)/$$ds || exit 1; \
	  $(STUDY_TRAIN) $(STUDY_COMMON) -dataset $$ds -loss ce,hs -batch $(STUDY_BATCHES) -k fraction -fraction 0.5 -reduction entry-mean -out $(STUDY_DIR)/$$ds-ablation-k-fraction || exit 1; \
	  $(STUDY_TRAIN) $(STUDY_COMMON) -dataset $$ds -loss ce,hs -batch 8192 -k prior -out $(STUDY_DIR)/$$ds-ablation-k-prior || exit 1; \
	  for tau in 0.5 5; do \
	    $(STUDY_TRAIN) $(STUDY_COMMON) -dataset $$ds -loss ce,hs -batch 8192 -tau $$tau -out $(STUDY_DIR)/$$ds-ablation-tau$$tau || exit 1; \
	  done; \
	  $(STUDY_TRAIN) $(STUDY_COMMON) -dataset $$ds -loss ce,hs -batch 128,8192 -lr 1e-4 -out $(STUDY_DIR)/$$ds-ablation-lr1e-4 || exit 1; \
	  $(STUDY_TRAIN) $(STUDY_COMMON) -dataset $$ds -loss ce,hs -batch 128,1024,8192 -calibrate -out $(STUDY_DIR)/$$ds-calibrated || exit 1; \
	done
	$(STUDY_TRAIN) $(STUDY_COMMON) -dataset fashion-mnist -loss ce,hs -batch 128,1024,8192 -regularizer entropic -out $(STUDY_DIR)/fashion-mnist-ablation-entropic

# ---- the paper's budget (docs/results.md, "The paper's budget") ----
# Fashion-MNIST, MLP 784-256-10, the reference code's augmentation and last
# batch, Adam lr 1e-4, 600 epochs, 3 seeds; scripts/budget.sh runs it as two
# single-threaded shards (one per core) and resumes; then the shards are
# merged and compared at the budgets 12, 50, 100, 300 and 600 epochs.
BUDGET_DIR ?= results/budget

.PHONY: reproduce-budget budget-report budget-interim reproduce-offsets
reproduce-budget: data ## the 600-epoch study (hours: resumable, rerun to continue) and its report into results/budget
	$(GO) build $(BLAS_TAGS) -o bin/train ./cmd/train
	DIR=$(BUDGET_DIR) TRAIN=bin/train scripts/budget.sh
	$(MAKE) budget-report

# The parts of the budget study the report covers: every part started, or
# those named (BUDGET_PARTS="required offset" while later parts still run:
# merge refuses a shard in use). The offset part has a setting of its own
# (its offsets' learning rate), so it is compared without being merged.
BUDGET_PARTS ?= $(patsubst $(BUDGET_DIR)/parts/%-0,%,$(wildcard $(BUDGET_DIR)/parts/*-0))
budget_folders = $(foreach p,$(1),$(wildcard $(BUDGET_DIR)/parts/$(p)-*))

budget-report: ## merge the budget study's shards and compare the losses at 12…600 epochs (results/budget/fashion-mnist); BUDGET_PARTS selects parts
	$(GO) run ./cmd/train merge -out $(BUDGET_DIR)/fashion-mnist $(call budget_folders,$(filter-out offset,$(BUDGET_PARTS)))
	$(GO) run ./cmd/train budget -out $(BUDGET_DIR)/fashion-mnist $(BUDGET_DIR)/fashion-mnist $(call budget_folders,$(filter offset,$(BUDGET_PARTS)))

budget-interim: ## compare the losses of the budget study while it runs (its shards read as one, no merge) into results/budget/interim
	$(GO) run ./cmd/train budget -out $(BUDGET_DIR)/interim $(BUDGET_DIR)/parts/*

reproduce-offsets: data ## hs-offset on the short-budget grid beside ce and hs, and the calibrated study at every batch size (results/study)
	$(GO) build $(BLAS_TAGS) -o bin/train ./cmd/train
	DIR=$(STUDY_DIR) TRAIN=bin/train scripts/offsets.sh

# ---- gradient boosting: the paper's Appendix A on XGBoost (cmd/gbrt; README "Gradient boosting") ----
# Needs libxgboost-dev (cgo, build tag xgboost). The real datasets come from
# Debian packages through scripts/gbrt-data.sh (R, r-cran-kernlab,
# r-cran-mlbench, python3-sklearn's .deb); both study folders resume.
GBRT_DIR      ?= results/gbrt
GBRT_DATA     ?= data/gbrt
GBRT_DATASETS ?= synthetic-50,synthetic-10,synthetic-2,spam,ticdata,pima,ionosphere,breast-cancer
GBRT_FLAGS    ?=
GBRT          := $(GO) run -tags xgboost ./cmd/gbrt -data $(GBRT_DATA) -rounds 500 -patience 50 -quiet $(GBRT_FLAGS)

.PHONY: gbrt gbrt-data test-xgboost test-openblas
gbrt-data: ## write the real binary datasets of the gradient-boosting study into data/gbrt (installs R packages with apt-get when missing)
	bash scripts/gbrt-data.sh $(GBRT_DATA)

$(GBRT_DATA)/spam.csv:
	bash scripts/gbrt-data.sh $(GBRT_DATA)

gbrt: $(GBRT_DATA)/spam.csv ## gradient-boosting study: HS objective (4 Hessians) vs binary:logistic and reg:squarederror, 8 datasets, 10 seeds, then the τ ablation (5 seeds); results/gbrt (about 10 minutes on 2 busy cores)
	$(GBRT) -dataset $(GBRT_DATASETS) -seeds 10 -out $(GBRT_DIR)/main
	for tau in 0.01 0.03 0.1; do \
	  $(GBRT) -dataset synthetic-10,spam,ticdata -objective hs-ones,hs-gn,l2 -tau $$tau -seeds 5 -out $(GBRT_DIR)/tau$$tau || exit 1; \
	done

test-openblas: ## the layers' tests with OpenBLAS (-tags openblas; needs libopenblas-dev), also in the GOEXPERIMENT=simd build: the Winograd and shifted convolutions run only with a cgo BLAS
	$(GO) vet -tags openblas ./nn/... ./internal/accel/...
	$(GO) test -tags openblas -count=1 ./nn/... ./internal/accel/...
	$(SIMD_ENV) $(GO) test -tags openblas -count=1 ./nn/...

test-xgboost: ## vet and test gbrt/xgboost and cmd/gbrt with XGBoost (-tags xgboost; needs libxgboost-dev)
	$(GO) vet -tags xgboost ./gbrt/... ./cmd/gbrt/
	$(GO) test -tags xgboost -count=1 ./gbrt/... ./cmd/gbrt/
