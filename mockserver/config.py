"""Settings of one fake server: the core's own, and one options object per vendor.

Values are checked when the config is built, so a server that could only answer
429 or 413 to everything is a clear error at start instead. Users pass flat keyword
options (`seed=`, `vitally_keys=`, `monica_rate_limit=`, ...): each vendor's options
type says which keywords are its own (`KEYWORDS`), so the core needs no list of them.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar, Mapping, TypeVar

from .errors import OptionError

T = TypeVar("T")

DEFAULT_MAX_BODY_BYTES = 1_048_576  # Hapi's default payload limit


def positive_int(name: str, value: Any, minimum: int = 1) -> int:
    """`value` as an int of at least `minimum`, or an OptionError naming the option."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise OptionError(f"{name} must be an integer, not {value!r}")
    if value < minimum:
        raise OptionError(f"{name} must be at least {minimum}, not {value}")
    return value


def boolean(name: str, value: Any) -> bool:
    """`value` if it is True or False (not 1, not "yes"), or an OptionError naming the option."""
    if not isinstance(value, bool):
        raise OptionError(f"{name} must be True or False, not {value!r}")
    return value


def credential_list(name: str, value: Any, forbidden: str = "") -> tuple[str, ...]:
    """One or more credentials: unique, in order, non-empty, without `forbidden` characters."""
    items = (value,) if isinstance(value, str) else tuple(value)
    if not items:
        raise OptionError(f"{name} must name at least one credential")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise OptionError(f"{name}: every credential must be a non-empty string, not {item!r}")
        bad = [ch for ch in forbidden if ch in item]
        if bad or item != item.strip():
            raise OptionError(f"{name}: {item!r} cannot be sent as a credential (it has {bad[0] if bad else 'surrounding spaces'!r})")
    return tuple(dict.fromkeys(items))


def sizes(name: str, kind: type[T], value: Any) -> T:
    """A sizes dataclass from itself or a mapping; every count a non-negative integer."""
    if isinstance(value, Mapping):
        known = {f.name for f in fields(kind)}  # type: ignore[arg-type]
        unknown = set(value) - known
        if unknown:
            raise OptionError(f"{name}: unknown size(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
        value = kind(**value)
    if not isinstance(value, kind):
        raise OptionError(f"{name} must be a {kind.__name__} or a mapping of counts, not {value!r}")
    checked: T = value
    for f in fields(kind):  # type: ignore[arg-type]
        positive_int(f"{name}.{f.name}", getattr(value, f.name), minimum=0)
    low, high = getattr(value, "messages_min", 0), getattr(value, "messages_max", 0)
    if low > high:
        raise OptionError(f"{name}: messages_min ({low}) is more than messages_max ({high})")
    return checked


class VendorOptions:
    """Base of a vendor's options: `KEYWORDS` maps the public keyword to the field."""

    KEYWORDS: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def from_keywords(cls, values: Mapping[str, Any]) -> Any:
        return cls(**{cls.KEYWORDS[key]: value for key, value in values.items()})


CORE_KEYWORDS = (
    "seed", "locale", "max_body_bytes", "rate_limit_window", "strict_responses", "empty", "fixtures", "journal_size", "control_api",
)
DEFAULT_JOURNAL_SIZE = 1_000


def fixture_paths(value: Any) -> tuple[str, ...]:
    """`fixtures=`: one path or several, each a data set file (read when the app is built)."""
    items = (value,) if isinstance(value, (str, os.PathLike)) else tuple(value)
    for item in items:
        if not isinstance(item, (str, os.PathLike)) or not os.fspath(item):
            raise OptionError(f"fixtures: every item must be a path to a data set file, not {item!r}")
    return tuple(os.fspath(item) for item in items)
DEFAULT_LOCALE = "en_US"  # seed_words.json: Faker's en_US lists, without Faker
FAKER_EXTRA = "pip install 'conversations-mockserver[faker]'"


def check_locale(locale: Any) -> str:
    """`locale` if seeding can use it: en_US always; any other of Faker's locales only
    with Faker installed (the `faker` extra), since only Faker has their word lists."""
    if not isinstance(locale, str) or not locale:
        raise OptionError(f"locale must be a locale name such as 'de_DE', not {locale!r}")
    if locale == DEFAULT_LOCALE:
        return locale
    try:
        from faker.config import AVAILABLE_LOCALES
    except ImportError:
        raise OptionError(f"locale {locale!r} needs Faker, which brings the other locales: {FAKER_EXTRA}") from None
    if locale not in AVAILABLE_LOCALES:
        near = sorted(name for name in AVAILABLE_LOCALES if name.split("_")[0] == locale.replace("-", "_").split("_")[0])
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise OptionError(f"locale {locale!r} is not one of Faker's locales{hint}")
    return locale


@dataclass(frozen=True)
class Config:
    seed: int = 0
    locale: str = DEFAULT_LOCALE  # of the seeded names and text
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    rate_limit_window: float = 60.0  # seconds; both vendors use one minute
    # Validate every response the fake sends against its declared schema (tests turn this on).
    strict_responses: bool = False
    # Tenants start with no records (Monica keeps what a new account has).
    empty: bool = False
    # Data set files loaded at start instead of the generated data (they become the reset point).
    fixtures: tuple[str, ...] = ()
    # Entries the request journal keeps, the oldest dropped first; 0 records nothing.
    journal_size: int = DEFAULT_JOURNAL_SIZE
    # The routes under /__mockserver; off, they answer as any unknown path does.
    control_api: bool = True
    vendors: Mapping[str, Any] = field(default_factory=dict)  # vendor name -> its options object

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise OptionError(f"seed must be an integer, not {self.seed!r}")
        check_locale(self.locale)
        positive_int("max_body_bytes", self.max_body_bytes)
        positive_int("journal_size", self.journal_size, minimum=0)
        boolean("control_api", self.control_api)
        window = self.rate_limit_window
        if isinstance(window, bool) or not isinstance(window, (int, float)) or not math.isfinite(window) or window <= 0:
            raise OptionError(f"rate_limit_window must be a positive number of seconds, not {window!r}")
        boolean("empty", self.empty)
        object.__setattr__(self, "fixtures", fixture_paths(self.fixtures))
        if self.empty and self.fixtures:
            raise OptionError("empty and fixtures: pass one (a data set starts from empty tenants anyway)")

    def vendor(self, name: str) -> Any:
        return self.vendors[name]

    @property
    def seeded(self) -> bool:
        """Whether tenants start with the generated data (not empty, no data set to load)."""
        return not self.empty and not self.fixtures

    @classmethod
    def from_options(cls, values: Mapping[str, Any], vendor_options: Mapping[str, type[VendorOptions]]) -> "Config":
        """A Config from flat keyword options; an unknown keyword is an error, not ignored."""
        rest = dict(values)
        vendors: dict[str, Any] = {}
        for name, kind in vendor_options.items():
            own = {key: rest.pop(key) for key in list(rest) if key in kind.KEYWORDS}
            vendors[name] = kind.from_keywords(own)
        unknown = set(rest) - set(CORE_KEYWORDS)
        if unknown:
            known = sorted([*CORE_KEYWORDS, *(k for kind in vendor_options.values() for k in kind.KEYWORDS)])
            raise TypeError(f"unknown mockserver option(s): {', '.join(sorted(unknown))}; known: {', '.join(known)}")
        return cls(**rest, vendors=vendors)

    def with_vendors(self, vendor_options: Mapping[str, type[VendorOptions]]) -> "Config":
        """This config with default options for every vendor it does not configure."""
        missing = {name: kind() for name, kind in vendor_options.items() if name not in self.vendors}
        if not missing:
            return self
        return replace(self, vendors={**self.vendors, **missing})
