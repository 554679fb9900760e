# Two commands do all the set-up on a fresh machine with RabbitMQ (and, for the tests, PostgreSQL)
# reachable: `make run` and `make test` create the virtual environment and install the project first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run test bench asyncapi clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: install
	$(BIN)/skillpass run

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The AsyncAPI document of the events, regenerated from the event catalogue (a test fails when it is stale).
asyncapi: install
	$(BIN)/skillpass asyncapi --output docs/asyncapi.yaml

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache
