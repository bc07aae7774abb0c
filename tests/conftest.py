"""Shared fixtures: every app and server in this suite runs in strict mode, so any
response that breaks its JSON Schema fails the test that caused it."""
from __future__ import annotations

import base64
from typing import Any

import pytest

from mockserver import create_app

VITALLY_KEY = "sk_test_mockserver"
MONICA_TOKEN = "mockserver-token"


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


@pytest.fixture
def app() -> Any:
    app = create_app(strict_responses=True)
    app.testing = True  # a response that breaks its schema raises in the test
    return app


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def vitally_headers() -> dict[str, str]:
    return basic(VITALLY_KEY)


@pytest.fixture(scope="session")
def mockserver_options() -> dict[str, Any]:
    """Every server the plugin's fixtures start (the session's, and the marker's) is strict."""
    return {"strict_responses": True}


pytest_plugins = ["pytester"]
