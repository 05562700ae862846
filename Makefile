# Bazaar: the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

CONFIGURATION ?= debug
BUILD_DIR := .build/$(CONFIGURATION)
BAZAAR := $(BUILD_DIR)/bazaar
# Whichever launcher is built (make run builds release, make test debug), for down and status.
ANY_BAZAAR = $(firstword $(wildcard .build/release/bazaar .build/debug/bazaar))
VENV := .venv
# Debian packages the project needs: servers for the local runtime and tests, C libraries the
# Swift system-library targets link, and the loopback tools benchmarks use.
APT_PACKAGES := postgresql postgresql-client nginx-light redis-server redis-tools util-linux binutils pkg-config \
	librdkafka-dev libmongoc-dev libhiredis-dev libcurl4-openssl-dev kcat wrk curl \
	openssl prometheus chromium chromium-driver apache2-utils
# The test infrastructure has its own run directory and ports, so it never touches `make run`'s.
TEST_RUN_DIR := $(CURDIR)/.run/test
TEST_POSTGRES_PORT ?= 15439
TEST_REDIS_PORT ?= 16389
TEST_CART_REDIS_PORT ?= 16390
TEST_MONGO_PORT ?= 17027
TEST_SMTP_PORT ?= 2535
TEST_PORTS = --postgres-port $(TEST_POSTGRES_PORT) --redis-port $(TEST_REDIS_PORT) --cart-redis-port $(TEST_CART_REDIS_PORT) \
	--mongo-port $(TEST_MONGO_PORT) \
	--smtp-port $(TEST_SMTP_PORT)

.PHONY: help deps apt-deps venv compose-venv build run infra down status test test-repeat test-browser fuzz chaos load load-venv contracts bench bench-user bench-catalog bench-consumer bench-overhead bench-inventory bench-reservations bench-cart bench-payments bench-saga clean

help:
	@echo "make run    install what is missing, build release binaries, and start the whole platform (Ctrl-C stops it)"
	@echo "make test   install what is missing, build, start test infrastructure, run every check"
	@echo "make test-repeat N=5   run the tests N times against one infrastructure; list every failure"
	@echo "make test-browser   the storefront in headless chromium against a platform of its own"
	@echo "make load   the platform under load (ab, a locust mix), report in .build/load-report (release build)"
	@echo "make chaos  1,000 checkouts while every service, Postgres and each Redis is killed (release build)"
	@echo "make infra  start only the infrastructure in the background (make down stops it)"
	@echo "make bench  release build and run the committed benchmarks (loopback, bounded)"

deps: apt-deps venv compose-venv

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

# docker-compose 1.29 (the last release on PyPI; `config` validates docker-compose.yml offline)
# needs PyYAML 5, which builds only with Cython < 3 and conflicts with .venv's: a venv of its own.
COMPOSE_VENV := .venv-compose
compose-venv: $(COMPOSE_VENV)/.installed

$(COMPOSE_VENV)/.installed:
	python3 -m venv $(COMPOSE_VENV)
	$(COMPOSE_VENV)/bin/pip install --quiet --disable-pip-version-check "cython<3.0.0" wheel setuptools
	$(COMPOSE_VENV)/bin/pip install --quiet --disable-pip-version-check --no-build-isolation "pyyaml==5.4.1"
	$(COMPOSE_VENV)/bin/pip install --quiet --disable-pip-version-check "docker-compose==1.29.2"
	touch $@

build: apt-deps
	swift build -c $(CONFIGURATION)

# What people evaluate and benchmark: release binaries (the launcher starts the services built
# beside it). The first release build takes a while (about 20 minutes on 2 cores); later ones
# only rebuild what changed.
run: deps
	@echo "make run: building the release binaries (the first build takes about 20 minutes on 2 cores; later ones are quick) ..."
	swift build -c release
	@echo "make run: starting the platform (.build/release/bazaar up) ..."
	.build/release/bazaar up

infra: deps build
	$(BAZAAR) infra --detach

down:
	@if [ -n "$(ANY_BAZAAR)" ]; then $(ANY_BAZAAR) down; $(ANY_BAZAAR) down --run-dir $(TEST_RUN_DIR) $(TEST_PORTS); fi

status:
	$(ANY_BAZAAR) status

# Builds once for tests (the venv is needed first: the launcher runs SecantusDB from it) (alternating `swift build` and `swift test` would re-plan and recompile),
# starts the infrastructure, runs every test and contract check, and stops what it started even
# when a test fails.
test: deps
	swift build --build-tests
	infrastructure/scripts/run-tests.sh "$(BUILD_DIR)" "$(TEST_RUN_DIR)" $(TEST_PORTS)

# Runs the Swift tests N times (default 5) against one started infrastructure and lists every
# test that failed at least once, with its count: use it before you stop.
N ?= 5
test-repeat: deps
	swift build --build-tests
	infrastructure/scripts/run-tests.sh --repeat $(N) "$(BUILD_DIR)" "$(TEST_RUN_DIR)" $(TEST_PORTS)

# The storefront in headless chromium against a whole platform of its own (part of `make test`).
test-browser: deps
	swift build
	.venv/bin/python Tests/Browser/storefront_test.py --launcher .build/debug/bazaar

# Bad input through the gateway: schemathesis against every service's OpenAPI document, as a
# customer and as an administrator, against a whole platform of its own (part of `make test`).
fuzz: deps
	swift build
	.venv/bin/python Tests/Fuzz/api_fuzz.py --launcher .build/debug/bazaar

# Checkouts while the platform's processes are killed and the broker goes down and up, then every
# promise checked (Tests/Chaos/chaos.py). `make test` runs the short form (100 checkouts, three
# kills) on the debug build; this is the long form on the release build (a few minutes once built).
chaos: deps
	swift build -c release
	.venv/bin/python Tests/Chaos/chaos.py --form long --launcher .build/release/bazaar

# The load suite (Tools/Benchmarks/Load): the seed profile with ab on the product list, then a
# shoppers' mix with locust ramped up until errors or p99 > 1 s; a report with plots in
# .build/load-report/index.html. Release build, loopback, bounded (about 6 minutes once built).
LOAD_VENV := .venv-load
load-venv: $(LOAD_VENV)/.installed

$(LOAD_VENV)/.installed: requirements-load.txt
	python3 -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-load.txt
	touch $@

load: deps load-venv
	swift build -c release
	$(LOAD_VENV)/bin/python Tools/Benchmarks/Load/load.py

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
	$(MAKE) bench-consumer
	$(MAKE) bench-overhead
	$(MAKE) bench-user
	$(MAKE) bench-catalog
	$(MAKE) bench-inventory
	$(MAKE) bench-reservations
	$(MAKE) bench-cart
	$(MAKE) bench-payments
	$(MAKE) bench-saga

# What every request pays: the warm catalog list, a product page and /api/users/me against a
# floor (nginx in front of a server returning prebuilt bytes), in one run (about two minutes).
bench-overhead: deps
	swift build -c release
	Tools/Benchmarks/OverheadBenchmark/run.sh

# Events handled per second by one consumer process, one partition vs six (about a minute).
bench-consumer: deps
	swift build -c release --product bazaar
	swift build -c release --product bazaar-broker
	swift build -c release --product bazaar-consumer-benchmark
	Tools/Benchmarks/ConsumerBenchmark/run.sh

# The user service through the gateway on a private platform (release build of the whole platform,
# which `bazaar up` starts; about a minute once built).
bench-user: deps
	swift build -c release
	Tools/Benchmarks/UserBenchmark/run.sh

# The catalog's list and product pages through the gateway, cache warm and off (about two minutes).
bench-catalog: deps
	swift build -c release
	Tools/Benchmarks/CatalogBenchmark/run.sh

# Public availability through the gateway, one SKU and twenty per request (about a minute once built).
# Signed-in users' cart page and add-to-cart through the gateway, 64 connections (about a minute).
bench-cart: deps
	swift build -c release
	Tools/Benchmarks/CartBenchmark/run.sh

bench-inventory: deps
	swift build -c release
	Tools/Benchmarks/InventoryBenchmark/run.sh

# Reservations per second end to end (order.placed in, stock.reserved out): one hot SKU and
# 1,000 SKUs, one and two inventory replicas (about two minutes once built).
bench-reservations: deps
	swift build -c release
	Tools/Benchmarks/InventoryBenchmark/reservations.sh

# Payments per second end to end (order.payment_requested in, payment.authorized/failed out), one
# and two payment replicas with only Postgres and the dev broker beside them (about a minute once built).
bench-payments: deps
	swift build -c release --product bazaar
	swift build -c release --product bazaar-payment
	Tools/Benchmarks/PaymentBenchmark/run.sh

# The order saga, placed -> CONFIRMED latency at 50, 200 and 300 checkouts/s, the whole platform
# running, and its idle CPU (about three minutes once built).
bench-saga: deps
	swift build -c release
	Tools/Benchmarks/OrderBenchmark/saga.sh

clean: down
	rm -rf .build .run $(VENV)
