"""Monica's options: API tokens (one isolated account each), rate limit, data sizes, and
whether a write Monica rejects half-way keeps what it wrote (as Monica does) or changes nothing."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Mapping, Sequence, TypedDict

from ..config import VendorOptions, boolean, credential_list, positive_int, sizes

DEFAULT_TOKEN = "mockserver-token"
DEFAULT_RATE_LIMIT = 60  # Laravel's throttle:api, per user, fixed 60 s window


@dataclass(frozen=True)
class MonicaSizes:
    """How much data each Monica account is seeded with."""

    contacts: int = 12
    conversations: int = 20
    messages_min: int = 1
    messages_max: int = 6


@dataclass(frozen=True)
class MonicaOptions(VendorOptions):
    KEYWORDS: ClassVar[Mapping[str, str]] = {
        "monica_tokens": "tokens", "monica_rate_limit": "rate_limit", "monica_sizes": "sizes", "monica_partial_writes": "partial_writes",
    }

    tokens: tuple[str, ...] = (DEFAULT_TOKEN,)
    rate_limit: int = DEFAULT_RATE_LIMIT  # requests per fixed window, per token
    sizes: MonicaSizes = field(default_factory=MonicaSizes)
    # Keep what a service wrote before a later step failed, as Monica 4.x (no transaction)
    # does; by default the fake undoes it, so a rejected request changes nothing.
    partial_writes: bool = False

    def __post_init__(self) -> None:
        # Request::bearerToken() stops at a comma: such a token could never authenticate.
        object.__setattr__(self, "tokens", credential_list("monica_tokens", self.tokens, forbidden=","))
        positive_int("monica_rate_limit", self.rate_limit)
        object.__setattr__(self, "sizes", sizes("monica_sizes", MonicaSizes, self.sizes))
        boolean("monica_partial_writes", self.partial_writes)


class MonicaKeywords(TypedDict, total=False):
    """The keyword options of `MockServer(...)`, `create_app(...)` and the marker."""

    monica_tokens: Sequence[str] | str
    monica_rate_limit: int
    monica_sizes: MonicaSizes | Mapping[str, int]
    monica_partial_writes: bool
