# Makefile for the HyperSimplex loss project. `make help` lists the targets.
GO      ?= go
PKGS    ?= ./...
BENCHTIME ?= 1s
BENCHCOUNT ?= 1

.PHONY: help test test-short vet fmt-check fuzz bench data experiment reproduce

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

test: ## run every test (what CI runs)
	$(GO) test -count=1 $(PKGS)

test-short: ## quick subset of the tests (-short)
	$(GO) test -short -count=1 $(PKGS)

vet: ## go vet
	$(GO) vet $(PKGS)

fmt-check: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
