"""The OpenAPI schema fuzzed with schemathesis: whatever a client sends, the server never answers 5xx.

Bounded (a few examples per operation) so the run stays well under a minute. Runs twice: anonymous, and as an
editor so that write paths get past authorization into validation. Rows the fuzzer manages to write are removed.
"""

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from api.app import create_app
from tests import accounts

EXAMPLES = 6


@pytest.fixture(scope="module")
def fuzz_app(settings):
    app = create_app(settings)
    with TestClient(app):  # runs the lifespan: the engine stays open while the module's tests run
        yield app


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


@pytest.fixture(scope="module")
def fuzz_editor(engine, staff):
    user = accounts._staff_user(engine, "editor")
    return accounts.bearer(engine, user)


def _fuzz(api_schema, headers: dict[str, str]) -> tuple[int, list[str]]:
    """Run every operation with a few generated requests; return how many ran and the 5xx answers."""
    calls, failures = 0, []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case) -> None:
            nonlocal calls
            response = case.call(headers=headers)
            calls += 1
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}")

        run()
    return calls, failures


def test_no_server_errors_anonymous(api_schema, edits):
    calls, failures = _fuzz(api_schema, {})
    assert calls > 100
    assert failures == []


def test_no_server_errors_as_editor(api_schema, edits, fuzz_editor):
    calls, failures = _fuzz(api_schema, fuzz_editor)
    assert calls > 100
    assert failures == []
