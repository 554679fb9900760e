# Two commands do all the set-up on a fresh machine with RabbitMQ (and, for the tests, PostgreSQL)
# reachable: `make run` and `make test` create the virtual environment and install the project first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run test bench asyncapi frontend-assets screenshots clean

# NHS.UK frontend (npm `nhsuk-frontend`) vendored under services/portal/static/nhsuk. Keep the version in
# step with the PyPI `nhsuk-frontend-jinja` pin in pyproject.toml (tests/portal/test_assets.py checks).
NHSUK_FRONTEND_VERSION ?= 10.6.1
NHSUK_STATIC := services/portal/static/nhsuk

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: install
	$(BIN)/skillpass run

# Three tiers. The in-process tests run on two workers. The tests that run the real processes run on
# two workers too (they spend much of their time waiting on processes and the broker), each module's
# tests together and the browser tests together (tests/conftest.py), so that each platform starts once. Last, alone, the tests that stop the broker (that would cut off tests
# beside them). A tier that PYTEST_ARGS leaves empty is not a failure (pytest's exit code 5).
REAL := stack or browser
test: install
	$(BIN)/python -m pytest -n 2 -m "not ($(REAL) or serial)" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/python -m pytest -n 2 --dist loadscope -m "($(REAL)) and not serial" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/python -m pytest -m serial $(PYTEST_ARGS) || [ $$? -eq 5 ]

# The AsyncAPI document of the events, regenerated from the event catalogue (a test fails when it is stale).
asyncapi: install
	$(BIN)/skillpass asyncapi --output docs/asyncapi.yaml

# Refreshes the committed NHS.UK frontend files; never part of `make test` or `make run` (needs npm).
# The compiled CSS points at /assets/images/... from the site root: those url()s are made relative so
# that they resolve beside the stylesheet (/static/nhsuk/assets/images/...). The source maps are not
# vendored, so their comments go too. LICENSE is kept (the npm tarball has none).
frontend-assets:
	@set -eu; tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack --silent nhsuk-frontend@$(NHSUK_FRONTEND_VERSION) >/dev/null); \
	tar -xzf "$$tmp/nhsuk-frontend-$(NHSUK_FRONTEND_VERSION).tgz" -C "$$tmp"; \
	dist="$$tmp/package/dist/nhsuk"; \
	mkdir -p $(NHSUK_STATIC); rm -rf $(NHSUK_STATIC)/assets; mkdir -p $(NHSUK_STATIC)/assets; \
	sed -e 's#url(/assets/#url(assets/#g' -e '/sourceMappingURL=/d' \
		"$$dist/nhsuk-frontend-$(NHSUK_FRONTEND_VERSION).min.css" > $(NHSUK_STATIC)/nhsuk-frontend.min.css; \
	sed -e '/sourceMappingURL=/d' \
		"$$dist/nhsuk-frontend-$(NHSUK_FRONTEND_VERSION).min.js" > $(NHSUK_STATIC)/nhsuk-frontend.min.js; \
	cp -R "$$dist/assets/images" "$$dist/assets/manifest.json" $(NHSUK_STATIC)/assets/; \
	echo $(NHSUK_FRONTEND_VERSION) > $(NHSUK_STATIC)/VERSION; \
	if grep -Eq "url\([\"']?/[^/]" $(NHSUK_STATIC)/nhsuk-frontend.min.css; then \
		echo "root-relative url() left in $(NHSUK_STATIC)/nhsuk-frontend.min.css" >&2; exit 1; fi; \
	echo "NHS.UK frontend $(NHSUK_FRONTEND_VERSION) copied to $(NHSUK_STATIC)"

# The README's pictures of the portal, taken from its real pages (needs RabbitMQ, PostgreSQL, chromium).
screenshots: install
	$(BIN)/python -m docs.screenshots

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache
