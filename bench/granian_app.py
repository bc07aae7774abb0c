"""The fake's app for granian (`granian --factory bench.granian_app:app`): the loopback
section measures the server that `serve` does not offer next to the one it runs."""
from __future__ import annotations

from flask import Flask

from mockserver import create_app

from .cases import UNLIMITED


def app() -> Flask:
    return create_app(**UNLIMITED)
