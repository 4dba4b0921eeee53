# Two commands matter: `make run` (the demo story on the whole stack) and `make test` (every test).
# Both install and start what they need (RabbitMQ, PostgreSQL, the .NET build).
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(CURDIR)
LOCAL := $(ROOT)/.local
RESULTS := $(LOCAL)/test-results
DOTNET ?= dotnet
CONFIG ?= Release

.PHONY: help infra build test run up down bench clean

help:
	@echo "make run    start RabbitMQ, PostgreSQL and the routing service, then play the demo story (Ctrl-C stops)"
	@echo "make test   every test: unit, consumer (MassTransit harness) and integration (real RabbitMQ + PostgreSQL)"
	@echo "make up     the whole stack in the background, waiting until every service is healthy"
	@echo "make down   stop what make up started"
	@echo "make bench  the routing benchmark (see tests/Routing.Benchmarks/README.md)"

infra:
	@deploy/local/infra.sh up

build:
	@command -v $(DOTNET) >/dev/null || { echo "The .NET 10 SDK is required (dotnet on PATH)"; exit 1; }
	$(DOTNET) build Routing.sln -c $(CONFIG) -nologo -clp:ErrorsOnly

test: infra build
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)
	@set -a; source $(LOCAL)/env; set +a; \
	  $(DOTNET) test Routing.sln -c $(CONFIG) --no-build --nologo \
	    --results-directory $(RESULTS) --logger "trx" --logger "console;verbosity=normal" -- RunConfiguration.TreatNoTestsAsError=true; \
	  rc=$$?; tests/summary.sh $(RESULTS); exit $$rc

up: infra build
	@deploy/local/stack.sh up

down:
	@deploy/local/stack.sh down
	@deploy/local/infra.sh down

# The story uses short holds so it finishes in under a minute; `make up` keeps the defaults.
DEMO_SETTINGS := Routing__HoldWait__whatsapp=00:00:08 Routing__SweepInterval=00:00:00.500

run: infra build
	@deploy/local/stack.sh down >/dev/null 2>&1 || true
	@env $(DEMO_SETTINGS) deploy/local/stack.sh up
	@set -a; source $(LOCAL)/env; source deploy/local/dev.env; set +a; \
	  $(DOTNET) run --project deploy/local/demo/Routing.Demo.csproj -c $(CONFIG) --no-build -- --stay

bench: infra build
	@set -a; source $(LOCAL)/env; set +a; \
	  $(DOTNET) run --project tests/Routing.Benchmarks/Routing.Benchmarks.csproj -c $(CONFIG) --no-build -- $(BENCH_ARGS)

clean:
	$(DOTNET) clean Routing.sln -nologo -v q
