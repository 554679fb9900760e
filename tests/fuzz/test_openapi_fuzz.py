"""Fuzzing every service's API against the OpenAPI document it publishes, in process, with schemathesis.

For every operation of every service:
1. the matrix's known-good request (tests/authorization/table.py) is sent first and must succeed (2xx),
   so every operation is reached for real at least once;
2. then schemathesis generates requests, valid and invalid, aimed at Trust A's real objects most of the
   time (and at made-up ids otherwise), sent with a valid token of a caller the operation allows.

Every response must: not be a server error; use a documented status, content type and headers; match
the documented schema. Invalid input must be refused (4xx).

Deterministic and bounded: hypothesis is derandomized and has no example database, so a run is the same
every time. The number of generated examples per operation comes from FUZZ_EXAMPLES (default 12, which
keeps the directory well under 90 s on SQLite). A harder run, e.g.:

    FUZZ_EXAMPLES=300 .venv/bin/python -m pytest -q tests/fuzz
    FUZZ_EXAMPLES=200 FUZZ_DATABASE=postgresql .venv/bin/python -m pytest -q tests/fuzz
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.service import installed_services
from tests.authorization.table import Raw
from tests.fuzz.conftest import EXAMPLES, known_good

CONFORMANCE = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# positive_data_acceptance stays off: rules across fields (an action plan with `not_yet`, a process map's
# links between its own lanes, a passport type's skills) are refused with 422 by design, and JSON Schema
# cannot state them, so schema-valid bodies are rightly refused.
CHECKS = [not_a_server_error, *CONFORMANCE, negative_data_rejection]
# Readiness answers 503 by design when the broker is unreachable, as it is in process; it is documented.
CHECKS_BY_PATH = {"/readyz": CONFORMANCE}
# A request that uses its object up gets objects of its own, so that it cannot take them from the rest.
USES_UP = ("DELETE",)


@pytest.mark.parametrize("world", installed_services(), indirect=True)
def test_every_operation_survives_fuzzing(world):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", world.app)
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        try:
            _fuzz(world, operation)
        except (Exception, FailureGroup) as error:  # gathered, so that one run reports every operation that fails
            failures[label] = str(error)[:3000]
    assert not failures, "\n\n".join(f"== {label}\n{message}" for label, message in failures.items())


def _fuzz(world, operation) -> None:
    method, template = operation.method.upper(), operation.path
    entry, caller = known_good(world.name, method, template)
    headers = world.headers[caller]
    checks = CHECKS_BY_PATH.get(template, CHECKS)
    destructive = method in USES_UP or (entry is not None and entry.fresh)

    if entry is not None:
        ids = world.fresh_ids() if entry.fresh else world.ids
        query = dict(parse_qsl(world.path(entry.path, ids).partition("?")[2]))
        body = entry.body_for(world, ids)
        if isinstance(body, Raw):  # a CSV file, say: sent as it is, with its media type
            sent = {"body": body.text, "media_type": body.content_type}
        else:
            sent = {"body": body} if entry.body is not None else {}
        case = operation.Case(path_parameters=world.path_parameters(template, ids), query=query or None, **sent)
        response = case.call_and_validate(headers=headers, checks=checks)
        expected = entry.expect[caller]
        assert response.status_code == expected, (
            f"the known-good request got {response.status_code}: {response.text[:300]}"
        )

    known = world.path_parameters(template, world.fresh_ids() if destructive else world.ids)
    # The token is fixed rather than generated: the security scheme's header is not the data under test.
    fixed = {"headers": headers} if headers else {}
    strategies = [operation.as_strategy(mode, **fixed) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    if known:
        # Mostly real objects, so that the fuzzing goes past the 404 of a made-up id.
        strategies = [
            *(
                operation.as_strategy(mode, path_parameters=known, **fixed)
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            ),
            *strategies,
        ]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def run(case):
        case.call_and_validate(headers=headers, checks=checks)

    run()
