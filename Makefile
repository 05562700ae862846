# Bazaar: the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

CONFIGURATION ?= debug
BUILD_DIR := .build/$(CONFIGURATION)
BAZAAR := $(BUILD_DIR)/bazaar
VENV := .venv
# Debian packages the project needs: servers for the local runtime and tests, C libraries the
# Swift system-library targets link, and the loopback tools benchmarks use.
APT_PACKAGES := postgresql postgresql-client nginx-light redis-server redis-tools util-linux pkg-config \
	librdkafka-dev libmongoc-dev libhiredis-dev libcurl4-openssl-dev kcat wrk curl
# The test infrastructure has its own run directory and ports, so it never touches `make run`'s.
TEST_RUN_DIR := $(CURDIR)/.run/test
TEST_POSTGRES_PORT ?= 54339
TEST_REDIS_PORT ?= 56389
TEST_CART_REDIS_PORT ?= 56390
TEST_MONGO_PORT ?= 57027
TEST_SMTP_PORT ?= 2535
TEST_PORTS = --postgres-port $(TEST_POSTGRES_PORT) --redis-port $(TEST_REDIS_PORT) --cart-redis-port $(TEST_CART_REDIS_PORT) \
	--mongo-port $(TEST_MONGO_PORT) \
	--smtp-port $(TEST_SMTP_PORT)

.PHONY: help deps apt-deps venv build run infra down status test contracts bench bench-user bench-catalog clean

help:
	@echo "make run    install what is missing, build, and start the whole platform (Ctrl-C stops it)"
	@echo "make test   install what is missing, build, start test infrastructure, run every check"
	@echo "make infra  start only the infrastructure in the background (make down stops it)"
	@echo "make bench  release build and run the committed benchmarks (loopback, bounded)"

deps: apt-deps venv

# Installs only the Debian packages that are missing; uses sudo when not root.
apt-deps:
	@missing=$$(for package in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$package 2>/dev/null | grep -q '^install ok installed$$' || echo $$package; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		sudo=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

build: apt-deps
	swift build -c $(CONFIGURATION)

run: deps build
	$(BAZAAR) up

infra: deps build
	$(BAZAAR) infra --detach

down:
	@if [ -x $(BAZAAR) ]; then $(BAZAAR) down; $(BAZAAR) down --run-dir $(TEST_RUN_DIR) $(TEST_PORTS); fi

status:
	$(BAZAAR) status

# Builds once for tests (the venv is needed first: the launcher runs SecantusDB from it) (alternating `swift build` and `swift test` would re-plan and recompile),
# starts the infrastructure, runs every test and contract check, and stops what it started even
# when a test fails.
test: deps
	swift build --build-tests
	infrastructure/scripts/run-tests.sh "$(BUILD_DIR)" "$(TEST_RUN_DIR)" $(TEST_PORTS)

contracts: venv
	infrastructure/scripts/check-contracts.sh

# Benchmarks run a release build against a private dev broker on loopback; bounded in count and time.
bench: apt-deps
	swift build -c release --product bazaar-broker
	swift build -c release --product bazaar-kafka-benchmark
	.build/release/bazaar-kafka-benchmark --messages 300000 --rounds 9 --samples 1000 --output .build/bench-kafka.json
	swift build -c release --product bazaar-redis-benchmark
	.build/release/bazaar-redis-benchmark
	swift build -c release --product bazaar-mongo-benchmark
	.build/release/bazaar-mongo-benchmark
	$(MAKE) bench-user
	$(MAKE) bench-catalog

# The user service through the gateway on a private platform (release build of the whole platform,
# which `bazaar up` starts; about a minute once built).
bench-user: deps
	swift build -c release
	Tools/Benchmarks/UserBenchmark/run.sh

# The catalog's list and product pages through the gateway, cache warm and off (about two minutes).
bench-catalog: deps
	swift build -c release
	Tools/Benchmarks/CatalogBenchmark/run.sh

clean: down
	rm -rf .build .run $(VENV)
