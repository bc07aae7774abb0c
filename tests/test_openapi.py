"""The OpenAPI documents are generated from the operation tables: valid, complete, and true
of the running fake (schemathesis sends what the documents allow and checks the answers)."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from typing import Any, Iterator

import pytest
import requests
from openapi_spec_validator import validate

from mockserver import MockServer, create_app
from mockserver.app import state_of
from mockserver.openapi import document

VENDORS = ("vitally", "monica")


def _documents() -> dict[str, dict[str, Any]]:
    state = state_of(create_app())
    return {name: document(state.vendor(name)) for name in VENDORS}


DOCUMENTS = _documents()


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_document_is_valid_openapi_3_1(vendor: str) -> None:
    doc = DOCUMENTS[vendor]
    validate(doc)
    assert doc["openapi"].startswith("3.1")


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_route_is_an_operation_of_the_document_and_every_operation_a_route(vendor: str) -> None:
    app = create_app()
    prefix = state_of(app).vendor(vendor).prefix
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule == prefix or rule.rule.startswith(prefix + "/"):
            template = rule.rule.replace("<", "{").replace(">", "}")
            routes.update((method, template) for method in rule.methods or () if method != "HEAD")
    documented = {(method.upper(), path) for path, item in DOCUMENTS[vendor]["paths"].items() for method in item}
    assert routes == documented
    assert len(routes) == len(state_of(app).vendor(vendor).table)


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_status_an_operation_declares_has_its_schema_in_the_document(vendor: str) -> None:
    doc = DOCUMENTS[vendor]
    schemas = doc["components"]["schemas"]
    for operation in state_of(create_app()).vendor(vendor).table:
        documented = doc["paths"][operation.full_path][operation.method.lower()]
        assert set(documented["responses"]) == {str(s) for s in operation.responses}
        for status, answer in operation.responses.items():
            content = documented["responses"][str(status)].get("content", {})
            refs = json.dumps(content.get("application/json", {}))
            for name in answer.schemas:
                assert name in schemas and f"#/components/schemas/{name}" in refs
            assert ("text/html" in content) == answer.html
        assert documented["security"] == ([{f"{vendor}Auth": []}] if operation.auth else [])


def test_the_documents_declare_monicas_500s_and_the_auth_schemes() -> None:
    monica = DOCUMENTS["monica"]
    assert monica["components"]["securitySchemes"]["monicaAuth"]["scheme"] == "bearer"
    assert DOCUMENTS["vitally"]["components"]["securitySchemes"]["vitallyAuth"]["scheme"] == "basic"
    listing = monica["paths"]["/api/conversations"]["get"]
    assert "500" in listing["responses"] and {p["name"] for p in listing["parameters"]} >= {"limit", "page", "sort"}
    delete = monica["paths"]["/api/conversations/{conversation_id}"]["delete"]
    assert "500" in delete["responses"]


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_cli_and_the_control_api_serve_the_same_document(vendor: str, client: Any) -> None:
    printed = subprocess.run([sys.executable, "-m", "mockserver", "openapi", vendor], capture_output=True, text=True, check=True).stdout
    served = client.get(f"/__mockserver/openapi/{vendor}.json")
    assert served.status_code == 200
    assert json.loads(printed) == served.get_json() == DOCUMENTS[vendor]


def test_an_unknown_vendor_document_is_a_control_404(client: Any) -> None:
    response = client.get("/__mockserver/openapi/nobody.json")
    assert response.status_code == 404 and response.get_json()["error"] == "Not Found"


# -- schemathesis against a running fake -------------------------------------------------

import schemathesis  # noqa: E402  (after the cheap tests above, which do not need it)
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def fake() -> Iterator[MockServer]:
    # Strict: the fake checks each of its own answers too; a failed check is logged as
    # an error (and answered 500), which the tests below look for.
    with MockServer(strict_responses=True, vitally_rate_limit=100_000, monica_rate_limit=100_000) as server:
        yield server


@pytest.fixture
def logged_errors() -> Iterator[_Errors]:
    handler = _Errors()
    logger = logging.getLogger("mockserver")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _headers(server: MockServer, vendor: str) -> dict[str, str]:
    return server.vitally.headers if vendor == "vitally" else server.monica.headers


vitally_schema = schemathesis.openapi.from_dict(DOCUMENTS["vitally"])
monica_schema = schemathesis.openapi.from_dict(DOCUMENTS["monica"])
# Bounded and derandomized, so CI sees the same cases every run; for a deeper, random
# exploration: MOCKSERVER_SCHEMATHESIS_EXAMPLES=300 MOCKSERVER_SCHEMATHESIS_RANDOM=1 pytest tests/test_openapi.py
EXAMPLES = settings(
    max_examples=int(os.environ.get("MOCKSERVER_SCHEMATHESIS_EXAMPLES", "10")),
    derandomize=not os.environ.get("MOCKSERVER_SCHEMATHESIS_RANDOM"),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@vitally_schema.parametrize()
@EXAMPLES
def test_vitally_answers_only_what_its_document_declares(case: Any, fake: MockServer, logged_errors: _Errors) -> None:
    response = case.call(base_url=fake.url, headers=_headers(fake, "vitally"), timeout=10)
    case.validate_response(response, checks=[*CONFORMANCE, not_a_server_error])
    assert not logged_errors.records, [r.getMessage() for r in logged_errors.records]


@monica_schema.parametrize()
@EXAMPLES
def test_monica_answers_only_what_its_document_declares(case: Any, fake: MockServer, logged_errors: _Errors) -> None:
    response = case.call(base_url=fake.url, headers=_headers(fake, "monica"), timeout=10)
    case.validate_response(response, checks=CONFORMANCE)  # Monica documents its own 500s
    assert not logged_errors.records, [r.getMessage() for r in logged_errors.records]


def test_the_fake_answers_its_document_over_http(fake: MockServer) -> None:
    for vendor in VENDORS:
        assert requests.get(fake.url_for(f"/__mockserver/openapi/{vendor}.json"), timeout=10).json() == DOCUMENTS[vendor]
