"""Generated requests against the REST API's own /openapi.json (schemathesis, issue 13): whatever a client sends,
valid by the schema or not, gets no 500, and every response matches the schema (a documented status code, its
content type, a body of its schema). Bounded: a few dozen examples per operation and mode, on the in-process app.

schemathesis's pytest loader for fixtures (`schemathesis.pytest.from_fixture`) does not run under pytest 9, so
each operation's hypothesis strategy is driven directly; the operations are read from the app's schema.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from assistant.serving.api import create_api
from assistant.serving.service import AssistantService
from assistant.settings import Settings

EXAMPLES = 50  # per operation and generation mode
TOKEN = "generated-requests-token"  # with a token set, the checks also try requests without it or with a wrong one

# The operations, read from the schema of an app that is never started (collection must not build an index).
_SPEC = create_api(AssistantService(Settings(data_dir=Path("unused"), embedder="hash")),
                   Settings(data_dir=Path("unused"), embedder="hash")).openapi()
# Negative mode (requests the schema forbids) needs something to get wrong: parameters, a body or credentials.
CASES = [(method.upper(), path, mode) for path, methods in _SPEC["paths"].items() for method, spec in methods.items()
         for mode in GenerationMode if mode is GenerationMode.POSITIVE
         or {"parameters", "requestBody", "security"} & set(spec)]


@pytest.fixture(scope="module")
def api_schema(hash_data_dir, hash_assistant):
    config = Settings(data_dir=hash_data_dir, embedder="hash", api_token=TOKEN)
    service = AssistantService(config, factory=lambda *_args, **_kwargs: hash_assistant).start()
    service.get(timeout=60)
    return schemathesis.openapi.from_asgi("/openapi.json", create_api(service, config))


@pytest.mark.slow
@pytest.mark.parametrize("method, path, mode", CASES, ids=[f"{m} {p} {mode.value}" for m, p, mode in CASES])
def test_generated_requests_get_no_500_and_answers_that_match_the_schema(api_schema, method, path, mode):
    operation = api_schema[path][method]

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        headers = {"Authorization": f"Bearer {TOKEN}"}
        response = case.call(headers=headers)
        if response.status_code == 413:  # over the byte limit: refused before its fields are read, and rightly
            assert response.json()["detail"].startswith("request body is larger than")
            return
        # schemathesis's default checks: no 5xx, documented status, content type and body, auth enforced, …
        # except that any schema-valid request must succeed: an unknown regulation id is a valid string, and a 400.
        case.validate_response(response, headers=headers,
                               excluded_checks=[schemathesis.checks.positive_data_acceptance])

    check()
