"""schemathesis over /api/v1/openapi.json against the app (its WSGI interface): for every operation, generated
requests — valid and not — never get a 5xx, and every answer matches the document (status, content type, body)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.web.test_api import make_token

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 40


def test_the_api_keeps_its_openapi_document(demo_app):
    """Every operation as the administrator (who may do nearly everything, so the write paths run, not only
    refusals); schemathesis' pytest plugin (`from_fixture`) does not work with pytest 9, so the operations are
    walked here, each with its own Hypothesis run, and every failure is reported at the end."""
    demo_app.config["API_RATE_LIMIT"] = 1_000_000  # the limit has its own test; here it would only stop the run
    headers = {"Authorization": f"Bearer {make_token(demo_app, 'admin')}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collected, so one broken operation does not hide the others
            failures.append(f"{operation.label}: {exc}")
    assert operations >= 20
    assert not failures, "\n\n".join(failures)
