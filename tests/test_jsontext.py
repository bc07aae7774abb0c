"""Client JSON read and walked without recursion: the depth is measured on the text."""
from __future__ import annotations

import pytest
from sweeps import nested

from mockserver import jsontext
from mockserver.store import FrozenDict, FrozenList, freeze, thaw


@pytest.mark.parametrize("text, depth", [
    ("1", 0), ('"x"', 0), ("[]", 1), ('{"a": [1, {"b": []}]}', 4), (nested(700, "array"), 700), (nested(700, "object"), 700),
    ('["[[[[", "]]]]", "\\"[["]', 1),  # brackets inside strings, escaped quotes too, do not nest
    ('[["a\\\\"], [[1]]]', 3),  # an escaped backslash ends before the quote
    ("[[[[", 4), ("[[]][[[", 3),  # not JSON: measured by its brackets all the same
])
def test_deeper_than_measures_arrays_and_objects_not_strings(text, depth):
    raw = text.encode()
    assert not jsontext.deeper_than(raw, depth)
    assert jsontext.deeper_than(raw, depth - 1) is (depth > 0)


def test_decode_refuses_text_deeper_than_the_limit_before_parsing_it():
    assert jsontext.decode(nested(512, "array").encode(), 512) is not None
    with pytest.raises(jsontext.TooDeep):
        jsontext.decode(nested(513, "array").encode(), 512)
    with pytest.raises(jsontext.TooDeep):
        jsontext.decode(b"[" * 1_000_000, 512)


@pytest.mark.parametrize("raw", [b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00", b'{"a": "\xed\xa0\x80"}', b'{"a": "\xff"}', b""])
def test_decode_reads_strict_utf8_only(raw):
    with pytest.raises(ValueError):
        jsontext.decode(raw, 512)


def test_rebuild_walks_any_depth_without_recursion():
    deep: object = "leaf"
    for i in range(5000):
        deep = [deep] if i % 2 else {"k": deep}
    frozen = freeze(deep)
    inner, levels = frozen, 0
    while not isinstance(inner, str):
        assert isinstance(inner, (FrozenDict, FrozenList))
        inner, levels = (inner["k"] if isinstance(inner, dict) else inner[0]), levels + 1
    assert (inner, levels) == ("leaf", 5000)
    thawed = thaw(frozen)
    assert type(thawed) is list and type(thawed[0]) is dict
    assert jsontext.rebuild({"a": [" x ", {"b": 1}]}, leaf=lambda v: v.strip() if isinstance(v, str) else v) == {"a": ["x", {"b": 1}]}


def test_freeze_keeps_frozen_parts_and_order():
    part = freeze({"z": [1]})
    whole = freeze({"b": part, "a": [part, 2]})
    assert whole["b"] is part and whole["a"][0] is part
    assert list(whole) == ["b", "a"]


def test_strings_yields_every_key_and_string():
    assert sorted(jsontext.strings({"a": ["b", {"c": "d", "e": 1}], "f": None})) == ["a", "b", "c", "d", "e", "f"]
