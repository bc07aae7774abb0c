"""Monica's API under /api (filled in by the Monica issue)."""
from __future__ import annotations

from typing import Any

from flask import Flask


def init_app(app: Flask, state: Any) -> None:
    return None
