"""Property-based run of the OpenAPI schema (schemathesis): no operation answers a 5xx.

Every operation of ``/openapi.json`` gets a bounded number of generated requests, valid ones
(positive mode) and ones that break the schema (negative mode), derandomized so that a run is
repeatable, sent to the ASGI app with its real Redis. A 5xx anywhere fails the test and names
the request that caused it. Driven through hypothesis directly (``APIOperation.as_strategy``):
schemathesis' lazy pytest loader does not run under pytest 9.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from reelgraph.app.server import create_app
from tests import conftest_redis as _fx

pytestmark = pytest.mark.integration

platform = _fx.platform
redis_url = _fx.redis_url

#: Generated requests per operation and mode: the whole run stays well under a minute.
EXAMPLES = 25
BOUNDED = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _server_errors(operation: Any, mode: GenerationMode) -> list[str]:
    """The 5xx answers to ``EXAMPLES`` generated requests for ``operation`` in ``mode``."""
    found: list[str] = []

    @BOUNDED
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call()
        if response.status_code >= 500:
            found.append(f"{response.status_code} for {case.as_curl_command()}\n{response.text}")

    try:
        run()
    except Unsatisfiable:
        # nothing in the schema to break: no inputs (GET /health), or only free-form strings
        assert mode is GenerationMode.NEGATIVE, operation.label
    return found


def test_no_operation_answers_a_server_error(platform: dict[str, str]) -> None:
    app = create_app()
    with TestClient(app):  # runs the lifespan: the app's Redis clients exist for every call
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 14, [op.label for op in operations]
        errors = [
            f"{op.label} ({mode.value}): {err}"
            for op in operations
            for mode in GenerationMode
            for err in _server_errors(op, mode)
        ]
    assert not errors, "\n\n".join(errors[:10])
