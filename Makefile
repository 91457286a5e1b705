# The two commands a new user needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test install lint format clean bench race load fault fuzz backup restore intake-eval replica replica-down cluster cluster-down bench-cluster webhooks-bench bench-import

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed (set PYTHON=python3.x).") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Serve http://$(HOST):$(PORT) with the demo data (SQLite unless DATABASE_URL says otherwise).
run: export DEBUG ?= true
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py refresh_statistics --if-stale
	$(BIN)/python manage.py load_agreements fixtures/iran-iraq.json
	$(BIN)/python manage.py ensure_demo_editor
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## Serve http://$(HOST):$(PORT) in production mode: DEBUG off, migrate, collectstatic, gunicorn with
## gunicorn.conf.py. Needs SECRET_KEY and ALLOWED_HOSTS (docs/operations.md, "Serving").
serve: install
	$(BIN)/python -m tracker.serve --bind $(HOST):$(PORT)

## Run the whole suite (SQLite unless DATABASE_URL points to PostgreSQL). The browser journeys
## need /usr/bin/chromium; without it the summary says once that they were not run.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Our API beside PostGraphile, Datasette, a naive DRF baseline and pgbench at 250,000 agreements
## (PostgreSQL on 127.0.0.1:5432; BENCH_ARGS="--agreements 50000" etc.; BENCH_ARGS="--database sqlite":
## ours on the SQLite default beside ours on PostgreSQL; see bench/README.md and docs/benchmarks.md).
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## Issue 5's integrity scripts, against gunicorn on PostgreSQL (database tracker_faults; see
## bench/README.md): two editors racing, 32 clients of mixed load for 60 s, and that load with
## PostgreSQL restarted halfway (which cuts off every database of the cluster for seconds).
## RACE_ARGS / LOAD_ARGS="--database sqlite": race and load against the SQLite default instead.
race: install
	$(BIN)/python -m bench.race $(RACE_ARGS)

load: install
	$(BIN)/python -m bench.mixed_load $(LOAD_ARGS)

fault: install
	$(BIN)/python -m bench.fault $(FAULT_ARGS)

## schemathesis against gunicorn on PostgreSQL database tracker_fuzz: every operation, 1,000 cases
## each, with a token and anonymously; fails on any 5xx or schema violation (FUZZ_ARGS="--max-examples 20").
fuzz: install
	$(BIN)/python -m bench.fuzz $(FUZZ_ARGS)

## Webhooks (issue 18): 10,000 outbox changes through two deliver_webhooks workers to a local receiver,
## healthy and failing 10 % of requests; events/s, commit→delivery p50/p99, duplicates, losses
## (PostgreSQL database tracker_bench_webhooks; WEBHOOKS_BENCH_ARGS="--events 2000").
webhooks-bench: install
	$(BIN)/python -m bench.webhooks_bench $(WEBHOOKS_BENCH_ARGS)

## The intake (“Add from a news report”) over the 24 reports of bench/intake/: per field how many
## proposals were right, and the time per report against PostgreSQL database tracker_intake_eval
## (250,000 synthetic agreements and 10,000 known people; INTAKE_EVAL_ARGS="--agreements 20000").
intake-eval: install
	$(BIN)/python -m bench.intake_eval $(INTAKE_EVAL_ARGS)

## Import 10,000 agreements with their parts from one XLSX file (issue 18): a dry run, the import and a
## second import of the same file, timed, with queries per row (SQLite file; IMPORT_BENCH_ARGS="--database
## postgresql" for database tracker_spreadsheet_bench; "--agreements 1000"; see docs/benchmarks.md).
bench-import: install
	$(BIN)/python -m bench.spreadsheet_import $(IMPORT_BENCH_ARGS)

## Back up / restore the PostgreSQL database of DATABASE_URL with pg_dump -Fc / pg_restore --clean
## (BACKUP=backups/tracker.dump); refused on SQLite. Portable JSON: docs/operations.md, "Backup and restore".
BACKUP ?= backups/tracker.dump
backup: install
	$(BIN)/python manage.py backup_database $(BACKUP)

restore: install
	$(BIN)/python manage.py restore_database $(BACKUP)

## A PostgreSQL primary and a streaming replica of our own under .replica/ (ports 55470, 55471;
## the machine's cluster on 5432 is never touched); prints the DATABASE_URL and DATABASE_REPLICA_URLS
## to use. REPLICA_ARGS="--replicas 2" for two. replica-down stops exactly those servers (data kept).
## See docs/operations.md, "Read replicas".
replica: install
	$(BIN)/python -m bench.replica up $(REPLICA_ARGS)

replica-down: install
	$(BIN)/python -m bench.replica down $(REPLICA_ARGS)

## A local cluster under .cluster/ (loopback only): a PostgreSQL primary (55490) and a streaming replica
## (55491), Redis (the machine's, key prefix "cluster"), two `make serve` instances (8401, 8402) and nginx
## in front (http://127.0.0.1:8400/). CLUSTER_ARGS="--agreements 5000" adds synthetic data. Run again, it
## starts only what is not running; cluster-down stops exactly what it started. docs/operations.md,
## "A local cluster".
cluster: install
	$(BIN)/python -m bench.cluster up $(CLUSTER_ARGS)

cluster-down: install
	$(BIN)/python -m bench.cluster down $(CLUSTER_ARGS)

## Mixed reads and writes through the cluster's nginx (starting what is not running): steady, with one app
## instance killed and restarted halfway, with the replica stopped halfway; lost writes and read-your-writes
## violations (BENCH_CLUSTER_ARGS="--seconds 30"; see bench/README.md).
bench-cluster: install
	$(BIN)/python -m bench.cluster_load $(BENCH_CLUSTER_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
