"""The OpenAPI schema fuzzed with schemathesis: whatever a client sends, the server never answers 5xx.

Every query parameter is declared (api/params.py), so the fuzzer drives them all: values that fit the schema
(positive) and values that break it (negative: wrong types, numbers out of range, unknown enum values). Four runs,
anonymous and as an editor (so write paths get past authorization into validation), over 4,000 requests in all.
An exception escaping the app counts as the 500 a server would answer. Rows the fuzzer manages to write are removed.
"""

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from api.app import create_app
from tests import accounts

EXAMPLES = 50  # per operation and run, at most: operations with few parameters run out of new inputs sooner
RUNS = [("anonymous", GenerationMode.POSITIVE), ("anonymous", GenerationMode.NEGATIVE)]
RUNS += [("editor", GenerationMode.POSITIVE), ("editor", GenerationMode.NEGATIVE)]


@pytest.fixture(scope="module")
def fuzz_app(settings):
    app = create_app(settings)
    with TestClient(app):  # runs the lifespan: the engine stays open while the module's tests run
        yield app


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


@pytest.fixture(scope="module")
def fuzz_headers(engine, staff):
    editor = accounts._staff_user(engine, "editor")
    return {"anonymous": {}, "editor": accounts.bearer(engine, editor)}


def _described(case) -> str:
    """The request in a line: method, path and query, as a person would retype it."""
    query = "&".join(f"{k}={v!r}" for k, v in (case.query or {}).items())
    return f"{case.method} {case.formatted_path}" + (f"?{query}" if query else "")


def _fuzz(api_schema, headers: dict[str, str], mode: GenerationMode) -> tuple[int, list[str]]:
    """Run every operation with generated requests; return how many ran and the server errors."""
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
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case) -> None:
            nonlocal calls
            calls += 1
            try:
                response = case.call(headers=headers)
            except Exception as error:  # raised inside the app: a server answers 500 for this
                failures.append(f"{_described(case)} -> {type(error).__name__}: {str(error)[:200]}")
                return
            if response.status_code >= 500:
                failures.append(f"{_described(case)} -> {response.status_code}: {response.text[:200]}")

        try:
            run()
        except Unsatisfiable:  # negative mode: an operation without parameters has nothing to break
            pass
    return calls, failures


@pytest.mark.parametrize(("who", "mode"), RUNS, ids=[f"{who}-{mode.value}" for who, mode in RUNS])
def test_no_server_errors(api_schema, edits, fuzz_headers, who, mode):
    calls, failures = _fuzz(api_schema, fuzz_headers[who], mode)
    print(f"{who} {mode.value}: {calls} requests")
    assert calls >= 1_000
    assert failures == [], f"{len(failures)} of {calls} requests failed:\n" + "\n".join(failures)
