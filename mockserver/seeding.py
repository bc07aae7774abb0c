"""Seeded data generation: one Faker-like generator and one random.Random per server instance.

Each tenant reseeds both from (server seed, vendor, tenant index), so a tenant's data
depends only on the seed and its position, not on the other tenants.
"""
from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta, timezone
from typing import Any

from .config import DEFAULT_LOCALE

# Seeded timestamps are spread over the year before this instant, not before "now",
# so the same seed gives byte-identical data on every day it is run.
SEED_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


def derived_seed(seed: int, *parts: object) -> int:
    digest = hashlib.sha256(repr((seed,) + parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


class Seeder:
    """The seeded randomness of one server; `for_tenant` hands out a reseeded pair.

    en_US names and text come from QuickFake (Faker's en_US lists, stable across
    Faker versions, without importing Faker); any other locale from Faker itself.
    """

    def __init__(self, seed: int = 0, locale: str = DEFAULT_LOCALE) -> None:
        self.seed = seed
        self.locale = locale
        self._fake: Any = None

    @property
    def fake(self) -> Any:
        if self._fake is None:
            if self.locale == DEFAULT_LOCALE:
                # Not Faker itself: importing it costs more than the whole default seeding.
                from .words import QuickFake

                self._fake = QuickFake()
            else:
                from faker import Faker  # the `faker` extra; Config checked it is there

                self._fake = Faker(self.locale)
        return self._fake

    def tenant_rng(self, vendor: str, index: int) -> random.Random:
        """The tenant's rng alone (ids of an empty or loaded tenant): no word lists loaded."""
        return random.Random(derived_seed(self.seed, vendor, index))

    def for_tenant(self, vendor: str, index: int) -> tuple[Any, random.Random]:
        value = derived_seed(self.seed, vendor, index)
        self.fake.seed_instance(value)
        return self.fake, random.Random(value)


_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))  # variant and version bits
_UUID4_SET = (0x8000 << 48) | (4 << 76)  # RFC 4122 variant, version 4


def seeded_uuid(rng: random.Random) -> str:
    """`str(uuid.UUID(int=rng.getrandbits(128), version=4))`, without building a UUID:
    seeding 100k conversations makes 600k ids."""
    digits = f"{rng.getrandbits(128) & _UUID4_CLEAR | _UUID4_SET:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def past_instant(rng: random.Random, days: float = 365.0, before: datetime = SEED_EPOCH) -> datetime:
    """A moment in the `days` before `before`, with millisecond precision."""
    offset_ms = rng.randrange(int(days * 86_400_000))
    return before - timedelta(milliseconds=offset_ms)
