# Two commands do all the set-up on a fresh machine with RabbitMQ (and, for the tests, PostgreSQL)
# reachable: `make run` and `make test` create the virtual environment and install the project first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install lock run test unit lint bench asyncapi frontend-assets swagger-ui-assets screenshots clean

# NHS.UK frontend (npm `nhsuk-frontend`) vendored under services/portal/static/nhsuk. Keep the version in
# step with the PyPI `nhsuk-frontend-jinja` pin in pyproject.toml (tests/portal/test_assets.py checks).
NHSUK_FRONTEND_VERSION ?= 10.6.1
NHSUK_STATIC := services/portal/static/nhsuk

# Swagger UI (npm `swagger-ui-dist`) vendored under shared/static/swagger-ui: every service serves it to
# its own /docs page, so that the page works where browsers cannot reach a CDN (tests/shared/test_swagger_ui.py
# checks the version).
SWAGGER_UI_VERSION ?= 5.35.0
SWAGGER_UI_STATIC := shared/static/swagger-ui

install: $(VENV)/.installed

# The versions of requirements.lock (`make lock` writes it from pyproject.toml's ranges), so that every
# machine and the image run what the tests ran.
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

# Resolves pyproject.toml's ranges (the test extras included) to exact versions again; needs network access
# to the package index, and pip-tools in a virtual environment of its own.
lock:
	@set -eu; tools="$$(mktemp -d)"; trap 'rm -rf "$$tools"' EXIT; \
	$(PYTHON) -m venv "$$tools"; "$$tools/bin/pip" install --quiet 'pip-tools>=7.4,<8'; \
	"$$tools/bin/pip-compile" --quiet --upgrade --extra test --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml

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

# The fast tier: everything that runs in process (no stack, browser, fuzz or broker-stopping tests), on SQLite
# only (the tests parametrised over both databases have `postgresql` in their ids).
unit: install
	$(BIN)/python -m pytest -n 2 -m "not ($(REAL) or serial)" --ignore=tests/fuzz -k "not postgresql" $(PYTEST_ARGS)

# ruff's checks and its formatter's check, and the import contracts of pyproject.toml ([tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

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

# Refreshes the committed Swagger UI files; never part of `make test` or `make run` (needs npm). Only the
# files flask-smorest's /docs page loads are kept (its swagger_ui.html template), with the licences that
# cover them. The source maps are not vendored, so their comments go too: only the comment is cut, as a
# minified file may end its last line of code with it.
SWAGGER_UI_FILES := swagger-ui-bundle.js swagger-ui-standalone-preset.js swagger-ui.css
swagger-ui-assets:
	@set -eu; tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack --silent swagger-ui-dist@$(SWAGGER_UI_VERSION) >/dev/null); \
	tar -xzf "$$tmp/swagger-ui-dist-$(SWAGGER_UI_VERSION).tgz" -C "$$tmp"; \
	dist="$$tmp/package"; \
	rm -rf $(SWAGGER_UI_STATIC); mkdir -p $(SWAGGER_UI_STATIC); \
	for file in $(SWAGGER_UI_FILES); do \
		sed -e 's@/\*# sourceMappingURL=[^*]*\*/@@' -e 's@//# sourceMappingURL=.*$$@@' \
			"$$dist/$$file" > $(SWAGGER_UI_STATIC)/$$file; \
		if [ -f "$$dist/$$file.LICENSE.txt" ]; then cp "$$dist/$$file.LICENSE.txt" $(SWAGGER_UI_STATIC)/; fi; \
	done; \
	cp "$$dist/LICENSE" "$$dist/NOTICE" $(SWAGGER_UI_STATIC)/; \
	echo $(SWAGGER_UI_VERSION) > $(SWAGGER_UI_STATIC)/VERSION; \
	if grep -l 'sourceMappingURL=' $(SWAGGER_UI_STATIC)/*.js $(SWAGGER_UI_STATIC)/*.css; then \
		echo "source map comment left in the files above" >&2; exit 1; fi; \
	echo "Swagger UI $(SWAGGER_UI_VERSION) copied to $(SWAGGER_UI_STATIC)"

# The README's pictures of the portal, taken from its real pages (needs RabbitMQ, PostgreSQL, chromium).
screenshots: install
	$(BIN)/python -m docs.screenshots

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache
