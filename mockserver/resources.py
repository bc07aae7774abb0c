"""Where the shipped data lives: inside the wheel, or at the top of a source checkout."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def data_dir(name: str) -> Path:
    """`schemas` or `fixtures`: the wheel puts them in the package, a checkout at its root."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"mockserver cannot find its {name}/ directory next to {_PACKAGE}")
