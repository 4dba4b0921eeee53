# Two commands matter: `make run` (the demo story on the whole stack) and `make test` (every test).
# Both install and start what they need (RabbitMQ, PostgreSQL, the .NET build).
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(CURDIR)
LOCAL := $(ROOT)/.local
RESULTS := $(LOCAL)/test-results
DOTNET ?= dotnet
CONFIG ?= Release

.PHONY: help infra deploy-tools browser build test test-repeat chaos fuzz redrive run up down bench bench-webhooks bench-gateway bench-e2e simulate channels clean

help:
	@echo "make run    start RabbitMQ, PostgreSQL and the routing service, then play the demo story (Ctrl-C stops)"
	@echo "make test   every test: unit, consumer (MassTransit harness), integration (real RabbitMQ + PostgreSQL), end to end (the local stack)"
	@echo "make test-repeat N=5  the whole suite N times back to back (each on a fresh test instance)"
	@echo "make chaos  the fault campaign: every scenario under load, and what the checker found (tests/Routing.Chaos/README.md)"
	@echo "make fuzz   afl-fuzz on every parser of outside input, FUZZ_SECONDS per target (tests/Routing.Fuzz/README.md)"
	@echo "make up     the whole stack in the background, waiting until every service is healthy (in containers where a Docker engine answers)"
	@echo "make down   stop what make up started"
	@echo "make channels  write what a new line of deploy/channels.tsv still lacks (solution, Kubernetes, broker user, compose, image, guide)"
	@echo "make simulate  the routing simulator on the standard month (SCENARIO=file): policies side by side, report in .local/simulate"
	@echo "make bench  the routing benchmark (see tests/Routing.Benchmarks/README.md)"
	@echo "make bench-webhooks  webhook ingestion per adapter beside a bare endpoint (same README)"
	@echo "make bench-gateway  webhook deliveries to agents' tools: deliveries/s and p99 (same README)"
	@echo "make bench-e2e  the whole stack under open-loop webhooks: the rate it sustains, latency by stage (tests/Pipeline.Benchmarks/README.md)"

infra:
	@deploy/local/infra.sh up

build:
	@command -v $(DOTNET) >/dev/null || { echo "The .NET 10 SDK is required (dotnet on PATH)"; exit 1; }
	$(DOTNET) build Routing.sln -c $(CONFIG) -nologo -clp:ErrorsOnly

# What the deployment checks (tests/Deploy.Tests) run besides kubectl: docker-compose validates the compose
# file (and the schema packages of package-lock.json from npm).
deploy-tools:
	@command -v docker-compose >/dev/null || { echo "installing docker-compose"; \
	  sudo=; [ "$$(id -u)" -eq 0 ] || sudo=sudo; $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }
	@command -v kubectl >/dev/null || { echo "kubectl is required (it renders the Kubernetes overlays)"; exit 1; }
	@command -v npm >/dev/null || { echo "Node.js and npm are required (the Kubernetes schema validator)"; exit 1; }
	@[ -f tests/Deploy.Tests/schema/node_modules/.package-lock.json ] || \
	  npm ci --prefix tests/Deploy.Tests/schema --no-audit --no-fund --loglevel=error

# The console's browser tests (tests/Routing.ConsoleTests) drive the system's Chromium; Playwright's own download is not needed.
browser:
	@command -v chromium >/dev/null || { echo "installing chromium (the console's browser tests)"; \
	  sudo=; [ "$$(id -u)" -eq 0 ] || sudo=sudo; $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# make test runs on an instance of the local stack of its own (deploy/local/instance.sh): its own RabbitMQ,
# PostgreSQL, Dovecot and Postfix, data under .local/test and every port 1000 higher, started empty at every run
# and stopped afterwards. A user's make up keeps running beside it, unseen and untouched. The console's browser tests
# (tests/Routing.ConsoleTests) read the whole floor, so they run after the solution's, on their own; the fault campaign's
# small scenarios (tests/Routing.Chaos.Tests) kill that instance's servers, so they run last.
TEST_STATE := $(LOCAL)/test

test: deploy-tools browser build
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)
	@export ROUTING_INSTANCE=test; \
	  deploy/local/stack.sh down; deploy/local/infra.sh reset; \
	  { deploy/local/infra.sh up && deploy/local/stack.sh up; } || { deploy/local/stack.sh down; deploy/local/infra.sh down; exit 1; }; \
	  set -a; source $(TEST_STATE)/env; source $(TEST_STATE)/stack.env; set +a; \
	  $(DOTNET) test tests/Deploy.Tests -c $(CONFIG) --no-build --nologo \
	    --results-directory $(RESULTS) --logger "trx" --logger "console;verbosity=normal" -- RunConfiguration.TreatNoTestsAsError=true; \
	  rc=$$?; \
	  $(DOTNET) test Routing.sln -c $(CONFIG) --no-build --nologo -p:DeployTestsDone=true -p:ChaosTestsApart=true -p:ConsoleTestsApart=true \
	    --results-directory $(RESULTS) --logger "trx" --logger "console;verbosity=normal" -- RunConfiguration.TreatNoTestsAsError=true; \
	  rc2=$$?; [ $$rc -eq 0 ] && rc=$$rc2; \
	  $(DOTNET) test tests/Routing.ConsoleTests -c $(CONFIG) --no-build --nologo \
	    --results-directory $(RESULTS) --logger "trx" --logger "console;verbosity=normal" -- RunConfiguration.TreatNoTestsAsError=true; \
	  rc4=$$?; [ $$rc -eq 0 ] && rc=$$rc4; \
	  $(DOTNET) test tests/Routing.Chaos.Tests -c $(CONFIG) --no-build --nologo \
	    --results-directory $(RESULTS) --logger "trx" --logger "console;verbosity=normal" -- RunConfiguration.TreatNoTestsAsError=true; \
	  rc3=$$?; [ $$rc -eq 0 ] && rc=$$rc3; deploy/local/stack.sh down; deploy/local/infra.sh down; tests/summary.sh $(RESULTS); exit $$rc

# The whole suite N times back to back, each on a fresh test instance: the proof that no test depends on luck
# or on order. Every run's output is kept in .local/test-repeat/run-<i>.log; fails if any run failed.
N ?= 5
test-repeat: build
	@mkdir -p $(LOCAL)/test-repeat; failed=0; \
	  for i in $$(seq 1 $(N)); do \
	    start=$$(date +%s); $(MAKE) --no-print-directory test > $(LOCAL)/test-repeat/run-$$i.log 2>&1; rc=$$?; \
	    summary=$$(grep -E '^tests: ' $(LOCAL)/test-repeat/run-$$i.log | tail -n 1); \
	    echo "run $$i of $(N): $${summary:-no summary} (exit $$rc, $$(( $$(date +%s) - start )) s)"; \
	    [ $$rc -eq 0 ] || failed=$$((failed + 1)); \
	  done; \
	  echo "test-repeat: $(N) runs, $$failed failed"; [ $$failed -eq 0 ]

# Coverage-guided fuzzing (tests/Routing.Fuzz): installs afl++ and the SharpFuzz instrumenter when missing, then runs
# every target for FUZZ_SECONDS (60) each, one after another; exit 1 on any crash or hang.
fuzz:
	@DOTNET=$(DOTNET) tests/Routing.Fuzz/fuzz.sh

# The fault campaign (tests/Routing.Chaos): on an instance of its own (ROUTING_INSTANCE=chaos, every port 2000 higher),
# started empty and stopped afterwards. SCENARIOS="routing-kill postgres-kill" runs some; SMALL=1 at make test's scale.
SCENARIOS ?=
chaos: build
	@export ROUTING_INSTANCE=chaos ROUTING_PG_DISK_MB=2048; \
	  deploy/local/stack.sh down; deploy/local/infra.sh reset; \
	  { deploy/local/infra.sh up && deploy/local/stack.sh up; } || { deploy/local/stack.sh down; deploy/local/infra.sh down; exit 1; }; \
	  set -a; source $(LOCAL)/chaos/env; source $(LOCAL)/chaos/stack.env; set +a; \
	  $(DOTNET) tests/Routing.Chaos/bin/$(CONFIG)/net10.0/Routing.Chaos.dll $(if $(SMALL),--small) $(SCENARIOS); \
	  rc=$$?; deploy/local/stack.sh down; deploy/local/infra.sh down; exit $$rc

# With a Docker engine, the whole stack in containers (deploy/compose.yaml); otherwise local processes.
COMPOSE := docker compose -p omnichannel-routing -f deploy/compose.yaml
docker_engine = [ -z "$$ROUTING_NO_DOCKER" ] && command -v docker >/dev/null && timeout 5 docker info >/dev/null 2>&1

up:
	@if $(docker_engine); then $(COMPOSE) up -d --build --wait; else $(MAKE) --no-print-directory infra build && deploy/local/stack.sh up; fi

down:
	@if $(docker_engine); then $(COMPOSE) down; fi
	@deploy/local/stack.sh down
	@deploy/local/infra.sh down
	@# and make test's and make chaos's own instances, if an interrupted run left them up
	@for instance in test chaos bench; do ROUTING_INSTANCE=$$instance deploy/local/stack.sh down; ROUTING_INSTANCE=$$instance deploy/local/infra.sh down; done

# The story uses short holds and a 20-second idle close on Messenger so it finishes in about a minute, and a rule that
# gives "wholesale" messages to the wholesale team; `make up` keeps the defaults.
DEMO_SETTINGS := Routing__HoldWait__whatsapp=00:00:08 Routing__SweepInterval=00:00:00.500 Routing__IdleClose__facebook=00:00:20 \
  Routing__Requirements__SkillRules__0__Skill=wholesale Routing__Requirements__SkillRules__0__Team=wholesale \
  Routing__Requirements__SkillRules__0__Keywords__0=wholesale

run: infra build
	@deploy/local/stack.sh down >/dev/null 2>&1 || true
	@env $(DEMO_SETTINGS) deploy/local/stack.sh up
	@set -a; source $(LOCAL)/env; source $(LOCAL)/stack.env; source deploy/local/dev.env; set +a; \
	  $(DOTNET) run --project deploy/local/demo/Routing.Demo.csproj -c $(CONFIG) --no-build -- --stay

# A channel's registration (services/Adapters/README.md, "Adding a channel"): after its line in deploy/channels.tsv, this writes
# every place outside its folder that must name it, where it does not yet, then checks them all.
channels: deploy-tools
	@mkdir -p $(LOCAL); ROUTING_WRITE_CHANNELS=1 $(DOTNET) test tests/Deploy.Tests/Deploy.Tests.csproj -c $(CONFIG) -nologo \
	  --filter "FullyQualifiedName~ChannelRegistrationTests.Should_find_every_channel_everywhere_it_must_be" \
	  --logger "console;verbosity=detailed" > $(LOCAL)/channels.log 2>&1; status=$$?; \
	  grep -E "make channels|^  (deploy|Routing)|missing from|^[a-z0-9-]+: " $(LOCAL)/channels.log; \
	  [ $$status -eq 0 ] && echo "every channel of deploy/channels.tsv is registered" || echo "see $(LOCAL)/channels.log"; exit $$status

# The routing simulator (services/Routing/README.md, Simulation): a scenario's policies on the same simulated traffic, in
# memory, with no server started. SCENARIO=deploy/simulate/other.json runs another scenario; the report is
# .local/simulate/report.html (and report.json).
SCENARIO ?= deploy/simulate/standard-month.json
simulate:
	@command -v $(DOTNET) >/dev/null || { echo "The .NET 10 SDK is required (dotnet on PATH)"; exit 1; }
	@$(DOTNET) build services/Routing/Routing.csproj -c $(CONFIG) -nologo -clp:ErrorsOnly -v q >/dev/null || \
	  $(DOTNET) build services/Routing/Routing.csproj -c $(CONFIG) -nologo -clp:ErrorsOnly
	@$(DOTNET) services/Routing/bin/$(CONFIG)/net10.0/Routing.dll simulate --scenario $(SCENARIO) --out $(LOCAL)/simulate

bench: infra build
	@set -a; source $(LOCAL)/env; set +a; \
	  $(DOTNET) run --project tests/Routing.Benchmarks/Routing.Benchmarks.csproj -c $(CONFIG) --no-build -- $(BENCH_ARGS)

bench-webhooks: infra build
	@set -a; source $(LOCAL)/env; set +a; \
	  $(DOTNET) run --project tests/Adapters.Benchmarks/Adapters.Benchmarks.csproj -c $(CONFIG) --no-build -- $(BENCH_ARGS)

bench-gateway: infra build
	@set -a; source $(LOCAL)/env; set +a; \
	  $(DOTNET) run --project tests/Gateway.Benchmarks/Gateway.Benchmarks.csproj -c $(CONFIG) --no-build -- $(BENCH_ARGS)

# The whole pipeline (tests/Pipeline.Benchmarks): on an instance of its own (ROUTING_INSTANCE=bench, every port 3000
# higher), started empty and stopped afterwards. BENCH_ARGS="--seconds 15 --returning 0.3" (README.md lists them).
bench-e2e: build
	@export ROUTING_INSTANCE=bench; \
	  deploy/local/stack.sh down; deploy/local/infra.sh reset; \
	  { deploy/local/infra.sh up && deploy/local/stack.sh up; } || { deploy/local/stack.sh down; deploy/local/infra.sh down; exit 1; }; \
	  set -a; source $(LOCAL)/bench/env; source $(LOCAL)/bench/stack.env; set +a; \
	  eval "$$(deploy/local/infra.sh describe | awk '$$1=="state"{print "export ROUTING_BENCH_STATE="$$2} $$1=="postgres"{print "export ROUTING_BENCH_PG_PORT="$$2}')"; \
	  $(DOTNET) tests/Pipeline.Benchmarks/bin/$(CONFIG)/net10.0/Pipeline.Benchmarks.dll $(BENCH_ARGS); \
	  rc=$$?; deploy/local/stack.sh down; deploy/local/infra.sh down; exit $$rc

# Moves an error queue's messages back to their queue once the cause is fixed (on make up's broker):
#   make redrive QUEUE=inbound-message-received_error
redrive:
	@set -a; source $(LOCAL)/env; set +a; deploy/local/redrive.sh "$(QUEUE)" $(VHOST)

clean:
	$(DOTNET) clean Routing.sln -nologo -v q
