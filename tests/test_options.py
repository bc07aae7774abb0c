"""Server options are checked when the config is built: a value that could only give a
server answering 429 or 413 to everything, or none that could authenticate, is an
OptionError at start, naming the option. And the `locale` option."""
from __future__ import annotations

import sys

import pytest

from mockserver import MockServer, create_app
from mockserver.app import state_of
from mockserver.errors import OptionError


@pytest.mark.parametrize("options, names", [
    ({"vitally_rate_limit": -5}, "vitally_rate_limit"), ({"vitally_rate_limit": 0}, "vitally_rate_limit"),
    ({"monica_rate_limit": 0}, "monica_rate_limit"), ({"monica_rate_limit": 2.5}, "monica_rate_limit"),
    ({"monica_rate_limit": True}, "monica_rate_limit"), ({"max_body_bytes": -1}, "max_body_bytes"), ({"max_body_bytes": 0}, "max_body_bytes"),
    ({"rate_limit_window": 0}, "rate_limit_window"), ({"rate_limit_window": -1.0}, "rate_limit_window"),
    ({"rate_limit_window": float("nan")}, "rate_limit_window"), ({"rate_limit_window": float("inf")}, "rate_limit_window"),
    ({"seed": "1"}, "seed"), ({"seed": 1.5}, "seed"),
    ({"vitally_keys": []}, "vitally_keys"), ({"monica_tokens": ()}, "monica_tokens"), ({"vitally_keys": [""]}, "vitally_keys"),
    ({"vitally_keys": ["  "]}, "vitally_keys"), ({"vitally_keys": [" k"]}, "vitally_keys"), ({"vitally_keys": ["a:b"]}, "vitally_keys"),
    ({"monica_tokens": ["a,b"]}, "monica_tokens"), ({"monica_tokens": [5]}, "monica_tokens"),
    ({"vitally_sizes": {"conversations": -1}}, "vitally_sizes.conversations"), ({"vitally_sizes": {"nope": 1}}, "vitally_sizes"),
    ({"monica_sizes": {"messages_min": 5, "messages_max": 2}}, "monica_sizes"), ({"monica_sizes": 3}, "monica_sizes"),
    ({"locale": ""}, "locale"), ({"locale": "xx_YY"}, "locale"), ({"locale": 5}, "locale"),
    ({"empty": 1}, "empty"), ({"monica_partial_writes": 1}, "monica_partial_writes"), ({"monica_partial_writes": "yes"}, "monica_partial_writes"),
])
def test_a_value_that_cannot_work_is_an_option_error_naming_the_option(options, names):
    with pytest.raises(OptionError, match=names.replace(".", r"\.")):
        create_app(**options)


def test_an_unknown_option_is_a_type_error_listing_the_known_ones():
    with pytest.raises(TypeError, match="no_such_option.*known: .*locale.*vitally_keys"):
        create_app(no_such_option=1)


def test_credentials_keep_their_order_without_repeats():
    app = create_app(vitally_keys=["b", "a", "b"], monica_tokens="only")
    assert state_of(app).vendor("vitally").credentials == ("b", "a")
    assert state_of(app).vendor("monica").credentials == ("only",)


def _names(app):
    monica = state_of(app).vendor("monica").handle(lambda: "http://x")
    vitally = state_of(app).vendor("vitally").handle(lambda: "http://x")
    return [c["complete_name"] for c in monica.contacts] + [u["name"] for u in vitally.users]


def test_the_default_locale_is_en_us_without_faker(monkeypatch):
    """en_US comes from seed_words.json: no Faker import, the same names whether or not it is installed."""
    with_faker = _names(create_app(seed=4))
    monkeypatch.setitem(sys.modules, "faker", None)  # as if the faker extra were not installed
    assert _names(create_app(seed=4)) == _names(create_app(seed=4, locale="en_US")) == with_faker


def test_another_locale_seeds_its_names_deterministically():
    pytest.importorskip("faker")
    german = _names(create_app(seed=4, locale="de_DE"))
    assert german == _names(create_app(seed=4, locale="de_DE"))
    assert german != _names(create_app(seed=4))
    japanese = _names(create_app(seed=4, locale="ja_JP"))
    assert any(not name.isascii() for name in japanese)


def test_another_locale_without_faker_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "faker", None)
    monkeypatch.setitem(sys.modules, "faker.config", None)
    with pytest.raises(OptionError, match=r"conversations-mockserver\[faker\]"):
        MockServer(locale="de_DE")


def test_a_non_ascii_locale_serves_valid_responses():
    pytest.importorskip("faker")
    app = create_app(strict_responses=True, locale="zh_CN", monica_rate_limit=1000)
    app.testing = True
    client = app.test_client()
    monica = {"Authorization": "Bearer mockserver-token", "Accept": "application/json"}
    for path in ("/api/contacts?limit=100", "/api/conversations?limit=100"):
        assert client.get(path, headers=monica).status_code == 200
    vitally = {"Authorization": "Basic c2tfdGVzdF9tb2Nrc2VydmVyOg=="}
    for path in ("/resources/users", "/resources/accounts?status=activeOrChurned", "/resources/organizations", "/resources/conversations"):
        assert client.get(path, headers=vitally).status_code == 200
