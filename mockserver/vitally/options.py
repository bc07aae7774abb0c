"""Vitally's options: API keys (one isolated workspace each), rate limit, data sizes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Mapping, Sequence, TypedDict

from ..config import VendorOptions, credential_list, positive_int, sizes

DEFAULT_KEY = "sk_test_mockserver"
DEFAULT_RATE_LIMIT = 1000  # documented: 1000 requests a minute, sliding window, per key


@dataclass(frozen=True)
class VitallySizes:
    """How much data each Vitally workspace is seeded with."""

    organizations: int = 3
    accounts: int = 10
    users: int = 30
    admins: int = 5
    conversations: int = 25
    messages_min: int = 1
    messages_max: int = 6


@dataclass(frozen=True)
class VitallyOptions(VendorOptions):
    KEYWORDS: ClassVar[Mapping[str, str]] = {"vitally_keys": "keys", "vitally_rate_limit": "rate_limit", "vitally_sizes": "sizes"}

    keys: tuple[str, ...] = (DEFAULT_KEY,)
    rate_limit: int = DEFAULT_RATE_LIMIT  # requests per sliding window, per key
    sizes: VitallySizes = field(default_factory=VitallySizes)

    def __post_init__(self) -> None:
        # The key is the user name of HTTP Basic: a colon would end it.
        object.__setattr__(self, "keys", credential_list("vitally_keys", self.keys, forbidden=":"))
        positive_int("vitally_rate_limit", self.rate_limit)
        object.__setattr__(self, "sizes", sizes("vitally_sizes", VitallySizes, self.sizes))


class VitallyKeywords(TypedDict, total=False):
    """The keyword options of `MockServer(...)`, `create_app(...)` and the marker."""

    vitally_keys: Sequence[str] | str
    vitally_rate_limit: int
    vitally_sizes: VitallySizes | Mapping[str, int]
