"""mockserver: a faithful, stateful fake of the Vitally and Monica Conversations APIs."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["MockServer", "create_app", "Config", "__version__"]

if TYPE_CHECKING:
    from .app import create_app
    from .config import Config
    from .server import MockServer


def __getattr__(name: str) -> Any:
    # Lazy, so `import mockserver` (and pytest's plugin discovery) stays cheap.
    if name == "MockServer":
        from .server import MockServer

        return MockServer
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "Config":
        from .config import Config

        return Config
    raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
