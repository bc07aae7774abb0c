"""The fake's own API under /__mockserver: reset, health, credentials."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

blueprint = Blueprint("mockserver_control", __name__, url_prefix="/__mockserver")


def _state():  # type: ignore[no-untyped-def]
    return current_app.extensions["mockserver"]


@blueprint.post("/reset")
def reset():  # type: ignore[no-untyped-def]
    _state().store.reset()
    return jsonify({"reset": True})


@blueprint.get("/health")
def health():  # type: ignore[no-untyped-def]
    return jsonify({"status": "ok"})


@blueprint.get("/credentials")
def credentials():  # type: ignore[no-untyped-def]
    config = _state().config
    return jsonify({"vitally": {"apiKeys": list(config.vitally_keys)}, "monica": {"tokens": list(config.monica_tokens)}})
