# One target per task, used identically by people and CI.
SHELL := /bin/bash
ZA := .venv/bin/zoneatlas

.PHONY: run test setup lint demo-generate

setup:
	@scripts/setup-python.sh
	@scripts/setup-web.sh
	@scripts/ensure-postgis.sh
	@scripts/ensure-pdf-libs.sh
	@$(ZA) db upgrade

## Run the product on the local PostGIS with the demo data: http://127.0.0.1:8000 (HOST/PORT honoured)
run: setup
	@$(ZA) demo load
	@$(ZA) serve

## Run the whole test suite against a throwaway database
test:
	@scripts/setup-python.sh
	@scripts/setup-web.sh
	@scripts/ensure-postgis.sh
	@scripts/ensure-pdf-libs.sh
	@scripts/ensure-test-tools.sh
	.venv/bin/python -m pytest $(PYTEST_ARGS)

lint:
	.venv/bin/ruff check gis layers api maps tests

demo-generate: setup
	@$(ZA) demo generate --parcels 200000 --plots 20000 --seed 1
