"""Settings of one fake server. Every knob a test may want to turn lives here."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Mapping

DEFAULT_VITALLY_KEY = "sk_test_mockserver"
DEFAULT_MONICA_TOKEN = "mockserver-token"


@dataclass
class VitallySizes:
    """How much data each Vitally workspace is seeded with."""

    organizations: int = 3
    accounts: int = 10
    users: int = 30
    admins: int = 5
    conversations: int = 25
    messages_min: int = 1
    messages_max: int = 6


@dataclass
class MonicaSizes:
    """How much data each Monica account is seeded with."""

    contacts: int = 12
    conversations: int = 20
    messages_min: int = 1
    messages_max: int = 6


@dataclass
class Config:
    seed: int = 0
    vitally_keys: tuple[str, ...] = (DEFAULT_VITALLY_KEY,)
    monica_tokens: tuple[str, ...] = (DEFAULT_MONICA_TOKEN,)
    # Hapi's default payload limit (Vitally answers in Hapi/Boom's error shape).
    max_body_bytes: int = 1_048_576
    vitally_rate_limit: int = 1000  # requests per sliding 60 s window, per key
    monica_rate_limit: int = 60  # Laravel throttle:api, per token, fixed 60 s decay
    rate_limit_window: float = 60.0
    vitally_sizes: VitallySizes = field(default_factory=VitallySizes)
    monica_sizes: MonicaSizes = field(default_factory=MonicaSizes)
    # Validate every response the fake sends against its schema (tests turn this on).
    strict_responses: bool = False

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> "Config":
        """Build a Config from keyword options; unknown keys are an error, not ignored."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise TypeError(f"unknown mockserver option(s): {', '.join(sorted(unknown))}")
        for name, kind in (("vitally_sizes", VitallySizes), ("monica_sizes", MonicaSizes)):
            if isinstance(values.get(name), Mapping):
                values[name] = kind(**values[name])
        for name in ("vitally_keys", "monica_tokens"):
            if name in values:
                if isinstance(values[name], str):
                    values[name] = (values[name],)
                values[name] = tuple(dict.fromkeys(values[name]))  # unique, in order
        return cls(**values)
