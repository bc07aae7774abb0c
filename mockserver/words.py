"""A quick stand-in for Faker at seeding time, drawing from Faker's own en_US word lists.

Importing Faker costs about 50 ms (it lists every provider and locale at import),
more than the whole default seeding and a third of the fake's boot; and its text
methods are what makes seeding 100k conversations slow. The seeders only use a few
of its methods: this class offers those, with the same word lists and weights (copied
into seed_words.json by `python -m mockserver.words`) and one seeded random.Random,
so the data stays deterministic for a seed and reads like Faker's. Any other Faker
method is handed to a real Faker, imported on first use and seeded alike.
"""
from __future__ import annotations

import itertools
import json
import random
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

WORDS_FILE = Path(__file__).with_name("seed_words.json")
_NOT_IN_DOMAIN = re.compile(r"[^a-z0-9-]")


class _Weighted:
    """Names with Faker's frequencies: `choice` is a bisect over cumulative weights."""

    __slots__ = ("names", "cumulative")

    def __init__(self, pairs: list[tuple[str, float]]) -> None:
        self.names = [name for name, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))

    def choice(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cumulative)[0]


@lru_cache(maxsize=None)
def _lists() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
    for name in ("first_names", "first_names_female", "first_names_male", "last_names"):
        data[name] = _Weighted(data[name])
    return data


class QuickFake:
    """The Faker methods the seeders call; anything else goes to a real Faker."""

    def __init__(self) -> None:
        self._rng = random.Random(0)
        self._seed: int = 0
        self._lists = _lists()
        self._faker: Any = None

    def seed_instance(self, seed: int) -> None:
        self._seed = seed
        self._rng.seed(seed)
        if self._faker is not None:
            self._faker.seed_instance(seed)

    def _weighted(self, name: str) -> str:
        names: _Weighted = self._lists[name]
        return names.choice(self._rng)

    # -- people and companies --
    def first_name(self) -> str:
        return self._weighted("first_names")

    def first_name_female(self) -> str:
        return self._weighted("first_names_female")

    def first_name_male(self) -> str:
        return self._weighted("first_names_male")

    def last_name(self) -> str:
        return self._weighted("last_names")

    def company(self) -> str:
        pattern = self._rng.randrange(3)  # Faker's three en_US company formats
        if pattern == 0:
            return f"{self.last_name()} {self._rng.choice(self._lists['company_suffixes'])}"
        if pattern == 1:
            return f"{self.last_name()}-{self.last_name()}"
        return f"{self.last_name()}, {self.last_name()} and {self.last_name()}"

    def bs(self) -> str:
        return " ".join(self._rng.choice(words) for words in self._lists["bs_words"])

    def domain_name(self) -> str:
        word = _NOT_IN_DOMAIN.sub("", self.company().split(" ")[0].lower())
        return f"{word}.{self._rng.choice(self._lists['tlds'])}"

    # -- text --
    def _vary(self, number: int) -> int:
        # Faker's randomize_nb_elements: 60% to 140% of the number, at least 1.
        return max(1, int(number * self._rng.randint(60, 140) / 100))

    def sentence(self, nb_words: int = 6, variable_nb_words: bool = True) -> str:
        if nb_words <= 0:
            return ""
        count = self._vary(nb_words) if variable_nb_words else nb_words
        words = self._rng.choices(self._lists["lorem"], k=count)
        return " ".join(words).capitalize() + "."

    def paragraph(self, nb_sentences: int = 3, variable_nb_sentences: bool = True) -> str:
        count = self._vary(nb_sentences) if variable_nb_sentences else nb_sentences
        return " ".join(self.sentence() for _ in range(count))

    # -- the rest of Faker --
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._faker is None:
            try:
                from faker import Faker  # only for a method the stand-in lacks: importing it costs ~50 ms
            except ImportError:
                raise AttributeError(f"QuickFake has no {name}(); Faker has it: pip install 'conversations-mockserver[faker]'") from None
            self._faker = Faker("en_US")
            self._faker.seed_instance(self._seed)
        return getattr(self._faker, name)


def export_from_faker() -> dict[str, Any]:
    """The word lists of Faker's en_US providers, as seed_words.json holds them."""
    from faker.providers.company.en_US import Provider as Company
    from faker.providers.internet.en_US import Provider as Internet
    from faker.providers.lorem.en_US import Provider as Lorem
    from faker.providers.person.en_US import Provider as Person

    def weighted(names: Any) -> list[tuple[str, float]]:
        return list(names.items()) if isinstance(names, dict) else [(n, 1.0) for n in names]

    return {
        "source": "Faker's en_US providers (MIT licence), exported by `python -m mockserver.words`",
        "first_names": weighted(Person.first_names),
        "first_names_female": weighted(Person.first_names_female),
        "first_names_male": weighted(Person.first_names_male),
        "last_names": weighted(Person.last_names),
        "company_suffixes": list(Company.company_suffixes),
        "bs_words": [list(words) for words in Company.bsWords],
        "tlds": list(Internet.tlds),
        "lorem": list(Lorem.word_list),
    }


if __name__ == "__main__":
    WORDS_FILE.write_text(json.dumps(export_from_faker(), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"written {WORDS_FILE}")
