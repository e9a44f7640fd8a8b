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

## Lint gate (CI runs it before the tests): ruff rules and formatting over every Python folder, mypy on gis/ and layers/
PY_DIRS := gis layers api maps tests scripts bench
lint:
	@scripts/setup-python.sh
	.venv/bin/ruff check $(PY_DIRS)
	.venv/bin/ruff format --check $(PY_DIRS)
	.venv/bin/mypy

demo-generate: setup
	@$(ZA) demo generate --parcels 200000 --plots 20000 --seed 1
