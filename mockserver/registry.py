"""The registered vendors: the one place that names them.

Adding a vendor is a package and its entry here: the class in VENDORS, and for
static typing its keyword options in `Options` and its handle properties in
`Handles` (a TypedDict and a mixin, so that mypy catches `MockServer(sed=1)` and
`server.vitally.no_such_attr`). The core walks VENDORS and names none of them.
"""
from __future__ import annotations

import os
from typing import Any, Sequence, TypedDict

from .config import VendorOptions
from .monica.handle import MonicaHandles
from .monica.options import MonicaKeywords
from .monica.vendor import Monica
from .surface import Vendor
from .vitally.handle import VitallyHandles
from .vitally.options import VitallyKeywords
from .vitally.vendor import Vitally

VENDORS: tuple[type[Vendor[Any]], ...] = (Vitally, Monica)


class CoreKeywords(TypedDict, total=False):
    locale: str
    max_body_bytes: int
    rate_limit_window: float
    strict_responses: bool
    empty: bool
    fixtures: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
    journal_size: int
    control_api: bool


class ServerOptions(CoreKeywords, VitallyKeywords, MonicaKeywords, total=False):
    """The keyword options of `MockServer` and `@pytest.mark.mockserver` besides seed, host, port."""


class Options(ServerOptions, total=False):
    """Every keyword option of `create_app`."""

    seed: int


class Handles(VitallyHandles, MonicaHandles):
    """Each vendor's handle properties (`server.vitally`, `server.monica_account(...)`)."""


def vendor_options() -> dict[str, type[VendorOptions]]:
    return {kind.name: kind.options_type for kind in VENDORS}
